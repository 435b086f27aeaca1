"""The two roles of an ECS task: the execution role (pull, logs, read named secrets) and the task role."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.policies import Statement, assume_role, document, read_secrets

EXECUTION_POLICY_ARN = "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy"


@dataclass(frozen=True)
class TaskRolesArgs:
    # ECS `secrets` valueFrom strings (ARNs, possibly with a JSON key selector): the only secrets readable.
    secret_value_froms: Sequence[pulumi.Input[str]]
    task_statements: pulumi.Input[list[Statement]]
    tags: dict[str, str]


class TaskRoles(pulumi.ComponentResource):
    execution_role: aws.iam.Role
    task_role: aws.iam.Role

    def __init__(self, name: str, args: TaskRolesArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/iam:TaskRoles", name, None, opts)
        if not args.secret_value_froms:
            raise ValueError(f"{name}: secret_value_froms is empty; a task without secrets needs no secret access")
        child = pulumi.ResourceOptions(parent=self)
        trust = assume_role("ecs-tasks.amazonaws.com")
        self.execution_role = aws.iam.Role(f"{name}-execution", assume_role_policy=trust, tags=args.tags, opts=child)
        aws.iam.RolePolicyAttachment(
            f"{name}-execution-managed", role=self.execution_role.name, policy_arn=EXECUTION_POLICY_ARN, opts=child
        )
        aws.iam.RolePolicy(
            f"{name}-execution-secrets",
            role=self.execution_role.id,
            policy=pulumi.Output.all(*args.secret_value_froms).apply(lambda arns: document(read_secrets(arns))),
            opts=child,
        )
        self.task_role = aws.iam.Role(f"{name}-task", assume_role_policy=trust, tags=args.tags, opts=child)
        aws.iam.RolePolicy(
            f"{name}-task-access",
            role=self.task_role.id,
            policy=pulumi.Output.from_input(args.task_statements).apply(document),
            opts=child,
        )
        self.register_outputs(
            {"execution_role_arn": self.execution_role.arn, "task_role_arn": self.task_role.arn}
        )
