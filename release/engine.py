"""The one seam between the release commands and the infrastructure engine.

Production uses the Pulumi Automation API (release.pulumi_engine); tests substitute an engine that applies the
same program to real containers. Which one runs is chosen by env SHIPYARD_ENGINE ("module:Class").
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Protocol

DEFAULT_ENGINE = "release.pulumi_engine:PulumiEngine"
ENGINE_ENV = "SHIPYARD_ENGINE"


class EngineError(RuntimeError):
    """The engine could not apply the stack (the message says why)."""


class StackEngine(Protocol):
    def up(self, targets: Sequence[str] | None = None) -> None:
        """Apply the stack configuration as currently written in Pulumi.<stack>.yaml. targets: Pulumi logical
        resource names to update (None = whole stack). Raises EngineError on failure."""


def load_engine(project_dir: Path, stack: str) -> StackEngine:
    spec = os.environ.get(ENGINE_ENV) or DEFAULT_ENGINE
    module_name, _, class_name = spec.partition(":")
    if not module_name or not class_name:
        raise EngineError(f"{ENGINE_ENV}={spec!r}: expected 'module:Class'")
    try:
        engine_class = getattr(importlib.import_module(module_name), class_name)
    except (ImportError, AttributeError) as error:
        raise EngineError(f"{ENGINE_ENV}={spec!r}: cannot load it: {error}") from error
    engine: StackEngine = engine_class(project_dir=Path(project_dir), stack=stack)
    return engine


def apply(engine: StackEngine, targets: Sequence[str] | None = None) -> None:
    """engine.up, with any engine failure surfaced as EngineError (test engines raise their own types)."""
    try:
        engine.up(targets=list(targets) if targets is not None else None)
    except EngineError:
        raise
    except Exception as error:
        raise EngineError(f"{type(error).__name__}: {error}") from error
