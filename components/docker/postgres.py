"""Postgres with its data volume, plus scheduled `pg_dump` backups mirrored to MinIO."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.docker.backup_script import (
    BACKUP_SCRIPT_PATH,
    BACKUPS_DIR,
    DATABASE_USER,
    MC_CONFIG_PATH,
    POSTGRES_PASSWORD_FILE,
    POSTGRES_PORT,
    mirror_script,
    render_backup_script,
    render_mc_config,
)
from components.docker.containers import (
    StackContext,
    healthcheck,
    plain_uploads,
    secret_uploads,
    shared_labels,
    stack_container,
    volume,
)
from infra.settings.monitoring import BackupSettings

__all__ = ["POSTGRES_PORT", "Postgres", "PostgresArgs"]

DATA_DIR = "/var/lib/postgresql/data"
PASSWORD_FILE = POSTGRES_PASSWORD_FILE


@dataclass(frozen=True)
class PostgresArgs:
    ctx: StackContext
    image: str
    client_image: str
    database: str
    password: pulumi.Output[str]
    data_volume: pulumi.Input[str]
    backups_volume: pulumi.Input[str]
    memory_mb: int
    backup_memory_mb: int
    backup: BackupSettings
    # Where the backup mirror writes: MinIO's endpoint and root credentials (secret Outputs).
    storage_endpoint: pulumi.Input[str]
    storage_user: pulumi.Output[str]
    storage_password: pulumi.Output[str]


class Postgres(pulumi.ComponentResource):
    container: docker.Container
    backup: docker.Container | None
    mirror: docker.Container | None

    def __init__(self, name: str, args: PostgresArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/postgres:Postgres", name, None, opts)
        ctx = args.ctx
        child = pulumi.ResourceOptions(parent=self)
        self.host = ctx.name("postgres")
        self.user = DATABASE_USER
        self.database = args.database
        self.container = stack_container(
            ctx,
            self.host,
            image=args.image,
            alias="postgres",
            labels=shared_labels(ctx, "postgres"),
            memory_mb=args.memory_mb,
            check=healthcheck(["CMD", "pg_isready", "-U", DATABASE_USER, "-d", args.database]),
            env={"POSTGRES_USER": DATABASE_USER, "POSTGRES_DB": args.database, "POSTGRES_PASSWORD_FILE": PASSWORD_FILE},
            uploads=secret_uploads({PASSWORD_FILE: args.password}),
            volumes=[volume(args.data_volume, DATA_DIR)],
            opts=child,
        )
        self.backup = None
        self.mirror = None
        if args.backup.enabled:
            self._backups(args, child)
        self.register_outputs({"host": self.host, "database": self.database})

    def _backups(self, args: PostgresArgs, child: pulumi.ResourceOptions) -> None:
        ctx = args.ctx
        # A dump younger than two intervals means the loop is alive and pg_dump works.
        fresh_minutes = (2 * args.backup.interval_seconds) // 60 + 1
        self.backup = stack_container(
            ctx,
            ctx.name("backup"),
            image=args.image,
            alias="backup",
            labels=shared_labels(ctx, "backup"),
            memory_mb=args.backup_memory_mb,
            check=healthcheck(
                [
                    "CMD-SHELL",
                    f"test -n \"$(find {BACKUPS_DIR} -maxdepth 1 -name '*.dump' -mmin -{fresh_minutes})\"",
                ],
                interval="60s",
                start_period="120s",
            ),
            env={
                "PGHOST": self.host,
                "PGPORT": str(POSTGRES_PORT),
                "PGUSER": DATABASE_USER,
                "PGDATABASE": args.database,
                "POSTGRES_PASSWORD_FILE": PASSWORD_FILE,
            },
            command=["bash", BACKUP_SCRIPT_PATH],
            uploads=[
                *plain_uploads(
                    {BACKUP_SCRIPT_PATH: render_backup_script(args.backup.interval_seconds, args.backup.keep)}
                ),
                *secret_uploads({PASSWORD_FILE: args.password}),
            ],
            volumes=[volume(args.backups_volume, BACKUPS_DIR)],
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.container]),
        )
        mc_config = pulumi.Output.all(args.storage_endpoint, args.storage_user, args.storage_password).apply(
            lambda values: render_mc_config(str(values[0]), str(values[1]), str(values[2]))
        )
        self.mirror = stack_container(
            ctx,
            ctx.name("backup-mirror"),
            image=args.client_image,
            alias="backup-mirror",
            labels=shared_labels(ctx, "backup-mirror"),
            memory_mb=args.backup_memory_mb,
            check=healthcheck(["CMD-SHELL", "mc ls store/backups >/dev/null || exit 1"], interval="60s"),
            entrypoints=["sh", "-c", mirror_script()],
            uploads=secret_uploads({MC_CONFIG_PATH: mc_config}),
            volumes=[volume(args.backups_volume, BACKUPS_DIR, read_only=True)],
            opts=child,
        )
