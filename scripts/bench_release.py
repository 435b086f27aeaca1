"""Benchmark of the release engine on this machine (prints figures; not a pass/fail test).

    python scripts/bench_release.py [--threads 8] [--watch 5]

Brings up a throwaway docker stack through the test seam (offline test images), then under steady kept-alive load
through the live entry measures: requests sent/failed during a promote and during a warm rollback, seconds from
gates green to 100 % of answers on the new color, seconds from rollback start to 100 % on the previous tag. For
comparison, the seeds' way of releasing: `docker-compose down`, retag, `docker-compose up -d` under the same load.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from release import commands  # noqa: E402
from tests.release.e2e_support import E2EStack, stack_up, wait_healthy  # noqa: E402
from tests.release.load import LoadGenerator  # noqa: E402
from tests.release.stack_fixtures import free_ports  # noqa: E402

COMPOSE = """\
services:
  app:
    image: shipyard-test/app:${{TAG}}
    environment:
      APP_COLOR: blue
    ports:
      - "127.0.0.1:{port}:8000"
"""


def timed_flip(e2e: E2EStack, threads: int, run: str) -> dict[str, float]:
    marks: dict[str, float] = {}

    def log(event: str, message: str) -> None:
        name = message.split(" ", 1)[0].rstrip(":")
        if event == "start" and name == "write-intent":
            marks["gates_green"] = time.monotonic()  # every gate before the flip has passed
        print(f"  {event:>5} {message}", flush=True)

    old_live = e2e.settings.release.live
    with LoadGenerator(e2e.live_url, threads=threads) as load:
        time.sleep(2)
        marks["start"] = time.monotonic()
        result = (commands.promote(e2e.project, e2e.stack, log=log) if run == "promote"
                  else commands.rollback(e2e.project, e2e.stack, log=log))
        marks["end"] = time.monotonic()
        time.sleep(2)
    assert result.ok, result.message
    new_color = e2e.settings.release.live
    new_tag = e2e.settings.release.tag_of(new_color)
    assert new_color != old_live
    done_at = load.last_other(new_color, new_tag) or marks["start"]
    return {
        "sent": len(load.samples),
        "failed": len(load.failed),
        "command_s": marks["end"] - marks["start"],
        "gates_to_100pct_s": done_at - marks.get("gates_green", marks["start"]),
        "start_to_100pct_s": done_at - marks["start"],
    }


def compose_release(threads: int) -> dict[str, float]:
    (port,) = free_ports(1)
    with tempfile.TemporaryDirectory() as tmp:
        Path(tmp, "docker-compose.yml").write_text(COMPOSE.format(port=port))
        base = ["docker-compose", "-p", f"bench{os.getpid()}"]

        def compose(*args: str, tag: str) -> None:
            subprocess.run([*base, *args], cwd=tmp, env={**os.environ, "TAG": tag}, check=True,
                           capture_output=True)

        compose("up", "-d", tag="1.0.0")
        url = f"http://127.0.0.1:{port}"
        try:
            wait_healthy(url, 60)
            with LoadGenerator(url, threads=threads) as load:
                time.sleep(2)
                start = time.monotonic()
                compose("down", tag="1.0.0")
                compose("up", "-d", tag="1.1.0")
                wait_healthy(url, 60)
                end = time.monotonic()
                time.sleep(2)
        finally:
            compose("down", tag="1.1.0")
    failed = load.failed
    downtime = (failed[-1].at - failed[0].at) if failed else 0.0
    return {"sent": len(load.samples), "failed": len(failed), "command_s": end - start,
            "downtime_s": downtime,
            # no router: the first answer of the new tag is when it starts serving (and then serves 100 %)
            "start_to_100pct_s": next((s.at for s in load.samples if s.ok and s.version == "1.1.0"), end) - start}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--watch", type=float, default=5.0, help="gates.watch_window_seconds of the bench stack")
    args = parser.parse_args()
    os.environ.setdefault("SHIPYARD_ENGINE", "tests.seam.inprocess_engine:InProcessEngine")
    rows: dict[str, dict[str, float]] = {}
    with tempfile.TemporaryDirectory() as tmp:
        stacks = stack_up(Path(tmp) / "bench", watch_window=args.watch)
        e2e = next(stacks)
        try:
            print("deploy 1.1.0 to the idle color", flush=True)
            assert commands.deploy(e2e.project, e2e.stack, "1.1.0").ok
            print("promote under load", flush=True)
            rows["promote 1.0.0 -> 1.1.0"] = timed_flip(e2e, args.threads, "promote")
            print("warm rollback under load", flush=True)
            rows["warm rollback -> 1.0.0"] = timed_flip(e2e, args.threads, "rollback")
        finally:
            stacks.close()
    print("compose down / retag / up under load", flush=True)
    rows["compose down+up (seeds)"] = compose_release(args.threads)
    columns = ["sent", "failed", "command_s", "gates_to_100pct_s", "start_to_100pct_s", "downtime_s"]
    print(f"\n{'release':<26}" + "".join(f"{c:>19}" for c in columns))
    for name, row in rows.items():
        cells = [f"{row[c]:.0f}" if c in ("sent", "failed") else f"{row[c]:.2f}" if c in row else "-"
                 for c in columns]
        print(f"{name:<26}" + "".join(f"{cell:>19}" for cell in cells))
    print(f"\n{args.threads} kept-alive client threads on GET /version through the live entry; 'sent' counts the "
          f"whole load window (2 s before the command to 2 s after).")


if __name__ == "__main__":
    main()
