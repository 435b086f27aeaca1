"""An append-only audit trail per stack: one JSON line per command (what ran, by whom, result, reasons, timings)."""

from __future__ import annotations

import getpass
import json
import os
import socket
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


def audit_path(project_dir: Path, stack: str) -> Path:
    return Path(project_dir) / ".shipyard" / "audit" / f"{stack}.jsonl"


def record(project_dir: Path, stack: str, entry: dict[str, Any]) -> None:
    path = audit_path(project_dir, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    line = json.dumps({
        "at": datetime.now(UTC).isoformat(timespec="milliseconds"),
        "user": getpass.getuser(),
        "host": socket.gethostname(),
        "pid": os.getpid(),
        **entry,
    }, default=str)
    # One write() of a line shorter than PIPE_BUF-ish sizes on an O_APPEND file does not interleave.
    with open(path, "a") as handle:
        handle.write(line + "\n")


def read(project_dir: Path, stack: str) -> list[dict[str, Any]]:
    path = audit_path(project_dir, stack)
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text().splitlines() if line.strip()]
