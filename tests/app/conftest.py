"""Session-wide backing services (real Postgres, Redis and S3 on loopback) and helpers to run the service."""

from __future__ import annotations

import secrets
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import psycopg
import pytest
import redis
from moto.server import ThreadedMotoServer

from tests.app.processes import REPO_ROOT, ApiProcess, Launcher, clean_environ
from tests.app.servers import PostgresServer, RedisServer, free_port, wait_for_port

DB_NAME = "app"
BUCKET = "app-test-bucket"
S3_KEY_ID = "testing-key-id"
S3_SECRET = "testing-secret-key"


@dataclass(frozen=True)
class Backing:
    postgres: PostgresServer
    redis: RedisServer
    s3_endpoint: str


def _start_postgres() -> PostgresServer:
    server = PostgresServer(port=free_port(), password=secrets.token_hex(12))
    server.init()
    server.start()
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {DB_NAME}")
    return server


def _start_redis() -> RedisServer:
    server = RedisServer(port=free_port(), password=secrets.token_hex(12))
    server.start()
    return server


def _start_s3() -> tuple[ThreadedMotoServer, str]:
    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    wait_for_port(port)
    endpoint = f"http://127.0.0.1:{port}"
    s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET)
    s3.create_bucket(Bucket=BUCKET)
    return server, endpoint


@pytest.fixture(scope="session")
def backing() -> Iterator[Backing]:
    """Postgres, Redis and S3 started concurrently (initdb is the slow one), torn down at the end."""
    with ThreadPoolExecutor(max_workers=3) as pool:
        postgres_f, redis_f, s3_f = pool.submit(_start_postgres), pool.submit(_start_redis), pool.submit(_start_s3)
        futures: list[Future[Any]] = [postgres_f, redis_f, s3_f]
        wait(futures)
    errors = [exc for exc in (f.exception() for f in futures) if exc is not None]
    try:
        if errors:
            raise errors[0]
        moto, endpoint = s3_f.result()
        yield Backing(postgres_f.result(), redis_f.result(), endpoint)
    finally:
        if postgres_f.exception() is None:
            postgres_f.result().destroy()
        if redis_f.exception() is None:
            redis_f.result().stop()
        if s3_f.exception() is None:
            s3_f.result()[0].stop()


@pytest.fixture(scope="session")
def postgres_server(backing: Backing) -> PostgresServer:
    return backing.postgres


@pytest.fixture(scope="session")
def redis_server(backing: Backing) -> RedisServer:
    return backing.redis


@pytest.fixture(scope="session")
def s3_server(backing: Backing) -> str:
    return backing.s3_endpoint


@pytest.fixture(scope="session")
def secrets_dir(tmp_path_factory: pytest.TempPathFactory, postgres_server: PostgresServer,
                redis_server: RedisServer) -> Path:
    """Secrets as files, the way docker mounts them under /run/secrets."""
    directory = tmp_path_factory.mktemp("secrets")
    for name, value in {
        "postgres_password": postgres_server.password,
        "redis_password": redis_server.password,
        "s3_access_key_id": S3_KEY_ID,
        "s3_secret_access_key": S3_SECRET,
        "app_secret_key": secrets.token_hex(16),
    }.items():
        (directory / name).write_text(value + "\n")
    return directory


@pytest.fixture(scope="session")
def base_env(postgres_server: PostgresServer, redis_server: RedisServer, s3_server: str,
             secrets_dir: Path) -> dict[str, str]:
    return {
        "APP_VERSION": "1.2.3-test",
        "APP_COLOR": "blue",
        "LOG_LEVEL": "info",
        "POSTGRES_HOST": "127.0.0.1",
        "POSTGRES_PORT": str(postgres_server.port),
        "POSTGRES_USER": postgres_server.user,
        "POSTGRES_DB": DB_NAME,
        "POSTGRES_SSLMODE": "disable",
        "REDIS_HOST": "127.0.0.1",
        "REDIS_PORT": str(redis_server.port),
        "S3_BUCKET": BUCKET,
        "S3_ENDPOINT_URL": s3_server,
        "S3_REGION": "us-east-1",
        **{f"{p.name.upper()}_FILE": str(p) for p in sorted(secrets_dir.iterdir())},
    }


@pytest.fixture(scope="session")
def migrated(base_env: dict[str, str]) -> dict[str, str]:
    """The schema, applied once with the real entry point."""
    result = subprocess.run([sys.executable, "-m", "app.migrate"], env={**clean_environ(), **base_env},
                            cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    return base_env


@pytest.fixture(scope="session")
def session_launcher(migrated: dict[str, str], tmp_path_factory: pytest.TempPathFactory) -> Iterator[Launcher]:
    launcher = Launcher(migrated, tmp_path_factory.mktemp("session-logs"))
    try:
        yield launcher
    finally:
        launcher.stop_all()


@pytest.fixture(scope="session")
def api(session_launcher: Launcher) -> ApiProcess:
    """One API process for the tests that only read from it."""
    return session_launcher.api()


@pytest.fixture
def launcher(migrated: dict[str, str], tmp_path: Path) -> Iterator[Launcher]:
    launcher = Launcher(migrated, tmp_path)
    try:
        yield launcher
    finally:
        launcher.stop_all()


@pytest.fixture
def db(postgres_server: PostgresServer, migrated: dict[str, str]) -> Iterator[psycopg.Connection]:
    with psycopg.connect(postgres_server.conninfo(DB_NAME), autocommit=True) as conn:
        yield conn


@pytest.fixture
def redis_client(redis_server: RedisServer) -> Iterator[redis.Redis]:
    client = redis.Redis(host="127.0.0.1", port=redis_server.port, password=redis_server.password,
                         decode_responses=True)
    yield client
    client.close()


@pytest.fixture
def clean_queue(redis_client: redis.Redis) -> redis.Redis:
    """An empty queue (jobs, processing lists, heartbeats) for tests that run workers."""
    redis_client.flushdb()
    return redis_client
