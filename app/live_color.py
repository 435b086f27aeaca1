"""Whether this worker's color is live, so only the live color's workers take jobs.

Sources: LIVE_COLOR_FILE (docker: the router's color map, lines `live blue` / `test green`; an unreadable or
malformed file means not active), LIVE_COLOR_SSM_PARAMETER (aws: an SSM parameter holding the live color, cached
for ~2 s; a failed read means not active), or neither (always active).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Protocol

from app.config import Settings

log = logging.getLogger("app.live_color")

SSM_CACHE_SECONDS = 2.0


class LiveColorSource(Protocol):
    def live_color(self) -> str | None: ...


def parse_color_map(text: str) -> dict[str, str]:
    """Same format as the router's map (components.naming.render_color_map); kept here so the image needs no infra."""
    entries: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("#"):
            entries[parts[0]] = parts[1]
    return entries


class FileSource:
    def __init__(self, path: str) -> None:
        self.path = Path(path)

    def live_color(self) -> str | None:
        try:
            return parse_color_map(self.path.read_text(encoding="utf-8")).get("live")
        except OSError as exc:
            log.debug("live color file %s unreadable: %s", self.path, exc)
            return None


class SsmSource:
    def __init__(
        self,
        parameter: str,
        region: str,
        client_factory: Callable[[], Any] | None = None,
        cache_seconds: float = SSM_CACHE_SECONDS,
    ) -> None:
        self.parameter = parameter
        self.cache_seconds = cache_seconds
        self.region = region
        self._client_factory = client_factory
        self._client: Any = None
        self._cached: str | None = None
        self._fetched_at = float("-inf")

    def _ssm(self) -> Any:
        if self._client is None:
            if self._client_factory is not None:
                self._client = self._client_factory()
            else:
                import boto3

                self._client = boto3.session.Session().client("ssm", region_name=self.region)
        return self._client

    def live_color(self) -> str | None:
        now = time.monotonic()
        if now - self._fetched_at < self.cache_seconds:
            return self._cached
        try:
            value = self._ssm().get_parameter(Name=self.parameter)["Parameter"]["Value"]
            self._cached = str(value).strip() or None
        except Exception as exc:  # any failure: not active until the parameter reads again
            log.warning("cannot read SSM parameter %s: %s", self.parameter, exc)
            self._cached = None
        self._fetched_at = now
        return self._cached


class AlwaysLive:
    def __init__(self, color: str) -> None:
        self.color = color

    def live_color(self) -> str | None:
        return self.color


def source_from_settings(settings: Settings) -> LiveColorSource:
    if settings.live_color_file:
        return FileSource(settings.live_color_file)
    if settings.live_color_ssm_parameter:
        return SsmSource(settings.live_color_ssm_parameter, settings.s3_region)
    return AlwaysLive(settings.app_color)


def is_active(source: LiveColorSource, color: str) -> bool:
    return source.live_color() == color
