"""Read the stack configuration from the Pulumi runtime or from a `Pulumi.<stack>.yaml` file, and validate it.

Validation happens before any resource is registered, so a bad value stops the program with nothing changed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from infra.settings.errors import SettingsError, describe, unknown_key_message
from infra.settings.stack import NAMESPACE, StackSettings

PROJECT_ROOT = Path(__file__).resolve().parents[2]


def validate(values: dict[str, Any], source: str = "stack configuration") -> StackSettings:
    """Validate the namespace's keys (without the `shipyard:` prefix); raise SettingsError naming each bad key."""
    problems: list[str] = []
    allowed = list(StackSettings.model_fields)
    for key in values:
        if key not in allowed:
            problems.append(f"{NAMESPACE}:{key}: {unknown_key_message(key, allowed)}")
    known = {k: v for k, v in values.items() if k in allowed}
    try:
        settings = StackSettings.model_validate(known)
    except ValidationError as error:
        problems.extend(describe(error, StackSettings))
        settings = None
    if problems or settings is None:
        raise SettingsError(problems, source)
    return settings


def _decode(raw: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay text (pydantic coerces them)."""
    if isinstance(raw, str) and raw[:1] in "{[":
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return raw


def namespace_values(config: dict[str, Any]) -> dict[str, Any]:
    prefix = f"{NAMESPACE}:"
    return {k[len(prefix) :]: _decode(v) for k, v in config.items() if k.startswith(prefix)}


def from_pulumi_runtime() -> StackSettings:
    """Every `shipyard:*` key the engine passed in, whether set via the runtime or the PULUMI_CONFIG bag."""
    from pulumi.runtime import config as runtime_config

    merged: dict[str, Any] = dict(runtime_config.get_config_env())
    merged.update(runtime_config.CONFIG.get())
    return validate(namespace_values(merged))


def stack_file(stack: str, root: Path = PROJECT_ROOT) -> Path:
    return root / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path) -> dict[str, Any]:
    """The raw `config:` map of a stack file, keys as written (`shipyard:release`, `aws:region`, ...)."""
    if not path.exists():
        raise SettingsError([f"{path.name}: no such stack file; create it or pass the right --stack"], str(path))
    document = yaml.safe_load(path.read_text()) or {}
    config = document.get("config") or {}
    if not isinstance(config, dict):
        raise SettingsError(["config: must be a mapping of keys to values"], str(path))
    return config


def from_stack_file(stack: str, root: Path = PROJECT_ROOT) -> StackSettings:
    path = stack_file(stack, root)
    return validate(namespace_values(read_stack_file(path)), source=str(path.name))
