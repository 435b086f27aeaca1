"""Pure documents of the aws platform: IAM policies, the ECR lifecycle policy, AMP alert rules and alert manager.

Returned as plain data or JSON/YAML text; the components feed them to resources once ARNs are known.
"""

from __future__ import annotations

import json
from typing import Any

import yaml

UNTAGGED_IMAGE_DAYS = 7
Statement = dict[str, Any]


def document(statements: list[Statement]) -> str:
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def assume_role(service: str) -> str:
    return document(
        [{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]
    )


def read_secrets(secret_arns: list[str]) -> list[Statement]:
    """The execution role reads exactly these secrets (a `arn:...:key::` selector is cut back to the ARN)."""
    arns = sorted({secret_arn(a) for a in secret_arns})
    return [{"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"], "Resource": arns}]


def secret_arn(value_from: str) -> str:
    """`arn:aws:secretsmanager:region:account:secret:name[:json-key:stage:version]` -> the secret's ARN."""
    parts = value_from.split(":")
    return ":".join(parts[:7])


def app_task(bucket_arn: str, parameter_arn: str, workspace_arn: str | None) -> list[Statement]:
    statements: list[Statement] = [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket_arn]},
        {
            "Effect": "Allow",
            "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"],
            "Resource": [f"{bucket_arn}/*"],
        },
        {"Effect": "Allow", "Action": ["ssm:GetParameter"], "Resource": [parameter_arn]},
    ]
    if workspace_arn:
        statements.append({"Effect": "Allow", "Action": ["aps:RemoteWrite"], "Resource": [workspace_arn]})
    return statements


def grafana_query(workspace_arn: str) -> list[Statement]:
    actions = ["aps:QueryMetrics", "aps:GetSeries", "aps:GetLabels", "aps:GetMetricMetadata"]
    return [{"Effect": "Allow", "Action": actions, "Resource": [workspace_arn]}]


def deny_insecure_transport(bucket_arn: str) -> str:
    return document(
        [
            {
                "Sid": "DenyInsecureTransport",
                "Effect": "Deny",
                "Principal": "*",
                "Action": "s3:*",
                "Resource": [bucket_arn, f"{bucket_arn}/*"],
                "Condition": {"Bool": {"aws:SecureTransport": "false"}},
            }
        ]
    )


def sns_publish_from_amp(topic_arn: str, workspace_arn: str) -> str:
    return document(
        [
            {
                "Effect": "Allow",
                "Principal": {"Service": "aps.amazonaws.com"},
                "Action": ["sns:Publish", "sns:GetTopicAttributes"],
                "Resource": topic_arn,
                "Condition": {"ArnEquals": {"aws:SourceArn": workspace_arn}},
            }
        ]
    )


def ecr_lifecycle(retain: int, untagged_days: int = UNTAGGED_IMAGE_DAYS) -> str:
    """Expire untagged images after a few days; keep the newest `retain` tagged images (rollback targets)."""
    rules = [
        {
            "rulePriority": 1,
            "description": f"expire untagged images after {untagged_days} days",
            "selection": {
                "tagStatus": "untagged",
                "countType": "sinceImagePushed",
                "countUnit": "days",
                "countNumber": untagged_days,
            },
            "action": {"type": "expire"},
        },
        {
            "rulePriority": 2,
            "description": f"keep the last {retain} tagged images",
            "selection": {"tagStatus": "tagged", "tagPatternList": ["*"], "countType": "imageCountMoreThan",
                          "countNumber": retain},
            "action": {"type": "expire"},
        },
    ]
    return json.dumps({"rules": rules}, sort_keys=True)


def alert_rules(service: str, error_rate_ratio: float, p95_latency_seconds: float, for_minutes: int) -> str:
    # rate() needs several scrapes in its window; never shorter than 5 minutes.
    window = f"{max(for_minutes, 5)}m"
    error_rate = (
        f"sum by (color) (rate(http_request_errors_total[{window}]))"
        f" / sum by (color) (rate(http_requests_total[{window}])) > {error_rate_ratio:g}"
    )
    latency = (
        f"histogram_quantile(0.95, sum by (le, color) (rate(http_request_duration_seconds_bucket[{window}])))"
        f" > {p95_latency_seconds:g}"
    )
    rules = [
        {"alert": "HighErrorRate", "expr": error_rate, "for": f"{for_minutes}m",
         "labels": {"severity": "page", "service": service},
         "annotations": {"summary": f"error ratio above {error_rate_ratio:g} on color {{{{ $labels.color }}}}"}},
        {"alert": "HighLatencyP95", "expr": latency, "for": f"{for_minutes}m",
         "labels": {"severity": "page", "service": service},
         "annotations": {"summary": f"p95 latency above {p95_latency_seconds:g}s on color {{{{ $labels.color }}}}"}},
    ]
    return yaml.safe_dump({"groups": [{"name": f"{service}-slo", "rules": rules}]}, sort_keys=False)


def alert_manager(topic_arn: str, region: str) -> str:
    config = {
        "route": {"receiver": "sns", "group_by": ["alertname", "color"]},
        "receivers": [{"name": "sns", "sns_configs": [{"topic_arn": topic_arn, "sigv4": {"region": region}}]}],
    }
    return yaml.safe_dump({"alertmanager_config": yaml.safe_dump(config, sort_keys=False)}, sort_keys=False)
