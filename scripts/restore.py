"""Restore a Postgres backup of a docker stack: `python scripts/restore.py --stack staging [--backup FILE]`.

Picks the newest dump in the stack's backups volume (or the named one) and runs
`pg_restore --clean --if-exists --no-owner` in a one-off container of the stack's postgres image.
Stop the app containers first if they hold long transactions: --clean drops and recreates every object.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from infra.settings import SettingsError, from_stack_file  # noqa: E402
from ops.restore import DockerRunner, RestoreError, restore, stack_target  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--stack", required=True, help="stack name, e.g. staging (reads Pulumi.<stack>.yaml)")
    parser.add_argument("--backup", help="dump file name in the backups volume (default: the newest)")
    args = parser.parse_args(argv)
    try:
        settings = from_stack_file(args.stack)
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    if settings.platform != "docker":
        print(f"stack {args.stack!r} is on {settings.platform}; restore RDS from its snapshots", file=sys.stderr)
        return 2
    import docker

    platform = settings.docker_settings
    client = docker.DockerClient(base_url=platform.host) if platform.host else docker.from_env()
    service = settings.service
    runner = DockerRunner.for_stack(client, service.name, args.stack, platform.images.postgres)
    try:
        result = restore(stack_target(service.name, args.stack, service.database), runner, args.backup)
    except RestoreError as error:
        print(f"restore failed: {error}", file=sys.stderr)
        return 1
    print(f"restored {result.backup} into database {result.database!r} of stack {args.stack!r}")
    if result.output.strip():
        print(result.output.strip())
    return 0


if __name__ == "__main__":
    sys.exit(main())
