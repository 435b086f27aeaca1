"""The test-image fault knobs (APP_FAULT): ready, crash, flappy."""

from __future__ import annotations

import httpx

from tests.app.processes import Launcher


def test_fault_ready_fails_readiness_naming_fault_injection(launcher: Launcher) -> None:
    api = launcher.api_in_thread(APP_FAULT="ready")
    response = httpx.get(f"{api.url}/ready", timeout=10)
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["fault-injection"]
    assert body["checks"]["postgres"] == "ok"
    assert httpx.get(f"{api.url}/health").status_code == 200


def test_fault_flappy_alternates_health(launcher: Launcher) -> None:
    api = launcher.api_in_thread(APP_FAULT="flappy")
    with httpx.Client(base_url=api.url) as client:
        statuses = [client.get("/health").status_code for _ in range(6)]
    assert statuses == [200, 503, 200, 503, 200, 503]


def test_fault_crash_exits_3_before_serving(launcher: Launcher) -> None:
    api = launcher.api(wait=False, APP_FAULT="crash")
    worker = launcher.worker(APP_FAULT="crash")
    assert api.wait(timeout=30) == 3, api.output()
    assert worker.wait(timeout=30) == 3, worker.output()
    assert "APP_FAULT=crash" in api.output()


def test_no_fault_by_default(launcher: Launcher) -> None:
    api = launcher.api_in_thread(APP_FAULT="")
    with httpx.Client(base_url=api.url) as client:
        assert [client.get("/health").status_code for _ in range(3)] == [200, 200, 200]
        assert client.get("/ready").status_code == 200
