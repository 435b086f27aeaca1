"""Render the docker stack under the Pulumi mocks with the committed staging configuration (or a variant)."""

from __future__ import annotations

import copy
from typing import Any

from infra.program import main
from infra.settings import read_stack_file, stack_file
from tests.pulumi_mocks import Recording, reveal, run_program

PREFIX = "shipyard-demo-staging"
CONTAINER = "docker:index/container:Container"
VOLUME = "docker:index/volume:Volume"
IMAGE = "docker:index/image:Image"
REMOTE_IMAGE = "docker:index/remoteImage:RemoteImage"
DYNAMIC = "pulumi-python:dynamic:Resource"


def image_digests(args: Any) -> dict[str, Any]:
    """What the provider computes for a local build: repoDigest is the image id (here derived from the name)."""
    if args.typ == IMAGE:
        return {"repoDigest": f"sha256:{args.inputs['imageName']}"}
    if args.typ == REMOTE_IMAGE:
        return {"imageId": f"sha256:{args.inputs['name']}"}
    return {}


def staging_config() -> dict[str, Any]:
    return read_stack_file(stack_file("staging"))


def variant(**sections: dict[str, Any]) -> dict[str, Any]:
    """The committed config with some `shipyard:<section>` keys merged over (one level deep per key)."""
    config = copy.deepcopy(staging_config())
    for section, changes in sections.items():
        key = f"shipyard:{section}"
        merged = dict(config.get(key) or {})
        merged.update(changes)
        config[key] = merged
    return config


def render(config: dict[str, Any] | None = None) -> Recording:
    return run_program(main, staging_config() if config is None else config, computed=image_digests)


def plain_inputs(recording: Recording, name: str) -> dict[str, Any]:
    inputs = reveal(recording.named(name).inputs)
    inputs.pop("__provider", None)
    return dict(inputs)


def upload_map(recording: Recording, name: str) -> dict[str, str]:
    return {u["file"]: u["content"] for u in plain_inputs(recording, name).get("uploads") or []}
