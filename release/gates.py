"""Gates: named predicates on a color, each returning a GateResult that says why it passed, failed or was skipped.

They probe through the router (the test entry for a candidate, the live entry after a flip), so they check what
clients will get: the router header `X-Shipyard-Color` proves which color answered.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass

import httpx

from infra.settings.release import GateSettings, MetricGate
from release.http_probe import Probe, ProbeResponse

Sleep = Callable[[float], None]


@dataclass(frozen=True)
class GateResult:
    name: str
    ok: bool
    reason: str
    skipped: bool = False


def reported_version(response: ProbeResponse) -> str | None:
    """The version a `/version` answer names: JSON {"version": ...} (or "tag"), else the body text."""
    try:
        body = json.loads(response.text)
    except ValueError:
        return response.text.strip() or None
    if isinstance(body, dict):
        value = body.get("version", body.get("tag"))
        return str(value) if value is not None else None
    return str(body)


def version_gate(probe: Probe, gates: GateSettings, tag: str, color: str, name: str = "version") -> GateResult:
    response = probe.get(gates.version_path)
    if response.status != 200:
        return GateResult(name, False, f"{gates.version_path} did not answer 200: {response.describe()}")
    if response.color != color:
        return GateResult(name, False, f"answered by color {response.color!r}, expected {color!r} "
                                       f"(X-Shipyard-Color header)")
    version = reported_version(response)
    if version != tag:
        return GateResult(name, False, f"{color} serves version {version!r}, expected {tag!r}")
    return GateResult(name, True, f"{color} serves {tag}")


def _healthy_once(probe: Probe, gates: GateSettings, color: str | None) -> str | None:
    """None when /health and /ready both answer 200 from `color`; else what was wrong."""
    for path in (gates.health_path, gates.ready_path):
        response = probe.get(path)
        if response.status != 200:
            return response.describe()
        if color is not None and response.color != color:
            return f"{response.url}: answered by {response.color!r}, expected {color!r}"
    return None


def health_gate(probe: Probe, gates: GateSettings, color: str | None, name: str = "health",
                sleep: Sleep = time.sleep) -> GateResult:
    """`consecutive_passes` healthy rounds in a row, `interval_seconds` apart, before `deadline_seconds`."""
    deadline = time.monotonic() + gates.deadline_seconds
    streak, last_problem, failures = 0, "", 0
    while True:
        problem = _healthy_once(probe, gates, color)
        if problem is None:
            streak += 1
            if streak >= gates.consecutive_passes:
                return GateResult(name, True, f"{streak} consecutive healthy {gates.health_path} + "
                                              f"{gates.ready_path} ({failures} failed rounds before)")
        else:
            streak, last_problem, failures = 0, problem, failures + 1
        if time.monotonic() + gates.interval_seconds > deadline:
            return GateResult(name, False, f"no {gates.consecutive_passes} consecutive healthy rounds within "
                                           f"{gates.deadline_seconds:g} s ({failures} failed); last: {last_problem}")
        sleep(gates.interval_seconds)


def watch_gate(probe: Probe, gates: GateSettings, color: str, sleep: Sleep = time.sleep) -> GateResult:
    """Every round healthy for `watch_window_seconds` (one failure fails it)."""
    end = time.monotonic() + gates.watch_window_seconds
    rounds = 0
    while True:
        problem = _healthy_once(probe, gates, color)
        rounds += 1
        if problem is not None:
            return GateResult("watch", False, f"unhealthy during the watch window (round {rounds}): {problem}")
        if time.monotonic() >= end:
            return GateResult("watch", True, f"healthy for {gates.watch_window_seconds:g} s ({rounds} rounds)")
        sleep(min(gates.interval_seconds, max(0.0, end - time.monotonic())))


def smoke_gate(probe: Probe, gates: GateSettings) -> GateResult:
    passed = []
    for check in gates.smoke:
        response = probe.get(check.path, check.method)
        if response.status != check.status:
            return GateResult("smoke", False, f"{check.method} {check.path}: expected HTTP {check.status}, "
                                              f"got {response.describe()}")
        if check.contains is not None and check.contains not in response.text:
            return GateResult("smoke", False, f"{check.path}: body does not contain {check.contains!r}")
        passed.append(check.path)
    return GateResult("smoke", True, f"{len(passed)} checks passed: {', '.join(passed) or 'none configured'}")


def smoke_script_gate(script: str | None, base_url: str, timeout: float, cwd: str) -> GateResult:
    if not script:
        return GateResult("smoke-script", True, "no gates.smoke_script configured", skipped=True)
    try:
        done = subprocess.run(script, shell=True, cwd=cwd, env={**os.environ, "SHIPYARD_BASE_URL": base_url},
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return GateResult("smoke-script", False, f"{script!r} did not finish within {timeout:g} s")
    if done.returncode != 0:
        tail = (done.stderr or done.stdout).strip()[-300:]
        return GateResult("smoke-script", False, f"{script!r} exited {done.returncode}: {tail}")
    return GateResult("smoke-script", True, f"{script!r} exited 0")


def migration_gate(exit_code: int | None, logs: str, command: list[str] | None) -> GateResult:
    if not command:
        return GateResult("migrate", True, "no gates.migrate_command configured", skipped=True)
    if exit_code == 0:
        return GateResult("migrate", True, f"{' '.join(command)} exited 0")
    return GateResult("migrate", False, f"{' '.join(command)} exited {exit_code}: {logs.strip()[-300:]}")


def metric_gate(metric: MetricGate | None, monitoring_enabled: bool, prometheus_url: str, color: str,
                timeout: float) -> GateResult:
    if metric is None:
        return GateResult("metric", True, "no gates.metric configured", skipped=True)
    if not monitoring_enabled:
        return GateResult("metric", True, "gates.metric is set but monitoring.enabled is false", skipped=True)
    query = metric.query.replace("$color", color)
    try:
        response = httpx.get(f"{prometheus_url}/api/v1/query", params={"query": query}, timeout=timeout)
        result = response.json()["data"]["result"]
    except (httpx.HTTPError, ValueError, KeyError) as error:
        return GateResult("metric", False, f"Prometheus query {query!r} failed: {error}")
    if not result:
        return GateResult("metric", False, f"Prometheus query {query!r} returned no series")
    value = float(result[0]["value"][1])
    if value > metric.max:
        return GateResult("metric", False, f"{query!r} = {value:g}, above the allowed {metric.max:g}")
    return GateResult("metric", True, f"{query!r} = {value:g} <= {metric.max:g}")
