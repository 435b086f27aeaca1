"""Entry of the Pulumi program, importable by tests: settings first, then one platform's components."""

from __future__ import annotations

import pulumi

from infra.settings import StackSettings, from_pulumi_runtime


def build(settings: StackSettings, stack: str) -> dict[str, pulumi.Input[object]]:
    """Register the stack's resources and return what to export."""
    if settings.platform == "docker":
        from infra.docker_program import build_docker_stack

        return build_docker_stack(settings, stack)
    from infra.aws_program import build_aws_stack

    return build_aws_stack(settings, stack)


def main() -> None:
    # Validation first: a bad key or value raises here, before a single resource is registered.
    settings = from_pulumi_runtime()
    for name, value in build(settings, pulumi.get_stack()).items():
        pulumi.export(name, value)
