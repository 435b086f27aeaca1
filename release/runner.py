"""Run planned steps in order, log each (with its reason), and on failure take the abort path: traffic goes back
to the last good color before the command returns."""

from __future__ import annotations

import os
import sys
import time
from dataclasses import dataclass, field

from release.context import ReleaseContext
from release.errors import ReleaseError
from release.gates import GateResult
from release.plan import Step
from release.steps import STEPS
from release.transitions import with_live

# Test hook: the runner sleeps before the named step (or before "unlock"), so a test can SIGKILL it right there.
PAUSE_ENV = "SHIPYARD_TEST_PAUSE_AT"
PAUSE_SECONDS_ENV = "SHIPYARD_TEST_PAUSE_SECONDS"


def pause_point(name: str) -> None:
    if os.environ.get(PAUSE_ENV) == name:
        print(f"SHIPYARD_TEST_PAUSED {name} pid={os.getpid()}", file=sys.stderr, flush=True)
        time.sleep(float(os.environ.get(PAUSE_SECONDS_ENV, "3600")))


@dataclass
class StepRecord:
    name: str
    status: str  # ok, skipped, failed, aborted
    reason: str
    seconds: float = 0.0


@dataclass
class RunResult:
    ok: bool
    records: list[StepRecord] = field(default_factory=list)
    failure: str | None = None
    reverted: bool = False

    @property
    def reasons(self) -> list[str]:
        return [f"{r.name}: {r.reason}" for r in self.records if r.status in ("failed", "aborted")]


def revert(ctx: ReleaseContext, why: str) -> str:
    """Point traffic and config back at `ctx.flip_from` (the last good color)."""
    back = ctx.flip_from
    assert back is not None
    release = ctx.reload().release
    if release.live != back:
        ctx.stack_file.write_release(with_live(release, back, "revert"))
        ctx.reload()
    switched = ctx.runtime.switch(back)
    ctx.flip_from = None
    return f"flipped back to {back} ({'switched' if switched.changed else 'router already there'}): {why}"


def run_steps(ctx: ReleaseContext, steps: list[Step], result: RunResult | None = None) -> RunResult:
    result = result or RunResult(ok=True)
    for step in steps:
        if step.skip:
            ctx.log("skip", f"{step.name}: {step.skip}")
            result.records.append(StepRecord(step.name, "skipped", step.skip))
            continue
        pause_point(step.name)
        if ctx.lock is not None:
            ctx.lock.progress(step=step.name)
        ctx.log("start", f"{step.name} ({step.color or '-'} {step.tag or ''})".rstrip())
        started = time.monotonic()
        try:
            outcome = STEPS[step.name](ctx, step)
        except ReleaseError as error:
            outcome = GateResult(step.name, False, str(error))
            _abort(ctx, result, step, outcome, time.monotonic() - started)
            raise
        seconds = time.monotonic() - started
        if outcome.ok:
            ctx.log("ok", f"{step.name}: {outcome.reason} [{seconds:.1f} s]")
            result.records.append(StepRecord(step.name, "ok", outcome.reason, seconds))
            continue
        _abort(ctx, result, step, outcome, seconds)
        return result
    return result


def _abort(ctx: ReleaseContext, result: RunResult, step: Step, outcome: GateResult, seconds: float) -> None:
    ctx.log("fail", f"{step.name}: {outcome.reason}")
    result.ok = False
    result.failure = f"{step.name}: {outcome.reason}"
    result.records.append(StepRecord(step.name, "failed", outcome.reason, seconds))
    if ctx.flip_from is not None:
        message = revert(ctx, f"{step.name} failed")
        result.reverted = True
        ctx.log("abort", message)
        result.records.append(StepRecord("revert", "aborted", message))
    else:
        ctx.log("abort", f"live traffic untouched on {ctx.settings.release.live}")
