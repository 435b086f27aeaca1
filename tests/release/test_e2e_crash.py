"""SIGKILL a promote at each step, then re-run it: it converges, and live traffic is never on an unhealthy color
(a probe of the live entry runs for the whole test and must never fail)."""

from __future__ import annotations

import json
import signal
import subprocess
from collections.abc import Iterator

import pytest

from release.lock import lock_path
from tests.release.e2e_support import E2EStack, stack_up
from tests.release.load import LoadGenerator

pytestmark = pytest.mark.docker

KILL_POINTS = ["gate-health", "write-intent", "switch-router", "verify-live", "record-state", "unlock"]


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    yield from stack_up(tmp_path_factory.mktemp("crash"))


def kill_at(e2e: E2EStack, step: str) -> None:
    process = e2e.script("promote", env={"SHIPYARD_TEST_PAUSE_AT": step})
    assert process.stderr is not None
    try:
        seen = []
        for line in process.stderr:
            seen.append(line)
            if "SHIPYARD_TEST_PAUSED" in line:
                break
        else:
            raise AssertionError(f"promote never reached {step}:\n{''.join(seen)}")
        process.send_signal(signal.SIGKILL)
    finally:
        process.kill()
        process.wait(timeout=30)


def run(e2e: E2EStack, *args: str) -> subprocess.CompletedProcess[str]:
    process = e2e.script("promote", *args)
    out, err = process.communicate(timeout=300)
    return subprocess.CompletedProcess(process.args, process.returncode, out, err)


@pytest.mark.parametrize("step", KILL_POINTS)
def test_sigkill_at_each_step_then_rerun_converges(e2e: E2EStack, step: str) -> None:
    if e2e.settings.release.tag_of(e2e.settings.release.idle) == e2e.settings.release.tag_of(
            e2e.settings.release.live):
        assert e2e.deploy("1.1.0" if e2e.live_version()[0] != "1.1.0" else "1.0.0").ok
    before_live = e2e.settings.release.live
    with LoadGenerator(e2e.live_url, threads=1, path="/health") as probe:
        kill_at(e2e, step)
        assert e2e.live_healthy()
        refused = run(e2e)
        assert refused.returncode == 4 and "stale lock" in refused.stderr and "--break-lock" in refused.stderr
        rerun = run(e2e, "--break-lock", "--json")
        assert rerun.returncode == 0, rerun.stderr
    assert probe.failed == [], f"live entry failed while killed at {step}: {probe.failed[:3]}"
    settings = e2e.settings
    live = settings.release.live
    assert e2e.router_live() == live
    assert e2e.live_version() == (settings.release.tag_of(live), live)
    assert settings.release.history[-1].color == live
    assert not lock_path(e2e.project, e2e.stack).exists()
    assert e2e.status().ok
    # Whatever the step, the release ends flipped exactly once (a finished interrupted flip is not re-flipped).
    assert live != before_live, json.loads(rerun.stdout)["message"]
