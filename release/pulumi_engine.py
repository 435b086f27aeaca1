"""The production engine: a targeted `pulumi up` through the Automation API.

`--target` takes URNs; the release commands speak logical names (components/naming.py), so they are mapped via
the stack's exported state. A name not in the state yet (first deploy) means: update the whole stack.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from release.engine import EngineError


def urns_for(deployment: Mapping[str, Any], names: Sequence[str]) -> list[str] | None:
    """The URNs of the named resources, or None when any name has no resource in the state yet."""
    by_name: dict[str, list[str]] = {}
    for resource in deployment.get("resources") or []:
        urn = str(resource.get("urn", ""))
        by_name.setdefault(urn.rsplit("::", 1)[-1], []).append(urn)
    urns: list[str] = []
    for name in names:
        if name not in by_name:
            return None
        urns.extend(by_name[name])
    return urns


class PulumiEngine:
    def __init__(self, project_dir: Path, stack: str):
        self.project_dir = Path(project_dir)
        self.stack_name = stack

    def _stack(self) -> Any:
        from pulumi import automation

        try:
            return automation.select_stack(stack_name=self.stack_name, work_dir=str(self.project_dir))
        except Exception as error:
            raise EngineError(f"cannot select stack {self.stack_name!r} in {self.project_dir}: {error}") from error

    def up(self, targets: Sequence[str] | None = None) -> None:
        stack = self._stack()
        urns: list[str] | None = None
        if targets is not None:
            urns = urns_for(stack.export_stack().deployment or {}, targets)
        try:
            stack.up(target=urns, on_output=lambda line: print(line, file=sys.stderr))
        except Exception as error:
            raise EngineError(f"pulumi up failed for stack {self.stack_name!r}: {error}") from error
