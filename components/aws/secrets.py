"""A generated secret: a random value (a Pulumi secret from birth) stored in Secrets Manager for ECS `secrets`."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws
import pulumi_random as random


@dataclass(frozen=True)
class GeneratedSecretArgs:
    description: str
    length: int = 32
    # ElastiCache auth tokens refuse some punctuation; alphanumerics suit every consumer here.
    special: bool = False
    recovery_window_days: int = 7
    tags: dict[str, str] | None = None


class GeneratedSecret(pulumi.ComponentResource):
    value: pulumi.Output[str]
    arn: pulumi.Output[str]

    def __init__(self, name: str, args: GeneratedSecretArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/secrets:GeneratedSecret", name, None, opts)
        if not 16 <= args.length <= 128:
            raise ValueError(f"{name}: length must be 16..128, got {args.length}")
        child = pulumi.ResourceOptions(parent=self)
        password = random.RandomPassword(f"{name}-value", length=args.length, special=args.special, opts=child)
        secret = aws.secretsmanager.Secret(
            f"{name}-secret",
            description=args.description,
            recovery_window_in_days=args.recovery_window_days,
            tags=args.tags or {},
            opts=child,
        )
        version = aws.secretsmanager.SecretVersion(
            f"{name}-version", secret_id=secret.id, secret_string=password.result, opts=child
        )
        self.value = pulumi.Output.secret(password.result)
        # Consumers get the ARN once a value is stored, so no task starts against an empty secret.
        self.arn = pulumi.Output.all(secret.arn, version.id).apply(lambda v: str(v[0]))
        self.register_outputs({"arn": self.arn})
