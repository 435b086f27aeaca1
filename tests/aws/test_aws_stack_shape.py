"""The production stack, rendered from Pulumi.production.yaml as committed: every resource, and key inputs."""

from __future__ import annotations

import json
from typing import Any

import pytest
import yaml

from infra.settings import SettingsError
from tests.aws.harness import mock_arn, production_config, render
from tests.aws.production_resources import PRODUCTION_RESOURCES
from tests.pulumi_mocks import Recording

P = "orders-production"
ACCOUNT = "123456789012"
RDS_SECRET = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:rds!db-{P}-db-instance"
REDIS_SECRET = f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:{P}-redis-token-secret"

@pytest.fixture(scope="module")
def stack() -> Recording:
    return render()


def containers(recording: Recording, name: str) -> list[dict[str, Any]]:
    return json.loads(recording.named(name).input("containerDefinitions"))


def test_every_resource_of_the_production_stack(stack: Recording) -> None:
    assert sorted((r.type, r.name) for r in stack.registrations) == sorted(PRODUCTION_RESOURCES)


def test_components_parent_their_children(stack: Recording) -> None:
    assert stack.named(f"{P}-net-vpc").parent_type == "shipyard:aws/network:Network"
    assert stack.named(f"{P}-alb-live").parent_type == "shipyard:aws/alb:LoadBalancer"
    assert stack.named(f"{P}-app-api-blue-task").parent_type == "shipyard:aws/service:ColorService"
    assert stack.named(f"{P}-app-api-blue").parent_type == "shipyard:aws/app_services:AppServices"


def test_exports(stack: Recording) -> None:
    assert stack.outputs == {
        "live_url": "https://orders.example.com",
        "test_url": "https://orders.example.com:8443",
        "alb_dns_name": f"{P}-alb-lb.eu-west-1.elb.amazonaws.com",
        "ecr_repository_url": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/{P}",
        "image_repository": f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/{P}",
        "cluster_name": P,
        "live_color": "blue",
        "live_color_parameter": f"/shipyard/{P}/live-color",
        "bucket": "orders-app-data-production",
        "database_secret_arn": RDS_SECRET,
        "service_api_blue": f"{P}-api-blue",
        "service_api_green": f"{P}-api-green",
        "service_worker_blue": f"{P}-worker-blue",
        "service_worker_green": f"{P}-worker-green",
        "grafana_url": f"https://{P}-alb-lb.eu-west-1.elb.amazonaws.com:3000",
        "prometheus_query_url": f"https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-{P}-monitoring-amp/",
    }


def test_network(stack: Recording) -> None:
    assert stack.named(f"{P}-net-vpc").input("cidrBlock") == "10.40.0.0/16"
    subnets = {r.name: r.input("cidrBlock") for r in stack.of_type("aws:ec2/subnet:Subnet")}
    assert subnets[f"{P}-net-public-eu-west-1a"] == "10.40.0.0/20"
    assert subnets[f"{P}-net-private-eu-west-1c"] == "10.40.160.0/20"
    routes = stack.named(f"{P}-net-private-rt-eu-west-1b").input("routes")
    assert routes == [{"cidrBlock": "0.0.0.0/0", "natGatewayId": f"{P}-net-nat-eu-west-1b-id"}]


def test_live_listener_weights_both_target_groups_100_0(stack: Recording) -> None:
    blue, green = (mock_arn("aws:lb/targetGroup:TargetGroup", f"{P}-alb-tg-{c}") for c in ("blue", "green"))
    live = stack.named(f"{P}-alb-live")
    assert (live.input("port"), live.input("protocol"), live.input("sslPolicy")) == (
        443, "HTTPS", "ELBSecurityPolicy-TLS13-1-2-2021-06")
    assert live.input("certificateArn").startswith("arn:aws:acm:eu-west-1:")
    assert live.input("defaultActions") == [
        {"type": "forward", "forward": {"targetGroups": [{"arn": blue, "weight": 100}, {"arn": green, "weight": 0}]}}
    ]
    test = stack.named(f"{P}-alb-test")
    assert (test.input("port"), test.input("protocol")) == (8443, "HTTPS")
    assert test.input("defaultActions") == [
        {"type": "forward", "forward": {"targetGroups": [{"arn": blue, "weight": 0}, {"arn": green, "weight": 100}]}}
    ]
    assert stack.named(f"{P}-alb-http-redirect").input("defaultActions") == [
        {"type": "redirect", "redirect": {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}}
    ]


