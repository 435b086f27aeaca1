"""Everything a release step needs, built once per command."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from infra.settings import Color, StackSettings
from release import engine as engine_module
from release.docker_runtime import DockerRuntime
from release.http_probe import Probe, live_url, test_url
from release.lock import StackLock
from release.plan import ColorView, Observed
from release.stack_file import StackFile

# (event, message): event is one of start, ok, skip, fail, info, abort
Logger = Callable[[str, str], None]


def quiet(_event: str, _message: str) -> None:
    return None


@dataclass
class ReleaseContext:
    project_dir: Path
    stack: str
    stack_file: StackFile
    settings: StackSettings
    runtime: DockerRuntime
    log: Logger = quiet
    lock: StackLock | None = None
    # Set once a flip wrote its intent: the color to go back to if anything after it fails.
    flip_from: Color | None = None
    _engine: engine_module.StackEngine | None = field(default=None, repr=False)

    @classmethod
    def load(cls, project_dir: Path, stack: str, log: Logger = quiet) -> ReleaseContext:
        stack_file = StackFile(project_dir, stack)
        settings = stack_file.settings()
        return cls(Path(project_dir), stack, stack_file, settings, DockerRuntime(settings, stack), log)

    @property
    def engine(self) -> engine_module.StackEngine:
        if self._engine is None:
            self._engine = engine_module.load_engine(self.project_dir, self.stack)
        return self._engine

    def reload(self) -> StackSettings:
        self.settings = self.stack_file.settings()
        self.runtime.settings = self.settings
        return self.settings

    def probe(self, entry: str) -> Probe:
        url = live_url(self.settings) if entry == "live" else test_url(self.settings)
        return Probe(url, self.settings.gates.request_timeout_seconds)

    def observe(self) -> Observed:
        colors = {}
        for color in ("blue", "green"):
            seen = self.runtime.observe(color)  # type: ignore[arg-type]
            colors[color] = ColorView(seen.tag, seen.healthy)
        return Observed(self.runtime.read_live(), colors)  # type: ignore[arg-type]
