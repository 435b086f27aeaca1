"""A real stack for the end-to-end tests: a temporary project, brought up through the seam, torn down after."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Generator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import docker
import httpx
import pytest

from infra.settings import StackSettings, from_stack_file
from release import commands
from release.commands import CommandResult
from release.http_probe import live_url, test_url
from release.router_switch import read_live_color
from tests.release.stack_fixtures import REPO, make_project

ENGINE = "tests.seam.inprocess_engine:InProcessEngine"
BUILD_HINT = "run `python -m tests.images.build` from the repository root"


def require_docker_and_images() -> None:
    """Fail (never skip) when Docker or a test image is missing."""
    try:
        docker.from_env().ping()
    except Exception as error:  # noqa: BLE001 - any failure here means "no usable engine"
        pytest.fail(f"Docker engine not reachable ({error}); the e2e tests need one. Then {BUILD_HINT}.")
    try:
        from tests.images import require_images
    except ImportError as error:
        pytest.fail(f"tests/images is missing ({error}); {BUILD_HINT}")
    try:
        require_images()
    except AssertionError as error:
        pytest.fail(str(error))


@dataclass
class E2EStack:
    project: Path
    stack: str
    service: str

    @property
    def settings(self) -> StackSettings:
        return from_stack_file(self.stack, self.project)

    @property
    def live_url(self) -> str:
        return live_url(self.settings)

    @property
    def test_url(self) -> str:
        return test_url(self.settings)

    def router_live(self) -> str:
        return str(read_live_color(docker.from_env(), f"{self.service}-{self.stack}-router"))

    def deploy(self, tag: str, **kw: Any) -> CommandResult:
        return commands.deploy(self.project, self.stack, tag, log=_print, **kw)

    def promote(self, **kw: Any) -> CommandResult:
        return commands.promote(self.project, self.stack, log=_print, **kw)

    def rollback(self, to: str | None = None, **kw: Any) -> CommandResult:
        return commands.rollback(self.project, self.stack, to, log=_print, **kw)

    def status(self) -> CommandResult:
        return commands.status(self.project, self.stack)

    def script(self, name: str, *args: str, env: dict[str, str] | None = None) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, f"scripts/{name}.py", "--stack", self.stack, "--project-dir", str(self.project), *args],
            cwd=REPO, env={**os.environ, "SHIPYARD_ENGINE": ENGINE, **(env or {})},
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        )

    def live_version(self) -> tuple[str | None, str | None]:
        response = httpx.get(f"{self.live_url}/version", timeout=5)
        return response.json().get("version"), response.headers.get("x-shipyard-color")

    def live_healthy(self) -> bool:
        try:
            return httpx.get(f"{self.live_url}/health", timeout=3).status_code == 200
        except httpx.HTTPError:
            return False

    def ensure_live(self, tag: str) -> None:
        """Bring the stack to `tag` live (through the commands themselves), whatever the previous test left."""
        settings = self.settings
        if settings.release.tag_of(settings.release.live) == tag and self.router_live() == settings.release.live:
            return
        assert self.deploy(tag, break_lock=True).ok
        assert self.promote().ok


def _print(event: str, message: str) -> None:
    print(f"{time.strftime('%H:%M:%S')} {event:>5} {message}", flush=True)


def wait_healthy(url: str, deadline: float = 120) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    raise AssertionError(f"{url}/health not healthy within {deadline} s")


def stack_up(tmp: Path, watch_window: float | None = None) -> Generator[E2EStack, None, None]:
    require_docker_and_images()
    os.environ["SHIPYARD_ENGINE"] = ENGINE
    from tests.seam.inprocess_engine import InProcessEngine

    project, stack, service = make_project(tmp, deadline=20)
    if watch_window is not None:
        path = project / f"Pulumi.{stack}.yaml"
        path.write_text(path.read_text().replace("watch_window_seconds: 2", f"watch_window_seconds: {watch_window}"))
    engine = InProcessEngine(project, stack)
    try:
        engine.up()
        e2e = E2EStack(project, stack, service)
        wait_healthy(e2e.live_url)
        wait_healthy(e2e.test_url)
        yield e2e
    finally:
        engine.destroy()
