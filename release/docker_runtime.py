"""What the release commands observe and do on the Docker engine: each color's containers, images, the router
switch, and one-off containers (migrations) that get the same env and secret files as the color's api."""

from __future__ import annotations

import contextlib
import io
import time
from dataclasses import dataclass
from typing import Any

import docker
from docker.errors import APIError, DockerException, ImageNotFound, NotFound

from components import naming
from infra.settings import Color, StackSettings
from release.errors import InfraError
from release.router_switch import RouterSwitchError, SwitchResult, read_live_color, switch_live_color


@dataclass(frozen=True)
class ColorObservation:
    color: Color
    exists: bool
    tag: str | None  # the container's shipyard.tag label
    state: str  # running, exited, restarting, ... or "absent"
    health: str  # healthy, unhealthy, starting, none, absent
    worker_state: str

    @property
    def healthy(self) -> bool:
        return self.exists and self.state == "running" and self.health == "healthy"


@dataclass(frozen=True)
class OneOffResult:
    exit_code: int
    logs: str


class DockerRuntime:
    def __init__(self, settings: StackSettings, stack: str, client: Any | None = None):
        self.settings = settings
        self.stack = stack
        self.service = settings.service.name
        self._client = client

    @property
    def client(self) -> Any:
        if self._client is None:
            host = self.settings.docker_settings.host
            try:
                self._client = docker.DockerClient(base_url=host) if host else docker.from_env()
                self._client.ping()
            except DockerException as error:
                raise InfraError(f"cannot reach the Docker engine ({host or 'DOCKER_HOST / local socket'}): "
                                 f"{error}") from error
        return self._client

    def container_name(self, role: naming.Role, color: Color) -> str:
        return naming.color_name(self.service, self.stack, role, color)

    @property
    def router_name(self) -> str:
        return naming.shared_name(self.service, self.stack, "router")

    def _get(self, name: str) -> Any | None:
        try:
            return self.client.containers.get(name)
        except NotFound:
            return None
        except APIError as error:
            raise InfraError(f"docker: cannot inspect {name}: {error}") from error

    def observe(self, color: Color) -> ColorObservation:
        api = self._get(self.container_name("api", color))
        worker = self._get(self.container_name("worker", color))
        worker_state = worker.attrs["State"]["Status"] if worker is not None else "absent"
        if api is None:
            return ColorObservation(color, False, None, "absent", "absent", worker_state)
        state = api.attrs["State"]
        health = (state.get("Health") or {}).get("Status", "none")
        return ColorObservation(color, True, api.labels.get(naming.LABEL_TAG), state["Status"], health, worker_state)

    def image_ref(self, tag: str) -> str:
        return naming.image_ref(self.settings.service.image.repository, tag)

    def image_available(self, tag: str) -> tuple[bool, str]:
        """Whether `<repository>:tag` can be used, and where it was found (or why not)."""
        ref = self.image_ref(tag)
        if self.settings.service.image.build_context:
            return True, f"{ref} is built from {self.settings.service.image.build_context}"
        try:
            self.client.images.get(ref)
            return True, f"{ref} is on the Docker host"
        except ImageNotFound:
            pass
        except APIError as error:
            raise InfraError(f"docker: cannot look up image {ref}: {error}") from error
        try:
            self.client.images.get_registry_data(ref)
            return True, f"{ref} is in its registry"
        except (APIError, DockerException) as error:
            return False, f"image {ref} is neither on the Docker host nor in its registry ({str(error)[:160]})"

    def read_live(self) -> Color | None:
        try:
            live = read_live_color(self.client, self.router_name)
        except (NotFound, RouterSwitchError):
            return None
        return live if live in ("blue", "green") else None  # type: ignore[return-value]

    def switch(self, live: Color) -> SwitchResult:
        try:
            return switch_live_color(self.client, self.router_name, live)
        except (NotFound, RouterSwitchError, APIError) as error:
            raise InfraError(f"router switch to {live} failed: {error}") from error

    def run_one_off(self, color: Color, tag: str, command: list[str], timeout: float) -> OneOffResult:
        """Run `command` in a fresh container of `tag` on the stack network, with the env and /run/secrets of
        `color`'s api container copied over (via the API, so no secret is ever on a command line)."""
        source = self._get(self.container_name("api", color))
        if source is None:
            raise InfraError(f"{self.container_name('api', color)} does not exist; deploy the color first")
        network = next(iter(source.attrs["NetworkSettings"]["Networks"]))
        container = self.client.containers.create(
            self.image_ref(tag), command=command, environment=source.attrs["Config"]["Env"],
            network=network, labels={naming.LABEL_STACK: self.stack, naming.LABEL_ROLE: "one-off"},
            name=f"{naming.prefix(self.service, self.stack)}-oneoff-{int(time.time() * 1000)}",
        )
        try:
            try:
                stream, _ = source.get_archive(naming.SECRETS_DIR)
                container.put_archive("/run", io.BytesIO(b"".join(stream)).getvalue())
            except NotFound:
                pass  # the color has no secret files
            container.start()
            outcome = container.wait(timeout=timeout)
            logs = container.logs().decode(errors="replace")
            return OneOffResult(int(outcome.get("StatusCode", 1)), logs)
        except Exception as error:  # a timeout from wait() is a failed migration, not a crash of the command
            return OneOffResult(-1, f"{type(error).__name__}: {error}")
        finally:
            with contextlib.suppress(DockerException):
                container.remove(force=True)
