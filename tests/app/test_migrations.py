"""Migrations: applied in order, recorded, idempotent, atomic per file, and safe when two run at once."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import psycopg
import pytest

from app.config import Settings
from app.migrate import apply_migrations, discover
from tests.app.processes import REPO_ROOT, clean_environ
from tests.app.servers import PostgresServer


def fresh_database(server: PostgresServer, name: str) -> str:
    with psycopg.connect(server.conninfo(), autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {name}")
        conn.execute(f"CREATE DATABASE {name}")
    return name


def recorded(server: PostgresServer, dbname: str) -> list[tuple[str, str]]:
    with psycopg.connect(server.conninfo(dbname)) as conn:
        return [(str(v), str(n)) for v, n in
                conn.execute("SELECT version, name FROM schema_migrations ORDER BY version").fetchall()]


def migrate_process(env: dict[str, str], dbname: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "app.migrate"], env={**clean_environ(), **env,
                            "POSTGRES_DB": dbname}, cwd=REPO_ROOT, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)


def test_two_migrators_at_once_then_again(postgres_server: PostgresServer, migrated: dict[str, str]) -> None:
    dbname = fresh_database(postgres_server, "migrate_race")
    procs = [migrate_process(migrated, dbname) for _ in range(2)]
    outputs = [p.communicate(timeout=60)[0] for p in procs]
    assert [p.returncode for p in procs] == [0, 0], outputs
    expected = [(m.version, m.name) for m in discover()]
    assert recorded(postgres_server, dbname) == expected
    assert sum(o.count("applied migration") for o in outputs) == len(expected), "each file applied exactly once"

    again = migrate_process(migrated, dbname)
    out = again.communicate(timeout=60)[0]
    assert again.returncode == 0 and "0 applied now" in out, out
    assert recorded(postgres_server, dbname) == expected


def test_concurrent_threads_apply_each_file_once(postgres_server: PostgresServer, migrated: dict[str, str]) -> None:
    dbname = fresh_database(postgres_server, "migrate_threads")
    env = {k.lower(): v for k, v in {**migrated, "POSTGRES_DB": dbname}.items()}
    conninfo = Settings.model_validate(env).postgres_conninfo()
    barrier = threading.Barrier(4)
    applied: list[list[str]] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            with psycopg.connect(conninfo, autocommit=True) as conn:
                barrier.wait()
                applied.append(apply_migrations(conn, discover()))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert errors == []
    assert sorted(v for batch in applied for v in batch) == [m.version for m in discover()]


def test_failed_migration_rolls_back_and_is_not_recorded(
    postgres_server: PostgresServer, migrated: dict[str, str], tmp_path: Path
) -> None:
    dbname = fresh_database(postgres_server, "migrate_fail")
    (tmp_path / "001_ok.sql").write_text("CREATE TABLE first_table (id int);")
    (tmp_path / "002_broken.sql").write_text("CREATE TABLE half_done (id int);\nSELECT * FROM no_such_table;")
    (tmp_path / "010_later.sql").write_text("CREATE TABLE later_table (id int);")
    migrations = discover(tmp_path)
    assert [m.version for m in migrations] == ["001", "002", "010"]
    with psycopg.connect(postgres_server.conninfo(dbname), autocommit=True) as conn:
        with pytest.raises(psycopg.errors.UndefinedTable):
            apply_migrations(conn, migrations)
        tables = {r[0] for r in conn.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'").fetchall()}
        assert "first_table" in tables and "half_done" not in tables and "later_table" not in tables
        assert [r[0] for r in conn.execute("SELECT version FROM schema_migrations").fetchall()] == ["001"]
        # The lock was released: a fixed file applies on the next run.
        (tmp_path / "002_broken.sql").write_text("CREATE TABLE half_done (id int);")
        assert apply_migrations(conn, discover(tmp_path)) == ["002", "010"]


def test_badly_named_migration_is_rejected(tmp_path: Path) -> None:
    (tmp_path / "create_things.sql").write_text("SELECT 1;")
    with pytest.raises(ValueError, match="NNN_name.sql"):
        discover(tmp_path)
