"""THE SEAM: the one place where tests substitute the Pulumi engine.

`InProcessEngine` stands in for `pulumi up` (the CLI, its state backend and the pulumi-docker / pulumi-random
provider plugins, none of which can be installed here). It runs the real program (`infra.program.main`) with
the stack file's configuration under `pulumi.runtime.set_mocks(preview=False)`, and as each resource registers
it does what the provider would: creates, replaces or keeps real Docker networks, volumes and containers,
checks images, and calls the real dynamic providers (the router switch). It keeps a small state file so a later
`up` replaces only what changed, honours `targets` like `pulumi up --target`, and deletes what the program no
longer declares. Everything else in a release test — settings, components, router, containers, HTTP — is real.

Select it with SHIPYARD_ENGINE=tests.seam.inprocess_engine:InProcessEngine.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import dill
import docker
import pulumi

from infra.settings import read_stack_file, stack_file
from tests.pulumi_mocks import RecordingMocks, _mark_secrets, reveal, run_program
from tests.seam import docker_apply

PROVIDER_KEY = "__provider"
CONTAINER = "docker:index/container:Container"
DYNAMIC = "pulumi-python:dynamic:Resource"


class SeamError(RuntimeError):
    """A resource could not be applied (the real engine would fail the update the same way)."""


def _digest(inputs: dict[str, Any]) -> str:
    stable = {k: v for k, v in inputs.items() if k != PROVIDER_KEY}
    return hashlib.sha256(json.dumps(stable, sort_keys=True, default=repr).encode()).hexdigest()


class ApplyingMocks(RecordingMocks):
    def __init__(self, engine: InProcessEngine, targets: set[str] | None):
        super().__init__()
        self.engine = engine
        self.targets = targets
        self.seen: set[str] = set()

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        key = f"{args.typ}::{args.name}"
        self.seen.add(key)
        _, mocked = super().new_resource(args)
        old = self.engine.state.get(key)
        if not args.custom:
            return f"{args.name}-id", mocked
        skipped = self.targets is not None and args.name not in self.targets
        if skipped or self.engine.errors:
            # Like `pulumi up --target`: resources outside the targets keep their recorded state; and like the
            # engine after a failed step, nothing further is changed.
            if old is None:
                return f"{args.name}-id", mocked
            return old["id"], {**mocked, **old["outputs"]}
        inputs = reveal(_mark_secrets(args.inputs))
        digest = _digest(inputs)
        try:
            resource_id, outputs = self.engine.apply(args.typ, args.name, inputs, old, digest)
        except Exception as error:  # surfaced by up(); the program run itself must finish
            self.engine.errors.append(f"{args.typ} {args.name}: {error}")
            return f"{args.name}-failed", mocked
        self.engine.state[key] = {
            "id": resource_id,
            "type": args.typ,
            "name": args.name,
            "digest": digest,
            "inputs": {k: v for k, v in inputs.items() if k != PROVIDER_KEY and args.typ == DYNAMIC},
            "outputs": outputs,
        }
        return resource_id, {**mocked, **outputs}


class InProcessEngine:
    def __init__(self, project_dir: Path, stack: str):
        self.project_dir = Path(project_dir)
        self.stack = stack
        self.state_path = self.project_dir / ".shipyard-seam" / f"{stack}.json"
        self.state: dict[str, dict[str, Any]] = {}
        self.errors: list[str] = []
        self._client: docker.DockerClient | None = None

    @property
    def client(self) -> docker.DockerClient:
        if self._client is None:
            self._client = docker.from_env()
        return self._client

    def _load(self) -> None:
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {}

    def _save(self) -> None:
        self.state_path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state, indent=1, sort_keys=True, default=str))
        tmp.replace(self.state_path)

    def up(self, targets: Sequence[str] | None = None) -> None:
        from infra.program import main

        self._load()
        self.errors = []
        config = read_stack_file(stack_file(self.stack, self.project_dir))
        mocks = ApplyingMocks(self, set(targets) if targets is not None else None)
        try:
            run_program(main, config, stack=self.stack, mocks=mocks)
        finally:
            if targets is None:
                for key in [k for k in self.state if k not in mocks.seen]:
                    self._delete(self.state.pop(key))
            self._save()
        if self.errors:
            raise SeamError("; ".join(self.errors))

    def destroy(self) -> None:
        self._load()
        order = {CONTAINER: 0, DYNAMIC: 1}
        for key in sorted(self.state, key=lambda k: order.get(self.state[k]["type"], 2)):
            self._delete(self.state[key], keep_data=False)
        self.state = {}
        self._save()

    # --- what the providers do -------------------------------------------------------------------------
    def apply(
        self, type_: str, name: str, inputs: dict[str, Any], old: dict[str, Any] | None, digest: str
    ) -> tuple[str, dict[str, Any]]:
        unchanged = old is not None and old["digest"] == digest
        client = self.client
        if type_ == "docker:index/network:Network":
            return docker_apply.ensure_network(client, inputs), {}
        if type_ == "docker:index/volume:Volume":
            return docker_apply.ensure_volume(client, inputs), {}
        if type_ == "docker:index/remoteImage:RemoteImage":
            image_id = docker_apply.ensure_image(client, inputs)
            return image_id, {"imageId": image_id, "repoDigest": inputs["name"]}
        if type_ == "docker:index/image:Image":
            image_id = old["id"] if unchanged and old else docker_apply.build_image(client, inputs)
            return image_id, {"imageName": inputs["imageName"], "repoDigest": inputs["imageName"]}
        if type_ == CONTAINER:
            return self._apply_container(inputs, old, unchanged)
        if type_ == DYNAMIC:
            return self._apply_dynamic(name, inputs, old)
        if type_.startswith("random:") or type_ == "pulumi:providers:docker":
            return (old["id"] if old else f"{name}-id"), (old["outputs"] if old else {})
        raise SeamError(f"the seam does not implement {type_}; add it to tests/seam")

    def _apply_container(
        self, inputs: dict[str, Any], old: dict[str, Any] | None, unchanged: bool
    ) -> tuple[str, dict[str, Any]]:
        name = inputs["name"]
        if unchanged and old is not None:
            try:
                if self.client.containers.get(name).id == old["id"]:
                    return old["id"], old["outputs"]
            except docker.errors.NotFound:
                pass
        docker_apply.remove_container(self.client, name, int(inputs.get("destroyGraceSeconds") or 10))
        container_id = docker_apply.create_container(self.client, inputs)
        return container_id, {"id": container_id, "name": name}

    def _apply_dynamic(
        self, name: str, inputs: dict[str, Any], old: dict[str, Any] | None
    ) -> tuple[str, dict[str, Any]]:
        provider = dill.loads(base64.b64decode(inputs[PROVIDER_KEY]))
        props = {k: v for k, v in inputs.items() if k != PROVIDER_KEY}
        if old is None:
            result = provider.create(props)
            return str(result.id), dict(result.outs or {})
        olds = {**old.get("inputs", {}), **old["outputs"]}
        diff = provider.diff(old["id"], olds, props) if hasattr(provider, "diff") else None
        if diff is not None and diff.changes is False:
            return old["id"], old["outputs"]
        updated = provider.update(old["id"], olds, props)
        return old["id"], dict(updated.outs or {})

    def _delete(self, entry: dict[str, Any], keep_data: bool = True) -> None:
        type_, outputs = entry["type"], entry.get("outputs") or {}
        if type_ == CONTAINER:
            # A torn-down test stack keeps no data, so its containers get no grace period.
            grace = 10 if keep_data else 1
            docker_apply.remove_container(self.client, outputs.get("name") or entry["name"], grace)
        elif type_ == "docker:index/network:Network" and not keep_data:
            with contextlib.suppress(docker.errors.NotFound):
                self.client.networks.get(entry["id"]).remove()
        elif type_ == "docker:index/volume:Volume" and not keep_data:
            with contextlib.suppress(docker.errors.NotFound):
                self.client.volumes.get(entry["id"]).remove(force=True)
