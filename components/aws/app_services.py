"""Both colors of both roles: four ECS services sharing one pair of task roles and the live-color parameter.

Only the image tag differs between colors, so a deploy to the idle color replaces that color's task definitions
and updates its two services, nothing else. The live color lives in an SSM parameter that workers poll (the
parameter's name is in their environment, never its value), so a flip touches no task definition.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.aws.iam import TaskRoles, TaskRolesArgs
from components.aws.plan import COLORS, ROLES, Color, Role, color_counts
from components.aws.policies import app_task
from components.aws.service import ColorService, ColorServiceArgs
from components.aws.task_spec import Collector
from infra.settings.release import ReleaseSettings
from infra.settings.service import RoleSettings, ServiceSettings


@dataclass(frozen=True)
class AppServicesArgs:
    prefix: str
    service: ServiceSettings
    release: ReleaseSettings
    standby: Literal["warm", "cold"]
    repository_url: pulumi.Input[str]
    cluster_name: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_id: pulumi.Input[str]
    target_group_arns: dict[Color, pulumi.Input[str]]
    # Plain environment shared by every task (data store endpoints, bucket); values are not secret.
    shared_environment: dict[str, pulumi.Input[str]]
    # ECS `secrets`: env name -> Secrets Manager valueFrom.
    secrets: dict[str, pulumi.Input[str]]
    bucket_arn: pulumi.Input[str]
    workspace_arn: pulumi.Input[str] | None
    collector: pulumi.Input[Collector] | None
    region: str
    log_retention_days: int
    cpu_target_percent: int
    tags: dict[str, str]
    # The listeners that use target_group_arns (ECS needs them before an api service can register).
    listeners: Sequence[pulumi.Resource] = ()


class AppServices(pulumi.ComponentResource):
    services: dict[tuple[Role, Color], ColorService]

    def __init__(self, name: str, args: AppServicesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/app_services:AppServices", name, None, opts)
        if args.standby not in ("warm", "cold"):
            raise ValueError(f"standby.mode: must be 'warm' or 'cold', got {args.standby!r}")
        child = pulumi.ResourceOptions(parent=self)
        self.live_color_parameter = aws.ssm.Parameter(
            f"{name}-live-color",
            name=f"/shipyard/{args.prefix}/live-color",
            type="String",
            value=args.release.live,
            description="The color the live listener serves; workers of the other color take no jobs",
            tags=args.tags,
            opts=child,
        )
        statements = pulumi.Output.all(args.bucket_arn, self.live_color_parameter.arn, args.workspace_arn).apply(
            lambda v: app_task(v[0], v[1], v[2])
        )
        roles = TaskRoles(
            f"{name}-roles",
            TaskRolesArgs(secret_value_froms=list(args.secrets.values()), task_statements=statements,
                          tags=args.tags),
            opts=child,
        )
        self.services = {}
        for role in ROLES:
            settings = args.service.api if role == "api" else args.service.worker
            for color in COLORS:
                self.services[(role, color)] = self._color_service(name, args, roles, role, color, settings)
        self.service_names = {f"{role}-{color}": s.service.name for (role, color), s in self.services.items()}
        self.register_outputs({"service_names": self.service_names})

    def _color_service(
        self, name: str, args: AppServicesArgs, roles: TaskRoles, role: Role, color: Color, settings: RoleSettings
    ) -> ColorService:
        tag = args.release.tag_of(color)
        counts = color_counts(args.standby, args.release.live, role, color, settings.desired_count)
        environment: dict[str, pulumi.Input[str]] = {
            **args.service.env,
            **args.shared_environment,
            "APP_COLOR": color,
            "APP_ROLE": role,
            "APP_VERSION": tag,
            "PORT": str(settings.port),
        }
        if role == "worker":
            environment["LIVE_COLOR_SSM_PARAMETER"] = self.live_color_parameter.name
        image = pulumi.Output.concat(args.repository_url, ":", tag)
        return ColorService(
            f"{name}-{role}-{color}",
            ColorServiceArgs(
                cluster_name=args.cluster_name,
                service_name=f"{args.prefix}-{role}-{color}",
                role=role,
                color=color,
                image=image,
                command=settings.command,
                port=settings.port,
                cpu=settings.cpu,
                memory_mb=settings.memory_mb,
                environment=environment,
                secrets=dict(args.secrets),
                execution_role_arn=roles.execution_role.arn,
                task_role_arn=roles.task_role.arn,
                subnet_ids=args.subnet_ids,
                security_group_ids=[args.security_group_id],
                desired_count=counts.desired,
                log_group_name=f"/ecs/{args.prefix}/{role}-{color}",
                log_retention_days=args.log_retention_days,
                region=args.region,
                target_group_arn=args.target_group_arns[color] if role == "api" else None,
                max_count=settings.max_count if counts.autoscaled else None,
                cpu_target_percent=args.cpu_target_percent,
                collector=args.collector,
                after=args.listeners if role == "api" else (),
                tags=args.tags,
            ),
            opts=pulumi.ResourceOptions(parent=self),
        )
