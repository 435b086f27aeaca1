"""Security posture of the production stack, checked over every registration rather than named examples."""

from __future__ import annotations

import json
from typing import Any

import pytest

from infra.settings.service import SECRET_LIKE
from tests.aws.harness import render
from tests.pulumi_mocks import Recording, Secret

P = "orders-production"
INTERNET = "0.0.0.0/0"


@pytest.fixture(scope="module")
def stack() -> Recording:
    return render()


def policies(stack: Recording) -> dict[str, dict[str, Any]]:
    documents = {}
    for r in stack.registrations:
        if r.type in ("aws:iam/rolePolicy:RolePolicy", "aws:s3/bucketPolicy:BucketPolicy",
                      "aws:sns/topicPolicy:TopicPolicy"):
            documents[r.name] = json.loads(r.input("policy"))
        if r.type == "aws:iam/role:Role":
            documents[r.name] = json.loads(r.input("assumeRolePolicy"))
    return documents


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


def test_only_the_alb_live_entry_is_open_to_the_internet(stack: Recording) -> None:
    open_rules = [
        (r.name, r.input("fromPort"), r.input("toPort"))
        for r in stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
        if r.input("cidrIpv4") == INTERNET or r.input("cidrIpv6") == "::/0"
    ]
    assert sorted(open_rules) == [(f"{P}-alb-in-443", 443, 443), (f"{P}-alb-in-80", 80, 80)]
    for group in stack.of_type("aws:ec2/securityGroup:SecurityGroup"):
        assert not group.input("ingress"), f"{group.name}: inline ingress rules bypass this check"


def test_test_entry_and_grafana_are_limited_to_the_test_cidrs(stack: Recording) -> None:
    rules = {r.name: (r.input("fromPort"), r.input("cidrIpv4"))
             for r in stack.of_type("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")}
    assert {k: v for k, v in rules.items() if k.startswith((f"{P}-alb-in-test", f"{P}-grafana-in"))} == {
        f"{P}-alb-in-test-0": (8443, "10.0.0.0/8"), f"{P}-alb-in-test-1": (8443, "192.0.2.0/24"),
        f"{P}-grafana-in-0": (3000, "10.0.0.0/8"), f"{P}-grafana-in-1": (3000, "192.0.2.0/24"),
    }


def test_data_stores_are_reachable_from_the_services_only(stack: Recording) -> None:
    services_sg = f"{P}-cluster-services-sg-id"
    for rule in (f"{P}-db-from-services", f"{P}-cache-from-services"):
        registration = stack.named(rule)
        assert registration.input("referencedSecurityGroupId") == services_sg
        assert registration.input("cidrIpv4") is None


def test_data_stores_are_private_encrypted_and_protected(stack: Recording) -> None:
    db = stack.named(f"{P}-db-instance")
    assert (db.input("publiclyAccessible"), db.input("storageEncrypted"), db.protect) == (False, True, True)
    cache = stack.named(f"{P}-cache-group")
    assert (cache.input("transitEncryptionEnabled"), cache.input("atRestEncryptionEnabled"), cache.protect) == (
        True, True, True)
    assert stack.named(f"{P}-storage-bucket").protect
    assert stack.named(f"{P}-storage-encryption").input("rules")[0]["applyServerSideEncryptionByDefault"]
    for subnet in stack.of_type("aws:ec2/subnet:Subnet"):
        assert subnet.input("mapPublicIpOnLaunch") in (None, False)
    for service in stack.of_type("aws:ecs/service:Service"):
        assert service.input("networkConfiguration")["assignPublicIp"] is False


def test_every_secret_bearing_input_is_a_pulumi_secret(stack: Recording) -> None:
    secret_inputs = {
        ("aws:elasticache/replicationGroup:ReplicationGroup", "authToken"),
        ("aws:secretsmanager/secretVersion:SecretVersion", "secretString"),
    }
    checked = 0
    for r in stack.registrations:
        for key, value in r.inputs.items():
            if (r.type, key) in secret_inputs:
                assert isinstance(value, Secret), f"{r.name}.{key} is not a secret"
                checked += 1
            if key.lower() in ("password", "masterpassword"):
                assert value is None or isinstance(value, Secret), f"{r.name}.{key} is plain"
    assert checked == 3  # the cache auth token, and both secret versions


def test_no_secret_like_name_in_any_task_environment(stack: Recording) -> None:
    for task in stack.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        for container in json.loads(task.input("containerDefinitions")):
            names = [e["name"] for e in container.get("environment", [])]
            assert not [n for n in names if any(word in n for word in SECRET_LIKE)], (task.name, names)


def test_task_definitions_carry_no_secret_value(stack: Recording) -> None:
    generated = [r.name for r in stack.of_type("random:index/randomPassword:RandomPassword")]
    assert generated
    for task in stack.of_type("aws:ecs/taskDefinition:TaskDefinition"):
        assert not isinstance(task.inputs["containerDefinitions"], Secret)
        assert "generated-" not in task.input("containerDefinitions"), task.name


def test_no_iam_statement_allows_everything(stack: Recording) -> None:
    for name, document in policies(stack).items():
        for statement in as_list(document["Statement"]):
            if statement["Effect"] != "Allow":
                continue
            actions = as_list(statement.get("Action", []))
            resources = as_list(statement.get("Resource", []))
            assert "*" not in actions, name
            assert not ("*" in resources and any(a.endswith(":*") for a in actions)), name


def test_execution_roles_read_only_their_own_secrets(stack: Recording) -> None:
    documents = policies(stack)
    arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret"
    assert documents[f"{P}-app-roles-execution-secrets"]["Statement"] == [{
        "Effect": "Allow", "Action": ["secretsmanager:GetSecretValue"],
        "Resource": [f"{arn}:{P}-redis-token-secret", f"{arn}:rds!db-{P}-db-instance"],
    }]
    assert documents[f"{P}-grafana-roles-execution-secrets"]["Statement"][0]["Resource"] == [
        f"{arn}:{P}-grafana-admin-secret"]
    for name, document in documents.items():
        for statement in as_list(document["Statement"]):
            if any(a.startswith("secretsmanager:") for a in as_list(statement.get("Action", []))):
                assert name.endswith("-execution-secrets")
                assert all(r.startswith(f"{arn}:") for r in statement["Resource"])


def test_app_task_role_reaches_only_this_stacks_bucket_and_parameter(stack: Recording) -> None:
    bucket = "arn:aws:s3:::orders-app-data-production"
    assert policies(stack)[f"{P}-app-roles-task-access"]["Statement"] == [
        {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [bucket]},
        {"Effect": "Allow", "Action": ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"], "Resource": [f"{bucket}/*"]},
        {"Effect": "Allow", "Action": ["ssm:GetParameter"],
         "Resource": [f"arn:aws:ssm:eu-west-1:123456789012:parameter/shipyard/{P}/live-color"]},
        {"Effect": "Allow", "Action": ["aps:RemoteWrite"],
         "Resource": [f"arn:aws:aps:eu-west-1:123456789012:workspace/ws-{P}-monitoring-amp"]},
    ]


def test_bucket_refuses_plain_http(stack: Recording) -> None:
    statement = policies(stack)[f"{P}-storage-policy"]["Statement"][0]
    assert (statement["Effect"], statement["Condition"]) == ("Deny", {"Bool": {"aws:SecureTransport": "false"}})
