"""Point the docker router's live entry at a color: the one switch used by `promote`, `rollback` and the Pulumi
router switch resource alike.

It runs inside the running router container through `docker exec` (so it works over DOCKER_HOST=ssh://...):
the map file on the shared volume is replaced atomically (a router restart and the workers see it), then the
same entries are set in the live HAProxy process through its runtime API. No reload, no restart: connections
stay open and every request after the call goes to the new color. Calling it twice is harmless.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from tenacity import retry, retry_if_exception_type, stop_after_delay, wait_fixed

from components.docker.router_config import MAP_PATH
from components.naming import ROUTER_RUNTIME_API

_HOST, _PORT = ROUTER_RUNTIME_API

# $1 = live color, $2 = test color (empty: only read). The map line format is HAProxy's: "live blue".
_SCRIPT = f"""
set -eu
if [ -n "$1" ]; then
  printf 'live %s\\ntest %s\\n' "$1" "$2" > {MAP_PATH}.tmp
  mv -f {MAP_PATH}.tmp {MAP_PATH}
  command="set map {MAP_PATH} live $1;set map {MAP_PATH} test $2;show map {MAP_PATH}"
else
  command="show map {MAP_PATH}"
fi
exec 3<>/dev/tcp/{_HOST}/{_PORT}
printf '%s\\n' "$command" >&3
timeout 3 cat <&3
"""


class RouterSwitchError(RuntimeError):
    """The router could not be switched or read; the message says what the container answered."""


class RouterNotListening(RouterSwitchError):
    """The router process has not opened its runtime API yet (it was just created or restarted)."""


# A router created in the same `pulumi up` is switched right after it starts; give HAProxy time to listen.
STARTUP_WAIT_SECONDS = 20.0


@dataclass(frozen=True)
class SwitchResult:
    live: str
    previous: str | None
    changed: bool
    seconds: float


@retry(
    retry=retry_if_exception_type(RouterNotListening),
    stop=stop_after_delay(STARTUP_WAIT_SECONDS),
    wait=wait_fixed(0.25),
    reraise=True,
)
def _run(container: Any, live: str, test: str) -> dict[str, str]:
    container.reload()
    if container.status != "running":
        raise RouterNotListening(f"router {container.name} is {container.status}, not running")
    exit_code, output = container.exec_run(["bash", "-c", _SCRIPT, "switch", live, test], user="root")
    text = output.decode(errors="replace") if isinstance(output, bytes) else str(output)
    if exit_code != 0 and "Connection refused" in text:
        raise RouterNotListening(f"router {container.name}: runtime API not listening yet: {text.strip()[:200]}")
    if exit_code != 0:
        raise RouterSwitchError(f"router {container.name}: exit {exit_code}: {text.strip()[:500]}")
    entries: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        # "show map" prints "<ref> <key> <value>"
        if len(parts) == 3 and parts[1] in ("live", "test"):
            entries[parts[1]] = parts[2]
    if "live" not in entries:
        raise RouterSwitchError(f"router {container.name}: runtime API gave no map entries: {text.strip()[:500]}")
    return entries


def read_live_color(client: Any, router: str) -> str:
    """The color the running router sends live traffic to (from the process, not the file)."""
    return _run(client.containers.get(router), "", "")["live"]


def switch_live_color(client: Any, router: str, live: str) -> SwitchResult:
    if live not in ("blue", "green"):
        raise ValueError(f"live color must be 'blue' or 'green', got {live!r}")
    test = "green" if live == "blue" else "blue"
    container = client.containers.get(router)
    started = time.monotonic()
    before = _run(container, "", "")
    if before.get("live") == live and before.get("test") == test:
        return SwitchResult(live, before.get("live"), False, time.monotonic() - started)
    after = _run(container, live, test)
    if after.get("live") != live or after.get("test") != test:
        raise RouterSwitchError(f"router {router}: asked for live={live} test={test}, runtime says {after}")
    return SwitchResult(live, before.get("live"), True, time.monotonic() - started)
