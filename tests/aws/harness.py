"""Render the production stack under mocks: Pulumi.production.yaml as committed, with optional overrides.

Mock providers return inputs as outputs; `computed` adds the outputs AWS would compute that the program reads
(endpoints, URLs, the RDS-managed secret). A task definition's ARN carries a digest of its inputs, as a new
revision would, so a changed task definition shows up as a changed service in a diff.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

import pulumi

from infra.program import main
from infra.settings import read_stack_file, stack_file
from tests.pulumi_mocks import Recording, run_program

STACK = "production"
MOCK_ACCOUNT = "123456789012"


def production_config() -> dict[str, Any]:
    return read_stack_file(stack_file(STACK))


def _digest(inputs: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(inputs, sort_keys=True, default=repr).encode()).hexdigest()[:12]


def computed(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name, inputs = args.name, args.inputs
    # Autonamed resources: the provider would fill `name`; the logical name stands in.
    if "name" not in inputs:
        return {"name": name, **_computed(args)}
    return _computed(args)


def _computed(args: pulumi.runtime.MockResourceArgs) -> dict[str, Any]:
    name, inputs = args.name, args.inputs
    region = "eu-west-1"
    if args.typ == "aws:ecr/repository:Repository":
        return {"repositoryUrl": f"{MOCK_ACCOUNT}.dkr.ecr.{region}.amazonaws.com/{inputs['name']}"}
    if args.typ == "aws:rds/instance:Instance":
        secret = f"arn:aws:secretsmanager:{region}:{MOCK_ACCOUNT}:secret:rds!db-{name}"
        return {"address": f"{name}.rds.amazonaws.com", "masterUserSecrets": [{"secretArn": secret}]}
    if args.typ == "aws:elasticache/replicationGroup:ReplicationGroup":
        return {"primaryEndpointAddress": f"master.{name}.cache.amazonaws.com"}
    if args.typ == "aws:lb/loadBalancer:LoadBalancer":
        return {"dnsName": f"{name}.{region}.elb.amazonaws.com"}
    if args.typ == "aws:amp/workspace:Workspace":
        return {
            "arn": f"arn:aws:aps:{region}:{MOCK_ACCOUNT}:workspace/ws-{name}",
            "prometheusEndpoint": f"https://aps-workspaces.{region}.amazonaws.com/workspaces/ws-{name}/",
        }
    if args.typ == "aws:grafana/workspace:Workspace":
        return {"endpoint": f"g-{name}.grafana-workspace.{region}.amazonaws.com"}
    if args.typ == "aws:secretsmanager/secret:Secret":
        return {"arn": f"arn:aws:secretsmanager:{region}:{MOCK_ACCOUNT}:secret:{name}"}
    if args.typ == "aws:ecs/taskDefinition:TaskDefinition":
        return {"arn": f"arn:aws:ecs:{region}:{MOCK_ACCOUNT}:task-definition/{inputs['family']}:{_digest(inputs)}"}
    if args.typ == "aws:s3/bucket:Bucket":
        return {"arn": f"arn:aws:s3:::{inputs['bucket']}"}
    if args.typ == "aws:ssm/parameter:Parameter":
        return {"arn": f"arn:aws:ssm:{region}:{MOCK_ACCOUNT}:parameter{inputs['name']}"}
    return {}


def mock_digest(type_token: str, name: str) -> str:
    """What tests/pulumi_mocks.py derives default ARNs and generated secrets from."""
    return hashlib.sha256(f"{type_token}:{name}".encode()).hexdigest()[:16]


def mock_arn(type_token: str, name: str) -> str:
    return f"arn:aws:mock:{name}:{mock_digest(type_token, name)}"


def render(config: dict[str, Any] | None = None) -> Recording:
    """Run `infra.program.main` (settings validation included) with the given stack config map."""
    return run_program(main, production_config() if config is None else config, stack=STACK, computed=computed)


def with_release(**changes: Any) -> dict[str, Any]:
    """The committed config with keys of `shipyard:release` replaced (nested dicts merged one level)."""
    config = copy.deepcopy(production_config())
    release = config["shipyard:release"]
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(release.get(key), dict):
            release[key] = {**release[key], **value}
        else:
            release[key] = value
    return config
