"""Pure decisions of the aws platform, without Pulumi."""

from __future__ import annotations

import ipaddress
import json

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from components.aws import plan, policies, task_spec

ZONES = ["eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"]


@given(
    base=st.integers(min_value=0, max_value=2**32 - 1),
    prefix=st.integers(min_value=8, max_value=20),
    az_count=st.integers(min_value=1, max_value=4),
)
def test_subnets_never_overlap_and_stay_inside_the_vpc(base: int, prefix: int, az_count: int) -> None:
    vpc = ipaddress.IPv4Network((base, prefix), strict=False)
    layout = plan.subnet_layout(str(vpc), ZONES[:az_count])
    subnets = [ipaddress.IPv4Network(c) for p in layout for c in (p.public_cidr, p.private_cidr)]
    assert len(subnets) == 2 * az_count
    assert all(s.subnet_of(vpc) for s in subnets)
    assert all(s.prefixlen == prefix + plan.SUBNET_BITS for s in subnets)
    for index, first in enumerate(subnets):
        assert not any(first.overlaps(second) for second in subnets[index + 1 :])


def test_subnet_layout_of_the_production_vpc() -> None:
    layout = plan.subnet_layout("10.40.0.0/16", ZONES[:3])
    assert [(p.availability_zone, p.public_cidr, p.private_cidr) for p in layout] == [
        ("eu-west-1a", "10.40.0.0/20", "10.40.128.0/20"),
        ("eu-west-1b", "10.40.16.0/20", "10.40.144.0/20"),
        ("eu-west-1c", "10.40.32.0/20", "10.40.160.0/20"),
    ]


def test_subnet_layout_refuses_more_zones_than_fit() -> None:
    with pytest.raises(ValueError, match="network.az_count: at most 8 zones"):
        plan.subnet_layout("10.0.0.0/16", [f"z{i}" for i in range(9)])


def test_nat_gateways_per_mode() -> None:
    assert plan.nat_gateway_count("per_az", 3) == 3
    assert plan.nat_gateway_count("single", 3) == 1


@pytest.mark.parametrize(("cpu", "memory"), [(256, 512), (512, 1024), (1024, 8192), (4096, 30720), (16384, 122880)])
def test_valid_fargate_sizes_pass(cpu: int, memory: int) -> None:
    plan.check_fargate_size("api", cpu, memory)


def test_fargate_memory_mismatch_names_the_keys() -> None:
    with pytest.raises(ValueError) as error:
        plan.check_fargate_size("api", 512, 512)
    assert str(error.value) == (
        "service.api.cpu / memory_mb: Fargate does not run cpu=512 with memory_mb=512; "
        "with cpu 512 use memory_mb from 1024 to 4096 in steps of 1024"
    )


def test_fargate_unknown_cpu_names_the_key() -> None:
    with pytest.raises(ValueError, match=r"^service\.worker\.cpu: Fargate runs cpu units 256, 512, .*got 300$"):
        plan.check_fargate_size("worker", 300, 1024)


def test_listener_weights_send_everything_to_one_color() -> None:
    assert plan.listener_weights("blue") == {"blue": 100, "green": 0}
    assert plan.listener_weights("green") == {"blue": 0, "green": 100}


@pytest.mark.parametrize("live", ["blue", "green"])
def test_warm_standby_counts_do_not_depend_on_the_live_color(live: plan.Color) -> None:
    for color in plan.COLORS:
        assert plan.color_counts("warm", live, "api", color, 3) == plan.ColorCounts(desired=3, autoscaled=True)
        assert plan.color_counts("warm", live, "worker", color, 2) == plan.ColorCounts(desired=2, autoscaled=False)


def test_cold_standby_runs_the_idle_color_at_zero() -> None:
    assert plan.color_counts("cold", "blue", "api", "blue", 3) == plan.ColorCounts(3, True)
    assert plan.color_counts("cold", "blue", "api", "green", 3) == plan.ColorCounts(0, False)
    assert plan.color_counts("cold", "blue", "worker", "green", 2) == plan.ColorCounts(0, False)


