"""Restore a Postgres backup of a docker stack.

Planning is pure (which dump, which command); a runner executes the plan, either as a one-off container of the
stack's postgres image on the stack network (`DockerRunner`, what the operator uses) or with the host's
PostgreSQL client binaries (`HostRunner`, what the tests use). The password reaches pg_restore through a
0600 `.pgpass` file (PGPASSFILE), never a command line or a container environment value.
"""

from __future__ import annotations

import io
import os
import subprocess
import tarfile
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

from components.docker.backup_script import (
    BACKUPS_DIR,
    DATABASE_USER,
    DUMP_SUFFIX,
    POSTGRES_PASSWORD_FILE,
    POSTGRES_PORT,
)
from components.naming import shared_name

# /tmp exists in every image (put_archive needs an existing directory).
PGPASS_PATH = "/tmp/pgpass"


class RestoreError(RuntimeError):
    pass


@dataclass(frozen=True)
class RestoreTarget:
    host: str
    port: int
    user: str
    database: str


@dataclass(frozen=True)
class RestoreResult:
    backup: str
    database: str
    output: str


def pick_backup(names: list[str], database: str, requested: str | None = None) -> str:
    """The named dump, or the newest `<database>-<UTC timestamp>.dump` (timestamps sort as text)."""
    dumps = sorted(n for n in names if n.startswith(f"{database}-") and n.endswith(DUMP_SUFFIX))
    if requested is not None:
        wanted = os.path.basename(requested)
        if wanted not in names:
            raise RestoreError(f"no backup named {wanted!r}; available: {', '.join(dumps) or 'none'}")
        return wanted
    if not dumps:
        raise RestoreError(f"no backups of database {database!r} found")
    return dumps[-1]


def restore_command(target: RestoreTarget, dump_path: str) -> list[str]:
    return [
        "pg_restore", "--clean", "--if-exists", "--no-owner", "--no-password",
        "-h", target.host, "-p", str(target.port), "-U", target.user, "-d", target.database,
        dump_path,
    ]


def pgpass_line(password: str) -> str:
    escaped = password.replace("\\", "\\\\").replace(":", "\\:")
    return f"*:*:*:*:{escaped}\n"


class Runner(Protocol):
    def list_backups(self) -> list[str]: ...
    def dump_path(self, name: str) -> str: ...
    def password(self) -> str: ...
    def run(self, command: list[str], pgpass: str) -> tuple[int, str]: ...


def restore(target: RestoreTarget, runner: Runner, requested: str | None = None) -> RestoreResult:
    backup = pick_backup(runner.list_backups(), target.database, requested)
    command = restore_command(target, runner.dump_path(backup))
    code, output = runner.run(command, pgpass_line(runner.password()))
    if code != 0:
        raise RestoreError(f"pg_restore of {backup} into {target.database} failed (exit {code}):\n{output.strip()}")
    return RestoreResult(backup, target.database, output)


@dataclass
class HostRunner:
    """The host's pg_restore against a reachable server; the dumps are in a local directory."""

    backups_dir: Path
    password_file: Path

    def list_backups(self) -> list[str]:
        return sorted(p.name for p in self.backups_dir.iterdir() if p.is_file())

    def dump_path(self, name: str) -> str:
        return str(self.backups_dir / name)

    def password(self) -> str:
        return self.password_file.read_text().strip()

    def run(self, command: list[str], pgpass: str) -> tuple[int, str]:
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "pgpass"
            path.write_text(pgpass)
            path.chmod(0o600)
            env = {**os.environ, "PGPASSFILE": str(path)}
            done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
        return done.returncode, done.stdout + done.stderr


@dataclass
class DockerRunner:
    """A one-off container of the stack's postgres image on the stack network, the backups volume read-only."""

    client: Any
    image: str
    network: str
    backups_volume: str
    postgres_container: str

    @classmethod
    def for_stack(cls, client: Any, service: str, stack: str, image: str) -> DockerRunner:
        return cls(client, image, shared_name(service, stack, "net"), shared_name(service, stack, "backups"),
                   shared_name(service, stack, "postgres"))

    def _mounts(self) -> dict[str, dict[str, str]]:
        return {self.backups_volume: {"bind": BACKUPS_DIR, "mode": "ro"}}

    def list_backups(self) -> list[str]:
        output = self.client.containers.run(self.image, ["ls", "-1", BACKUPS_DIR], volumes=self._mounts(),
                                            remove=True)
        return [line for line in output.decode().splitlines() if line]

    def dump_path(self, name: str) -> str:
        return f"{BACKUPS_DIR}/{name}"

    def password(self) -> str:
        code, output = self.client.containers.get(self.postgres_container).exec_run(["cat", POSTGRES_PASSWORD_FILE])
        if code != 0:
            raise RestoreError(f"cannot read the password from {self.postgres_container}: {output.decode()}")
        return str(output.decode()).strip()

    def run(self, command: list[str], pgpass: str) -> tuple[int, str]:
        container = self.client.containers.create(
            self.image, command, environment={"PGPASSFILE": PGPASS_PATH},
            volumes=self._mounts(), network=self.network,
        )
        try:
            container.put_archive(os.path.dirname(PGPASS_PATH), _single_file_tar("pgpass", pgpass, 0o600))
            container.start()
            code = int(container.wait()["StatusCode"])
            return code, container.logs().decode(errors="replace")
        finally:
            container.remove(force=True)


def _single_file_tar(name: str, content: str, mode: int) -> bytes:
    data = content.encode()
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        info = tarfile.TarInfo(name)
        info.size, info.mode, info.mtime = len(data), mode, int(time.time())
        tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def stack_target(service: str, stack: str, database: str) -> RestoreTarget:
    return RestoreTarget(shared_name(service, stack, "postgres"), POSTGRES_PORT, DATABASE_USER, database)
