"""The Pulumi side of a flip: a dynamic resource whose create/update points the running router at release.live.

It calls the same idempotent `release.router_switch.switch_live_color` the release commands call directly, so a
`pulumi up` after a flip finds the color already set. Imports stay inside the methods: Pulumi pickles the provider
and runs it in a separate process.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
from pulumi.dynamic import CreateResult, DiffResult, ReadResult, Resource, ResourceProvider, UpdateResult

WATCHED_INPUTS = ("live", "router_id", "router", "docker_host")


class RouterSwitchProvider(ResourceProvider):
    def _client(self, docker_host: str | None) -> Any:
        import docker

        return docker.DockerClient(base_url=docker_host) if docker_host else docker.from_env()

    def _switch(self, props: dict[str, Any]) -> dict[str, Any]:
        from release.router_switch import switch_live_color

        result = switch_live_color(self._client(props.get("docker_host")), props["router"], props["live"])
        return {**props, "live": result.live, "previous": result.previous}

    def _running_color(self, props: dict[str, Any]) -> str | None:
        """The color the router serves now, or None when it cannot be asked (then inputs decide alone)."""
        from release.router_switch import read_live_color

        try:
            return str(read_live_color(self._client(props.get("docker_host")), props["router"]))
        except Exception:
            return None

    def create(self, props: dict[str, Any]) -> CreateResult:
        return CreateResult(id_=f"{props['router']}-switch", outs=self._switch(props))

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> DiffResult:
        changed = [key for key in WATCHED_INPUTS if olds.get(key) != news.get(key)]
        if not changed:
            running = self._running_color(news)
            if running is not None and running != news.get("live"):
                changed = ["live"]
        return DiffResult(changes=bool(changed), replaces=[], stables=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> UpdateResult:
        return UpdateResult(outs=self._switch(news))

    def read(self, id_: str, props: dict[str, Any]) -> ReadResult:
        running = self._running_color(props)
        return ReadResult(id_=id_, outs={**props, "live": running or props.get("live")})

    def delete(self, _id: str, _props: dict[str, Any]) -> None:
        # Removing the switch leaves the router serving whatever it serves; the router itself goes separately.
        return None


@dataclass(frozen=True)
class RouterSwitchArgs:
    router: pulumi.Input[str]
    live: str
    router_id: pulumi.Input[str]
    docker_host: str | None


class RouterSwitch(Resource):
    live: pulumi.Output[str]
    previous: pulumi.Output[str | None]

    def __init__(self, name: str, args: RouterSwitchArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__(
            RouterSwitchProvider(),
            name,
            {
                "router": args.router,
                "live": args.live,
                "router_id": args.router_id,
                "docker_host": args.docker_host,
                "previous": None,
            },
            opts,
        )
