"""One ECS Fargate service of one role on one color: its log group, task definition, service and autoscaling."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace

import pulumi
import pulumi_aws as aws

from components.aws.task_spec import APP_CONTAINER, Collector, LogTarget, container_definitions


@dataclass(frozen=True)
class ColorServiceArgs:
    cluster_name: pulumi.Input[str]
    service_name: str
    role: str
    color: str
    image: pulumi.Input[str]
    command: list[str] | None
    port: int
    cpu: int
    memory_mb: int
    environment: dict[str, pulumi.Input[str]]
    secrets: dict[str, pulumi.Input[str]]
    execution_role_arn: pulumi.Input[str]
    task_role_arn: pulumi.Input[str]
    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]
    desired_count: int
    log_group_name: str
    log_retention_days: int
    region: str
    target_group_arn: pulumi.Input[str] | None = None
    # Autoscaling on average CPU between desired_count and max_count; None: fixed desired_count.
    max_count: int | None = None
    cpu_target_percent: int = 60
    collector: pulumi.Input[Collector] | None = None
    # ECS refuses a target group that no listener uses yet: create the service after these.
    after: Sequence[pulumi.Resource] = ()
    tags: dict[str, str] | None = None


def labelled(collector: Collector | None, role: str, color: str) -> Collector | None:
    if collector is None:
        return None
    return replace(collector, labels={**collector.labels, "role": role, "color": color})


class ColorService(pulumi.ComponentResource):
    service: aws.ecs.Service
    task_definition: aws.ecs.TaskDefinition

    def __init__(self, name: str, args: ColorServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/service:ColorService", name, None, opts)
        if args.max_count is not None and args.max_count < args.desired_count:
            raise ValueError(f"service.{args.role}.max_count: below desired_count {args.desired_count}")
        if args.secrets.keys() & args.environment.keys():
            raise ValueError(f"{name}: {sorted(args.secrets.keys() & args.environment.keys())} set twice")
        child = pulumi.ResourceOptions(parent=self)
        tags = {**(args.tags or {}), "shipyard:role": args.role, "shipyard:color": args.color}
        logs = aws.cloudwatch.LogGroup(
            f"{name}-logs", name=args.log_group_name, retention_in_days=args.log_retention_days, tags=tags,
            opts=child,
        )
        definitions = pulumi.Output.all(
            image=args.image,
            environment=pulumi.Output.all(**args.environment) if args.environment else {},
            secrets=pulumi.Output.all(**args.secrets) if args.secrets else {},
            collector=args.collector,
        ).apply(
            lambda v: container_definitions(
                image=v["image"],
                port=args.port,
                command=args.command,
                environment=v["environment"],
                secrets=v["secrets"],
                logs=LogTarget(args.log_group_name, args.region, args.role),
                collector=labelled(v["collector"], args.role, args.color),
                job=f"{args.role}-{args.color}",
            )
        )
        self.task_definition = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=args.service_name,
            requires_compatibilities=["FARGATE"],
            network_mode="awsvpc",
            cpu=str(args.cpu),
            memory=str(args.memory_mb),
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": "X86_64"},
            execution_role_arn=args.execution_role_arn,
            task_role_arn=args.task_role_arn,
            container_definitions=definitions,
            tags=tags,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[logs]),
        )
        balancers = (
            [{"target_group_arn": args.target_group_arn, "container_name": APP_CONTAINER,
              "container_port": args.port}]
            if args.target_group_arn is not None
            else []
        )
        autoscaled = args.max_count is not None
        self.service = aws.ecs.Service(
            f"{name}-service",
            name=args.service_name,
            cluster=args.cluster_name,
            task_definition=self.task_definition.arn,
            desired_count=args.desired_count,
            launch_type="FARGATE",
            network_configuration={"subnets": args.subnet_ids, "security_groups": args.security_group_ids,
                                   "assign_public_ip": False},
            load_balancers=balancers,
            health_check_grace_period_seconds=30 if balancers else None,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            deployment_minimum_healthy_percent=100,
            deployment_maximum_percent=200,
            propagate_tags="SERVICE",
            wait_for_steady_state=False,
            tags=tags,
            # The scaler owns the count of an autoscaled service; Pulumi sets it only at creation.
            opts=pulumi.ResourceOptions(
                parent=self, depends_on=list(args.after), ignore_changes=["desiredCount"] if autoscaled else None
            ),
        )
        if autoscaled and args.max_count is not None:
            resource_id = pulumi.Output.concat("service/", args.cluster_name, "/", self.service.name)
            target = aws.appautoscaling.Target(
                f"{name}-scaling",
                service_namespace="ecs",
                scalable_dimension="ecs:service:DesiredCount",
                resource_id=resource_id,
                min_capacity=args.desired_count,
                max_capacity=args.max_count,
                opts=child,
            )
            aws.appautoscaling.Policy(
                f"{name}-cpu",
                policy_type="TargetTrackingScaling",
                service_namespace=target.service_namespace,
                scalable_dimension=target.scalable_dimension,
                resource_id=target.resource_id,
                target_tracking_scaling_policy_configuration={
                    "target_value": float(args.cpu_target_percent),
                    "predefined_metric_specification": {
                        "predefined_metric_type": "ECSServiceAverageCPUUtilization"
                    },
                    "scale_in_cooldown": 300,
                    "scale_out_cooldown": 60,
                },
                opts=child,
            )
        self.register_outputs({"service_name": self.service.name})
