"""The worker as a real subprocess against real Redis and Postgres: end to end, SIGTERM mid-job (finish within the
grace period, or push the job back), SIGKILL mid-job (requeued after heartbeat expiry), and the live color file."""

from __future__ import annotations

import re
import signal
import time
from pathlib import Path

import httpx
import psycopg
import redis

from tests.app.processes import ApiProcess, Launcher, WorkerProcess, eventually

PENDING = "jobs:pending"


def create_items(api: ApiProcess, count: int, prefix: str) -> dict[int, str]:
    """item id -> job id"""
    created: dict[int, str] = {}
    with api.client() as client:
        for i in range(count):
            response = client.post("/items", json={"name": f"{prefix}-{i}"})
            assert response.status_code == 201, response.text
            body = response.json()
            created[int(body["id"])] = str(body["job_id"])
    return created


def result_rows(db: psycopg.Connection, job_ids: list[str]) -> dict[str, int]:
    rows = db.execute(
        "SELECT job_id, count(*) FROM results WHERE job_id = ANY(%s) GROUP BY job_id", (job_ids,)
    ).fetchall()
    return {str(job_id): int(count) for job_id, count in rows}


def processing(client: redis.Redis, worker_id: str) -> list[str]:
    return [str(x) for x in client.lrange(f"jobs:processing:{worker_id}", 0, -1)]


def metric(worker: WorkerProcess, name: str) -> float:
    match = re.search(r"^" + re.escape(name) + r"\{[^}]*\} (\S+)$", worker.metrics(), re.M)
    assert match, f"{name} not in worker metrics"
    return float(match.group(1))


def wait_metrics_up(worker: WorkerProcess) -> None:
    def up() -> bool:
        assert worker.alive(), worker.output()
        try:
            return "worker_active" in worker.metrics()
        except httpx.HTTPError:
            return False

    eventually(up, timeout=20, what="worker metrics endpoint")


def test_item_is_processed_end_to_end(api: ApiProcess, launcher: Launcher, clean_queue: redis.Redis) -> None:
    worker = launcher.worker(WORKER_ID="e2e")
    item_id, job_id = next(iter(create_items(api, 1, "Hello World").items()))
    with api.client() as client:
        eventually(lambda: client.get(f"/items/{item_id}").json()["status"] == "done", timeout=20,
                   what="item processed")
        body = client.get(f"/items/{item_id}").json()
    assert body["job_id"] == job_id and body["name"] == "Hello World-0"
    assert body["result"]["upper"] == "HELLO WORLD-0" and body["result"]["length"] == len("Hello World-0")
    assert body["worker_id"] == "e2e"
    eventually(lambda: metric(worker, "worker_jobs_processed_total") == 1.0, timeout=5, what="processed metric")
    assert metric(worker, "worker_active") == 1.0
    assert metric(worker, "worker_jobs_in_flight") == 0.0
    assert clean_queue.exists("workers:heartbeat:e2e")
    worker.signal(signal.SIGTERM)
    assert worker.wait(timeout=10) == 0
    assert not clean_queue.exists("workers:heartbeat:e2e"), "a clean stop removes the heartbeat"