def test_target_groups(stack: Recording) -> None:
    for color in ("blue", "green"):
        group = stack.named(f"{P}-alb-tg-{color}")
        service = stack.named(f"{P}-app-api-{color}-service")
        assert service.input("loadBalancers") == [{"targetGroupArn": mock_arn(group.type, group.name),
                                                   "containerName": "app", "containerPort": 8000}]
        assert (group.input("targetType"), group.input("port"), group.input("deregistrationDelay")) == ("ip", 8000, 30)
        assert group.input("healthCheck") == {"path": "/health", "matcher": "200", "interval": 10, "timeout": 5,
                                              "healthyThreshold": 2, "unhealthyThreshold": 3}


@pytest.mark.parametrize(("role", "color", "desired"), [
    ("api", "blue", 3), ("api", "green", 3), ("worker", "blue", 2), ("worker", "green", 2)])
def test_task_definitions_and_services(stack: Recording, role: str, color: str, desired: int) -> None:
    task = stack.named(f"{P}-app-{role}-{color}-task")
    cpu, memory = ("512", "1024") if role == "api" else ("256", "512")
    assert (task.input("cpu"), task.input("memory"), task.input("networkMode"), task.input("family")) == (
        cpu, memory, "awsvpc", f"{P}-{role}-{color}")
    app, collector = containers(stack, f"{P}-app-{role}-{color}-task")
    assert app["image"] == f"{ACCOUNT}.dkr.ecr.eu-west-1.amazonaws.com/{P}:1.0.0"
    assert app["portMappings"] == [{"containerPort": 8000, "protocol": "tcp"}]
    env = {e["name"]: e["value"] for e in app["environment"]}
    expected_env = {
        "APP_COLOR": color, "APP_ROLE": role, "APP_VERSION": "1.0.0", "LOG_LEVEL": "info", "PORT": "8000",
        "POSTGRES_HOST": f"{P}-db-instance.rds.amazonaws.com", "POSTGRES_PORT": "5432", "POSTGRES_USER": "shipyard",
        "POSTGRES_DB": "orders", "POSTGRES_SSLMODE": "require",
        "REDIS_HOST": f"master.{P}-cache-group.cache.amazonaws.com", "REDIS_PORT": "6379", "REDIS_TLS": "true",
        "S3_BUCKET": "orders-app-data-production", "S3_REGION": "eu-west-1",
    }
    if role == "worker":
        expected_env["LIVE_COLOR_SSM_PARAMETER"] = f"/shipyard/{P}/live-color"
    assert env == expected_env
    assert app["secrets"] == [{"name": "POSTGRES_PASSWORD", "valueFrom": f"{RDS_SECRET}:password::"},
                              {"name": "REDIS_PASSWORD", "valueFrom": REDIS_SECRET}]
    assert app["logConfiguration"] == {"logDriver": "awslogs", "options": {
        "awslogs-group": f"/ecs/{P}/{role}-{color}", "awslogs-region": "eu-west-1", "awslogs-stream-prefix": role}}
    assert app.get("command") == (None if role == "api" else ["python", "-m", "app.worker"])
    assert collector["name"] == "collector" and collector["essential"] is False
    scrape = yaml.safe_load(collector["environment"][0]["value"])["receivers"]["prometheus"]["config"]
    assert scrape["scrape_configs"][0]["static_configs"] == [{"targets": ["localhost:8000"], "labels": {
        "color": color, "role": role, "service": "orders"}}]
    assert stack.named(f"{P}-app-{role}-{color}-logs").input("retentionInDays") == 90

    service = stack.named(f"{P}-app-{role}-{color}-service")
    assert service.input("desiredCount") == desired
    assert service.input("deploymentCircuitBreaker") == {"enable": True, "rollback": True}
    assert service.input("networkConfiguration")["assignPublicIp"] is False
    assert service.input("taskDefinition").startswith(f"arn:aws:ecs:eu-west-1:{ACCOUNT}:task-definition/{P}-")
    assert service.ignore_changes == (["desiredCount"] if role == "api" else [])
    if role == "api":
        scaling = stack.named(f"{P}-app-api-{color}-scaling")
        assert (scaling.input("minCapacity"), scaling.input("maxCapacity"), scaling.input("resourceId")) == (
            3, 12, f"service/{P}/{P}-api-{color}")
        policy = stack.named(f"{P}-app-api-{color}-cpu").input("targetTrackingScalingPolicyConfiguration")
        assert policy["targetValue"] == 60
        assert policy["predefinedMetricSpecification"] == {
            "predefinedMetricType": "ECSServiceAverageCPUUtilization"}


