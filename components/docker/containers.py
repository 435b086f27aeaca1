"""The bits every docker component shares: the stack context, labels, healthchecks, secret files, and one
container factory that applies the standard restart policy, memory limit, labels and network alias.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.naming import LABEL_ROLE, LABEL_SERVICE, LABEL_STACK, SECRETS_DIR, shared_name

RESTART_POLICY = "unless-stopped"
STOP_GRACE_SECONDS = 30


@dataclass(frozen=True)
class StackContext:
    """Who the resources belong to and the network every container joins."""

    service: str
    stack: str
    network: pulumi.Input[str]

    def name(self, part: str) -> str:
        return shared_name(self.service, self.stack, part)


def secret_path(name: str) -> str:
    """Where a secret file lands inside a container: /run/secrets/<name>."""
    return f"{SECRETS_DIR}/{name}"


def shared_labels(ctx: StackContext, role: str) -> dict[str, str]:
    return {LABEL_STACK: ctx.stack, LABEL_SERVICE: ctx.service, LABEL_ROLE: role}


def label_args(labels: Mapping[str, str]) -> list[docker.ContainerLabelArgs]:
    return [docker.ContainerLabelArgs(label=key, value=value) for key, value in sorted(labels.items())]


def secret_uploads(files: Mapping[str, pulumi.Input[str]]) -> list[docker.ContainerUploadArgs]:
    """`{path: content}` as container uploads whose content is always a secret Output."""
    return [
        docker.ContainerUploadArgs(file=path, content=pulumi.Output.secret(content))
        for path, content in sorted(files.items())
    ]


def plain_uploads(files: Mapping[str, str]) -> list[docker.ContainerUploadArgs]:
    """Configuration files that carry no secret (rendered configs, scripts)."""
    return [docker.ContainerUploadArgs(file=path, content=content) for path, content in sorted(files.items())]


def healthcheck(
    tests: Sequence[str],
    *,
    interval: str = "10s",
    timeout: str = "5s",
    retries: int = 5,
    start_period: str = "20s",
) -> docker.ContainerHealthcheckArgs:
    return docker.ContainerHealthcheckArgs(
        tests=list(tests), interval=interval, timeout=timeout, retries=retries, start_period=start_period
    )


def env_list(env: Mapping[str, str]) -> list[str]:
    """Docker's KEY=value form, sorted so the same settings always give the same inputs."""
    return [f"{key}={value}" for key, value in sorted(env.items())]


def volume(name: pulumi.Input[str], path: str, read_only: bool = False) -> docker.ContainerVolumeArgs:
    if read_only:
        return docker.ContainerVolumeArgs(volume_name=name, container_path=path, read_only=True)
    return docker.ContainerVolumeArgs(volume_name=name, container_path=path)


def loopback_port(external: int, internal: int) -> docker.ContainerPortArgs:
    return docker.ContainerPortArgs(internal=internal, external=external, ip="127.0.0.1")


def stack_container(
    ctx: StackContext,
    name: str,
    *,
    image: pulumi.Input[str],
    alias: str,
    labels: Mapping[str, str],
    memory_mb: int,
    check: docker.ContainerHealthcheckArgs,
    opts: pulumi.ResourceOptions,
    env: Mapping[str, str] | None = None,
    uploads: Sequence[docker.ContainerUploadArgs] = (),
    volumes: Sequence[docker.ContainerVolumeArgs] = (),
    ports: Sequence[docker.ContainerPortArgs] = (),
    command: Sequence[str] | None = None,
    entrypoints: Sequence[str] | None = None,
    user: str | None = None,
) -> docker.Container:
    """A container named `name` (also its logical name) with the stack's standard settings.

    `user` stays unset unless a component has a reason: the images run as their own user.
    """
    return docker.Container(
        name,
        name=name,
        image=image,
        envs=env_list(env) if env else None,
        command=list(command) if command is not None else None,
        entrypoints=list(entrypoints) if entrypoints is not None else None,
        user=user,
        labels=label_args(labels),
        healthcheck=check,
        memory=memory_mb,
        restart=RESTART_POLICY,
        networks_advanced=[docker.ContainerNetworksAdvancedArgs(name=ctx.network, aliases=[alias])],
        uploads=list(uploads) or None,
        volumes=list(volumes) or None,
        ports=list(ports) or None,
        # Give a worker time to finish the job in hand on SIGTERM before Docker kills it.
        destroy_grace_seconds=STOP_GRACE_SECONDS,
        # Container names are fixed, so a replacement must remove the old one before creating the new one.
        opts=pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True)),
    )
