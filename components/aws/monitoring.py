"""Amazon Managed Prometheus: the workspace, the alert rules, and an alert manager that publishes to SNS.

Metrics reach the workspace from ADOT collector sidecars in every api and worker task (see task_spec.py for why
a sidecar and not a managed scraper). Grafana reads the workspace; see grafana.py.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from components.aws.policies import alert_manager, alert_rules, sns_publish_from_amp
from components.aws.task_spec import Collector


@dataclass(frozen=True)
class MonitoringArgs:
    service: str
    region: str
    error_rate_ratio: float
    p95_latency_seconds: float
    for_minutes: int
    collector_image: str
    scrape_interval_seconds: int
    tags: dict[str, str]


class Monitoring(pulumi.ComponentResource):
    workspace: aws.amp.Workspace
    collector: pulumi.Output[Collector]

    def __init__(self, name: str, args: MonitoringArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/monitoring:Monitoring", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.workspace = aws.amp.Workspace(f"{name}-amp", alias=name, tags=args.tags, opts=child)
        aws.amp.RuleGroupNamespace(
            f"{name}-rules",
            name=f"{args.service}-alerts",
            workspace_id=self.workspace.id,
            data=alert_rules(args.service, args.error_rate_ratio, args.p95_latency_seconds, args.for_minutes),
            opts=child,
        )
        self.alerts_topic = aws.sns.Topic(f"{name}-alerts", tags=args.tags, opts=child)
        aws.sns.TopicPolicy(
            f"{name}-alerts-policy",
            arn=self.alerts_topic.arn,
            policy=pulumi.Output.all(self.alerts_topic.arn, self.workspace.arn).apply(
                lambda v: sns_publish_from_amp(v[0], v[1])
            ),
            opts=child,
        )
        aws.amp.AlertManagerDefinition(
            f"{name}-alertmanager",
            workspace_id=self.workspace.id,
            definition=self.alerts_topic.arn.apply(lambda arn: alert_manager(arn, args.region)),
            opts=child,
        )
        self.query_url = self.workspace.prometheus_endpoint
        self.collector = self.workspace.prometheus_endpoint.apply(
            lambda endpoint: Collector(
                image=args.collector_image,
                remote_write_url=f"{endpoint.rstrip('/')}/api/v1/remote_write",
                region=args.region,
                scrape_interval_seconds=args.scrape_interval_seconds,
                labels={"service": args.service},
            )
        )
        self.register_outputs(
            {"workspace_arn": self.workspace.arn, "query_url": self.query_url, "alerts_topic": self.alerts_topic.arn}
        )
