"""The router (HAProxy with a live and a test entry) and the switch resource that sets its live color.

The router container's inputs never depend on release.live: it is created with a constant seed map, and the
switch resource, created right after it, sets the real color in the running process. So a flip is an update of
the switch alone and never replaces the router (which would drop every client connection).
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components import naming
from components.docker import router_config
from components.docker.containers import StackContext, healthcheck, plain_uploads, shared_labels, stack_container
from components.docker.router_switch_resource import RouterSwitch, RouterSwitchArgs

SEED_COLOR = "blue"
# The official image has bash but no curl: ask the stats frontend's /healthz over /dev/tcp.
HEALTH_TEST = [
    "CMD",
    "bash",
    "-c",
    f"exec 3<>/dev/tcp/127.0.0.1/{naming.ROUTER_STATS_PORT} && "
    "printf 'GET /healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '",
]


@dataclass(frozen=True)
class RouterArgs:
    ctx: StackContext
    image: str
    memory_mb: int
    backends: router_config.RouterBackends
    maps_volume: pulumi.Input[str]
    bind_address: str
    live_port: int
    test_port: int
    live: str
    docker_host: str | None


class Router(pulumi.ComponentResource):
    container: docker.Container
    switch: RouterSwitch

    def __init__(self, name: str, args: RouterArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/router:Router", name, None, opts)
        ctx = args.ctx
        self.container_name = ctx.name("router")
        self.container = stack_container(
            ctx,
            self.container_name,
            image=args.image,
            alias="router",
            labels=shared_labels(ctx, "router"),
            memory_mb=args.memory_mb,
            check=healthcheck(HEALTH_TEST, interval="5s", timeout="3s", retries=3, start_period="5s"),
            # root only to seed the map volume; HAProxy drops to the haproxy user (see the rendered config).
            user="root",
            command=router_config.router_command(naming.ROUTER_CONFIG_PATH),
            uploads=plain_uploads(
                {
                    naming.ROUTER_CONFIG_PATH: router_config.render_haproxy_config(args.backends),
                    router_config.INITIAL_MAP_PATH: naming.render_color_map(SEED_COLOR),
                }
            ),
            volumes=[docker.ContainerVolumeArgs(volume_name=args.maps_volume, container_path=naming.ROUTER_MAP_DIR)],
            ports=[
                docker.ContainerPortArgs(
                    internal=router_config.LIVE_BIND_PORT, external=args.live_port, ip=args.bind_address
                ),
                docker.ContainerPortArgs(
                    internal=router_config.TEST_BIND_PORT, external=args.test_port, ip=args.bind_address
                ),
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        # No docker provider here: the switch talks to the engine itself (docker_host), through `docker exec`.
        self.switch = RouterSwitch(
            naming.router_switch_resource(ctx.service, ctx.stack),
            RouterSwitchArgs(
                router=self.container.name,
                live=args.live,
                router_id=self.container.id,
                docker_host=args.docker_host,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=[self.container]),
        )
        self.register_outputs({"router": self.container.name, "live": self.switch.live})