def test_ecr_lifecycle_keeps_retained_tags_and_expires_untagged() -> None:
    assert json.loads(policies.ecr_lifecycle(15)) == {
        "rules": [
            {
                "action": {"type": "expire"},
                "description": "expire untagged images after 7 days",
                "rulePriority": 1,
                "selection": {"countNumber": 7, "countType": "sinceImagePushed", "countUnit": "days",
                              "tagStatus": "untagged"},
            },
            {
                "action": {"type": "expire"},
                "description": "keep the last 15 tagged images",
                "rulePriority": 2,
                "selection": {"countNumber": 15, "countType": "imageCountMoreThan", "tagPatternList": ["*"],
                              "tagStatus": "tagged"},
            },
        ]
    }


def test_execution_role_reads_only_the_named_secrets() -> None:
    arn = "arn:aws:secretsmanager:eu-west-1:1:secret:rds!db-x"
    assert policies.read_secrets([f"{arn}:password::", "arn:aws:secretsmanager:eu-west-1:1:secret:t"]) == [
        {"Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
         "Resource": [arn, "arn:aws:secretsmanager:eu-west-1:1:secret:t"]}
    ]


def test_alert_rules_follow_the_settings() -> None:
    rules = yaml.safe_load(policies.alert_rules("orders", 0.01, 0.5, 5))["groups"][0]["rules"]
    assert [(r["alert"], r["expr"], r["for"]) for r in rules] == [
        ("HighErrorRate",
         "sum by (color) (rate(http_request_errors_total[5m])) / sum by (color) (rate(http_requests_total[5m]))"
         " > 0.01", "5m"),
        ("HighLatencyP95",
         "histogram_quantile(0.95, sum by (le, color) (rate(http_request_duration_seconds_bucket[5m]))) > 0.5",
         "5m"),
    ]


def test_alert_manager_routes_to_sns() -> None:
    outer = yaml.safe_load(policies.alert_manager("arn:aws:sns:eu-west-1:1:alerts", "eu-west-1"))
    assert yaml.safe_load(outer["alertmanager_config"]) == {
        "route": {"receiver": "sns", "group_by": ["alertname", "color"]},
        "receivers": [{"name": "sns", "sns_configs": [
            {"topic_arn": "arn:aws:sns:eu-west-1:1:alerts", "sigv4": {"region": "eu-west-1"}}]}],
    }


def test_collector_scrapes_localhost_and_remote_writes_with_sigv4() -> None:
    collector = task_spec.Collector("adot:1", "https://aps/ws/api/v1/remote_write", "eu-west-1", 15,
                                    {"color": "blue", "role": "api"})
    config = yaml.safe_load(task_spec.collector_config(collector, "api-blue", 8000))
    assert config["receivers"]["prometheus"]["config"]["scrape_configs"] == [
        {"job_name": "api-blue", "metrics_path": "/metrics",
         "static_configs": [{"targets": ["localhost:8000"], "labels": {"color": "blue", "role": "api"}}]}
    ]
    assert config["exporters"]["prometheusremotewrite"] == {
        "endpoint": "https://aps/ws/api/v1/remote_write", "auth": {"authenticator": "sigv4auth"}}
    assert config["extensions"] == {"sigv4auth": {"region": "eu-west-1", "service": "aps"}}


def test_alb_ports_must_differ_naming_the_key() -> None:
    from infra.settings import SettingsError, validate
    from infra.settings.loading import namespace_values
    from tests.aws.harness import production_config

    values = namespace_values(production_config())
    values["aws"] = {**values["aws"], "alb": {**values["aws"]["alb"], "grafana_port": 8443}}
    with pytest.raises(SettingsError) as error:
        validate(values)
    assert error.value.problems == [
        "aws.alb.grafana_port: 8443 is already used by test_port; pick a free port"
    ]
