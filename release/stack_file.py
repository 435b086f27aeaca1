"""Read and write the release section (`shipyard:release`) of `Pulumi.<stack>.yaml`.

Round-trip YAML keeps comments and every other key as the operator wrote them. The new release section is
validated together with the rest of the file before anything is written, and the write is a temp file + rename,
so a reader never sees a half-written file and a bad release can never land on disk.
"""

from __future__ import annotations

import io
import os
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from infra.settings import NAMESPACE, ReleaseSettings, SettingsError, StackSettings, stack_file, validate
from infra.settings.loading import namespace_values

RELEASE_KEY = f"{NAMESPACE}:release"
# Values YAML would read back as something other than text (a tag "1.0" would become a float).
_QUOTED_KEYS = {"tag", "deployed_at", "promoted_at"}


def _yaml() -> YAML:
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.width = 120
    yaml.indent(mapping=2, sequence=4, offset=2)
    return yaml


def _quoted(key: str, value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _quoted(k, v) for k, v in value.items()}
    if isinstance(value, list):
        return [_quoted(key, v) for v in value]
    if key in _QUOTED_KEYS and isinstance(value, str):
        return DoubleQuotedScalarString(value)
    return value


def _merge(node: Any, new: Any) -> Any:
    """Update a round-trip mapping in place (its comments stay attached); lists and scalars are replaced."""
    if isinstance(node, CommentedMap) and isinstance(new, dict):
        for key in [k for k in node if k not in new]:
            del node[key]
        for key, value in new.items():
            node[key] = _merge(node[key], value) if key in node else value
        return node
    return new


class StackFile:
    def __init__(self, project_dir: Path, stack: str):
        self.project_dir = Path(project_dir)
        self.stack = stack
        self.path = stack_file(stack, self.project_dir)

    def _document(self) -> Any:
        if not self.path.exists():
            raise SettingsError([f"{self.path.name}: no such stack file; create it or pass the right --stack"],
                                str(self.path))
        return _yaml().load(self.path.read_text())

    def settings(self) -> StackSettings:
        document = self._document()
        config = (document or {}).get("config") or {}
        return validate(namespace_values(_plain(config)), source=self.path.name)

    def write_release(self, release: ReleaseSettings) -> StackSettings:
        """Replace the release section; returns the validated settings now on disk."""
        document = self._document()
        config = document["config"]
        new_section = _quoted("", release.model_dump(mode="json", exclude_none=True))
        candidate = {**_plain(config), RELEASE_KEY: _plain(new_section)}
        settings = validate(namespace_values(candidate), source=f"{self.path.name} (new release section)")
        if RELEASE_KEY in config:
            config[RELEASE_KEY] = _merge(config[RELEASE_KEY], new_section)
        else:
            config[RELEASE_KEY] = new_section
        buffer = io.StringIO()
        _yaml().dump(document, buffer)
        _atomic_write(self.path, buffer.getvalue())
        return settings


def _plain(value: Any) -> Any:
    """Round-trip nodes as plain dicts, lists and scalars (what the settings loader sees via PyYAML)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, str):
        return str(value)
    return value


def _atomic_write(path: Path, text: str) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(tmp, path.stat().st_mode & 0o777 if path.exists() else 0o644)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
