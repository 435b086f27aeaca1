"""The job worker: `python -m app.worker`.

Delivery guarantee: at-least-once delivery, effectively-once results.

- A job moves atomically (BLMOVE) from `jobs:pending` into this worker's own processing list, so a job is always
  in Redis somewhere until its result is written; it is removed from the processing list (LREM) only after the
  `results` row is committed.
- A job can therefore be delivered more than once (a worker dies after writing, before LREM; a slow worker's
  heartbeat expires). The result is written with INSERT ... ON CONFLICT (job_id) DO NOTHING and is a pure
  function of the item name, so a re-delivered job never writes a second row.
- Every worker heartbeats a key with a TTL; on start and periodically a worker moves the processing lists of
  workers whose heartbeat expired back to `jobs:pending` (the crashed worker's job is redone by someone else).
- On SIGTERM the worker stops taking jobs, finishes the job in hand within WORKER_GRACE_SECONDS (else pushes
  it back to pending) and exits 0.
- Only the live color's workers take jobs (see app.live_color); an idle color's worker keeps heartbeating.
"""

from __future__ import annotations

import logging
import os
import signal
import socket
import sys
import threading
import time
import uuid
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from types import FrameType

import psycopg
from redis.exceptions import RedisError

from app.config import Settings, get_settings
from app.job_processor import JobProcessor
from app.jobs import DEAD, MAX_ATTEMPTS, PENDING, Job, processing_key
from app.live_color import LiveColorSource, is_active, source_from_settings
from app.worker_heartbeat import Heartbeat, make_redis
from app.worker_metrics import WorkerMetrics

log = logging.getLogger("app.worker")

CRASH_EXIT_CODE = 3
TAKE_TIMEOUT_SECONDS = 1


def default_worker_id(settings: Settings) -> str:
    return settings.worker_id or f"{settings.app_color}-{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


