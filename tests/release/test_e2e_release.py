"""End to end on real containers (through the seam): promote, refusals, warm and cold rollback, the lock, and
zero failed requests for kept-alive clients during every flip."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from release.commands import CommandResult
from release.errors import ConfigError, LockHeldError
from release.plan import FLIP_STEPS
from tests.release.e2e_support import E2EStack, stack_up
from tests.release.load import LoadGenerator

pytestmark = pytest.mark.docker


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    yield from stack_up(tmp_path_factory.mktemp("release"))


def assert_live(e2e: E2EStack, tag: str, color: str) -> None:
    assert e2e.live_version() == (tag, color)
    assert e2e.router_live() == color == e2e.settings.release.live
    assert e2e.settings.release.tag_of(color) == tag  # type: ignore[arg-type]


def test_happy_promote_under_load_has_zero_failed_requests(e2e: E2EStack) -> None:
    deployed = e2e.deploy("1.1.0")
    assert deployed.ok, deployed.message
    assert e2e.live_version() == ("1.0.0", "blue")  # deploy never touches live
    with LoadGenerator(e2e.live_url, threads=4) as load:
        time.sleep(0.5)
        result = e2e.promote()
        time.sleep(0.5)
    assert result.ok, result.message
    assert [s["name"] for s in result.steps if s["status"] == "ok"][-4:] == list(FLIP_STEPS)
    assert any(s["name"] == "gate-migrate" and s["status"] == "ok" for s in result.steps)
    assert_live(e2e, "1.1.0", "green")
    assert len(load.samples) > 200 and load.failed == [], load.failed[:5]
    assert load.samples[-1].color == "green" and load.samples[0].color == "blue"
    history = e2e.settings.release.history
    assert [(h.tag, h.color, h.kind) for h in history] == [("1.0.0", "blue", "promote"), ("1.1.0", "green", "promote")]


def test_warm_rollback_is_only_a_flip_and_fast(e2e: E2EStack) -> None:
    with LoadGenerator(e2e.live_url, threads=4) as load:
        time.sleep(0.5)
        started = time.monotonic()
        result = e2e.rollback()
        seconds = time.monotonic() - started
        time.sleep(0.5)
    assert result.ok, result.message
    assert [s["name"] for s in result.steps] == list(FLIP_STEPS)
    assert_live(e2e, "1.0.0", "blue")
    assert load.failed == [], load.failed[:5]
    switched_at = load.last_other("blue", "1.0.0")
    assert switched_at is not None and switched_at - started < 3.0, "traffic should move in well under 3 s"
    print(f"warm rollback: {seconds:.1f} s command (incl. {e2e.settings.gates.watch_window_seconds:g} s watch), "
          f"100 % on 1.0.0 after {switched_at - started:.2f} s")
    assert e2e.settings.release.history[-1].kind == "rollback"


def test_concurrent_promote_is_refused_naming_the_holder(e2e: E2EStack) -> None:
    first = e2e.script("promote", env={"SHIPYARD_TEST_PAUSE_AT": "gate-health", "SHIPYARD_TEST_PAUSE_SECONDS": "6"})
    try:
        assert first.stderr is not None
        for line in first.stderr:
            if "SHIPYARD_TEST_PAUSED" in line:
                break
        with pytest.raises(LockHeldError, match=rf"locked by promote \(pid {first.pid} on "):
            e2e.promote()
        assert first.wait(timeout=120) == 0
    finally:
        first.kill()
    assert_live(e2e, "1.1.0", "green")


def _refused_and_live_untouched(e2e: E2EStack, deployed: CommandResult) -> None:
    promoted = e2e.promote() if deployed.ok else deployed
    assert not promoted.ok and promoted.exit_code == 1
    assert promoted.message.startswith("refused:"), promoted.message
    assert_live(e2e, "1.1.0", "green")
    assert e2e.live_healthy()


def test_bad_ready_is_refused_and_live_untouched(e2e: E2EStack) -> None:
    deployed = e2e.deploy("bad-ready")
    assert deployed.ok, "its /health is fine, so the deploy itself succeeds"
    result = e2e.promote()
    assert not result.ok and "gate-health" in result.message and "/ready" in result.message
    assert_live(e2e, "1.1.0", "green")


def test_crash_on_start_is_refused(e2e: E2EStack) -> None:
    deployed = e2e.deploy("crash")
    assert not deployed.ok and "wait-idle-healthy" in deployed.message
    assert e2e.live_healthy()
    promoted = e2e.promote()
    assert not promoted.ok and promoted.message.startswith("refused: gate-deployed"), promoted.message
    assert_live(e2e, "1.1.0", "green")


def test_flapping_health_is_not_promoted(e2e: E2EStack) -> None:
    _refused_and_live_untouched(e2e, e2e.deploy("flappy"))


def test_unknown_rollback_target_changes_nothing(e2e: E2EStack) -> None:
    path = Path(e2e.project) / f"Pulumi.{e2e.stack}.yaml"
    before = path.read_text()
    with pytest.raises(ConfigError, match="never released"):
        e2e.rollback("2.0.0")
    assert path.read_text() == before


def test_cold_rollback_redeploys_gates_and_flips_under_load(e2e: E2EStack) -> None:
    # 1.0.0 was released before but now runs on neither color (blue holds the flappy candidate).
    assert {e2e.settings.release.tag_of("blue"), e2e.settings.release.tag_of("green")} == {"flappy", "1.1.0"}
    with LoadGenerator(e2e.live_url, threads=4) as load:
        result = e2e.rollback("1.0.0")
    assert result.ok, result.message
    names = [s["name"] for s in result.steps if s["status"] == "ok"]
    assert names[:4] == ["check-image", "write-idle-tag", "apply-idle", "wait-idle-healthy"]
    assert "gate-health" in names and names[-4:] == list(FLIP_STEPS)
    assert_live(e2e, "1.0.0", "blue")
    assert load.failed == [], load.failed[:5]


def test_status_reports_both_colors_and_history(e2e: E2EStack) -> None:
    status = e2e.status()
    assert status.ok, status.message
    data = status.data
    assert data["live"] == {"config": "blue", "router": "blue", "mismatch": False}
    assert data["colors"]["blue"]["running_tag"] == "1.0.0" and data["colors"]["blue"]["entry_health"] == "ok"
    assert data["colors"]["green"]["running_tag"] == "1.1.0"
    assert data["history"][0]["tag"] == "1.0.0" and data["history"][0]["kind"] == "rollback"
    assert data["lock"] is None
