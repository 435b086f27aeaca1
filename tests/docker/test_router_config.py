"""The router's HAProxy configuration, as text and as checked by the real `haproxy -c`."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from components.docker import router_config
from components.docker.router_config import RouterBackends, render_haproxy_config, router_command
from components.naming import render_color_map

BACKENDS = RouterBackends("shipyard-demo-staging-api-blue", "shipyard-demo-staging-api-green", 8000)
MAP = "/usr/local/etc/haproxy/maps/colors.map"


def test_live_and_test_entries_pick_their_backend_from_the_map() -> None:
    text = render_haproxy_config(BACKENDS)
    assert "frontend live\n    bind :8080\n" in text
    assert "frontend test\n    bind :8081\n" in text
    assert f"    use_backend %[str(live),map({MAP},blue)]" in text
    assert f"    use_backend %[str(test),map({MAP},green)]" in text
    assert text.count("use_backend") == 2


def test_backends_health_check_each_color_by_container_name() -> None:
    text = render_haproxy_config(BACKENDS)
    for color in ("blue", "green"):
        assert (
            f"backend {color}\n    option httpchk GET /health\n    http-check expect status 200\n"
            f"    http-response set-header X-Shipyard-Color {color}\n"
            f"    server api-{color} shipyard-demo-staging-api-{color}:8000 check inter 1s fall 2 rise 2 "
            "resolvers docker init-addr last,libc,none\n"
        ) in text


def test_runtime_api_stats_and_privilege_drop() -> None:
    text = render_haproxy_config(BACKENDS)
    assert "    stats socket ipv4@127.0.0.1:9999 level admin\n" in text
    assert "    user haproxy\n    group haproxy\n" in text
    assert "frontend stats\n    bind :8404\n" in text
    assert "use-service prometheus-exporter if { path /metrics }" in text
    assert "string ok if { path /healthz }" in text


def test_router_command_seeds_the_map_only_when_missing() -> None:
    assert router_command("/usr/local/etc/haproxy/haproxy.cfg") == [
        "bash", "-c",
        f"test -s {MAP} || cp {router_config.INITIAL_MAP_PATH} {MAP} && "
        "exec haproxy -W -db -f /usr/local/etc/haproxy/haproxy.cfg",
    ]


def test_haproxy_accepts_the_rendered_config(tmp_path: Path) -> None:
    haproxy = shutil.which("haproxy")
    assert haproxy, "haproxy is required for this test (apt-get install haproxy)"
    map_file = tmp_path / "colors.map"
    map_file.write_text(render_color_map("blue"))
    config = tmp_path / "haproxy.cfg"
    config.write_text(render_haproxy_config(BACKENDS, map_path=str(map_file)))
    done = subprocess.run([haproxy, "-c", "-f", str(config)], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Configuration file is valid" in done.stdout + done.stderr
