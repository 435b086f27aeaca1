"""Release state and release policy: which tag runs on each color, which color is live, how gates judge.

This is the part of the stack configuration that the release commands write; everything else is written by people.
"""

from __future__ import annotations

import re
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, model_validator

from infra.settings.base import StrictModel

Color = Literal["blue", "green"]
COLORS: tuple[Color, Color] = ("blue", "green")

# Docker and OCI tag grammar: up to 128 characters, first one a word character.
TAG_PATTERN = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")


def other_color(color: Color) -> Color:
    return "green" if color == "blue" else "blue"


def check_tag(tag: str) -> str:
    if not TAG_PATTERN.match(tag):
        raise ValueError(
            f"must be an image tag (letters, digits, '_', '.', '-'; at most 128; not starting with '.' or '-'), "
            f"got {tag!r}"
        )
    return tag


Tag = Annotated[str, AfterValidator(check_tag)]


class ColorRelease(StrictModel):
    tag: Tag
    # Set when the color is idle and was put there by `deploy` (not yet promoted); informational.
    deployed_at: datetime | None = None


class HistoryEntry(StrictModel):
    tag: Tag
    color: Color
    promoted_at: datetime
    # promote | rollback | revert (a flip undone because the new color failed verification; the entry names the
    # color traffic went back to, so the last entry still says what is live)
    kind: Literal["promote", "rollback", "revert"] = "promote"


class ReleaseSettings(StrictModel):
    live: Color = "blue"
    blue: ColorRelease
    green: ColorRelease
    # Oldest first; the last entry is what is live now.
    history: list[HistoryEntry] = Field(default_factory=list)
    # How many promoted tags stay available for `rollback --to` (ECR lifecycle, docker image pruning).
    retain: int = Field(default=10, ge=2, le=100)

    @property
    def idle(self) -> Color:
        return other_color(self.live)

    def color(self, color: Color) -> ColorRelease:
        return self.blue if color == "blue" else self.green

    def tag_of(self, color: Color) -> str:
        return self.color(color).tag

    def retained_tags(self) -> list[str]:
        """Distinct promoted tags, newest first, at most `retain` of them."""
        seen: list[str] = []
        for entry in reversed(self.history):
            if entry.tag not in seen:
                seen.append(entry.tag)
        return seen[: self.retain]

    @model_validator(mode="after")
    def _history_matches_live(self) -> ReleaseSettings:
        if self.history and self.history[-1].color != self.live:
            raise ValueError(
                f"history: the last entry says {self.history[-1].color!r} is live but release.live is "
                f"{self.live!r}; fix release.live or the last history entry"
            )
        return self


class SmokeCheck(StrictModel):
    path: str = Field(pattern=r"^/")
    status: int = Field(default=200, ge=100, le=599)
    contains: str | None = None
    method: Literal["GET", "HEAD"] = "GET"


class MetricGate(StrictModel):
    """Optional Prometheus query that must return a value at or below `max` for the candidate color."""

    query: str
    max: float


class GateSettings(StrictModel):
    health_path: str = Field(default="/health", pattern=r"^/")
    ready_path: str = Field(default="/ready", pattern=r"^/")
    version_path: str = Field(default="/version", pattern=r"^/")
    consecutive_passes: int = Field(default=3, ge=1, le=100)
    interval_seconds: float = Field(default=1.0, gt=0, le=60)
    request_timeout_seconds: float = Field(default=2.0, gt=0, le=60)
    deadline_seconds: float = Field(default=120.0, gt=0, le=3600)
    watch_window_seconds: float = Field(default=10.0, ge=0, le=3600)
    smoke: list[SmokeCheck] = Field(default_factory=lambda: [SmokeCheck(path="/health")])
    # Optional user script run with SHIPYARD_BASE_URL set to the entry under test; exit 0 passes.
    smoke_script: str | None = None
    # Run as a one-off container of the candidate image before the flip (e.g. ["python", "-m", "app.migrate"]).
    migrate_command: list[str] | None = None
    metric: MetricGate | None = None

    @model_validator(mode="after")
    def _deadline_fits_passes(self) -> GateSettings:
        needed = self.consecutive_passes * self.interval_seconds
        if needed > self.deadline_seconds:
            raise ValueError(
                f"deadline_seconds: {self.deadline_seconds:g} s cannot fit consecutive_passes "
                f"({self.consecutive_passes}) x interval_seconds ({self.interval_seconds:g} s) = {needed:g} s; "
                f"raise deadline_seconds or lower consecutive_passes"
            )
        return self


class StandbySettings(StrictModel):
    # warm: the idle color keeps running after a flip, so rollback is only a flip.
    # cold: the idle color is scaled to zero after `keep_minutes`; rollback then redeploys.
    mode: Literal["warm", "cold"] = "warm"
    keep_minutes: int = Field(default=60, ge=0, le=60 * 24 * 30)
