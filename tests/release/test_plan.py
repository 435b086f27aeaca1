"""The planner is pure: settings + observed world -> ordered steps with reasons for every skip."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from infra.settings import StackSettings, from_stack_file
from release.plan import (
    FLIP_STEPS,
    ColorView,
    Observed,
    PlanError,
    deploy_steps,
    promote_plan,
    reconcile_plan,
    rollback_plan,
    rollback_target,
)
from release.transitions import with_color_tag, with_live
from tests.release.stack_fixtures import make_project


@pytest.fixture(scope="module")
def settings(tmp_path_factory: pytest.TempPathFactory) -> StackSettings:
    project, stack, _ = make_project(tmp_path_factory.mktemp("plan"))
    return from_stack_file(stack, project)


def observed(blue: str | None = "1.0.0", green: str | None = "1.0.0", healthy: bool = True,
             router: Any = "blue") -> Observed:
    return Observed(router, {"blue": ColorView(blue, healthy), "green": ColorView(green, healthy)})


def with_release(settings: StackSettings, release: Any) -> StackSettings:
    return settings.model_copy(update={"release": release})


def names(steps: list[Any]) -> list[str]:
    return [s.name for s in steps if not s.skip]


def test_deploy_writes_applies_and_waits_on_the_idle_color(settings: StackSettings) -> None:
    steps = deploy_steps(settings, observed(), "1.1.0")
    assert names(steps) == ["check-image", "write-idle-tag", "apply-idle", "wait-idle-healthy"]
    assert {s.color for s in steps} == {"green"}


def test_deploy_of_what_already_runs_is_skipped_with_reason(settings: StackSettings) -> None:
    steps = deploy_steps(settings, observed(), "1.0.0")
    assert names(steps) == ["check-image"]
    assert all(s.skip == "idle color green already runs 1.0.0 and is healthy" for s in steps[1:])


def test_deploy_after_a_crash_mid_apply_reapplies(settings: StackSettings) -> None:
    release = with_color_tag(settings.release, "green", "1.1.0")
    steps = deploy_steps(with_release(settings, release), observed(green=None, healthy=False), "1.1.0")
    assert [s.name for s in steps if s.skip] == ["write-idle-tag"]
    assert names(steps) == ["check-image", "apply-idle", "wait-idle-healthy"]


def test_deploy_refuses_a_bad_tag_with_the_fix(settings: StackSettings) -> None:
    with pytest.raises(PlanError, match="--tag '-bad'.*like 1.2.3"):
        deploy_steps(settings, observed(), "-bad")


def test_promote_gates_then_flips_in_design_order(settings: StackSettings) -> None:
    steps = promote_plan(settings, observed())
    assert names(steps) == ["gate-deployed", "gate-version", "gate-health", "gate-smoke", "gate-migrate", *FLIP_STEPS]
    skipped = {s.name: s.skip for s in steps if s.skip}
    assert skipped == {
        "gate-smoke-script": "no gates.smoke_script configured",
        "gate-metric": "no gates.metric configured",
    }
    assert all(s.color == "green" for s in steps)
    no_migration = settings.model_copy(update={"gates": settings.gates.model_copy(update={"migrate_command": None})})
    skipped = {s.name: s.skip for s in promote_plan(no_migration, observed()) if s.skip}
    assert skipped["gate-migrate"] == "no gates.migrate_command configured"


def test_rollback_to_a_warm_idle_color_is_only_the_flip(settings: StackSettings) -> None:
    release = with_live(with_color_tag(settings.release, "green", "1.1.0"), "green", "promote")
    current = with_release(settings, release)
    target = rollback_target(release, None)
    assert target == "1.0.0"
    steps = rollback_plan(current, observed(blue="1.0.0", green="1.1.0", router="green"), target)
    assert names(steps) == list(FLIP_STEPS)
    assert steps[0].color == "blue" and steps[0].kind == "rollback"


def test_cold_rollback_redeploys_gates_and_flips(settings: StackSettings) -> None:
    release = with_live(with_color_tag(settings.release, "green", "1.1.0"), "green", "promote")
    release = with_live(with_color_tag(release, "blue", "2.0.0"), "blue", "promote")
    current = with_release(settings, release)
    steps = rollback_plan(current, observed(blue="2.0.0", green="1.1.0"), rollback_target(release, "1.0.0"))
    assert names(steps)[:4] == ["check-image", "write-idle-tag", "apply-idle", "wait-idle-healthy"]
    assert names(steps)[-4:] == list(FLIP_STEPS)
    assert "gate-health" in names(steps)


def test_rollback_refuses_a_tag_never_released(settings: StackSettings) -> None:
    release = with_live(with_color_tag(settings.release, "green", "1.1.0"), "green", "promote")
    with pytest.raises(PlanError, match=r"--to '9.9.9': never released.*1.1.0, 1.0.0"):
        rollback_target(release, "9.9.9")
    with pytest.raises(PlanError, match="no earlier release"):
        rollback_target(settings.release, None)


def test_rollback_to_the_live_tag_does_nothing(settings: StackSettings) -> None:
    release = with_live(with_color_tag(settings.release, "green", "1.1.0"), "green", "promote")
    steps = rollback_plan(with_release(settings, release), observed(green="1.1.0"), "1.1.0")
    assert names(steps) == [] and steps[0].skip == "1.1.0 is already live on green"


def test_reconcile_only_when_router_and_config_disagree(settings: StackSettings) -> None:
    assert reconcile_plan(settings, observed(router="blue")) == []
    assert reconcile_plan(settings, observed(router=None)) == []
    steps = reconcile_plan(settings, observed(router="green"))
    assert [(s.name, s.color) for s in steps] == [("reconcile-router", "blue")]


def test_history_revert_keeps_last_entry_equal_to_live(settings: StackSettings, tmp_path: Path) -> None:
    release = with_live(with_color_tag(settings.release, "green", "1.1.0"), "green", "promote")
    back = with_live(release, "blue", "revert")
    assert back.live == "blue" and back.history[-1].kind == "revert" and back.history[-1].tag == "1.0.0"
    assert back.retained_tags() == ["1.0.0", "1.1.0"]