def test_live_color_parameter(stack: Recording) -> None:
    parameter = stack.named(f"{P}-app-live-color")
    assert (parameter.input("name"), parameter.input("type"), parameter.input("value")) == (
        f"/shipyard/{P}/live-color", "String", "blue")


def test_monitoring(stack: Recording) -> None:
    rules = yaml.safe_load(stack.named(f"{P}-monitoring-rules").input("data"))["groups"][0]["rules"]
    assert [r["alert"] for r in rules] == ["HighErrorRate", "HighLatencyP95"]
    assert rules[0]["expr"].endswith("> 0.01") and rules[1]["expr"].endswith("> 0.5")
    assert {r["for"] for r in rules} == {"5m"}
    definition = yaml.safe_load(stack.named(f"{P}-monitoring-alertmanager").input("definition"))
    assert "sns_configs" in definition["alertmanager_config"]
    grafana = json.loads(stack.named(f"{P}-grafana-task").input("containerDefinitions"))[0]
    assert grafana["image"] == "grafana/grafana:11.3.1"
    assert grafana["secrets"] == [{"name": "GF_SECURITY_ADMIN_PASSWORD", "valueFrom": (
        f"arn:aws:secretsmanager:eu-west-1:{ACCOUNT}:secret:{P}-grafana-admin-secret")}]


def test_managed_grafana_replaces_the_fargate_one() -> None:
    config = production_config()
    config["shipyard:aws"] = {**config["shipyard:aws"], "managed_grafana": True}
    recording = render(config)
    names = {r.name for r in recording.registrations}
    assert f"{P}-grafana-workspace" in names and f"{P}-grafana-service" not in names
    workspace = recording.named(f"{P}-grafana-workspace")
    assert (workspace.input("dataSources"), workspace.input("permissionType")) == (["PROMETHEUS"], "SERVICE_MANAGED")


def test_a_size_fargate_cannot_run_stops_the_program_naming_the_keys() -> None:
    config = production_config()
    config["shipyard:service"] = {**config["shipyard:service"],
                                  "api": {**config["shipyard:service"]["api"], "memory_mb": 512}}
    with pytest.raises(SettingsError) as error:
        render(config)
    assert error.value.problems == [
        "service.api.cpu / memory_mb: Fargate does not run cpu=512 with memory_mb=512; "
        "with cpu 512 use memory_mb from 1024 to 4096 in steps of 1024"
    ]


def test_without_a_domain_the_live_entry_is_plain_http_on_80() -> None:
    config = production_config()
    alb = {k: v for k, v in config["shipyard:aws"]["alb"].items() if k not in ("domain", "certificate_arn")}
    config["shipyard:aws"] = {**config["shipyard:aws"], "alb": alb}
    recording = render(config)
    names = {r.name for r in recording.registrations}
    assert f"{P}-alb-http-redirect" not in names and f"{P}-alb-in-443" not in names
    live = recording.named(f"{P}-alb-live")
    assert (live.input("port"), live.input("protocol"), live.input("certificateArn")) == (80, "HTTP", None)
    weights = [g["weight"] for g in live.input("defaultActions")[0]["forward"]["targetGroups"]]
    assert weights == [100, 0]
    dns = f"{P}-alb-lb.eu-west-1.elb.amazonaws.com"
    assert (recording.outputs["live_url"], recording.outputs["test_url"]) == (f"http://{dns}", f"http://{dns}:8443")


def test_api_services_wait_for_the_listeners_that_use_their_target_groups(stack: Recording) -> None:
    listeners = {stack.named(f"{P}-alb-{n}").urn for n in ("live", "test")}
    for color in ("blue", "green"):
        assert listeners <= set(stack.named(f"{P}-app-api-{color}-service").dependencies)
