"""/ready against real dependencies: all up, each one down (really stopped, or a port nothing listens on), two down,
and recovery once a dependency is back. Each failing dependency is named."""

from __future__ import annotations

import re
import time

import boto3
import httpx
from moto.server import ThreadedMotoServer

from tests.app.conftest import S3_KEY_ID, S3_SECRET
from tests.app.processes import ApiProcess, Launcher, ThreadedApi, eventually
from tests.app.servers import PostgresServer, RedisServer, free_port, wait_for_port


def ready(api: ApiProcess | ThreadedApi) -> httpx.Response:
    return httpx.get(f"{api.url}/ready", timeout=10.0)


def test_ready_when_everything_is_up(api: ApiProcess) -> None:
    response = ready(api)
    assert response.status_code == 200, response.text
    assert response.json() == {"status": "ready", "checks": {"postgres": "ok", "redis": "ok", "storage": "ok"}}


def test_missing_bucket_names_storage(launcher: Launcher) -> None:
    api = launcher.api_in_thread(S3_BUCKET="no-such-bucket")
    response = ready(api)
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["failing"] == ["storage"]
    assert body["checks"]["postgres"] == "ok" and body["checks"]["redis"] == "ok"
    text = httpx.get(f"{api.url}/metrics").text
    assert re.search(r'^http_request_errors_total\{.*path="/ready",status="503".*\} 1\.0$', text, re.M), text


def test_storage_down_names_storage(launcher: Launcher) -> None:
    api = launcher.api_in_thread(S3_ENDPOINT_URL=f"http://127.0.0.1:{free_port()}")
    response = ready(api)
    assert response.status_code == 503
    assert response.json()["failing"] == ["storage"]


def test_two_down_names_both_and_answers_within_the_timeout(launcher: Launcher) -> None:
    api = launcher.api_in_thread(POSTGRES_PORT=str(free_port()), REDIS_PORT=str(free_port()))
    started = time.monotonic()
    response = ready(api)
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    body = response.json()
    assert sorted(body["failing"]) == ["postgres", "redis"]
    assert body["checks"]["storage"] == "ok"
    assert body["checks"]["postgres"] != "ok" and body["checks"]["redis"] != "ok"
    assert elapsed < 2.5, f"checks run concurrently with ~1 s timeouts, took {elapsed:.2f}s"
    # Liveness does not depend on them.
    assert httpx.get(f"{api.url}/health").status_code == 200


def test_redis_stopped_then_back(api: ApiProcess, redis_server: RedisServer) -> None:
    assert ready(api).status_code == 200
    redis_server.stop()
    try:
        response = ready(api)
        assert response.status_code == 503
        assert response.json()["failing"] == ["redis"]
        # An item that cannot be enqueued is not kept: 503, and the API keeps serving.
        created = httpx.post(f"{api.url}/items", json={"name": "no-queue"}, timeout=10)
        assert created.status_code == 503 and "redis" in created.json()["detail"]
        assert httpx.get(f"{api.url}/health").status_code == 200
    finally:
        redis_server.start()
    eventually(lambda: ready(api).status_code == 200, timeout=10, what="ready again after redis restart")


def test_postgres_stopped_then_back(api: ApiProcess, postgres_server: PostgresServer) -> None:
    assert ready(api).status_code == 200
    postgres_server.stop()
    try:
        response = ready(api)
        assert response.status_code == 503
        assert response.json()["failing"] == ["postgres"]
    finally:
        postgres_server.start()
    eventually(lambda: ready(api).status_code == 200, timeout=15, what="ready again after postgres restart")


def test_ensure_bucket_retries_until_storage_comes_up(launcher: Launcher) -> None:
    """S3_ENSURE_BUCKET: storage is down when the API starts; the bucket appears once storage is up."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    api = launcher.api_in_thread(S3_ENDPOINT_URL=endpoint, S3_BUCKET="ensured-bucket", S3_ENSURE_BUCKET="true")
    assert ready(api).json()["failing"] == ["storage"]
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        wait_for_port(port)
        eventually(lambda: ready(api).status_code == 200, timeout=15, what="bucket created by the API")
        s3 = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                          aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET)
        assert "ensured-bucket" in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    finally:
        server.stop()
