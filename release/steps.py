"""What each planned step does. Every step is idempotent and returns a GateResult saying why it passed or failed."""

from __future__ import annotations

import time
from collections.abc import Callable

from components import naming
from infra.settings import Color
from release import engine as engine_module
from release import gates
from release.context import ReleaseContext
from release.errors import ConfigError, InfraError
from release.gates import GateResult
from release.http_probe import entry_host
from release.plan import Step
from release.transitions import with_color_tag, with_live

StepFunction = Callable[[ReleaseContext, Step], GateResult]


def _color(step: Step) -> Color:
    assert step.color is not None, f"step {step.name} needs a color"
    return step.color


def _tag(step: Step) -> str:
    assert step.tag is not None, f"step {step.name} needs a tag"
    return step.tag


def _apply(ctx: ReleaseContext, targets: list[str]) -> None:
    try:
        engine_module.apply(ctx.engine, targets)
    except engine_module.EngineError as error:
        raise InfraError(f"engine update of {', '.join(targets)} failed: {error}") from error


def check_image(ctx: ReleaseContext, step: Step) -> GateResult:
    ok, where = ctx.runtime.image_available(_tag(step))
    if not ok:
        raise ConfigError(f"--tag {step.tag!r}: {where}; push or build it first")
    return GateResult(step.name, True, where)


def write_idle_tag(ctx: ReleaseContext, step: Step) -> GateResult:
    ctx.stack_file.write_release(with_color_tag(ctx.settings.release, _color(step), _tag(step)))
    ctx.reload()
    return GateResult(step.name, True, f"release.{step.color}.tag = {step.tag} in {ctx.stack_file.path.name}")


def apply_idle(ctx: ReleaseContext, step: Step) -> GateResult:
    targets = naming.color_resources(ctx.settings.service.name, ctx.stack, _color(step))
    _apply(ctx, targets)
    return GateResult(step.name, True, f"engine updated {', '.join(targets)}")


def wait_idle_healthy(ctx: ReleaseContext, step: Step) -> GateResult:
    color, settings = _color(step), ctx.settings
    deadline = time.monotonic() + settings.gates.deadline_seconds
    probe = ctx.probe("test")
    while True:
        seen = ctx.runtime.observe(color)
        if not seen.healthy:
            problem = f"{seen.color} api is {seen.state}, health {seen.health}"
        else:
            response = probe.get(settings.gates.health_path)
            problem = "" if response.status == 200 and response.color == color else response.describe()
            if not problem:
                return GateResult(step.name, True, f"{color} is healthy and answers through the test entry")
        if time.monotonic() > deadline:
            return GateResult(step.name, False, f"{color} not healthy within {settings.gates.deadline_seconds:g} "
                                                f"s: {problem}")
        time.sleep(min(settings.gates.interval_seconds, 1.0))


def gate_deployed(ctx: ReleaseContext, step: Step) -> GateResult:
    seen = ctx.runtime.observe(_color(step))
    if seen.tag != step.tag or seen.state != "running":
        return GateResult(step.name, False, f"{step.color} runs {seen.tag or 'nothing'} ({seen.state}), expected "
                                            f"{step.tag}; run `deploy --tag {step.tag}` first")
    if seen.health != "healthy":
        return GateResult(step.name, False, f"{step.color} api container ({step.tag}) is not healthy (docker "
                                            f"health: {seen.health})")
    return GateResult(step.name, True, f"{step.color} api container runs {step.tag} and is healthy")


def gate_version(ctx: ReleaseContext, step: Step) -> GateResult:
    return gates.version_gate(ctx.probe("test"), ctx.settings.gates, _tag(step), _color(step), step.name)


def gate_health(ctx: ReleaseContext, step: Step) -> GateResult:
    return gates.health_gate(ctx.probe("test"), ctx.settings.gates, _color(step), step.name)


def gate_smoke(ctx: ReleaseContext, step: Step) -> GateResult:
    return gates.smoke_gate(ctx.probe("test"), ctx.settings.gates)


def gate_smoke_script(ctx: ReleaseContext, step: Step) -> GateResult:
    g = ctx.settings.gates
    return gates.smoke_script_gate(g.smoke_script, ctx.probe("test").base_url, g.deadline_seconds,
                                   str(ctx.project_dir))


