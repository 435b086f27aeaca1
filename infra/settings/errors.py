"""Turn validation failures into messages that name the key, the allowed values and the closest valid key."""

from __future__ import annotations

import difflib
from typing import Any, get_args

from pydantic import BaseModel, ValidationError


class SettingsError(ValueError):
    """A stack configuration that cannot be used. `problems` holds one line per bad key."""

    def __init__(self, problems: list[str], source: str = "stack configuration"):
        self.problems = problems
        self.source = source
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"{source} is invalid; nothing was changed:\n{lines}")


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out


def _model_at(root: type[BaseModel], loc: tuple[Any, ...]) -> type[BaseModel] | None:
    """The model class that holds the key at `loc` (pydantic's loc for extra keys ends in the key itself)."""
    model: Any = root
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(model, type) and issubclass(model, BaseModel)) or part not in model.model_fields:
            # dict keys and union branch names (pydantic puts the class name in loc)
            continue
        annotation = model.model_fields[part].annotation
        model = _first_model(annotation)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def _first_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def unknown_key_message(key: str, allowed: list[str]) -> str:
    close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.5)
    hint = f"did you mean {close[0]!r}?" if close else f"valid keys here: {', '.join(sorted(allowed))}"
    return f"unknown key {key!r}; {hint}"


def describe(error: ValidationError, root: type[BaseModel], prefix: str = "") -> list[str]:
    problems = []
    for item in error.errors():
        loc = tuple(item["loc"])
        path = prefix + _path(loc)
        kind = item["type"]
        if kind == "extra_forbidden":
            holder = _model_at(root, loc[:-1])
            allowed = list(holder.model_fields) if holder else []
            problems.append(f"{path}: {unknown_key_message(str(loc[-1]), allowed)}")
        elif kind == "literal_error":
            expected = item.get("ctx", {}).get("expected", "")
            problems.append(f"{path}: must be {expected}, got {item['input']!r}")
        elif kind == "missing":
            problems.append(f"{path}: is required")
        else:
            message = str(item["msg"]).removeprefix("Value error, ")
            got = item.get("input")
            suffix = "" if kind == "value_error" or isinstance(got, dict | list) else f", got {got!r}"
            problems.append(_join_model_level(root, loc, path, f"{message}{suffix}"))
    return list(dict.fromkeys(problems))


def _join_model_level(root: type[BaseModel], loc: tuple[Any, ...], path: str, message: str) -> str:
    """Model validators say "key: why"; report that as "path.key: why" when key is a field of that model."""
    key, sep, rest = message.partition(": ")
    holder = _model_at(root, loc)
    if sep and holder is not None and key.split(".")[0].split("[")[0] in holder.model_fields:
        return f"{path + '.' if path else ''}{key}: {rest}"
    return f"{path}: {message}" if path else message
