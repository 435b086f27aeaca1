"""The release commands as functions returning CommandResult: deploy, smoke, promote, rollback, status.

Every mutating command: load and validate settings -> take the stack lock -> recover from a crashed predecessor
(router vs config, an interrupted flip) -> plan -> run the steps -> audit -> unlock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from infra.settings import SettingsError
from release import audit, lock
from release.context import Logger, ReleaseContext, quiet
from release.errors import ConfigError, ReleaseError
from release.gates import smoke_gate
from release.plan import (
    PlanError,
    Step,
    check_tag_grammar,
    deploy_steps,
    flip_steps,
    promote_plan,
    reconcile_plan,
    rollback_plan,
    rollback_target,
)
from release.runner import RunResult, pause_point, run_steps
from release.status import collect_status


@dataclass
class CommandResult:
    command: str
    stack: str
    ok: bool
    exit_code: int
    message: str
    steps: list[dict[str, Any]] = field(default_factory=list)
    data: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _context(project_dir: Path, stack: str, log: Logger) -> ReleaseContext:
    try:
        return ReleaseContext.load(project_dir, stack, log)
    except SettingsError as error:
        raise ConfigError(str(error)) from error


def _recover(ctx: ReleaseContext, broken: dict[str, Any] | None, result: RunResult) -> bool:
    """Converge after a crash. True when an interrupted flip was finished or undone (a re-run of the same
    command has nothing left to do)."""
    observed = ctx.observe()
    reconciled = False
    steps = reconcile_plan(ctx.settings, observed)
    if steps:
        ctx.log("info", f"router serves {observed.router_live} but release.live is {ctx.settings.release.live}")
        run_steps(ctx, steps, result)
        reconciled = True
    flip = (broken or {}).get("flip")
    live = ctx.settings.release.live
    if flip and flip.get("to") == live and flip.get("from") != live:
        ctx.log("info", f"resuming the interrupted {flip.get('kind')} of {flip.get('tag')} to {live}")
        ctx.flip_from = flip["from"]
        resume = [s for s in flip_steps(live, flip["tag"], flip["kind"]) if s.name in ("verify-live", "record-state")]
        run_steps(ctx, resume, result)
        return True
    if reconciled and ctx.runtime.read_live() == live:
        run_steps(ctx, [Step("record-state", live, ctx.settings.release.tag_of(live))], result)
    return reconciled


def _mutating(name: str, project_dir: Path, stack: str, break_lock: bool, log: Logger,
              body: Callable[[ReleaseContext, RunResult, bool], str], details: dict[str, Any]) -> CommandResult:
    started = time.monotonic()
    result = RunResult(ok=True)
    message = ""
    exit_code = 0
    try:
        ctx = _context(project_dir, stack, log)
        with lock.acquire(project_dir, stack, f"{name} {' '.join(f'{k}={v}' for k, v in details.items())}".strip(),
                          break_lock) as held:
            ctx.lock = held
            if held.broken:
                log("info", f"broke the stale lock of {lock.describe_holder(held.broken)}")
            recovered = _recover(ctx, held.broken, result)
            if result.ok:
                message = body(ctx, result, recovered)
            pause_point("unlock")
        exit_code = 0 if result.ok else 1
        if not result.ok:
            message = ("reverted: " if result.reverted else "refused: ") + (result.failure or "")
    except PlanError as error:
        exit_code, message = 2, str(error)
        raise ConfigError(message) from error
    except ReleaseError as error:
        exit_code, message = error.exit_code, str(error)
        raise
    finally:
        seconds = time.monotonic() - started
        audit.record(project_dir, stack, {
            "command": name, **details, "exit_code": exit_code, "result": "ok" if exit_code == 0 else "failed",
            "message": message, "reasons": result.reasons, "seconds": round(seconds, 3),
            "steps": [asdict(r) for r in result.records],
        })
    return CommandResult(name, stack, result.ok, exit_code, message, [asdict(r) for r in result.records],
                         seconds=seconds)


def deploy(project_dir: Path, stack: str, tag: str, break_lock: bool = False, log: Logger = quiet) -> CommandResult:
    try:
        check_tag_grammar(tag)
    except PlanError as error:
        raise ConfigError(str(error)) from error

    def body(ctx: ReleaseContext, result: RunResult, _recovered: bool) -> str:
        steps = deploy_steps(ctx.settings, ctx.observe(), tag)
        run_steps(ctx, steps, result)
        return f"{tag} runs on {steps[0].color} (idle); live untouched on {ctx.settings.release.live}"

    return _mutating("deploy", project_dir, stack, break_lock, log, body, {"tag": tag})


def promote(project_dir: Path, stack: str, break_lock: bool = False, log: Logger = quiet) -> CommandResult:
    def body(ctx: ReleaseContext, result: RunResult, recovered: bool) -> str:
        if recovered:
            return f"finished the interrupted release: {ctx.settings.release.live} is live"
        steps = promote_plan(ctx.settings, ctx.observe())
        run_steps(ctx, steps, result)
        return f"{steps[-1].tag} is live on {steps[-1].color}"

    return _mutating("promote", project_dir, stack, break_lock, log, body, {})


def rollback(project_dir: Path, stack: str, to: str | None = None, break_lock: bool = False,
             log: Logger = quiet) -> CommandResult:
    try:
        target_settings = _context(project_dir, stack, log).settings
        target = rollback_target(target_settings.release, to)
    except PlanError as error:
        raise ConfigError(str(error)) from error

    def body(ctx: ReleaseContext, result: RunResult, recovered: bool) -> str:
        if recovered:
            return f"finished the interrupted release: {ctx.settings.release.live} is live"
        steps = rollback_plan(ctx.settings, ctx.observe(), target)
        run_steps(ctx, steps, result)
        return f"rolled back: {target} is live on {ctx.settings.release.live}"

    return _mutating("rollback", project_dir, stack, break_lock, log, body, {"to": target})


def smoke(project_dir: Path, stack: str, color: str = "idle", log: Logger = quiet) -> CommandResult:
    started = time.monotonic()
    ctx = _context(project_dir, stack, log)
    release = ctx.settings.release
    if color not in ("idle", "live", "blue", "green"):
        raise ConfigError(f"--color {color!r}: must be idle, live, blue or green")
    chosen = {"idle": release.idle, "live": release.live}.get(color, color)
    entry = "live" if chosen == release.live else "test"
    outcome = smoke_gate(ctx.probe(entry), ctx.settings.gates)
    log("ok" if outcome.ok else "fail", f"smoke on {chosen} via the {entry} entry: {outcome.reason}")
    return CommandResult("smoke", stack, outcome.ok, 0 if outcome.ok else 1, outcome.reason,
                         data={"color": chosen, "entry": entry}, seconds=time.monotonic() - started)


def status(project_dir: Path, stack: str) -> CommandResult:
    started = time.monotonic()
    ctx = _context(project_dir, stack, quiet)
    data = collect_status(ctx)
    problems = data["problems"]
    return CommandResult("status", stack, not problems, 0, "; ".join(problems) or "ok", data=data,
                         seconds=time.monotonic() - started)
