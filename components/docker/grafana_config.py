"""Render Grafana's provisioning: the Prometheus datasource, the dashboard provider and the release dashboard."""

from __future__ import annotations

import json

import yaml

from components.docker.prometheus_config import ERROR_RATE_EXPR, P95_LATENCY_EXPR, REQUEST_RATE_EXPR

DATASOURCE_UID = "shipyard-prometheus"
DASHBOARD_UID = "shipyard-release"
PROVISIONING_DIR = "/etc/grafana/provisioning"
DATASOURCE_FILE = f"{PROVISIONING_DIR}/datasources/prometheus.yml"
DASHBOARD_PROVIDER_FILE = f"{PROVISIONING_DIR}/dashboards/shipyard.yml"
# Outside /var/lib/grafana (the data volume), so a new dashboard version is never shadowed by an old copy.
DASHBOARDS_DIR = "/etc/grafana/dashboards"
DASHBOARD_FILE = f"{DASHBOARDS_DIR}/shipyard-release.json"

PANELS = (
    ("Request rate per color", REQUEST_RATE_EXPR, "reqps"),
    ("Error rate per color", ERROR_RATE_EXPR, "percentunit"),
    ("p95 latency per color", P95_LATENCY_EXPR, "s"),
)


def render_datasource(prometheus_url: str) -> str:
    datasource = {
        "name": "Prometheus",
        "uid": DATASOURCE_UID,
        "type": "prometheus",
        "access": "proxy",
        "url": prometheus_url,
        "isDefault": True,
        "editable": False,
    }
    return yaml.safe_dump({"apiVersion": 1, "datasources": [datasource]}, sort_keys=False)


def render_dashboard_provider() -> str:
    provider = {
        "name": "shipyard",
        "type": "file",
        "disableDeletion": True,
        "allowUiUpdates": False,
        "options": {"path": DASHBOARDS_DIR},
    }
    return yaml.safe_dump({"apiVersion": 1, "providers": [provider]}, sort_keys=False)


def render_dashboard(title: str) -> str:
    panels = []
    for index, (panel_title, expr, unit) in enumerate(PANELS):
        panels.append(
            {
                "id": index + 1,
                "title": panel_title,
                "type": "timeseries",
                "datasource": {"type": "prometheus", "uid": DATASOURCE_UID},
                "gridPos": {"h": 8, "w": 8, "x": 8 * index, "y": 0},
                "fieldConfig": {"defaults": {"unit": unit}, "overrides": []},
                "targets": [
                    {
                        "refId": "A",
                        "datasource": {"type": "prometheus", "uid": DATASOURCE_UID},
                        "expr": expr,
                        "legendFormat": "{{color}}",
                    }
                ],
            }
        )
    dashboard = {
        "uid": DASHBOARD_UID,
        "title": title,
        "schemaVersion": 39,
        "time": {"from": "now-1h", "to": "now"},
        "refresh": "10s",
        "tags": ["shipyard"],
        "panels": panels,
    }
    return json.dumps(dashboard, indent=2, sort_keys=True) + "\n"
