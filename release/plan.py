"""What a release command will do, as data: settings + the observed world -> the ordered list of steps.

Pure (no Docker, no HTTP, no files), so every decision is tested without infrastructure. Each step is idempotent;
a step the plan decides not to run carries the reason in `skip`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from infra.settings import Color, StackSettings
from infra.settings.release import TAG_PATTERN, ReleaseSettings

DEPLOY_STEPS = ("check-image", "write-idle-tag", "apply-idle", "wait-idle-healthy")
GATE_STEPS = ("gate-deployed", "gate-version", "gate-health", "gate-smoke", "gate-smoke-script", "gate-migrate",
              "gate-metric")
# The flip, in the DESIGN order: every prefix of it is safe to crash in and re-run.
FLIP_STEPS = ("write-intent", "switch-router", "verify-live", "record-state")


@dataclass(frozen=True)
class ColorView:
    """What runs on a color: the tag label of its api container and whether Docker reports it healthy."""

    tag: str | None
    healthy: bool


@dataclass(frozen=True)
class Observed:
    router_live: Color | None
    colors: Mapping[Color, ColorView]


@dataclass(frozen=True)
class Step:
    name: str
    color: Color | None = None
    tag: str | None = None
    # promote | rollback: the history kind a flip writes
    kind: str | None = None
    skip: str | None = None


class PlanError(ValueError):
    """The request cannot be planned (bad tag, tag never released); nothing was changed."""


def check_tag_grammar(tag: str) -> None:
    if not TAG_PATTERN.match(tag):
        raise PlanError(f"--tag {tag!r}: not an image tag (letters, digits, '_', '.', '-'; at most 128; not "
                        f"starting with '.' or '-'); pass a tag like 1.2.3")


def _skipped(steps: list[Step], reason: str) -> list[Step]:
    return [Step(s.name, s.color, s.tag, s.kind, skip=reason) for s in steps]


def deploy_steps(settings: StackSettings, observed: Observed, tag: str) -> list[Step]:
    check_tag_grammar(tag)
    release = settings.release
    idle = release.idle
    running = observed.colors[idle]
    steps = [Step("check-image", idle, tag)]
    if release.tag_of(idle) == tag and running.tag == tag and running.healthy:
        reason = f"idle color {idle} already runs {tag} and is healthy"
        return steps + _skipped([Step(n, idle, tag) for n in DEPLOY_STEPS[1:]], reason)
    write_skip = f"release.{idle}.tag is already {tag}" if release.tag_of(idle) == tag else None
    apply_skip = f"{idle} already runs {tag} and is healthy" if running.tag == tag and running.healthy else None
    return steps + [
        Step("write-idle-tag", idle, tag, skip=write_skip),
        Step("apply-idle", idle, tag, skip=apply_skip),
        Step("wait-idle-healthy", idle, tag),
    ]


def gate_steps(settings: StackSettings, color: Color, tag: str) -> list[Step]:
    gates = settings.gates
    skips = {
        "gate-smoke-script": None if gates.smoke_script else "no gates.smoke_script configured",
        "gate-migrate": None if gates.migrate_command else "no gates.migrate_command configured",
        "gate-metric": (
            "no gates.metric configured" if gates.metric is None
            else None if settings.monitoring.enabled else "gates.metric is set but monitoring.enabled is false"
        ),
    }
    return [Step(name, color, tag, skip=skips.get(name)) for name in GATE_STEPS]


def flip_steps(color: Color, tag: str, kind: str) -> list[Step]:
    return [Step(name, color, tag, kind) for name in FLIP_STEPS]


def promote_plan(settings: StackSettings, observed: Observed) -> list[Step]:
    idle = settings.release.idle
    tag = settings.release.tag_of(idle)
    return gate_steps(settings, idle, tag) + flip_steps(idle, tag, "promote")


def rollback_target(release: ReleaseSettings, to: str | None) -> str:
    """The tag a rollback goes to: `to` if it was ever released, else the last live tag before the current one."""
    live_tag = release.tag_of(release.live)
    retained = release.retained_tags()
    if to is not None:
        check_tag_grammar(to)
        if to not in retained:
            known = ", ".join(retained) or "none yet"
            raise PlanError(f"--to {to!r}: never released on this stack (retained tags: {known}); "
                            f"deploy and promote it instead")
        return to
    for entry in reversed(release.history):
        if entry.tag != live_tag:
            return entry.tag
    raise PlanError(f"no earlier release than {live_tag!r} in release.history; pass --to TAG")


def rollback_plan(settings: StackSettings, observed: Observed, target: str) -> list[Step]:
    release = settings.release
    idle = release.idle
    if release.tag_of(release.live) == target:
        reason = f"{target} is already live on {release.live}"
        return _skipped(flip_steps(release.live, target, "rollback"), reason)
    running = observed.colors[idle]
    if release.tag_of(idle) == target and running.tag == target and running.healthy:
        # Warm standby: the previous release still runs on the idle color; rolling back is only the flip.
        return flip_steps(idle, target, "rollback")
    deploy = deploy_steps(settings, observed, target)
    return deploy + gate_steps(settings, idle, target) + flip_steps(idle, target, "rollback")


def reconcile_plan(settings: StackSettings, observed: Observed) -> list[Step]:
    """A crash between writing the intent and switching leaves the router on another color than the config."""
    live = settings.release.live
    if observed.router_live is None or observed.router_live == live:
        return []
    return [Step("reconcile-router", live, settings.release.tag_of(live))]
