"""Redis with a password (from a config file, never argv or env) and an append-only data volume."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.docker.containers import (
    StackContext,
    healthcheck,
    secret_path,
    secret_uploads,
    shared_labels,
    stack_container,
    volume,
)

REDIS_PORT = 6379
CONFIG_PATH = "/usr/local/etc/redis/redis.conf"
PASSWORD_FILE = secret_path("redis_password")
# REDISCLI_AUTH keeps the password out of redis-cli's argv (and so out of `ps` and `docker inspect`).
HEALTH_TEST = ["CMD-SHELL", f'REDISCLI_AUTH="$(cat {PASSWORD_FILE})" redis-cli ping | grep -q PONG']


def render_redis_config(password: str) -> str:
    return f"requirepass {password}\nappendonly yes\ndir /data\n"


@dataclass(frozen=True)
class RedisArgs:
    ctx: StackContext
    image: str
    password: pulumi.Output[str]
    data_volume: pulumi.Input[str]
    memory_mb: int


class Redis(pulumi.ComponentResource):
    container: docker.Container

    def __init__(self, name: str, args: RedisArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/redis:Redis", name, None, opts)
        ctx = args.ctx
        self.host = ctx.name("redis")
        self.container = stack_container(
            ctx,
            self.host,
            image=args.image,
            alias="redis",
            labels=shared_labels(ctx, "redis"),
            memory_mb=args.memory_mb,
            check=healthcheck(HEALTH_TEST),
            command=["redis-server", CONFIG_PATH],
            uploads=secret_uploads(
                {CONFIG_PATH: args.password.apply(render_redis_config), PASSWORD_FILE: args.password}
            ),
            volumes=[volume(args.data_volume, "/data")],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"host": self.host})
