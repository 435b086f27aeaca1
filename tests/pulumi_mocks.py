"""Run a Pulumi program in-process under `pulumi.runtime.set_mocks` (preview=False) and record every registration.

This stands in for the Pulumi engine and providers only: the program, components and settings run as they do
under `pulumi up`. Each registration keeps its type token, name, parent, options and inputs; secret inputs stay
recognisable as `Secret(value)`, so tests can assert that a value was (or was not) wrapped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pulumi
from pulumi.runtime import mocks as pulumi_mocks
from pulumi.runtime import rpc, settings
from pulumi.runtime.stack import run_pulumi_func
from pulumi.runtime.sync_await import _sync_await

DYNAMIC_TYPE = "pulumi-python:dynamic:Resource"


@dataclass(frozen=True)
class Secret:
    value: Any


def _mark_secrets(value: Any) -> Any:
    if isinstance(value, dict):
        if value.get(rpc._special_sig_key) == rpc._special_secret_sig:
            return Secret(_mark_secrets(value.get("value")))
        return {k: _mark_secrets(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_mark_secrets(v) for v in value]
    return value


def secret_value(value: Any) -> dict[str, Any]:
    """A value in the wire form of a secret, for mocks to return as a secret output."""
    return {rpc._special_sig_key: rpc._special_secret_sig, "value": value}


def reveal(value: Any) -> Any:
    """The same structure with every Secret replaced by its value (for comparing shapes)."""
    if isinstance(value, Secret):
        return reveal(value.value)
    if isinstance(value, dict):
        return {k: reveal(v) for k, v in value.items()}
    if isinstance(value, list):
        return [reveal(v) for v in value]
    return value


@dataclass
class Registration:
    type: str
    name: str
    urn: str
    parent: str
    custom: bool
    inputs: dict[str, Any]
    protect: bool = False
    delete_before_replace: bool = False
    ignore_changes: list[str] = field(default_factory=list)
    replace_on_changes: list[str] = field(default_factory=list)
    aliases: list[str] = field(default_factory=list)
    dependencies: list[str] = field(default_factory=list)

    @property
    def parent_type(self) -> str:
        return self.parent.split("::")[2].split("$")[-1] if self.parent.count("::") >= 3 else ""

    def input(self, key: str) -> Any:
        return reveal(self.inputs.get(key))


@dataclass
class Recording:
    registrations: list[Registration]
    outputs: dict[str, Any]

    def of_type(self, type_token: str) -> list[Registration]:
        return [r for r in self.registrations if r.type == type_token]

    def named(self, name: str) -> Registration:
        found = [r for r in self.registrations if r.name == name]
        assert len(found) == 1, f"expected one resource named {name!r}, found {len(found)}"
        return found[0]

    def by_urn(self) -> dict[str, Registration]:
        return {r.urn: r for r in self.registrations}

    def digest(self, registration: Registration) -> str:
        """A stable fingerprint of a resource's inputs, for diffing two renderings of a program."""
        inputs = {k: v for k, v in registration.inputs.items() if k != "__provider"}
        return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=repr).encode()).hexdigest()


class RecordingMocks(pulumi.runtime.Mocks):
    """Returns inputs as outputs plus a few computed values providers would fill in."""

    def __init__(self, computed: Callable[[pulumi.runtime.MockResourceArgs], dict[str, Any]] | None = None):
        self.computed = computed

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        state = dict(args.inputs)
        digest = hashlib.sha256(f"{args.typ}:{args.name}".encode()).hexdigest()[:16]
        if args.typ.startswith("random:index/random"):
            # A deterministic stand-in for generated secrets, marked secret as the real provider marks it.
            state.setdefault("result", secret_value(f"generated-{digest}"))
        state.setdefault("arn", f"arn:aws:mock:{args.name}:{digest}")
        if self.computed is not None:
            state.update(self.computed(args))
        return f"{args.name}-id", state

    def call(self, args: pulumi.runtime.MockCallArgs) -> tuple[dict[str, Any], list[tuple[str, str]]]:
        token = args.token
        if token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            return {"names": ["eu-west-1a", "eu-west-1b", "eu-west-1c"], "zoneIds": ["a", "b", "c"]}, []
        if token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {"accountId": "123456789012", "arn": "arn:aws:iam::123456789012:root", "userId": "x"}, []
        if token == "aws:index/getRegion:getRegion":
            return {"name": "eu-west-1", "region": "eu-west-1", "id": "eu-west-1"}, []
        if token == "aws:index/getPartition:getPartition":
            return {"partition": "aws", "dnsSuffix": "amazonaws.com", "id": "aws"}, []
        return {}, []


class RecordingMonitor(pulumi_mocks.MockMonitor):
    def __init__(self, mocks: RecordingMocks):
        super().__init__(mocks)
        self.registrations: list[Registration] = []

    def RegisterResource(self, request: Any) -> Any:
        response = super().RegisterResource(request)
        if request.type != "pulumi:pulumi:Stack":
            self.registrations.append(
                Registration(
                    type=request.type,
                    name=request.name,
                    urn=response.urn,
                    parent=request.parent,
                    custom=bool(request.custom),
                    inputs=_mark_secrets(rpc.deserialize_properties(request.object)),
                    protect=bool(request.protect),
                    delete_before_replace=bool(request.deleteBeforeReplace),
                    ignore_changes=list(request.ignoreChanges),
                    replace_on_changes=list(request.replaceOnChanges),
                    aliases=[_alias_text(a) for a in request.aliases],
                    dependencies=list(request.dependencies),
                )
            )
        return response


def _alias_text(alias: Any) -> str:
    if alias.urn:
        return alias.urn
    spec = alias.spec
    return f"name={spec.name} type={spec.type} parentUrn={spec.parentUrn} noParent={spec.noParent}"


def run_program(
    program: Callable[[], None],
    config: dict[str, Any],
    *,
    project: str = "shipyard",
    stack: str = "staging",
    computed: Callable[[pulumi.runtime.MockResourceArgs], dict[str, Any]] | None = None,
    mocks: RecordingMocks | None = None,
) -> Recording:
    """Run `program` as the engine would (preview=False) with `config` ("shipyard:key" -> value) and record it.

    `mocks` replaces the default RecordingMocks (the in-process engine seam passes one that applies resources).
    """
    settings.set_root_resource(None)  # type: ignore[arg-type]
    mocks = mocks or RecordingMocks(computed)
    monitor = RecordingMonitor(mocks)
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False, monitor=monitor)
    text_config = {k: v if isinstance(v, str) else json.dumps(v) for k, v in config.items()}
    pulumi.runtime.set_all_config(text_config)
    settings.SETTINGS.rpc_manager.clear()
    settings.SETTINGS.outputs.clear()
    root = settings.get_root_resource()
    _sync_await(run_pulumi_func(program))
    return Recording(monitor.registrations, _resolve_exports(getattr(root, "outputs", {})))


def _resolve_exports(exports: dict[str, Any]) -> dict[str, Any]:
    """Stack exports as plain values; a secret export comes back as Secret(value)."""
    resolved: dict[str, Any] = {}
    for name, value in exports.items():
        output = pulumi.Output.from_input(value)
        plain = _sync_await(output.future())
        secret = _sync_await(output.is_secret())
        resolved[name] = Secret(plain) if secret else plain
    return resolved
