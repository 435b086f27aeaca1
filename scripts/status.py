"""`python scripts/status.py --stack S [--project-dir D] ...`: the `shipyard status` command."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from release.cli import run_subcommand  # noqa: E402

if __name__ == "__main__":
    run_subcommand("status")
