"""Print the wall time to construct the full production aws program under Pulumi mocks (no assertion).

Run: uv run python scripts/bench_aws_program.py [runs]

Three figures: importing the program's modules, the first construction (Python also loads and compiles the
pulumi_aws submodules it touches, lazily, on first use; with PYTHONDONTWRITEBYTECODE set that is paid by every
process), and the median of the later constructions (the program itself).
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))


def main(runs: int = 5) -> None:
    started = time.perf_counter()
    from tests.aws.harness import render

    imported = time.perf_counter() - started
    timings = []
    resources = 0
    for _ in range(runs + 1):
        started = time.perf_counter()
        recording = render()
        timings.append(time.perf_counter() - started)
        resources = len(recording.registrations)
    print(f"aws production program under mocks: {resources} registrations")
    print(f"  import:                     {imported:.2f} s")
    print(f"  first construction (cold):  {timings[0]:.2f} s")
    print(f"  construction, median of {runs}:  {statistics.median(timings[1:]):.2f} s  (target < 2 s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 5)
