"""MinIO object storage: the app's bucket (created by the app at startup) and the Postgres backup bucket."""

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

MINIO_PORT = 9000
ROOT_USER_FILE = secret_path("minio_root_user")
ROOT_PASSWORD_FILE = secret_path("minio_root_password")
# Modern MinIO images have neither curl nor wget; bash's /dev/tcp proves the S3 port is open.
HEALTH_TEST = ["CMD-SHELL", "timeout 2 bash -c ':> /dev/tcp/127.0.0.1/9000' || exit 1"]


@dataclass(frozen=True)
class MinioArgs:
    ctx: StackContext
    image: str
    root_user: pulumi.Output[str]
    root_password: pulumi.Output[str]
    data_volume: pulumi.Input[str]
    memory_mb: int


class Minio(pulumi.ComponentResource):
    container: docker.Container

    def __init__(self, name: str, args: MinioArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/minio:Minio", name, None, opts)
        ctx = args.ctx
        self.host = ctx.name("minio")
        self.endpoint = f"http://{self.host}:{MINIO_PORT}"
        self.container = stack_container(
            ctx,
            self.host,
            image=args.image,
            alias="minio",
            labels=shared_labels(ctx, "minio"),
            memory_mb=args.memory_mb,
            check=healthcheck(HEALTH_TEST),
            command=["server", "/data", "--console-address", ":9001"],
            env={"MINIO_ROOT_USER_FILE": ROOT_USER_FILE, "MINIO_ROOT_PASSWORD_FILE": ROOT_PASSWORD_FILE},
            uploads=secret_uploads({ROOT_USER_FILE: args.root_user, ROOT_PASSWORD_FILE: args.root_password}),
            volumes=[volume(args.data_volume, "/data")],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"endpoint": self.endpoint})
