"""Worker liveness in Redis: a heartbeat key with a TTL per worker, and the reaper that gives the jobs of workers
whose heartbeat expired back to `jobs:pending`."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from redis import Redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from app.config import Settings
from app.jobs import HEARTBEAT_PREFIX, PENDING, PROCESSING_PREFIX, heartbeat_key, redis_options

log = logging.getLogger("app.worker.heartbeat")


def make_redis(settings: Settings, timeout: float = 2.0) -> Redis:
    return Redis(retry=Retry(NoBackoff(), 1), **redis_options(settings, timeout))


def requeue_orphans(redis: Redis, own_worker_id: str) -> int:
    """Move every job of a processing list whose worker has no heartbeat back to pending; return how many.

    Each LMOVE is atomic, so two reapers running at once never duplicate or drop a job.
    """
    moved = 0
    for key in redis.scan_iter(match=f"{PROCESSING_PREFIX}*", count=100):
        worker_id = str(key)[len(PROCESSING_PREFIX):]
        if worker_id == own_worker_id or redis.exists(heartbeat_key(worker_id)):
            continue
        while redis.lmove(str(key), PENDING, "RIGHT", "RIGHT") is not None:
            moved += 1
        if moved:
            log.warning("requeued jobs of dead worker %s (total moved so far: %d)", worker_id, moved)
    return moved


def live_workers(redis: Redis) -> list[str]:
    return [str(k)[len(HEARTBEAT_PREFIX):] for k in redis.scan_iter(match=f"{HEARTBEAT_PREFIX}*", count=100)]


class Heartbeat:
    """Beats every TTL/3 and reaps every TTL/2, in a thread, until stopped. It outlives the worker's stop request
    so a job finishing during the grace period is not taken away from it."""

    def __init__(
        self, settings: Settings, worker_id: str, on_requeued: Callable[[int], None] | None = None
    ) -> None:
        self.settings = settings
        self.worker_id = worker_id
        self.ttl_ms = max(1, int(settings.worker_heartbeat_ttl_seconds * 1000))
        self.redis = make_redis(settings)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="heartbeat", daemon=True)
        self.on_requeued = on_requeued

    def beat(self) -> None:
        self.redis.set(heartbeat_key(self.worker_id), self.settings.app_color, px=self.ttl_ms)

    def reap(self) -> int:
        moved = requeue_orphans(self.redis, self.worker_id)
        if moved and self.on_requeued is not None:
            self.on_requeued(moved)
        return moved

    def start(self) -> None:
        """Beat and reap once synchronously (best effort: Redis may be down), then keep going in the background."""
        try:
            self.beat()
            self.reap()
        except Exception as exc:
            log.warning("first heartbeat failed: %s", exc)
        self._thread.start()

    def _loop(self) -> None:
        ttl = self.settings.worker_heartbeat_ttl_seconds
        beat_every = max(0.05, ttl / 3)
        reap_every = max(0.1, ttl / 2)
        next_reap = 0.0
        elapsed = 0.0
        while not self._stop.wait(beat_every):
            elapsed += beat_every
            try:
                self.beat()
                if elapsed >= next_reap:
                    self.reap()
                    next_reap = elapsed + reap_every
            except Exception as exc:
                log.warning("heartbeat failed: %s", exc)

    def stop(self, clean: bool = True) -> None:
        """Stop beating; on a clean stop delete the key, so nobody waits for it to expire."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout=5)
        if clean:
            try:
                self.redis.delete(heartbeat_key(self.worker_id))
            except Exception as exc:
                log.warning("cannot delete heartbeat: %s", exc)
        self.redis.close()
