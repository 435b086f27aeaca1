"""HTTP probes of the router's live and test entries."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from urllib.parse import urlparse

import httpx

from infra.settings import StackSettings

ENTRY_HOST_ENV = "SHIPYARD_ENTRY_HOST"


def entry_host(settings: StackSettings) -> str:
    override = os.environ.get(ENTRY_HOST_ENV)
    if override:
        return override
    host = settings.docker_settings.host
    if host and (host.startswith("ssh://") or host.startswith("tcp://")):
        return urlparse(host).hostname or "127.0.0.1"
    return "127.0.0.1"


def live_url(settings: StackSettings) -> str:
    return f"http://{entry_host(settings)}:{settings.docker_settings.live_port}"


def test_url(settings: StackSettings) -> str:
    return f"http://{entry_host(settings)}:{settings.docker_settings.test_port}"


@dataclass(frozen=True)
class ProbeResponse:
    url: str
    status: int | None  # None: no HTTP answer at all
    text: str = ""
    headers: dict[str, str] = field(default_factory=dict)
    error: str | None = None

    @property
    def color(self) -> str | None:
        return self.headers.get("x-shipyard-color")

    def describe(self) -> str:
        if self.status is None:
            return f"{self.url}: no answer ({self.error})"
        return f"{self.url}: HTTP {self.status} {self.text[:120]!r}"


class Probe:
    """A short-timeout client for one entry. Fresh connections, so each probe sees the router's current map."""

    def __init__(self, base_url: str, timeout: float):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._client = httpx.Client(timeout=timeout, limits=httpx.Limits(max_keepalive_connections=0))

    def get(self, path: str, method: str = "GET") -> ProbeResponse:
        url = f"{self.base_url}{path}"
        try:
            response = self._client.request(method, url)
        except httpx.HTTPError as error:
            return ProbeResponse(url, None, error=f"{type(error).__name__}: {error}")
        headers = {k.lower(): v for k, v in response.headers.items()}
        return ProbeResponse(url, response.status_code, response.text, headers)
