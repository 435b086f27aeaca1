"""Exit codes and messages of the command line (no containers needed for these paths)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from typer.testing import CliRunner

from release import lock
from release.cli import app
from tests.release.stack_fixtures import REPO, make_project

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def test_invalid_settings_exit_2_naming_the_key(tmp_path: Path) -> None:
    project, stack, _ = make_project(tmp_path)
    path = project / f"Pulumi.{stack}.yaml"
    path.write_text(path.read_text().replace("consecutive_passes: 3", "consecutive_pases: 3"))
    code, output = invoke("promote", "--stack", stack, "--project-dir", str(project))
    assert code == 2
    assert "gates.consecutive_pases: unknown key 'consecutive_pases'; did you mean 'consecutive_passes'?" in output


def test_bad_tag_exit_2(tmp_path: Path) -> None:
    project, stack, _ = make_project(tmp_path)
    code, output = invoke("deploy", "--tag", "no/slash", "--stack", stack, "--project-dir", str(project))
    assert code == 2 and "--tag 'no/slash': not an image tag" in output


def test_rollback_to_a_tag_never_released_exit_2(tmp_path: Path) -> None:
    project, stack, _ = make_project(tmp_path)
    code, output = invoke("rollback", "--to", "0.9.0", "--stack", stack, "--project-dir", str(project), "--json")
    assert code == 2
    assert json.loads(output)["message"].startswith("--to '0.9.0': never released on this stack")


def test_missing_stack_exit_2(tmp_path: Path) -> None:
    code, output = invoke("status", "--stack", "nope", "--project-dir", str(tmp_path))
    assert code == 2 and "Pulumi.nope.yaml: no such stack file" in output


def test_lock_held_exit_4_names_the_holder(tmp_path: Path) -> None:
    project, stack, _ = make_project(tmp_path)
    with lock.acquire(project, stack, "deploy tag=2.0.0"):
        code, output = invoke("promote", "--stack", stack, "--project-dir", str(project))
    assert code == 4 and "locked by deploy tag=2.0.0 (pid" in output
    audit = (project / ".shipyard" / "audit" / f"{stack}.jsonl").read_text().splitlines()
    assert json.loads(audit[-1])["exit_code"] == 4


def test_docker_unreachable_exit_3(tmp_path: Path) -> None:
    project, stack, _ = make_project(tmp_path)
    path = project / f"Pulumi.{stack}.yaml"
    path.write_text(path.read_text().replace("  shipyard:docker:\n", "  shipyard:docker:\n    host: tcp://127.0.0.1:9\n"))
    code, output = invoke("status", "--stack", stack, "--project-dir", str(project))
    assert code == 3 and "cannot reach the Docker engine (tcp://127.0.0.1:9)" in output


def test_bad_option_exit_2_and_scripts_wrap_the_subcommands(tmp_path: Path) -> None:
    code, _ = invoke("promote", "--colour", "x")
    assert code == 2
    done = subprocess.run([sys.executable, "scripts/smoke.py", "--help"], cwd=REPO, capture_output=True, text=True)
    assert done.returncode == 0 and "--color" in done.stdout and "--project-dir" in done.stdout
