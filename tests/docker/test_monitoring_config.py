"""Prometheus scrape config and alert rules (checked by the real promtool) and Grafana provisioning."""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import yaml

from components.docker.grafana_config import (
    DATASOURCE_UID,
    render_dashboard,
    render_dashboard_provider,
    render_datasource,
)
from components.docker.prometheus_config import render_alert_rules, render_prometheus_config
from infra.docker_program import scrape_targets
from infra.settings import from_stack_file
from infra.settings.monitoring import AlertSettings

P = "shipyard-demo-staging"
ERRORS = "sum by (color) (rate(http_request_errors_total[5m])) / sum by (color) (rate(http_requests_total[5m]))"
P95 = "histogram_quantile(0.95, sum by (le, color) (rate(http_request_duration_seconds_bucket[5m])))"


def promtool(*args: str) -> subprocess.CompletedProcess[str]:
    tool = shutil.which("promtool")
    assert tool, "promtool is required for this test (apt-get install prometheus; see .ci/apt-packages.txt)"
    return subprocess.run([tool, *args], capture_output=True, text=True, check=False)


def staging_prometheus_yml(rules_file: str) -> str:
    settings = from_stack_file("staging")
    return render_prometheus_config(scrape_targets(settings, "staging"), 15, "staging", rules_file)


def test_scrapes_both_colors_workers_and_router_with_color_and_role() -> None:
    document = yaml.safe_load(staging_prometheus_yml("/etc/prometheus/rules/shipyard.rules.yml"))
    assert document["global"] == {"scrape_interval": "15s", "evaluation_interval": "15s",
                                  "external_labels": {"stack": "staging"}}
    assert document["rule_files"] == ["/etc/prometheus/rules/shipyard.rules.yml"]
    jobs = {job["job_name"]: (job["metrics_path"], job["static_configs"]) for job in document["scrape_configs"]}
    assert jobs == {
        "api-blue": ("/metrics", [{"targets": [f"{P}-api-blue:8000"], "labels": {"color": "blue", "role": "api"}}]),
        "worker-blue": ("/metrics", [{"targets": [f"{P}-worker-blue:9100"],
                                      "labels": {"color": "blue", "role": "worker"}}]),
        "api-green": ("/metrics", [{"targets": [f"{P}-api-green:8000"],
                                    "labels": {"color": "green", "role": "api"}}]),
        "worker-green": ("/metrics", [{"targets": [f"{P}-worker-green:9100"],
                                       "labels": {"color": "green", "role": "worker"}}]),
        "router": ("/metrics", [{"targets": [f"{P}-router:8404"], "labels": {"color": "none", "role": "router"}}]),
    }


def test_alert_rules_use_the_configured_thresholds() -> None:
    rules = yaml.safe_load(render_alert_rules(AlertSettings(error_rate_ratio=0.02, p95_latency_seconds=0.75,
                                                            for_minutes=3)))
    by_name = {rule["alert"]: rule for rule in rules["groups"][0]["rules"]}
    assert by_name["HighErrorRate"]["expr"] == f"{ERRORS} > 0.02"
    assert by_name["HighLatencyP95"]["expr"] == f"{P95} > 0.75"
    assert {rule["for"] for rule in by_name.values()} == {"3m"}


def test_promtool_accepts_config_and_rules(tmp_path: Path) -> None:
    rules = tmp_path / "shipyard.rules.yml"
    rules.write_text(render_alert_rules(AlertSettings()))
    config = tmp_path / "prometheus.yml"
    config.write_text(staging_prometheus_yml(str(rules)))
    checked_rules = promtool("check", "rules", str(rules))
    assert checked_rules.returncode == 0, checked_rules.stdout + checked_rules.stderr
    assert "SUCCESS: 2 rules found" in checked_rules.stdout
    checked_config = promtool("check", "config", str(config))
    assert checked_config.returncode == 0, checked_config.stdout + checked_config.stderr


def test_grafana_datasource_and_dashboard_provider() -> None:
    datasource = yaml.safe_load(render_datasource(f"http://{P}-prometheus:9090"))
    assert datasource == {"apiVersion": 1, "datasources": [{
        "name": "Prometheus", "uid": DATASOURCE_UID, "type": "prometheus", "access": "proxy",
        "url": f"http://{P}-prometheus:9090", "isDefault": True, "editable": False}]}
    provider = yaml.safe_load(render_dashboard_provider())
    assert provider["providers"][0]["options"] == {"path": "/etc/grafana/dashboards"}
    assert provider["providers"][0]["type"] == "file"


def test_dashboard_has_three_panels_per_color() -> None:
    dashboard = json.loads(render_dashboard("shipyard-demo (staging) release"))
    assert dashboard["title"] == "shipyard-demo (staging) release"
    panels = [(p["title"], p["targets"][0]["expr"], p["targets"][0]["legendFormat"]) for p in dashboard["panels"]]
    assert panels == [
        ("Request rate per color", "sum by (color) (rate(http_requests_total[5m]))", "{{color}}"),
        ("Error rate per color", ERRORS, "{{color}}"),
        ("p95 latency per color", P95, "{{color}}"),
    ]
    assert all(p["datasource"] == {"type": "prometheus", "uid": DATASOURCE_UID} for p in dashboard["panels"])
