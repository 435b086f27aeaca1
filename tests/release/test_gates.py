"""Gates against a real local HTTP server."""

from __future__ import annotations

import itertools
import sys

from infra.settings.release import GateSettings, MetricGate, SmokeCheck
from release import gates
from release.http_probe import Probe
from tests.release.fake_service import fake_service, json_body

GREEN = {"X-Shipyard-Color": "green"}
FAST = GateSettings(consecutive_passes=3, interval_seconds=0.05, deadline_seconds=2, request_timeout_seconds=1,
                    watch_window_seconds=0.3)


def healthy_routes(color: dict[str, str] = GREEN, version: str = "1.1.0") -> dict[str, object]:
    return {
        "/health": (200, "ok", color),
        "/ready": (200, "ready", color),
        "/version": (200, json_body({"version": version, "color": "green"}), color),
    }


def test_version_gate_checks_tag_and_router_color() -> None:
    with fake_service(healthy_routes()) as url:  # type: ignore[arg-type]
        probe = Probe(url, 1)
        assert gates.version_gate(probe, FAST, "1.1.0", "green").ok
        wrong_tag = gates.version_gate(probe, FAST, "2.0.0", "green")
        assert not wrong_tag.ok and "serves version '1.1.0', expected '2.0.0'" in wrong_tag.reason
        wrong_color = gates.version_gate(probe, FAST, "1.1.0", "blue")
        assert not wrong_color.ok and "X-Shipyard-Color" in wrong_color.reason


def test_health_gate_needs_consecutive_passes() -> None:
    answers = itertools.cycle([200, 200, 503])  # never 3 in a row (per /health + /ready round)
    routes = healthy_routes()
    routes["/ready"] = lambda: (next(answers), "flap", GREEN)
    with fake_service(routes) as url:  # type: ignore[arg-type]
        result = gates.health_gate(Probe(url, 1), FAST, "green")
    assert not result.ok and "no 3 consecutive healthy rounds within 2 s" in result.reason


def test_health_gate_passes_and_ready_failure_is_named() -> None:
    with fake_service(healthy_routes()) as url:  # type: ignore[arg-type]
        assert gates.health_gate(Probe(url, 1), FAST, "green").ok
    routes = healthy_routes()
    routes["/ready"] = (503, "database unreachable", GREEN)
    with fake_service(routes) as url:  # type: ignore[arg-type]
        result = gates.health_gate(Probe(url, 1), FAST, "green")
    assert not result.ok and "/ready: HTTP 503 'database unreachable'" in result.reason


def test_health_gate_reports_no_answer() -> None:
    result = gates.health_gate(Probe("http://127.0.0.1:9", 0.2), FAST, "green")
    assert not result.ok and "no answer" in result.reason


def test_watch_gate_fails_on_one_bad_round() -> None:
    answers = itertools.chain([200, 200], itertools.repeat(500))
    routes = healthy_routes()
    routes["/health"] = lambda: (next(answers), "x", GREEN)
    with fake_service(routes) as url:  # type: ignore[arg-type]
        result = gates.watch_gate(Probe(url, 1), FAST, "green")
    assert not result.ok and "watch window" in result.reason


def test_smoke_gate_status_and_contains() -> None:
    checks = GateSettings(smoke=[SmokeCheck(path="/health", contains="ok"), SmokeCheck(path="/missing", status=404)])
    with fake_service(healthy_routes()) as url:  # type: ignore[arg-type]
        assert gates.smoke_gate(Probe(url, 1), checks).ok
        bad = GateSettings(smoke=[SmokeCheck(path="/ready", contains="all good")])
        result = gates.smoke_gate(Probe(url, 1), bad)
    assert not result.ok and "does not contain 'all good'" in result.reason


def test_smoke_script_gets_the_base_url(tmp_path: object) -> None:
    script = f"{sys.executable} -c \"import os,sys; sys.exit(0 if os.environ['SHIPYARD_BASE_URL']=='http://x' else 3)\""
    assert gates.smoke_script_gate(script, "http://x", 10, ".").ok
    failed = gates.smoke_script_gate(f"{sys.executable} -c 'raise SystemExit(4)'", "http://x", 10, ".")
    assert not failed.ok and "exited 4" in failed.reason
    assert gates.smoke_script_gate(None, "http://x", 10, ".").skipped


def test_migration_and_metric_gates_skip_with_reasons() -> None:
    assert gates.migration_gate(None, "", None).skipped
    assert gates.migration_gate(0, "", ["m"]).ok
    assert "exited 1: boom" in gates.migration_gate(1, "boom", ["m"]).reason
    off = gates.metric_gate(MetricGate(query="up", max=1), False, "http://127.0.0.1:9", "green", 1)
    assert off.ok and off.skipped and "monitoring.enabled is false" in off.reason


def test_metric_gate_queries_prometheus() -> None:
    body = json_body({"status": "success", "data": {"result": [{"value": [0, "0.2"]}]}})
    with fake_service({"/api/v1/query?query=err_green": (200, body, {})}) as url:
        ok = gates.metric_gate(MetricGate(query="err_$color", max=0.5), True, url, "green", 1)
        high = gates.metric_gate(MetricGate(query="err_$color", max=0.1), True, url, "green", 1)
    assert ok.ok and not high.ok and "above the allowed 0.1" in high.reason
