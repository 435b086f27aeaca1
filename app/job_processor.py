"""What the worker does with one job: compute the result from the item name and write it exactly once."""

from __future__ import annotations

import logging
import time

import psycopg
from psycopg.types.json import Jsonb

from app.config import Settings
from app.jobs import Job, compute_result

log = logging.getLogger("app.worker.processor")


class JobProcessor:
    """Owns one Postgres connection (reopened after a failure); used from a single job thread at a time."""

    def __init__(self, settings: Settings, worker_id: str) -> None:
        self.settings = settings
        self.worker_id = worker_id
        self._conn: psycopg.Connection | None = None

    def _connection(self) -> psycopg.Connection:
        if self._conn is None or self._conn.closed or self._conn.broken:
            self._conn = psycopg.connect(self.settings.postgres_conninfo(connect_timeout=3), autocommit=True)
        return self._conn

    def process(self, raw: str) -> None:
        job = Job.decode(raw)
        if self.settings.worker_job_delay_seconds > 0:
            time.sleep(self.settings.worker_job_delay_seconds)
        result = compute_result(job.name)
        try:
            cur = self._connection().execute(
                "INSERT INTO results (job_id, item_id, result, worker_id) VALUES (%s, %s, %s, %s)"
                " ON CONFLICT (job_id) DO NOTHING",
                (job.job_id, job.item_id, Jsonb(result), self.worker_id),
            )
        except psycopg.OperationalError:
            self.close()
            raise
        if cur.rowcount == 0:
            log.info("job %s was already done (re-delivery); nothing written", job.job_id)

    def close(self) -> None:
        if self._conn is not None:
            try:
                self._conn.close()
            finally:
                self._conn = None