class Worker:
    def __init__(self, settings: Settings, live: LiveColorSource | None = None, worker_id: str | None = None) -> None:
        self.settings = settings
        self.worker_id = worker_id or default_worker_id(settings)
        self.processing = processing_key(self.worker_id)
        self.live = live or source_from_settings(settings)
        self.stop = threading.Event()
        self.redis = make_redis(settings, timeout=TAKE_TIMEOUT_SECONDS + 2.0)
        self.metrics = WorkerMetrics(settings.app_color, settings.app_version)
        self.heartbeat = Heartbeat(settings, self.worker_id, on_requeued=self.metrics.requeued.inc)
        self.stopped_at: float | None = None
        self.processor = JobProcessor(settings, self.worker_id)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="job")

    def request_stop(self, signum: int, frame: FrameType | None) -> None:
        log.info("signal %d: stop taking jobs", signum)
        if self.stopped_at is None:
            self.stopped_at = time.monotonic()
        self.stop.set()

    def run(self) -> int:
        self.heartbeat.start()
        log.info("worker %s (%s, %s) started", self.worker_id, self.settings.app_color, self.settings.app_version)
        while not self.stop.is_set():
            active = is_active(self.live, self.settings.app_color)
            self.metrics.active.set(1 if active else 0)
            if not active:
                self.stop.wait(TAKE_TIMEOUT_SECONDS)
                continue
            try:
                raw = self.redis.blmove(PENDING, self.processing, TAKE_TIMEOUT_SECONDS, "RIGHT", "LEFT")
            except Exception as exc:
                log.warning("cannot take a job: %s", exc)
                self.stop.wait(1.0)
                continue
            if raw is not None:
                self.handle(str(raw))
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.processor.close()
        try:
            # Normally empty; a job left by failed Redis bookkeeping goes back (re-delivery is harmless).
            while self.redis.lmove(self.processing, PENDING, "RIGHT", "RIGHT") is not None:
                self.metrics.requeued.inc()
            clean = True
        except RedisError as exc:
            log.warning("cannot empty %s (reaped after the heartbeat expires): %s", self.processing, exc)
            clean = False
        self.heartbeat.stop(clean=clean)
        log.info("worker %s stopped", self.worker_id)
        return 0

    def handle(self, raw: str) -> None:
        self.metrics.in_flight.inc()
        try:
            future = self.executor.submit(self.processor.process, raw)
            if not self._wait(future):
                log.warning("grace period over: pushing the job in hand back to pending")
                try:
                    self._requeue(raw)
                    self.metrics.requeued.inc()
                    clean = True
                except RedisError as error:  # it stays in our processing list: reaped once our heartbeat expires
                    log.error("cannot push the job back: %s", error)
                    clean = False
                self.heartbeat.stop(clean=clean)
                logging.shutdown()
                os._exit(0)  # the job thread cannot be interrupted; it is back in pending and results are idempotent
            failure = future.exception()
            if failure is None:
                self.metrics.processed.inc()
                self._redis_retrying(lambda: self.redis.lrem(self.processing, 1, raw))
            elif isinstance(failure, psycopg.OperationalError):
                # Postgres unavailable: not the job's fault, so no attempt is used up; back off before the next take.
                log.warning("postgres unavailable, job goes back to pending: %s", failure)
                self.metrics.failed.inc()
                self._redis_retrying(lambda: self._requeue(raw))
                self.stop.wait(1.0)
            else:
                log.error("job failed: %s", failure)
                self.metrics.failed.inc()
                self._redis_retrying(lambda: self._retry_or_bury(raw))
        finally:
            self.metrics.in_flight.dec()

    def _wait(self, future: Future[None]) -> bool:
        """Wait for the job; after a stop request, only for the grace period. False when the grace ran out."""
        while not future.done():
            timeout = 0.2
            if self.stopped_at is not None:
                remaining = self.settings.worker_grace_seconds - (time.monotonic() - self.stopped_at)
                if remaining <= 0:
                    return False
                timeout = min(remaining, timeout)
            try:
                future.exception(timeout=timeout)  # returns as soon as the job is done
            except TimeoutError:
                continue
        return True

    def _redis_retrying(self, action: Callable[[], object], attempts: int = 5) -> None:
        """Bookkeeping after a job; if Redis stays down the job stays in our processing list (redone later)."""
        for attempt in range(attempts):
            try:
                action()
                return
            except RedisError as exc:
                log.warning("redis bookkeeping failed (attempt %d): %s", attempt + 1, exc)
                time.sleep(0.5)

    def _requeue(self, raw: str) -> None:
        """Atomically move a job from this worker's processing list back to the consuming end of pending."""
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrem(self.processing, 1, raw)
        pipe.rpush(PENDING, raw)
        pipe.execute()

    def _retry_or_bury(self, raw: str) -> None:
        try:
            job = Job.decode(raw)
        except Exception:
            self._move_to_dead(raw)
            return
        if job.attempts + 1 >= MAX_ATTEMPTS:
            self._move_to_dead(raw)
            return
        retried = Job(job.job_id, job.item_id, job.name, job.attempts + 1).encode()
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrem(self.processing, 1, raw)
        pipe.lpush(PENDING, retried)  # the far end: other jobs go first
        pipe.execute()

    def _move_to_dead(self, raw: str) -> None:
        log.error("job moved to %s: %s", DEAD, raw[:200])
        pipe = self.redis.pipeline(transaction=True)
        pipe.lrem(self.processing, 1, raw)
        pipe.lpush(DEAD, raw)
        pipe.execute()


def main() -> int:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if settings.app_fault == "crash":
        log.error("APP_FAULT=crash: exiting before serving")
        return CRASH_EXIT_CODE
    worker = Worker(settings)
    worker.metrics.serve(settings.metrics_port)
    signal.signal(signal.SIGTERM, worker.request_stop)
    signal.signal(signal.SIGINT, worker.request_stop)
    return worker.run()


if __name__ == "__main__":
    sys.exit(main())
