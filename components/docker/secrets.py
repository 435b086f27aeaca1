"""Generated credentials of the docker platform: pulumi-random values, kept as Pulumi secrets in the state."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_random as random

from components.naming import shared_name

# Letters and digits only: the values go into redis.conf and JSON/YAML files without any quoting to get wrong.
SECRET_NAMES = (
    "postgres-password",
    "redis-password",
    "minio-root-user",
    "minio-root-password",
    "grafana-admin-password",
    "app-secret-key",
)


@dataclass(frozen=True)
class StackSecretsArgs:
    service: str
    stack: str
    length: int = 32


class StackSecrets(pulumi.ComponentResource):
    """Each property is a secret Output[str]."""

    postgres_password: pulumi.Output[str]
    redis_password: pulumi.Output[str]
    minio_root_user: pulumi.Output[str]
    minio_root_password: pulumi.Output[str]
    grafana_admin_password: pulumi.Output[str]
    app_secret_key: pulumi.Output[str]

    def __init__(self, name: str, args: StackSecretsArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/secrets:StackSecrets", name, None, opts)
        values: dict[str, pulumi.Output[str]] = {}
        for secret in SECRET_NAMES:
            resource_name = shared_name(args.service, args.stack, secret)
            generated = random.RandomPassword(
                resource_name,
                length=args.length,
                special=False,
                opts=pulumi.ResourceOptions(parent=self, additional_secret_outputs=["result"]),
            )
            # RandomPassword marks result secret already; wrapping again makes that explicit for every consumer.
            values[secret] = pulumi.Output.secret(generated.result)
        self.postgres_password = values["postgres-password"]
        self.redis_password = values["redis-password"]
        self.minio_root_user = values["minio-root-user"]
        self.minio_root_password = values["minio-root-password"]
        self.grafana_admin_password = values["grafana-admin-password"]
        self.app_secret_key = values["app-secret-key"]
        self.register_outputs({key: value for key, value in values.items()})
