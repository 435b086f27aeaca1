"""What each release setting change does to the production stack: diff registrations by URN, input digests.

A flip must be an in-place update of the listeners and the live-color parameter only; a deploy to the idle color
must touch only that color's task definitions and services; no release setting may reach a data store, the ALB
itself, the VPC or the image repository.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from tests.aws.harness import production_config, render, with_release
from tests.pulumi_mocks import Recording

P = "orders-production"
NEVER_TOUCHED_BY_RELEASES = {
    "aws:rds/instance:Instance", "aws:rds/parameterGroup:ParameterGroup", "aws:rds/subnetGroup:SubnetGroup",
    "aws:elasticache/replicationGroup:ReplicationGroup", "aws:elasticache/subnetGroup:SubnetGroup",
    "aws:s3/bucket:Bucket", "aws:s3/bucketPolicy:BucketPolicy", "aws:lb/loadBalancer:LoadBalancer",
    "aws:lb/targetGroup:TargetGroup", "aws:ec2/vpc:Vpc", "aws:ec2/subnet:Subnet", "aws:ecr/repository:Repository",
    "aws:ecr/lifecyclePolicy:LifecyclePolicy", "aws:ec2/securityGroup:SecurityGroup",
    "aws:secretsmanager/secretVersion:SecretVersion", "aws:iam/rolePolicy:RolePolicy",
}


@pytest.fixture(scope="module")
def committed() -> Recording:
    return render()


def changed(before: Recording, after: Recording) -> list[str]:
    """Names of resources whose inputs differ; both renderings must hold the same resources."""
    old, new = before.by_urn(), after.by_urn()
    assert sorted(old) == sorted(new), f"created or deleted: {sorted(set(old) ^ set(new))}"
    return sorted(new[urn].name for urn in old if before.digest(old[urn]) != after.digest(new[urn]))


def assert_untouched_kinds(before: Recording, after: Recording) -> None:
    old = before.by_urn()
    for registration in after.registrations:
        if registration.type in NEVER_TOUCHED_BY_RELEASES:
            assert before.digest(old[registration.urn]) == after.digest(registration), registration.name


def test_flip_changes_only_the_listeners_and_the_live_color_parameter(committed: Recording) -> None:
    flipped = render(with_release(live="green"))
    assert changed(committed, flipped) == [f"{P}-alb-live", f"{P}-alb-test", f"{P}-app-live-color"]
    assert_untouched_kinds(committed, flipped)
    groups = flipped.named(f"{P}-alb-live").input("defaultActions")[0]["forward"]["targetGroups"]
    weights = [group["weight"] for group in groups]
    assert weights == [0, 100]
    assert flipped.named(f"{P}-app-live-color").input("value") == "green"
    assert flipped.outputs["live_color"] == "green"


def test_deploying_to_the_idle_color_touches_only_that_colors_tasks_and_services(committed: Recording) -> None:
    deployed = render(with_release(green={"tag": "1.1.0"}))
    assert changed(committed, deployed) == [
        f"{P}-app-api-green-service", f"{P}-app-api-green-task",
        f"{P}-app-worker-green-service", f"{P}-app-worker-green-task",
    ]
    assert_untouched_kinds(committed, deployed)
    assert '"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-production:1.1.0"' in deployed.named(
        f"{P}-app-api-green-task").input("containerDefinitions")


def test_promote_then_flip_back_is_the_committed_stack(committed: Recording) -> None:
    deployed = with_release(green={"tag": "1.1.0"})
    promoted = copy.deepcopy(deployed)
    promoted["shipyard:release"]["live"] = "green"
    assert changed(render(deployed), render(promoted)) == [f"{P}-alb-live", f"{P}-alb-test", f"{P}-app-live-color"]
    rolled_back = copy.deepcopy(promoted)
    rolled_back["shipyard:release"].update(live="blue", green={"tag": "1.0.0"})
    assert changed(committed, render(rolled_back)) == []


def test_recording_history_changes_nothing(committed: Recording) -> None:
    entry: dict[str, Any] = {"tag": "1.0.0", "color": "blue", "promoted_at": "2026-11-20T10:00:00Z"}
    assert changed(committed, render(with_release(history=[entry]))) == []


def test_cold_standby_flip_also_moves_counts_and_scaling() -> None:
    config = production_config()
    config["shipyard:standby"] = {"mode": "cold", "keep_minutes": 30}
    cold = render(config)
    assert cold.named(f"{P}-app-api-green-service").input("desiredCount") == 0
    assert cold.named(f"{P}-app-worker-green-service").input("desiredCount") == 0
    assert {r.name for r in cold.of_type("aws:appautoscaling/target:Target")} == {f"{P}-app-api-blue-scaling"}
    flipped = copy.deepcopy(config)
    flipped["shipyard:release"]["live"] = "green"
    after = render(flipped)
    assert after.named(f"{P}-app-api-blue-service").input("desiredCount") == 0
    assert after.named(f"{P}-app-api-green-service").input("desiredCount") == 3
    assert {r.name for r in after.of_type("aws:appautoscaling/target:Target")} == {f"{P}-app-api-green-scaling"}
    assert_untouched_kinds(cold, after)
