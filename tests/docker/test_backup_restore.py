"""The rendered backup script and ops/restore.py against a real, throwaway PostgreSQL 15 server."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from components.docker.backup_script import render_backup_script
from ops.restore import HostRunner, RestoreError, RestoreTarget, pgpass_line, pick_backup, restore, restore_command

PG_BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "s3cret:with\\odd"


@dataclass(frozen=True)
class Server:
    port: int
    password_file: Path

    def psql(self, sql: str, database: str = "app") -> str:
        done = subprocess.run(
            ["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "shipyard", "-d", database, "-tAc", sql],
            env={**os.environ, "PGPASSWORD": PASSWORD}, capture_output=True, text=True, check=True,
        )
        return done.stdout.strip()


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _as_server_user(command: list[str]) -> list[str]:
    # initdb and postgres refuse to run as root.
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


@pytest.fixture
def server() -> Iterator[Server]:
    for tool in ("initdb", "pg_ctl"):
        assert (PG_BIN / tool).exists(), f"{PG_BIN / tool} is required (apt-get install postgresql-15)"
    for tool in ("pg_dump", "pg_restore", "psql"):
        assert shutil.which(tool), f"{tool} is required on PATH (apt-get install postgresql-client-15)"
    # Not under pytest's tmp_path: that is private to root, and the server runs as another user.
    home = Path(tempfile.mkdtemp(prefix="shipyard-pg-"))
    password_file = home / "password"
    password_file.write_text(PASSWORD + "\n")
    if os.geteuid() == 0:
        shutil.chown(home, "postgres")
        shutil.chown(password_file, "postgres")
    data, port = home / "data", _free_port()
    try:
        _run_checked(_as_server_user([str(PG_BIN / "initdb"), "-D", str(data), "-U", "shipyard",
                                      "--auth=scram-sha-256", f"--pwfile={password_file}"]))
        options = f"-p {port} -k {home} -c listen_addresses=127.0.0.1"
        _run_checked(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-o", options,
                                      "-l", str(home / "log"), "-w", "start"]))
        running = Server(port, password_file)
        running.psql("CREATE DATABASE app", database="postgres")
        yield running
    finally:
        if (data / "postmaster.pid").exists():
            subprocess.run(_as_server_user([str(PG_BIN / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop"]),
                           check=False, capture_output=True)
        shutil.rmtree(home, ignore_errors=True)


def _run_checked(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    assert done.returncode == 0, f"{command[0:5]}: {done.stdout}{done.stderr}"


def run_backup_once(script: Path, server: Server, backups: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": os.environ["PATH"], "PGHOST": "127.0.0.1", "PGPORT": str(server.port), "PGUSER": "shipyard",
           "PGDATABASE": "app", "POSTGRES_PASSWORD_FILE": str(server.password_file), "BACKUP_DIR": str(backups),
           "BACKUP_ONCE": "1"}
    return subprocess.run(["bash", str(script)], env=env, capture_output=True, text=True, check=False)


def test_backup_then_restore_brings_the_rows_back(server: Server, tmp_path: Path) -> None:
    server.psql("CREATE TABLE items (id int PRIMARY KEY, name text); "
                "INSERT INTO items SELECT g, 'item-' || g FROM generate_series(1, 50) g")
    backups = tmp_path / "backups"
    backups.mkdir()
    for old in ("app-20200101T000000Z.dump", "app-20200102T000000Z.dump"):
        (backups / old).write_bytes(b"old")
    script = tmp_path / "backup.sh"
    script.write_text(render_backup_script(interval_seconds=3600, keep=2))

    done = run_backup_once(script, server, backups)
    assert done.returncode == 0, done.stdout + done.stderr
    dumps = sorted(p.name for p in backups.iterdir())
    # keep=2: the new dump and the newest old one stay; no partial file is left behind.
    assert len(dumps) == 2 and dumps[0] == "app-20200102T000000Z.dump", dumps
    newest = dumps[1]
    assert newest.startswith("app-20") and newest.endswith("Z.dump")
    assert f"backup: wrote {backups / newest}" in done.stdout

    server.psql("DROP TABLE items")
    target = RestoreTarget("127.0.0.1", server.port, "shipyard", "app")
    result = restore(target, HostRunner(backups, server.password_file))
    assert result.backup == newest
    assert server.psql("SELECT count(*), min(name), max(id) FROM items") == "50|item-1|50"


def test_restore_of_a_named_missing_backup_fails_with_the_choices(tmp_path: Path) -> None:
    (tmp_path / "app-20250101T000000Z.dump").write_bytes(b"x")
    with pytest.raises(RestoreError, match="no backup named 'nope.dump'; available: app-20250101T000000Z.dump"):
        restore(RestoreTarget("h", 5432, "u", "app"), HostRunner(tmp_path, tmp_path / "pw"), "nope.dump")


def test_pick_backup_takes_the_newest_of_the_database_or_the_named_one() -> None:
    names = ["app-20250102T000000Z.dump", "app-20250103T000000Z.dump", "other-20990101T000000Z.dump",
             "app-20250104T000000Z.dump.partial"]
    assert pick_backup(names, "app") == "app-20250103T000000Z.dump"
    assert pick_backup(names, "app", "/backups/app-20250102T000000Z.dump") == "app-20250102T000000Z.dump"
    with pytest.raises(RestoreError, match="no backups of database 'db'"):
        pick_backup(names, "db")


def test_restore_command_and_password_file_keep_the_password_off_the_command_line() -> None:
    command = restore_command(RestoreTarget("pg", 5432, "shipyard", "app"), "/backups/app-1.dump")
    assert command == ["pg_restore", "--clean", "--if-exists", "--no-owner", "--no-password", "-h", "pg",
                       "-p", "5432", "-U", "shipyard", "-d", "app", "/backups/app-1.dump"]
    assert pgpass_line(PASSWORD) == "*:*:*:*:s3cret\\:with\\\\odd\n"
