"""Render the HAProxy configuration of the docker platform's router (pure; tested as text and by `haproxy -c`).

Live and test entries pick their backend per request from one map file. A flip changes that map through the
runtime API inside the running process: no reload, no restart, so no client connection is ever closed by it.
"""

from __future__ import annotations

from dataclasses import dataclass

from components.naming import ROUTER_MAP_DIR, ROUTER_MAP_FILE, ROUTER_RUNTIME_API, ROUTER_STATS_PORT

LIVE_BIND_PORT = 8080
TEST_BIND_PORT = 8081
MAP_PATH = f"{ROUTER_MAP_DIR}/{ROUTER_MAP_FILE}"
# Written into the image at creation; copied to the map volume only when the volume has no map yet, so a router
# restart keeps the color the last flip set.
INITIAL_MAP_PATH = "/usr/local/etc/haproxy/colors.initial.map"


@dataclass(frozen=True)
class RouterBackends:
    """Where each color's api listens, by container DNS name on the stack network."""

    blue_host: str
    green_host: str
    port: int
    health_path: str = "/health"


def render_haproxy_config(
    backends: RouterBackends, resolver: str = "127.0.0.11:53", map_path: str = MAP_PATH
) -> str:
    """`map_path` is only moved by tests: `haproxy -c` opens the map file, which must exist where it checks."""
    host, port = ROUTER_RUNTIME_API
    lines = [
        "global",
        # The container starts as root only to seed the map volume; HAProxy itself runs as this user.
        "    user haproxy",
        "    group haproxy",
        f"    stats socket ipv4@{host}:{port} level admin",
        "    stats timeout 10s",
        "    hard-stop-after 30s",
        "    log stdout format raw local0 info",
        "",
        "resolvers docker",
        f"    nameserver dns {resolver}",
        "    hold valid 1s",
        "    hold obsolete 5s",
        "",
        "defaults",
        "    mode http",
        "    log global",
        "    option httplog",
        "    option http-keep-alive",
        "    timeout connect 2s",
        "    timeout client 60s",
        "    timeout server 60s",
        "    timeout http-keep-alive 30s",
        # A request that never reached a server (refused, reset before a byte) is safe to send again.
        "    retries 3",
        "    retry-on conn-failure empty-response",
        "    option redispatch",
        "",
        "frontend live",
        f"    bind :{LIVE_BIND_PORT}",
        "    http-response set-header X-Shipyard-Entry live",
        f"    use_backend %[str(live),map({map_path},blue)]",
        "",
        "frontend test",
        f"    bind :{TEST_BIND_PORT}",
        "    http-response set-header X-Shipyard-Entry test",
        f"    use_backend %[str(test),map({map_path},green)]",
        "",
        "frontend stats",
        f"    bind :{ROUTER_STATS_PORT}",
        "    http-request use-service prometheus-exporter if { path /metrics }",
        "    http-request return status 200 content-type text/plain string ok if { path /healthz }",
        "    stats enable",
        "    stats uri /stats",
        "",
    ]
    for color, server_host in (("blue", backends.blue_host), ("green", backends.green_host)):
        lines += [
            f"backend {color}",
            f"    option httpchk GET {backends.health_path}",
            "    http-check expect status 200",
            "    http-response set-header X-Shipyard-Color " + color,
            f"    server api-{color} {server_host}:{backends.port} check inter 1s fall 2 rise 2 "
            "resolvers docker init-addr last,libc,none",
            "",
        ]
    return "\n".join(lines)


def router_command(config_path: str) -> list[str]:
    """Seed the map volume on first start only, then run HAProxy in the foreground (master-worker)."""
    seed = f"test -s {MAP_PATH} || cp {INITIAL_MAP_PATH} {MAP_PATH}"
    return ["bash", "-c", f"{seed} && exec haproxy -W -db -f {config_path}"]
