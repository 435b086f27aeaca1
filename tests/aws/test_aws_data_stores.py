"""Data stores and the image repository of the production stack: exact inputs of RDS, ElastiCache, S3 and ECR."""

from __future__ import annotations

import json

import pytest

from tests.aws.harness import mock_digest, render
from tests.pulumi_mocks import Recording, Secret

P = "orders-production"


@pytest.fixture(scope="module")
def stack() -> Recording:
    return render()


def test_database(stack: Recording) -> None:
    db = stack.named(f"{P}-db-instance")
    assert db.protect
    assert {k: db.input(k) for k in (
        "engine", "engineVersion", "instanceClass", "allocatedStorage", "storageEncrypted", "multiAz",
        "backupRetentionPeriod", "deletionProtection", "skipFinalSnapshot", "finalSnapshotIdentifier",
        "manageMasterUserPassword", "publiclyAccessible", "dbName", "username", "password",
        "dbSubnetGroupName", "parameterGroupName", "vpcSecurityGroupIds")} == {
        "engine": "postgres", "engineVersion": "16.4", "instanceClass": "db.r6g.large", "allocatedStorage": 100,
        "storageEncrypted": True, "multiAz": True, "backupRetentionPeriod": 14, "deletionProtection": True,
        "skipFinalSnapshot": False, "finalSnapshotIdentifier": f"{P}-db-final", "manageMasterUserPassword": True,
        "publiclyAccessible": False, "dbName": "orders", "username": "shipyard", "password": None,
        "dbSubnetGroupName": f"{P}-db-subnets", "parameterGroupName": f"{P}-db-params",
        "vpcSecurityGroupIds": [f"{P}-db-sg-id"],
    }
    params = stack.named(f"{P}-db-params")
    assert params.input("family") == "postgres16"
    assert params.input("parameters") == [{"name": "rds.force_ssl", "value": "1", "applyMethod": "pending-reboot"}]
    rule = stack.named(f"{P}-db-from-services")
    assert (rule.input("fromPort"), rule.input("toPort"), rule.input("referencedSecurityGroupId")) == (
        5432, 5432, f"{P}-cluster-services-sg-id")


def test_cache(stack: Recording) -> None:
    group = stack.named(f"{P}-cache-group")
    assert group.protect
    token = mock_digest("random:index/randomPassword:RandomPassword", f"{P}-redis-token-value")
    assert group.inputs["authToken"] == Secret(f"generated-{token}")
    assert {k: group.input(k) for k in (
        "engine", "engineVersion", "nodeType", "numCacheClusters", "automaticFailoverEnabled", "multiAzEnabled",
        "transitEncryptionEnabled", "atRestEncryptionEnabled", "subnetGroupName", "securityGroupIds", "port")} == {
        "engine": "valkey", "engineVersion": "7.2", "nodeType": "cache.r7g.large", "numCacheClusters": 2,
        "automaticFailoverEnabled": True, "multiAzEnabled": True, "transitEncryptionEnabled": True,
        "atRestEncryptionEnabled": True, "subnetGroupName": f"{P}-cache-subnets",
        "securityGroupIds": [f"{P}-cache-sg-id"], "port": 6379,
    }


def test_bucket(stack: Recording) -> None:
    bucket = stack.named(f"{P}-storage-bucket")
    assert bucket.protect
    assert (bucket.input("bucket"), bucket.input("forceDestroy")) == ("orders-app-data-production", False)
    block = stack.named(f"{P}-storage-public-access")
    assert all(block.input(k) is True for k in (
        "blockPublicAcls", "blockPublicPolicy", "ignorePublicAcls", "restrictPublicBuckets"))
    assert stack.named(f"{P}-storage-versioning").input("versioningConfiguration") == {"status": "Enabled"}
    assert stack.named(f"{P}-storage-encryption").input("rules") == [
        {"applyServerSideEncryptionByDefault": {"sseAlgorithm": "AES256"}, "bucketKeyEnabled": True}]
    policy = json.loads(stack.named(f"{P}-storage-policy").input("policy"))
    assert policy["Statement"] == [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:*",
        "Resource": ["arn:aws:s3:::orders-app-data-production", "arn:aws:s3:::orders-app-data-production/*"],
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]


def test_ecr(stack: Recording) -> None:
    repo = stack.named(f"{P}-ecr-repo")
    assert (repo.input("imageTagMutability"), repo.input("imageScanningConfiguration")) == (
        "IMMUTABLE", {"scanOnPush": True})
    rules = json.loads(stack.named(f"{P}-ecr-lifecycle").input("policy"))["rules"]
    assert [r["selection"]["countNumber"] for r in rules] == [7, 15]
