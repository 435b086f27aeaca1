from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from release import lock
from release.errors import LockHeldError


def test_second_holder_is_refused_naming_the_holder(tmp_path: Path) -> None:
    with lock.acquire(tmp_path, "s1", "promote"):
        with pytest.raises(LockHeldError, match=r"locked by promote \(pid \d+ on .*user .*started"):
            lock.acquire(tmp_path, "s1", "deploy tag=1.1.0")
        # another stack is independent
        lock.acquire(tmp_path, "s2", "deploy").release()
    lock.acquire(tmp_path, "s1", "promote").release()


def test_stale_lock_needs_break_lock_and_hands_over_its_record(tmp_path: Path) -> None:
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    held = lock.acquire(tmp_path, "s", "promote")
    held.progress(step="switch-router", flip={"from": "blue", "to": "green"})
    record = {**json.loads(held.path.read_text()), "pid": int(dead.stdout)}
    held.path.write_text(json.dumps(record))
    with pytest.raises(LockHeldError, match="stale lock.*--break-lock"):
        lock.acquire(tmp_path, "s", "promote")
    taken = lock.acquire(tmp_path, "s", "promote", break_lock=True)
    assert taken.broken is not None and taken.broken["step"] == "switch-router"
    assert taken.broken["flip"]["to"] == "green"
    taken.release()
    assert not lock.lock_path(tmp_path, "s").exists()


def test_break_lock_never_takes_a_live_holder(tmp_path: Path) -> None:
    with lock.acquire(tmp_path, "s", "promote"), pytest.raises(LockHeldError, match="locked by"):
        lock.acquire(tmp_path, "s", "rollback", break_lock=True)
