"""The `status` view: both colors as configured and as running, which one is live (config vs router), the lock
holder and the last releases. Read-only: status never takes the lock and never changes anything."""

from __future__ import annotations

from typing import Any

from release import lock
from release.context import ReleaseContext
from release.errors import InfraError


def collect_status(ctx: ReleaseContext) -> dict[str, Any]:
    settings = ctx.settings
    release = settings.release
    problems: list[str] = []
    try:
        router_live = ctx.runtime.read_live()
    except InfraError as error:
        router_live = None
        problems.append(str(error))
    if router_live is None:
        problems.append("the router cannot be read (not running?)")
    elif router_live != release.live:
        problems.append(f"mismatch: release.live is {release.live} but the router serves {router_live}; the next "
                        f"mutating command reconciles it")
    serving = router_live or release.live
    colors: dict[str, Any] = {}
    for color in ("blue", "green"):
        seen = ctx.runtime.observe(color)  # type: ignore[arg-type]
        entry = "live" if color == serving else "test"
        response = ctx.probe(entry).get(settings.gates.health_path)
        entry_health = response.status == 200 and response.color == color
        colors[color] = {
            "config_tag": release.tag_of(color),  # type: ignore[arg-type]
            "running_tag": seen.tag,
            "state": seen.state,
            "health": seen.health,
            "worker": seen.worker_state,
            "entry": entry,
            "entry_health": "ok" if entry_health else response.describe(),
        }
        if seen.tag is not None and seen.tag != release.tag_of(color):  # type: ignore[arg-type]
            problems.append(f"{color}: config says {release.tag_of(color)} but the container runs "  # type: ignore[arg-type]
                            f"{seen.tag}")
        if color == serving and not entry_health:
            problems.append(f"{color} is live but its {settings.gates.health_path} fails: {response.describe()}")
    holder = lock.read_holder(lock.lock_path(ctx.project_dir, ctx.stack))
    return {
        "stack": ctx.stack,
        "live": {"config": release.live, "router": router_live, "mismatch": router_live not in (None, release.live)},
        "colors": colors,
        "lock": None if holder is None else {
            "holder": lock.describe_holder(holder), "stale": lock.is_stale(holder), "step": holder.get("step"),
        },
        "history": [e.model_dump(mode="json") for e in release.history[-5:]][::-1],
        "problems": problems,
    }
