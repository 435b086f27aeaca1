"""Render Prometheus's scrape configuration and alert rules (pure; checked by `promtool` in the tests)."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from infra.settings.monitoring import AlertSettings

RULES_DIR = "/etc/prometheus/rules"
RULES_FILE = f"{RULES_DIR}/shipyard.rules.yml"
CONFIG_FILE = "/etc/prometheus/prometheus.yml"

ERROR_RATE_EXPR = (
    "sum by (color) (rate(http_request_errors_total[5m])) / sum by (color) (rate(http_requests_total[5m]))"
)
P95_LATENCY_EXPR = "histogram_quantile(0.95, sum by (le, color) (rate(http_request_duration_seconds_bucket[5m])))"
REQUEST_RATE_EXPR = "sum by (color) (rate(http_requests_total[5m]))"


@dataclass(frozen=True)
class ScrapeTarget:
    job: str
    address: str
    color: str
    role: str
    metrics_path: str = "/metrics"


def render_prometheus_config(
    targets: list[ScrapeTarget], scrape_interval_seconds: int, stack: str, rules_file: str = RULES_FILE
) -> str:
    scrape_configs = [
        {
            "job_name": target.job,
            "metrics_path": target.metrics_path,
            "static_configs": [
                {"targets": [target.address], "labels": {"color": target.color, "role": target.role}}
            ],
        }
        for target in targets
    ]
    document = {
        "global": {
            "scrape_interval": f"{scrape_interval_seconds}s",
            "evaluation_interval": f"{scrape_interval_seconds}s",
            "external_labels": {"stack": stack},
        },
        "rule_files": [rules_file],
        "scrape_configs": scrape_configs,
    }
    return yaml.safe_dump(document, sort_keys=False)


def render_alert_rules(alerts: AlertSettings) -> str:
    duration = f"{alerts.for_minutes}m"
    rules = [
        {
            "alert": "HighErrorRate",
            "expr": f"{ERROR_RATE_EXPR} > {alerts.error_rate_ratio:g}",
            "for": duration,
            "labels": {"severity": "page"},
            "annotations": {
                "summary": "5xx ratio of color {{ $labels.color }} is {{ $value | humanizePercentage }}",
            },
        },
        {
            "alert": "HighLatencyP95",
            "expr": f"{P95_LATENCY_EXPR} > {alerts.p95_latency_seconds:g}",
            "for": duration,
            "labels": {"severity": "page"},
            "annotations": {
                "summary": "p95 latency of color {{ $labels.color }} is {{ $value | humanizeDuration }}",
            },
        },
    ]
    return yaml.safe_dump({"groups": [{"name": "shipyard", "rules": rules}]}, sort_keys=False)
