"""The HTTP API: `python -m app.api` serves `app.api:app` with uvicorn on 0.0.0.0:$PORT.

It starts even when its dependencies are down, so /health answers and /ready names what is failing. The
Postgres pool, the Redis client and the S3 client are created once, in the lifespan; /health, /version and
/metrics touch none of them. The API does not migrate the database (`python -m app.migrate` does).
"""

from __future__ import annotations

import asyncio
import logging
import sys
import threading
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import uvicorn
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    gc_collector,
    generate_latest,
    platform_collector,
    process_collector,
)
from psycopg_pool import AsyncConnectionPool, PoolTimeout
from redis.asyncio import Redis
from redis.asyncio.retry import Retry
from redis.backoff import NoBackoff

from app.config import Settings, get_settings
from app.http_metrics import HttpMetrics, MetricsMiddleware
from app.items import router as items_router
from app.jobs import redis_options
from app.readiness import run_checks
from app.storage import ensure_bucket_until_done, s3_client

log = logging.getLogger("app.api")

CRASH_EXIT_CODE = 3


class StartupCrash(RuntimeError):
    """APP_FAULT=crash: the process must die before serving."""


def make_pool(settings: Settings) -> AsyncConnectionPool:
    return AsyncConnectionPool(
        settings.postgres_conninfo(connect_timeout=2),
        min_size=1,
        max_size=10,
        open=False,
        timeout=5.0,
        reconnect_timeout=30.0,
        check=AsyncConnectionPool.check_connection,
        name="app-api",
    )


def make_redis(settings: Settings, timeout: float = 1.0) -> Redis:
    # One quick reconnect after a dropped connection; /ready must answer fast.
    return Redis(retry=Retry(NoBackoff(), 1), **redis_options(settings, timeout))


@asynccontextmanager
async def lifespan(app: FastAPI) -> AsyncIterator[None]:
    settings: Settings = app.state.settings
    if settings.app_fault == "crash":
        raise StartupCrash("APP_FAULT=crash")
    pool = make_pool(settings)
    await pool.open(wait=False)  # never blocks startup on Postgres
    redis = make_redis(settings)
    s3 = s3_client(settings, timeout_seconds=settings.ready_timeout_seconds)
    app.state.pool, app.state.redis, app.state.s3 = pool, redis, s3
    stop_bucket = threading.Event()
    bucket_task: asyncio.Future[None] | None = None
    if settings.s3_ensure_bucket:
        bucket_task = asyncio.ensure_future(asyncio.to_thread(ensure_bucket_until_done, settings, stop_bucket))
    try:
        yield
    finally:
        stop_bucket.set()
        if bucket_task is not None:
            bucket_task.cancel()
        await redis.aclose()
        await pool.close(timeout=2.0)


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    api = FastAPI(title="shipyard sample service", version=settings.app_version, lifespan=lifespan)
    api.state.settings = settings
    api.state.health_requests = 0
    registry = CollectorRegistry()
    process_collector.ProcessCollector(registry=registry)
    platform_collector.PlatformCollector(registry=registry)
    gc_collector.GCCollector(registry=registry)
    api.state.registry = registry
    api.add_middleware(MetricsMiddleware, metrics=HttpMetrics(registry, settings.app_color, settings.app_version))
    identity = {"version": settings.app_version, "color": settings.app_color}

    @api.get("/health")
    async def health(request: Request) -> JSONResponse:
        body = {"status": "ok", **identity}
        if settings.app_fault == "flappy":
            request.app.state.health_requests += 1
            if request.app.state.health_requests % 2 == 0:
                return JSONResponse({"status": "unhealthy", "fault": "flappy", **identity}, status_code=503)
        return JSONResponse(body)

    @api.get("/version")
    async def version() -> dict[str, str]:
        return identity

    @api.get("/ready")
    async def ready(request: Request) -> JSONResponse:
        state = request.app.state
        result = await run_checks(
            state.pool,
            state.redis,
            state.s3,
            settings.s3_bucket,
            timeout=settings.ready_timeout_seconds,
            fault=settings.app_fault == "ready",
        )
        return JSONResponse(result.body(), status_code=200 if result.ready else 503)

    @api.get("/metrics")
    async def metrics(request: Request) -> Response:
        return Response(generate_latest(request.app.state.registry), media_type=CONTENT_TYPE_LATEST)

    @api.exception_handler(PoolTimeout)
    async def postgres_unavailable(request: Request, exc: PoolTimeout) -> JSONResponse:
        return JSONResponse({"detail": "postgres unavailable"}, status_code=503)

    api.include_router(items_router)
    return api


app = create_app()


def main(argv: list[str] | None = None) -> int:
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    if settings.app_fault == "crash":
        log.error("APP_FAULT=crash: exiting before serving")
        return CRASH_EXIT_CODE
    config: dict[str, Any] = {
        "host": "0.0.0.0",
        "port": settings.port,
        "log_level": settings.log_level.lower(),
        "access_log": settings.log_level.lower() == "debug",
        "timeout_graceful_shutdown": 10,
    }
    uvicorn.run(app, **config)
    return 0


if __name__ == "__main__":
    sys.exit(main())
