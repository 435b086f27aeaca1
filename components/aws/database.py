"""RDS Postgres: private, encrypted, TLS forced, backups kept, password managed by RDS in Secrets Manager."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.security_groups import PortFromGroup, group_admitting

POSTGRES_PORT = 5432
MASTER_USERNAME = "shipyard"


@dataclass(frozen=True)
class DatabaseArgs:
    vpc_id: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    client_security_group_id: pulumi.Input[str]
    database_name: str
    instance_class: str
    engine_version: str
    allocated_storage_gb: int
    multi_az: bool
    backup_retention_days: int
    deletion_protection: bool
    final_snapshot_identifier: str
    protect: bool
    tags: dict[str, str]


class Database(pulumi.ComponentResource):
    instance: aws.rds.Instance

    def __init__(self, name: str, args: DatabaseArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/database:Database", name, None, opts)
        if args.backup_retention_days < 7:
            raise ValueError("aws.database.backup_retention_days: production keeps at least 7 days of backups")
        child = pulumi.ResourceOptions(parent=self)
        group = group_admitting(
            PortFromGroup(
                f"{name}-sg", f"{name}-from-services", args.vpc_id, args.client_security_group_id, POSTGRES_PORT,
                "Postgres, from the services only", "postgres from the api and worker tasks", args.tags,
            ),
            child,
        )
        subnets = aws.rds.SubnetGroup(f"{name}-subnets", subnet_ids=args.subnet_ids, tags=args.tags, opts=child)
        major = args.engine_version.split(".")[0]
        parameters = aws.rds.ParameterGroup(
            f"{name}-params",
            family=f"postgres{major}",
            parameters=[{"name": "rds.force_ssl", "value": "1", "apply_method": "pending-reboot"}],
            tags=args.tags,
            opts=child,
        )
        self.instance = aws.rds.Instance(
            f"{name}-instance",
            engine="postgres",
            engine_version=args.engine_version,
            instance_class=args.instance_class,
            allocated_storage=args.allocated_storage_gb,
            storage_type="gp3",
            storage_encrypted=True,
            db_name=args.database_name,
            username=MASTER_USERNAME,
            manage_master_user_password=True,
            port=POSTGRES_PORT,
            db_subnet_group_name=subnets.name,
            parameter_group_name=parameters.name,
            vpc_security_group_ids=[group.id],
            publicly_accessible=False,
            multi_az=args.multi_az,
            backup_retention_period=args.backup_retention_days,
            deletion_protection=args.deletion_protection,
            skip_final_snapshot=False,
            final_snapshot_identifier=args.final_snapshot_identifier,
            copy_tags_to_snapshot=True,
            auto_minor_version_upgrade=True,
            apply_immediately=False,
            tags=args.tags,
            opts=pulumi.ResourceOptions(parent=self, protect=args.protect),
        )
        self.address = self.instance.address
        # "arn:...:secret:name:password::" selects the JSON key of the RDS-managed secret for ECS `secrets`.
        self.master_secret_arn = self.instance.master_user_secrets.apply(lambda s: s[0].secret_arn)
        self.password_value_from = self.master_secret_arn.apply(lambda arn: f"{arn}:password::")
        self.register_outputs({"address": self.address, "master_secret_arn": self.master_secret_arn})
