"""Render the Postgres backup loop and the MinIO mirror (pure; the backup script is run by a test with bash).

The backup container runs the script from the postgres image: every interval it writes `pg_dump -Fc` to
`<dir>/<db>-<UTC timestamp>.dump` (through a `.partial` file, so the mirror never uploads half a dump) and keeps
the newest `keep` dumps. `BACKUP_ONCE=1` or `--once` makes one dump and exits (used by tests and operators).
"""

from __future__ import annotations

import json
import shlex

DATABASE_USER = "shipyard"
POSTGRES_PORT = 5432
# The password file inside the postgres, backup and app containers (SECRETS_DIR/postgres_password).
POSTGRES_PASSWORD_FILE = "/run/secrets/postgres_password"
BACKUPS_DIR = "/backups"
BACKUP_SCRIPT_PATH = "/usr/local/bin/shipyard-backup.sh"
BACKUP_BUCKET = "backups"
MC_CONFIG_PATH = "/root/.mc/config.json"
MC_ALIAS = "store"
DUMP_SUFFIX = ".dump"
PARTIAL_SUFFIX = ".partial"


def render_backup_script(interval_seconds: int, keep: int, directory: str = BACKUPS_DIR) -> str:
    """Connection settings come from PGHOST/PGPORT/PGUSER/PGDATABASE; the password from POSTGRES_PASSWORD_FILE."""
    return f"""#!/usr/bin/env bash
set -euo pipefail
BACKUP_DIR="${{BACKUP_DIR:-{directory}}}"
INTERVAL={int(interval_seconds)}
KEEP={int(keep)}
if [ -n "${{POSTGRES_PASSWORD_FILE:-}}" ]; then
  # Read here so the password is never an argument or a container environment value.
  PGPASSWORD="$(cat "$POSTGRES_PASSWORD_FILE")"
  export PGPASSWORD
fi

backup_once() {{
  local stamp final partial
  stamp="$(date -u +%Y%m%dT%H%M%SZ)"
  final="$BACKUP_DIR/${{PGDATABASE}}-$stamp{DUMP_SUFFIX}"
  partial="$final{PARTIAL_SUFFIX}"
  mkdir -p "$BACKUP_DIR"
  pg_dump -Fc --no-password -f "$partial"
  mv -f "$partial" "$final"
  echo "backup: wrote $final ($(wc -c < "$final") bytes)"
  # Timestamps sort as text: everything after the newest $KEEP goes.
  find "$BACKUP_DIR" -maxdepth 1 -name "${{PGDATABASE}}-*{DUMP_SUFFIX}" | sort -r | tail -n +$((KEEP + 1)) |
    while read -r old; do rm -f -- "$old"; echo "backup: removed $old"; done
}}

if [ "${{BACKUP_ONCE:-0}}" = "1" ] || [ "${{1:-}}" = "--once" ]; then
  backup_once
  exit 0
fi
until pg_isready --quiet; do sleep 2; done
while true; do
  backup_once || echo "backup: pg_dump failed; next try in $INTERVAL s" >&2
  sleep "$INTERVAL"
done
"""


def render_mc_config(endpoint: str, access_key: str, secret_key: str) -> str:
    """The MinIO client's config file (carries credentials: upload it as a secret)."""
    alias = {"url": endpoint, "accessKey": access_key, "secretKey": secret_key, "api": "s3v4", "path": "auto"}
    return json.dumps({"version": "10", "aliases": {MC_ALIAS: alias}}, indent=2, sort_keys=True) + "\n"


def mirror_script(directory: str = BACKUPS_DIR, bucket: str = BACKUP_BUCKET) -> str:
    """Create the bucket if needed, then keep it an exact copy of the backups volume."""
    target = shlex.quote(f"{MC_ALIAS}/{bucket}")
    source = shlex.quote(directory)
    return (
        f"until mc ls {shlex.quote(MC_ALIAS)} >/dev/null; do sleep 2; done && "
        f"mc mb --ignore-existing {target} && "
        f"exec mc mirror --watch --overwrite --remove --exclude '*{PARTIAL_SUFFIX}' {source} {target}"
    )
