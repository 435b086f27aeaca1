"""What pulumi-docker's provider does for the few resource types the docker platform uses, done with the
Docker SDK. Part of the test seam that replaces the Pulumi engine and its provider plugins (see
inprocess_engine.py); the containers, networks and volumes it makes are real.

Inputs arrive as the provider would receive them: camelCase keys, durations as "2s", memory in MB.
"""

from __future__ import annotations

import io
import re
import tarfile
import time
from typing import Any

import docker
from docker.errors import NotFound

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ms|s|m|h)")
_UNIT_NS = {"ms": 1_000_000, "s": 1_000_000_000, "m": 60_000_000_000, "h": 3_600_000_000_000}


class ApplyError(RuntimeError):
    pass


def duration_ns(text: str | None) -> int | None:
    if not text:
        return None
    total = sum(float(n) * _UNIT_NS[unit] for n, unit in _DURATION.findall(text))
    return int(total)


def host_config_kwargs(inputs: dict[str, Any]) -> dict[str, Any]:
    """Translate Container inputs to `APIClient.create_host_config` keyword arguments (pure)."""
    binds: dict[str, dict[str, str]] = {}
    for volume in inputs.get("volumes") or []:
        source = volume.get("volumeName") or volume.get("hostPath")
        binds[source] = {"bind": volume["containerPath"], "mode": "ro" if volume.get("readOnly") else "rw"}
    port_bindings: dict[str, tuple[Any, ...]] = {}
    for port in inputs.get("ports") or []:
        key = f"{int(port['internal'])}/{port.get('protocol') or 'tcp'}"
        external = int(port.get("external") or 0) or None
        port_bindings[key] = (port.get("ip") or "0.0.0.0", external) if external else (port.get("ip") or "0.0.0.0",)
    kwargs: dict[str, Any] = {"binds": binds, "port_bindings": port_bindings}
    if inputs.get("restart"):
        kwargs["restart_policy"] = {"Name": inputs["restart"]}
    if inputs.get("memory"):
        kwargs["mem_limit"] = f"{int(inputs['memory'])}m"
    if inputs.get("readOnly"):
        kwargs["read_only"] = True
    return kwargs


def healthcheck(inputs: dict[str, Any]) -> dict[str, Any] | None:
    check = inputs.get("healthcheck")
    if not check:
        return None
    return {
        "test": check.get("tests"),
        "interval": duration_ns(check.get("interval")),
        "timeout": duration_ns(check.get("timeout")),
        "retries": int(check["retries"]) if check.get("retries") is not None else None,
        "start_period": duration_ns(check.get("startPeriod")),
    }


def upload_archive(uploads: list[dict[str, Any]]) -> bytes:
    """A tar of the `uploads` files, as `docker cp` would put them before the container starts."""
    import base64

    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for upload in uploads:
            if upload.get("contentBase64"):
                data = base64.b64decode(upload["contentBase64"])
            else:
                data = str(upload.get("content") or "").encode()
            info = tarfile.TarInfo(upload["file"].lstrip("/"))
            info.size = len(data)
            info.mode = 0o755 if upload.get("executable") else 0o644
            info.mtime = int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def ensure_network(client: docker.DockerClient, inputs: dict[str, Any]) -> str:
    name = inputs["name"]
    found = client.networks.list(names=[name])
    exact = [n for n in found if n.name == name]
    if exact:
        return str(exact[0].id)
    labels = {item["label"]: item["value"] for item in inputs.get("labels") or []}
    network = client.networks.create(name, driver=inputs.get("driver") or "bridge", labels=labels,
                                      internal=bool(inputs.get("internal")))
    return str(network.id)


def ensure_volume(client: docker.DockerClient, inputs: dict[str, Any]) -> str:
    name = inputs["name"]
    try:
        return str(client.volumes.get(name).id)
    except NotFound:
        labels = {item["label"]: item["value"] for item in inputs.get("labels") or []}
        return str(client.volumes.create(name, labels=labels).id)


def ensure_image(client: docker.DockerClient, inputs: dict[str, Any]) -> str:
    """RemoteImage: no registry can be reached here, so the image must already be local (as after a pull)."""
    name = inputs["name"]
    try:
        return str(client.images.get(name).id)
    except NotFound as error:
        raise ApplyError(f"image {name} is not available (no registry here); build the test images") from error


def build_image(client: docker.DockerClient, inputs: dict[str, Any]) -> str:
    build = inputs.get("build") or {}
    image, _ = client.images.build(
        path=build.get("context", "."), dockerfile=build.get("dockerfile"), tag=inputs["imageName"],
        buildargs=build.get("args") or {}, pull=False, rm=True,
    )
    return str(image.id)


def remove_container(client: docker.DockerClient, name: str, stop_seconds: int = 30) -> None:
    try:
        container = client.containers.get(name)
    except NotFound:
        return
    if container.status == "running":
        container.stop(timeout=stop_seconds)
    container.remove(force=True)


def create_container(client: docker.DockerClient, inputs: dict[str, Any]) -> str:
    api = client.api
    networks = inputs.get("networksAdvanced") or []
    networking = None
    if networks:
        first = networks[0]
        networking = api.create_networking_config(
            {first["name"]: api.create_endpoint_config(aliases=first.get("aliases") or None)}
        )
    envs = list(inputs.get("envs") or [])
    labels = {item["label"]: item["value"] for item in inputs.get("labels") or []}
    ports = [f"{int(p['internal'])}/{p.get('protocol') or 'tcp'}" for p in inputs.get("ports") or []]
    created = api.create_container(
        image=inputs["image"],
        name=inputs["name"],
        command=inputs.get("command"),
        entrypoint=inputs.get("entrypoints"),
        environment=envs,
        labels=labels,
        user=inputs.get("user") or None,
        hostname=inputs.get("hostname"),
        working_dir=inputs.get("workingDir"),
        ports=[(int(p.split("/")[0]), p.split("/")[1]) for p in ports] or None,
        healthcheck=healthcheck(inputs),
        stop_signal=inputs.get("stopSignal"),
        stop_timeout=int(inputs["stopTimeout"]) if inputs.get("stopTimeout") else None,
        host_config=api.create_host_config(**host_config_kwargs(inputs)),
        networking_config=networking,
    )
    container_id = created["Id"]
    for extra in networks[1:]:
        api.connect_container_to_network(container_id, extra["name"], aliases=extra.get("aliases") or None)
    if inputs.get("uploads"):
        api.put_archive(container_id, "/", upload_archive(inputs["uploads"]))
    api.start(container_id)
    if inputs.get("wait"):
        wait_healthy(client, container_id, float(inputs.get("waitTimeout") or 60))
    return str(container_id)


def wait_healthy(client: docker.DockerClient, container_id: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.api.inspect_container(container_id)["State"]
        health = (state.get("Health") or {}).get("Status")
        if health == "healthy" or (health is None and state.get("Running")):
            return
        if not state.get("Running") and state.get("Status") == "exited":
            raise ApplyError(f"container {container_id[:12]} exited with {state.get('ExitCode')}")
        time.sleep(0.5)
    raise ApplyError(f"container {container_id[:12]} not healthy after {timeout:g} s")
