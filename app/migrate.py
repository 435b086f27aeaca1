"""Apply the plain-SQL migrations in app/migrations (NNN_name.sql) in order: `python -m app.migrate`.

Each file runs in its own transaction and is recorded in `schema_migrations`; files already recorded are skipped,
so running it again is a no-op. A session-level Postgres advisory lock serializes concurrent runs (two deploys,
two containers): the second waits, then finds everything applied. The API never migrates itself.
"""

from __future__ import annotations

import argparse
import logging
import re
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psycopg

from app.config import Settings, get_settings

log = logging.getLogger("app.migrate")

MIGRATIONS_DIR = Path(__file__).parent / "migrations"
# Arbitrary constant shared by every migrator of this service (pg_advisory_lock takes a bigint).
ADVISORY_LOCK_KEY = 0x5348_4950_5941_5244 & 0x7FFF_FFFF_FFFF_FFFF
MIGRATION_NAME = re.compile(r"^(\d{3,})_([A-Za-z0-9_]+)\.sql$")


@dataclass(frozen=True)
class Migration:
    version: str
    name: str
    path: Path

    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def discover(directory: Path = MIGRATIONS_DIR) -> list[Migration]:
    found: list[Migration] = []
    for path in directory.glob("*.sql"):
        match = MIGRATION_NAME.match(path.name)
        if not match:
            raise ValueError(f"migration file {path.name!r} is not named NNN_name.sql")
        found.append(Migration(version=match.group(1), name=match.group(2), path=path))
    found.sort(key=lambda m: int(m.version))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise ValueError(f"duplicate migration versions in {directory}: {versions}")
    return found


def connect(settings: Settings, wait_seconds: float) -> psycopg.Connection:
    deadline = time.monotonic() + wait_seconds
    while True:
        try:
            return psycopg.connect(settings.postgres_conninfo(), autocommit=True)
        except psycopg.OperationalError as exc:
            if time.monotonic() >= deadline:
                raise
            log.warning("postgres not reachable yet (%s); retrying", exc)
            time.sleep(1)


def apply_migrations(conn: psycopg.Connection, migrations: list[Migration]) -> list[str]:
    """Apply what is missing under the advisory lock; return the versions applied by this call."""
    applied_now: list[str] = []
    conn.execute("SELECT pg_advisory_lock(%s)", (ADVISORY_LOCK_KEY,))
    try:
        conn.execute(
            "CREATE TABLE IF NOT EXISTS schema_migrations ("
            " version TEXT PRIMARY KEY, name TEXT NOT NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())"
        )
        done = {row[0] for row in conn.execute("SELECT version FROM schema_migrations").fetchall()}
        for migration in migrations:
            if migration.version in done:
                continue
            with conn.transaction():
                conn.execute(migration.sql().encode())
                conn.execute(
                    "INSERT INTO schema_migrations (version, name) VALUES (%s, %s)",
                    (migration.version, migration.name),
                )
            log.info("applied migration %s_%s", migration.version, migration.name)
            applied_now.append(migration.version)
    finally:
        conn.execute("SELECT pg_advisory_unlock(%s)", (ADVISORY_LOCK_KEY,))
    return applied_now


def migrate(settings: Settings | None = None, wait_seconds: float = 30.0) -> list[str]:
    settings = settings or get_settings()
    with connect(settings, wait_seconds) as conn:
        return apply_migrations(conn, discover())


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m app.migrate", description=__doc__)
    parser.add_argument("--wait", type=float, default=30.0, help="seconds to wait for Postgres to accept connections")
    args = parser.parse_args(argv)
    settings = get_settings()
    logging.basicConfig(level=settings.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s")
    applied = migrate(settings, args.wait)
    log.info("migrations up to date (%d applied now)", len(applied))
    return 0


if __name__ == "__main__":
    sys.exit(main())
