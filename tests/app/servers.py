"""Throwaway backing services for the sample service's tests, all on 127.0.0.1: PostgreSQL 15 (initdb into a
temp dir, owned by the `postgres` OS user when running as root, password auth), redis-server with requirepass,
and moto's ThreadedMotoServer for S3. A missing binary fails the test with what to install; nothing is skipped."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PG_BIN_DIRS = ("/usr/lib/postgresql/15/bin", "/usr/lib/postgresql/16/bin", "/usr/lib/postgresql/14/bin")
PG_OS_USER = "postgres"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.settimeout(0.2)
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listens on 127.0.0.1:{port} after {timeout}s")


def pg_bin(name: str) -> str:
    for directory in PG_BIN_DIRS:
        candidate = Path(directory) / name
        if candidate.exists():
            return str(candidate)
    found = shutil.which(name)
    if found:
        return found
    pytest.fail(f"PostgreSQL binary {name!r} not found (looked in {PG_BIN_DIRS} and PATH): "
                "install PostgreSQL 15 server binaries, e.g. `apt-get install postgresql-15`", pytrace=False)


def require_binary(name: str, package: str) -> str:
    found = shutil.which(name)
    if not found:
        pytest.fail(f"{name!r} not found on PATH: install it, e.g. `apt-get install {package}`", pytrace=False)
    return found


@dataclass
class PostgresServer:
    port: int
    password: str
    user: str = "postgres"
    base: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="app-tests-pg-")))

    @property
    def data_dir(self) -> Path:
        return self.base / "data"

    def _as_owner(self, argv: list[str]) -> list[str]:
        if os.geteuid() == 0:
            runuser = require_binary("runuser", "util-linux")
            return [runuser, "-u", PG_OS_USER, "--", *argv]
        return argv

    def _chown(self, path: Path) -> None:
        if os.geteuid() == 0:
            entry = pwd.getpwnam(PG_OS_USER)
            os.chown(path, entry.pw_uid, entry.pw_gid)

    def init(self) -> None:
        if os.geteuid() == 0:
            try:
                pwd.getpwnam(PG_OS_USER)
            except KeyError:
                pytest.fail(f"running as root needs an OS user {PG_OS_USER!r} to own the test cluster "
                            "(create it, or install postgresql which does)", pytrace=False)
        self.base.chmod(0o755)
        self._chown(self.base)
        pwfile = self.base / "pwfile"
        pwfile.write_text(self.password + "\n")
        self._chown(pwfile)
        subprocess.run(
            self._as_owner([pg_bin("initdb"), "-D", str(self.data_dir), "-U", self.user, "--pwfile", str(pwfile),
                            "--auth=scram-sha-256", "--encoding=UTF8", "--locale=C", "--no-sync"]),
            check=True, capture_output=True, timeout=120,
        )
        pwfile.unlink()

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base} -c fsync=off "
                   "-c synchronous_commit=off -c full_page_writes=off -c max_connections=200")
        subprocess.run(
            self._as_owner([pg_bin("pg_ctl"), "-D", str(self.data_dir), "-o", options, "-l",
                            str(self.base / "postgres.log"), "-w", "-t", "30", "start"]),
            check=True, capture_output=True, timeout=60,
        )

    def stop(self) -> None:
        subprocess.run(
            self._as_owner([pg_bin("pg_ctl"), "-D", str(self.data_dir), "-m", "immediate", "-w", "stop"]),
            check=False, capture_output=True, timeout=60,
        )

    def destroy(self) -> None:
        self.stop()
        shutil.rmtree(self.base, ignore_errors=True)

    def conninfo(self, dbname: str = "postgres") -> str:
        return f"host=127.0.0.1 port={self.port} user={self.user} password={self.password} dbname={dbname}"


@dataclass
class RedisServer:
    port: int
    password: str
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        binary = require_binary("redis-server", "redis-server")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--requirepass", self.password,
             "--save", "", "--appendonly", "no", "--protected-mode", "yes"],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None
