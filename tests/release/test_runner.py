"""The runner's abort path with a real stack file and a recording stand-in for Docker: a flip whose verification
fails is reverted (config and router), and the failure says why."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from release import runner
from release.context import ReleaseContext
from release.gates import GateResult
from release.plan import Step, flip_steps
from release.router_switch import SwitchResult
from release.stack_file import StackFile
from release.transitions import with_color_tag
from tests.release.stack_fixtures import make_project


@dataclass
class RecordingRuntime:
    live: str = "blue"
    switches: list[str] = field(default_factory=list)
    settings: Any = None

    def switch(self, color: str) -> SwitchResult:
        previous, self.live = self.live, color
        self.switches.append(color)
        return SwitchResult(color, previous, previous != color, 0.001)

    def read_live(self) -> str:
        return self.live


def context(tmp_path: Path) -> tuple[ReleaseContext, RecordingRuntime]:
    project, stack, _ = make_project(tmp_path)
    stack_file = StackFile(project, stack)
    stack_file.write_release(with_color_tag(stack_file.settings().release, "green", "1.1.0"))
    runtime = RecordingRuntime()
    ctx = ReleaseContext(project, stack, stack_file, stack_file.settings(), runtime)  # type: ignore[arg-type]
    return ctx, runtime


def test_failed_verification_flips_back_and_says_why(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, runtime = context(tmp_path)
    monkeypatch.setitem(runner.STEPS, "verify-live",
                        lambda _ctx, step: GateResult(step.name, False, "/ready answered 503 on the live entry"))
    monkeypatch.setitem(runner.STEPS, "record-state", lambda _ctx, step: pytest.fail("must not record"))
    result = runner.run_steps(ctx, flip_steps("green", "1.1.0", "promote"))
    assert not result.ok and result.reverted
    assert result.failure == "verify-live: /ready answered 503 on the live entry"
    assert runtime.switches == ["green", "blue"] and runtime.live == "blue"
    release = ctx.stack_file.settings().release
    assert release.live == "blue"
    assert [(h.tag, h.color, h.kind) for h in release.history] == [
        ("1.0.0", "blue", "promote"), ("1.1.0", "green", "promote"), ("1.0.0", "blue", "revert")]
    assert [r.status for r in result.records] == ["ok", "ok", "failed", "aborted"]


def test_gate_failure_before_the_flip_changes_nothing(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ctx, runtime = context(tmp_path)
    before = ctx.stack_file.path.read_text()
    monkeypatch.setitem(runner.STEPS, "gate-health", lambda _ctx, step: GateResult(step.name, False, "flapping"))
    steps = [Step("gate-health", "green", "1.1.0"), *flip_steps("green", "1.1.0", "promote")]
    result = runner.run_steps(ctx, steps)
    assert not result.ok and not result.reverted and result.failure == "gate-health: flapping"
    assert runtime.switches == [] and ctx.stack_file.path.read_text() == before


def test_skipped_steps_are_logged_with_their_reason(tmp_path: Path) -> None:
    ctx, _ = context(tmp_path)
    lines: list[tuple[str, str]] = []
    ctx.log = lambda event, message: lines.append((event, message))
    result = runner.run_steps(ctx, [Step("gate-metric", "green", "1.1.0", skip="no gates.metric configured")])
    assert result.ok and lines == [("skip", "gate-metric: no gates.metric configured")]