def test_sigterm_mid_job_loses_no_job(api: ApiProcess, launcher: Launcher, clean_queue: redis.Redis,
                                      db: psycopg.Connection) -> None:
    jobs = create_items(api, 5, "sigterm")
    job_ids = list(jobs.values())

    # Both start now (saves a start-up); `hasty` holds a single job for 30 s, `patient` takes 1.5 s per job.
    patient = launcher.worker(WORKER_ID="patient", WORKER_JOB_DELAY_SECONDS="1.5", WORKER_GRACE_SECONDS="10")
    hasty = launcher.worker(WORKER_ID="hasty", WORKER_JOB_DELAY_SECONDS="30", WORKER_GRACE_SECONDS="0.5")

    # 1. Grace period long enough: the job in hand is finished, then the worker exits 0.
    eventually(lambda: len(processing(clean_queue, "patient")) == 1, timeout=20, what="patient took a job")
    in_hand = processing(clean_queue, "patient")[0]
    patient.signal(signal.SIGTERM)
    assert patient.wait(timeout=10) == 0, patient.output()
    finished = [j for j in job_ids if j in in_hand]
    assert len(finished) == 1 and result_rows(db, finished) == {finished[0]: 1}
    assert processing(clean_queue, "patient") == []

    # 2. Grace period too short: the job in hand goes back to pending, the worker still exits 0, nothing written.
    eventually(lambda: len(processing(clean_queue, "hasty")) == 1, timeout=20, what="hasty took a job")
    pushed_back = processing(clean_queue, "hasty")[0]
    started = time.monotonic()
    hasty.signal(signal.SIGTERM)
    assert hasty.wait(timeout=10) == 0, hasty.output()
    assert time.monotonic() - started < 5
    assert processing(clean_queue, "hasty") == []
    assert pushed_back in [str(x) for x in clean_queue.lrange(PENDING, 0, -1)]

    # 3. A new worker drains the queue: every job ends with exactly one results row.
    launcher.worker(WORKER_ID="drainer")
    eventually(lambda: len(result_rows(db, job_ids)) == len(job_ids), timeout=20, what="all jobs done")
    assert result_rows(db, job_ids) == {j: 1 for j in job_ids}
    assert clean_queue.llen(PENDING) == 0


def test_sigkilled_worker_job_is_requeued_after_heartbeat_expiry(
    api: ApiProcess, launcher: Launcher, clean_queue: redis.Redis, db: psycopg.Connection
) -> None:
    ttl = {"WORKER_HEARTBEAT_TTL_SECONDS": "1"}
    doomed = launcher.worker(WORKER_ID="doomed", WORKER_JOB_DELAY_SECONDS="30", **ttl)
    wait_metrics_up(doomed)  # it must not take the job before it is up, so the item comes after
    item_id, job_id = next(iter(create_items(api, 1, "kill").items()))
    eventually(lambda: len(processing(clean_queue, "doomed")) == 1, timeout=20, what="doomed took the job")
    doomed.signal(signal.SIGKILL)
    doomed.wait(timeout=10)
    assert processing(clean_queue, "doomed") != [], "a killed worker leaves its job in its processing list"

    launcher.worker(WORKER_ID="rescuer", **ttl)
    eventually(lambda: result_rows(db, [job_id]) == {job_id: 1}, timeout=20, what="job redone by the rescuer")
    worker_id = db.execute("SELECT worker_id FROM results WHERE job_id = %s", (job_id,)).fetchone()
    assert worker_id == ("rescuer",)
    assert not clean_queue.exists("jobs:processing:doomed")


def test_worker_takes_jobs_only_while_its_color_is_live(
    api: ApiProcess, launcher: Launcher, clean_queue: redis.Redis, db: psycopg.Connection, tmp_path: Path
) -> None:
    color_map = tmp_path / "colors.map"  # missing at first: unreadable means not active
    worker = launcher.worker(WORKER_ID="blue-1", APP_COLOR="blue", LIVE_COLOR_FILE=str(color_map))
    wait_metrics_up(worker)
    _, job_id = next(iter(create_items(api, 1, "color").items()))
    time.sleep(1.2)
    assert metric(worker, "worker_active") == 0.0
    color_map.write_text("live green\ntest blue\n")
    time.sleep(1.5)  # the worker re-reads the file before every take (~1 s)
    assert result_rows(db, [job_id]) == {}
    assert clean_queue.llen(PENDING) == 1
    assert metric(worker, "worker_active") == 0.0
    assert clean_queue.exists("workers:heartbeat:blue-1"), "an idle color keeps heartbeating"

    color_map.write_text("live blue\ntest green\n")
    eventually(lambda: result_rows(db, [job_id]) == {job_id: 1}, timeout=10, what="job taken once blue is live")
    assert metric(worker, "worker_active") == 1.0
