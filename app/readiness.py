"""Readiness checks: Postgres (SELECT 1), Redis (PING), object storage (head_bucket), concurrently, ~1 s each."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from psycopg_pool import AsyncConnectionPool
from redis.asyncio import Redis

from app.storage import check_bucket

OK = "ok"
FAULT_INJECTION = "fault-injection"


@dataclass(frozen=True)
class Readiness:
    checks: dict[str, str]
    failing: list[str] = field(default_factory=list)

    @property
    def ready(self) -> bool:
        return not self.failing

    def body(self) -> dict[str, Any]:
        if self.ready:
            return {"status": "ready", "checks": self.checks}
        return {"status": "not ready", "failing": self.failing, "checks": self.checks}


def describe(exc: BaseException) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


async def _bounded(name: str, check: Callable[[], Awaitable[None]], timeout: float) -> tuple[str, str]:
    try:
        await asyncio.wait_for(check(), timeout)
    except TimeoutError:
        return name, f"timeout after {timeout:g}s"
    except Exception as exc:
        return name, describe(exc)
    return name, OK


async def run_checks(
    pool: AsyncConnectionPool,
    redis: Redis,
    s3: Any,
    bucket: str,
    timeout: float = 1.0,
    fault: bool = False,
) -> Readiness:
    async def postgres() -> None:
        async with pool.connection(timeout=timeout * 0.8) as conn:  # its own error, before wait_for's
            await conn.execute("SELECT 1")

    async def redis_ping() -> None:
        await redis.ping()

    async def storage() -> None:
        await asyncio.to_thread(check_bucket, s3, bucket)

    results = await asyncio.gather(
        _bounded("postgres", postgres, timeout),
        _bounded("redis", redis_ping, timeout),
        _bounded("storage", storage, timeout),
    )
    checks = dict(results)
    if fault:
        checks[FAULT_INJECTION] = "injected failure (APP_FAULT=ready)"
    failing = [name for name, status in checks.items() if status != OK]
    return Readiness(checks=checks, failing=failing)
