"""Worker cutover with jobs flowing: POST /items through the live entry during a promote. Every job gets exactly
one result, and after the flip the old color's worker takes no new jobs (it finishes what it holds)."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import datetime

import httpx
import pytest

from tests.release.e2e_support import E2EStack, stack_up

pytestmark = pytest.mark.docker

# The old color's worker may still be inside one blocking take when the flip lands; after this it must be idle.
CUTOVER_GRACE_SECONDS = 5.0


@pytest.fixture(scope="module")
def e2e(tmp_path_factory: pytest.TempPathFactory) -> Iterator[E2EStack]:
    yield from stack_up(tmp_path_factory.mktemp("workers"))


class ItemPoster:
    def __init__(self, url: str):
        self.url = url
        self.created: list[tuple[int, float]] = []  # (item id, wall time posted)
        self.failures: list[str] = []
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with httpx.Client(base_url=self.url, timeout=10) as client:
            n = 0
            while not self._stop.is_set():
                n += 1
                try:
                    response = client.post("/items", json={"name": f"job-{n}"})
                    if response.status_code == 201:
                        self.created.append((int(response.json()["id"]), time.time()))
                    else:
                        self.failures.append(f"HTTP {response.status_code}: {response.text[:200]}")
                except httpx.HTTPError as error:
                    self.failures.append(f"{type(error).__name__}: {error}")
                time.sleep(0.02)

    def __enter__(self) -> ItemPoster:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join(timeout=30)


def wait_all_done(url: str, ids: list[int], deadline: float = 90) -> dict[int, dict[str, object]]:
    done: dict[int, dict[str, object]] = {}
    end = time.monotonic() + deadline
    with httpx.Client(base_url=url, timeout=10) as client:
        while time.monotonic() < end and len(done) < len(ids):
            for item_id in ids:
                if item_id not in done:
                    body = client.get(f"/items/{item_id}").json()
                    if body.get("status") == "done":
                        done[item_id] = body
            time.sleep(0.5)
    return done


def test_jobs_flow_through_a_promote_exactly_once_and_the_old_worker_stops(e2e: E2EStack) -> None:
    # The first promote runs the migration gate (creates the tables); then 2.0.0 goes to the idle color.
    assert e2e.deploy("1.1.0").ok and e2e.promote().ok
    assert e2e.deploy("2.0.0").ok
    flip_wall: list[float] = []

    def log(event: str, message: str) -> None:
        if event == "ok" and message.startswith("switch-router"):
            flip_wall.append(time.time())

    from release import commands

    with ItemPoster(e2e.live_url) as poster:
        time.sleep(2)
        result = commands.promote(e2e.project, e2e.stack, log=log)
        time.sleep(CUTOVER_GRACE_SECONDS + 3)
    assert result.ok, result.message
    assert poster.failures == [], poster.failures[:5]
    ids = [item_id for item_id, _ in poster.created]
    assert len(ids) > 50
    done = wait_all_done(e2e.live_url, ids)
    missing = sorted(set(ids) - set(done))
    assert not missing, f"{len(missing)} jobs without a result, e.g. {missing[:5]}"
    flip = flip_wall[0]
    posted = dict(poster.created)
    by_color = {"blue": 0, "green": 0}
    for item_id, body in done.items():
        worker = str(body["worker_id"])
        color = worker.split("-", 1)[0]
        by_color[color] += 1
        processed = datetime.fromisoformat(str(body["processed_at"])).timestamp()
        if color == "green":  # the old live color
            assert processed < flip + CUTOVER_GRACE_SECONDS, f"old worker took item {item_id} after the flip"
        if posted[item_id] > flip + CUTOVER_GRACE_SECONDS:
            assert color == "blue", f"item {item_id} posted after the cutover was processed by {worker}"
    assert by_color["green"] > 0 and by_color["blue"] > 0, by_color