def gate_migrate(ctx: ReleaseContext, step: Step) -> GateResult:
    command = ctx.settings.gates.migrate_command
    if not command:
        return gates.migration_gate(None, "", None)
    outcome = ctx.runtime.run_one_off(_color(step), _tag(step), command, ctx.settings.gates.deadline_seconds)
    return gates.migration_gate(outcome.exit_code, outcome.logs, command)


def gate_metric(ctx: ReleaseContext, step: Step) -> GateResult:
    s = ctx.settings
    url = f"http://{entry_host(s)}:{s.docker_settings.prometheus_port}"
    return gates.metric_gate(s.gates.metric, s.monitoring.enabled, url, _color(step),
                             s.gates.request_timeout_seconds)


def write_intent(ctx: ReleaseContext, step: Step) -> GateResult:
    color, release = _color(step), ctx.settings.release
    if release.live == color:
        return GateResult(step.name, True, f"release.live is already {color}")
    ctx.flip_from = release.live
    if ctx.lock is not None:
        ctx.lock.progress(flip={"from": release.live, "to": color, "tag": step.tag, "kind": step.kind})
    ctx.stack_file.write_release(with_live(release, color, step.kind or "promote"))
    ctx.reload()
    return GateResult(step.name, True, f"release.live = {color} ({step.kind} of {step.tag}) written")


def switch_router(ctx: ReleaseContext, step: Step) -> GateResult:
    result = ctx.runtime.switch(_color(step))
    if not result.changed:
        return GateResult(step.name, True, f"router already sends live traffic to {step.color}")
    return GateResult(step.name, True, f"router switched {result.previous} -> {result.live} in "
                                       f"{result.seconds * 1000:.0f} ms")


def verify_live(ctx: ReleaseContext, step: Step) -> GateResult:
    probe = ctx.probe("live")
    version = gates.version_gate(probe, ctx.settings.gates, _tag(step), _color(step), step.name)
    if not version.ok:
        return version
    watch = gates.watch_gate(probe, ctx.settings.gates, _color(step))
    if watch.ok:
        ctx.flip_from = None  # verified: from here on, this color is the last good one
    return GateResult(step.name, watch.ok, f"live entry serves {step.tag} from {step.color}; {watch.reason}")


def record_state(ctx: ReleaseContext, step: Step) -> GateResult:
    target = naming.router_switch_resource(ctx.settings.service.name, ctx.stack)
    _apply(ctx, [target])
    return GateResult(step.name, True, f"engine recorded live={step.color} ({target})")


def reconcile_router(ctx: ReleaseContext, step: Step) -> GateResult:
    """The config says `step.color` is live but the router serves the other color (a crash after the intent)."""
    color, router_color = _color(step), ctx.runtime.read_live()
    # The configured color sits behind the test entry while the router serves the other one.
    check = gates.health_gate(ctx.probe("test"), ctx.settings.gates, color, "reconcile-health")
    if check.ok:
        ctx.runtime.switch(color)
        return GateResult(step.name, True, f"finished the interrupted switch to {color}: {check.reason}")
    if router_color is None:
        raise InfraError("the router cannot be read; is the stack up?")
    ctx.stack_file.write_release(with_live(ctx.settings.release, router_color, "revert"))
    ctx.reload()
    return GateResult(step.name, True, f"release.live said {color} but it is unhealthy ({check.reason}); wrote "
                                       f"release.live back to {router_color}, which the router serves")


STEPS: dict[str, StepFunction] = {
    "check-image": check_image,
    "write-idle-tag": write_idle_tag,
    "apply-idle": apply_idle,
    "wait-idle-healthy": wait_idle_healthy,
    "gate-deployed": gate_deployed,
    "gate-version": gate_version,
    "gate-health": gate_health,
    "gate-smoke": gate_smoke,
    "gate-smoke-script": gate_smoke_script,
    "gate-migrate": gate_migrate,
    "gate-metric": gate_metric,
    "write-intent": write_intent,
    "switch-router": switch_router,
    "verify-live": verify_live,
    "record-state": record_state,
    "reconcile-router": reconcile_router,
}
