"""The whole program, as `pulumi up` runs it, loads under mocks for both committed stacks."""

from __future__ import annotations

import pytest

from infra.program import main
from infra.settings import read_stack_file, stack_file
from tests.aws.harness import computed as aws_outputs
from tests.docker.rendering import image_digests as docker_outputs
from tests.pulumi_mocks import Recording, Secret, run_program

EXPECTED_EXPORTS = {
    "staging": {"live_url", "test_url", "router", "live_color", "colors", "prometheus_url", "grafana_url"},
    "production": {"live_url", "test_url", "ecr_repository_url", "cluster_name", "live_color", "bucket"},
}


def render(stack: str) -> Recording:
    """The program with what the providers would compute (image digests, AWS endpoints) mocked in."""
    computed = docker_outputs if stack == "staging" else aws_outputs
    return run_program(main, read_stack_file(stack_file(stack)), stack=stack, computed=computed)


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_program_loads_committed_stack(stack: str) -> None:
    recording = render(stack)
    assert EXPECTED_EXPORTS[stack] <= set(recording.outputs)
    assert recording.outputs["live_color"] == "blue"
    tokens = {r.type for r in recording.registrations}
    platform = "docker" if stack == "staging" else "aws"
    assert any(t.startswith(f"shipyard:{platform}/") for t in tokens)
    assert not any(t.startswith("shipyard:aws/" if platform == "docker" else "shipyard:docker/") for t in tokens)
    # Components parent their children: nothing but components sits directly under the stack.
    top_level = {r.type for r in recording.registrations if r.parent_type == "pulumi:pulumi:Stack"}
    assert all(t.startswith("shipyard:") or t.startswith("pulumi:providers:") for t in top_level), top_level


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_no_export_leaks_a_generated_secret(stack: str) -> None:
    recording = render(stack)
    for name, value in recording.outputs.items():
        if isinstance(value, Secret):
            continue
        assert "generated-" not in repr(value), name
