"""Steady HTTP load through an entry: several threads, each with its own kept-alive httpx client, recording
every request's outcome and the color/version that answered. Used by the e2e tests and the benchmark."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

import httpx


@dataclass(frozen=True)
class Sample:
    at: float  # time.monotonic()
    ok: bool
    color: str | None
    version: str | None
    error: str | None = None


@dataclass
class LoadGenerator:
    url: str
    threads: int = 4
    path: str = "/version"
    timeout: float = 5.0
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def _run(self) -> None:
        local: list[Sample] = []
        with httpx.Client(base_url=self.url, timeout=self.timeout) as client:
            while not self._stop.is_set():
                try:
                    response = client.get(self.path)
                    version = None
                    if response.status_code == 200:
                        try:
                            version = str(response.json().get("version"))
                        except ValueError:
                            version = response.text.strip()
                    local.append(Sample(time.monotonic(), response.status_code == 200,
                                        response.headers.get("x-shipyard-color"), version,
                                        None if response.status_code == 200 else f"HTTP {response.status_code}"))
                except httpx.HTTPError as error:
                    local.append(Sample(time.monotonic(), False, None, None, f"{type(error).__name__}: {error}"))
        with self._lock:
            self.samples.extend(local)

    def __enter__(self) -> LoadGenerator:
        self._stop.clear()
        self._workers = [threading.Thread(target=self._run, daemon=True) for _ in range(self.threads)]
        for worker in self._workers:
            worker.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        for worker in self._workers:
            worker.join(timeout=30)
        self.samples.sort(key=lambda s: s.at)

    @property
    def failed(self) -> list[Sample]:
        return [s for s in self.samples if not s.ok]

    def last_other(self, color: str | None, version: str | None = None) -> float | None:
        """When the last answer not from `color` (or not of `version`) came: after it, 100 % go there.
        color None: only the version counts (no router in front, so no X-Shipyard-Color header)."""
        others = [s.at for s in self.samples
                  if s.ok and ((color is not None and s.color != color)
                               or (version is not None and s.version != version))]
        return others[-1] if others else None
