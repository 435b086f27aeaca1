"""One lock file per stack, so two mutating commands never interleave.

`<project-dir>/.shipyard/locks/<stack>.json` is created with O_EXCL and names its holder (pid, host, user,
command, started). The holder also records the step it is on, so a command run after a crash (with
`--break-lock`) knows what the dead holder was doing and can finish or undo it.
"""

from __future__ import annotations

import getpass
import json
import os
import socket
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from release.errors import LockHeldError


def lock_path(project_dir: Path, stack: str) -> Path:
    return Path(project_dir) / ".shipyard" / "locks" / f"{stack}.json"


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a killed child nobody has reaped yet is a zombie: it holds nothing
        return Path(f"/proc/{pid}/stat").read_text().split(") ")[-1][:1] != "Z"
    except OSError:
        return True


def describe_holder(holder: dict[str, Any]) -> str:
    return (f"{holder.get('command', '?')} (pid {holder.get('pid', '?')} on {holder.get('host', '?')}, "
            f"user {holder.get('user', '?')}, started {holder.get('started', '?')})")


def is_stale(holder: dict[str, Any]) -> bool:
    return holder.get("host") == socket.gethostname() and not pid_alive(int(holder.get("pid", 0)))


@dataclass
class StackLock:
    path: Path
    record: dict[str, Any]
    # The record of the dead holder this lock replaced (with --break-lock), else None.
    broken: dict[str, Any] | None = None
    released: bool = field(default=False)

    def progress(self, **fields: Any) -> None:
        """Record what the holder is doing now (atomically: readers see the old or the new record)."""
        self.record.update(fields)
        tmp = self.path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_text(json.dumps(self.record, indent=1, default=str))
        os.replace(tmp, self.path)

    def release(self) -> None:
        if not self.released:
            self.released = True
            holder = read_holder(self.path)
            if holder is not None and holder.get("token") == self.record["token"]:
                self.path.unlink(missing_ok=True)

    def __enter__(self) -> StackLock:
        return self

    def __exit__(self, *_: object) -> None:
        self.release()


def read_holder(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    except (OSError, ValueError):
        return {"command": "unknown (unreadable lock file)", "pid": 0, "host": "?"}
    return data if isinstance(data, dict) else None


def acquire(project_dir: Path, stack: str, command: str, break_lock: bool = False) -> StackLock:
    path = lock_path(project_dir, stack)
    path.parent.mkdir(parents=True, exist_ok=True)
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "user": getpass.getuser(),
        "command": command,
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "token": os.urandom(8).hex(),
    }
    broken: dict[str, Any] | None = None
    for _ in range(3):
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            holder = read_holder(path)
            if holder is None:
                continue
            stale = is_stale(holder)
            if not stale:
                raise LockHeldError(f"stack {stack!r} is locked by {describe_holder(holder)}; wait for it to "
                                    f"finish") from None
            if not break_lock:
                raise LockHeldError(f"stack {stack!r} has a stale lock: {describe_holder(holder)} is no longer "
                                    f"running; re-run with --break-lock to take it over") from None
            path.unlink(missing_ok=True)
            broken = holder
            continue
        with os.fdopen(fd, "w") as handle:
            json.dump(record, handle, indent=1)
        return StackLock(path, record, broken)
    raise LockHeldError(f"stack {stack!r}: could not take the lock at {path}")
