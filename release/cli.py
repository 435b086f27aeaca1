"""`shipyard` command line: deploy, smoke, promote, rollback, status.

Exit codes: 0 ok, 1 a gate failed / release refused or reverted, 2 usage or configuration error, 3 infrastructure
error (Docker or the engine), 4 the stack lock is held.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from docker.errors import DockerException
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from infra.settings import SettingsError
from infra.settings.loading import PROJECT_ROOT
from release import commands
from release.commands import CommandResult
from release.engine import EngineError
from release.errors import ReleaseError

app = typer.Typer(add_completion=False, no_args_is_help=True, help="Blue-green releases of a shipyard stack.")
err = Console(stderr=True, soft_wrap=True)
out = Console()

StackOpt = Annotated[str, typer.Option("--stack", "-s", help="stack name (Pulumi.<stack>.yaml)")]
ProjectOpt = Annotated[Path, typer.Option("--project-dir", help="directory holding Pulumi.yaml")]
JsonOpt = Annotated[bool, typer.Option("--json", help="print the result as JSON on stdout")]
BreakOpt = Annotated[bool, typer.Option("--break-lock", help="take over a stale lock left by a dead command")]
STYLES = {"ok": "green", "skip": "dim", "fail": "red", "abort": "bold red", "start": "cyan", "info": "yellow"}


def _log(event: str, message: str) -> None:
    err.print(f"[dim]{time.strftime('%H:%M:%S')}[/] [{STYLES.get(event, '')}]{event:>5}[/] {escape(message)}",
              highlight=False, markup=True)


def _run(call: Callable[[], CommandResult], as_json: bool, title: str) -> None:
    try:
        with err.status(title, spinner="dots"):
            result = call()
    except (ReleaseError, SettingsError, EngineError, DockerException) as error:
        code = _exit_code(error)
        if as_json:
            out.print_json(json.dumps({"ok": False, "exit_code": code, "message": str(error)}))
        else:
            err.print(f"[red]error:[/] {escape(str(error))}", highlight=False)
        raise typer.Exit(code) from None
    if as_json:
        out.print_json(json.dumps(result.to_dict(), default=str))
    elif result.command == "status":
        _print_status(result)
    else:
        colour = "green" if result.ok else "red"
        err.print(f"[{colour}]{result.command}: {escape(result.message)}[/] ({result.seconds:.1f} s)", highlight=False)
    raise typer.Exit(result.exit_code)


def _exit_code(error: Exception) -> int:
    if isinstance(error, ReleaseError):
        return error.exit_code
    if isinstance(error, SettingsError):
        return 2
    return 3


def _print_status(result: CommandResult) -> None:
    data = result.data
    live = data["live"]
    table = Table(title=f"stack {data['stack']}: live = {live['config']} (router: {live['router']})")
    for column in ("color", "config tag", "running tag", "state", "health", "entry", "via entry"):
        table.add_column(column)
    for color, row in data["colors"].items():
        marker = " (live)" if color == live["config"] else ""
        table.add_row(color + marker, row["config_tag"], str(row["running_tag"]), row["state"], row["health"],
                      row["entry"], row["entry_health"])
    out.print(table)
    if data["lock"]:
        out.print(f"lock: {data['lock']['holder']}{' (stale)' if data['lock']['stale'] else ''}")
    for entry in data["history"]:
        out.print(f"  {entry['promoted_at']}  {entry['kind']:<8} {entry['tag']} on {entry['color']}")
    for problem in data["problems"]:
        out.print(f"[red]! {problem}[/]")


@app.command()
def deploy(tag: Annotated[str, typer.Option("--tag", "-t", help="image tag to put on the idle color")],
           stack: StackOpt = "staging", project_dir: ProjectOpt = PROJECT_ROOT, as_json: JsonOpt = False,
           break_lock: BreakOpt = False) -> None:
    """Put TAG on the idle color and wait until it is healthy. Live traffic is untouched."""
    _run(lambda: commands.deploy(project_dir, stack, tag, break_lock, _log), as_json, f"deploying {tag}")


@app.command()
def smoke(color: Annotated[str, typer.Option("--color", help="idle, live, blue or green")] = "idle",
          stack: StackOpt = "staging", project_dir: ProjectOpt = PROJECT_ROOT, as_json: JsonOpt = False) -> None:
    """Run the smoke checks through the test entry (idle) or the live entry."""
    _run(lambda: commands.smoke(project_dir, stack, color, _log), as_json, "smoke checks")


@app.command()
def promote(stack: StackOpt = "staging", project_dir: ProjectOpt = PROJECT_ROOT, as_json: JsonOpt = False,
            break_lock: BreakOpt = False) -> None:
    """Gate the idle color, flip live traffic to it, verify, and flip back if verification fails."""
    _run(lambda: commands.promote(project_dir, stack, break_lock, _log), as_json, "promoting")


@app.command()
def rollback(to: Annotated[str | None, typer.Option("--to", help="a previously released tag")] = None,
             stack: StackOpt = "staging", project_dir: ProjectOpt = PROJECT_ROOT, as_json: JsonOpt = False,
             break_lock: BreakOpt = False) -> None:
    """Go back to the previous live tag (or --to TAG): a flip if it still runs on the idle color."""
    _run(lambda: commands.rollback(project_dir, stack, to, break_lock, _log), as_json, "rolling back")


@app.command()
def status(stack: StackOpt = "staging", project_dir: ProjectOpt = PROJECT_ROOT, as_json: JsonOpt = False) -> None:
    """Both colors, their tags and health, which one is live, the lock holder and recent releases."""
    _run(lambda: commands.status(project_dir, stack), as_json, "reading status")


def run_subcommand(name: str) -> None:
    """For scripts/<name>.py: `python scripts/promote.py --stack staging` runs `shipyard promote --stack staging`."""
    app(args=[name, *sys.argv[1:]], prog_name=f"scripts/{name}.py")
