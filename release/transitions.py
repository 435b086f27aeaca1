"""Pure changes to the release section: each returns a new, validated ReleaseSettings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from infra.settings import Color, ReleaseSettings


def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def _rebuild(release: ReleaseSettings, **changes: Any) -> ReleaseSettings:
    data = release.model_dump(mode="json", exclude_none=True)
    data.update(changes)
    return ReleaseSettings.model_validate(data)


def with_color_tag(release: ReleaseSettings, color: Color, tag: str, at: datetime | None = None) -> ReleaseSettings:
    """`deploy`: the idle color gets a new tag (deployed_at says when)."""
    return _rebuild(release, **{color: {"tag": tag, "deployed_at": (at or now()).isoformat()}})


def with_live(release: ReleaseSettings, color: Color, kind: str, at: datetime | None = None) -> ReleaseSettings:
    """The flip's intent: `color` is live, with a history entry of `kind` naming its tag.

    An empty history first gets an entry for what is live now, so the first promote can be rolled back.
    """
    history = [e.model_dump(mode="json") for e in release.history]
    stamp = (at or now()).isoformat()
    if not history:
        history.append({"tag": release.tag_of(release.live), "color": release.live, "promoted_at": stamp,
                        "kind": "promote"})
    history.append({"tag": release.tag_of(color), "color": color, "promoted_at": stamp, "kind": kind})
    # Keep the history bounded: a few more entries than the retained tags need.
    history = history[-max(release.retain * 3, 10):]
    live_color = release.color(color).model_dump(mode="json", exclude_none=True)
    live_color.pop("deployed_at", None)
    return _rebuild(release, live=color, history=history, **{color: live_color})
