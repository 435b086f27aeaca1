"""Stack settings: the committed stack files load, and every bad key or value is named with how to fix it."""

from __future__ import annotations

import copy
from typing import Any

import pulumi
import pytest

from infra.program import main
from infra.settings import SettingsError, from_stack_file, read_stack_file, stack_file, validate
from infra.settings.loading import namespace_values
from tests.pulumi_mocks import RecordingMocks, run_program


def staging_values() -> dict[str, Any]:
    return copy.deepcopy(namespace_values(read_stack_file(stack_file("staging"))))


def problems(values: dict[str, Any]) -> list[str]:
    with pytest.raises(SettingsError) as caught:
        validate(values)
    return caught.value.problems


def test_committed_stack_files_load() -> None:
    staging = from_stack_file("staging")
    production = from_stack_file("production")
    assert (staging.platform, staging.service.name, staging.release.live) == ("docker", "shipyard-demo", "blue")
    assert staging.docker_settings.live_port == 8080 and staging.docker_settings.test_port == 8081
    assert staging.service.image.build_context == "app"
    assert (production.platform, production.aws_settings.region) == ("aws", "eu-west-1")
    assert production.aws_settings.network.az_count == 3
    assert production.aws_settings.database.deletion_protection is True
    assert production.release.idle == "green"


def test_bad_literal_names_key_allowed_values_and_input() -> None:
    values = staging_values()
    values["release"]["live"] = "purple"
    assert problems(values) == ["release.live: must be 'blue' or 'green', got 'purple'"]


def test_unknown_top_level_key_names_closest_valid_key() -> None:
    values = staging_values()
    values["relase"] = {"live": "blue"}
    assert problems(values) == ["shipyard:relase: unknown key 'relase'; did you mean 'release'?"]


def test_unknown_nested_key_names_closest_valid_key() -> None:
    values = staging_values()
    values["gates"]["helth_path"] = "/healthz"
    values["docker"]["live_prot"] = 80
    assert problems(values) == [
        "gates.helth_path: unknown key 'helth_path'; did you mean 'health_path'?",
        "docker.live_prot: unknown key 'live_prot'; did you mean 'live_port'?",
    ]


def test_unknown_key_far_from_any_lists_valid_keys() -> None:
    values = staging_values()
    values["standby"]["zzz"] = 1
    assert problems(values) == ["standby.zzz: unknown key 'zzz'; valid keys here: keep_minutes, mode"]


def test_cross_field_rules_name_the_key_and_the_fix() -> None:
    values = staging_values()
    values["docker"]["test_port"] = 8080
    values["gates"]["deadline_seconds"] = 1
    found = problems(values)
    assert "docker.test_port: 8080 is already used by live_port; pick a free port" in found
    assert any(p.startswith("gates.deadline_seconds: 1 s cannot fit consecutive_passes (3)") for p in found)


def test_platform_sections_must_match_platform() -> None:
    values = staging_values()
    values["aws"] = {"region": "eu-west-1"}
    assert problems(values) == [
        "aws: set, but platform is 'docker'; remove the aws section or change platform"
    ]


def test_secret_like_plain_env_is_refused() -> None:
    values = staging_values()
    values["service"]["env"]["API_TOKEN"] = "abc"
    (found,) = problems(values)
    assert found.startswith("service.env.API_TOKEN: looks like a secret")


def test_bad_tag_and_history_mismatch() -> None:
    values = staging_values()
    values["release"]["green"]["tag"] = "-bad tag"
    (found,) = problems(values)
    assert found.startswith("release.green.tag: must be an image tag")
    values = staging_values()
    values["release"]["history"] = [{"tag": "1.0.0", "color": "green", "promoted_at": "2026-11-01T10:00:00Z"}]
    assert problems(values) == [
        "release.history: the last entry says 'green' is live but release.live is 'blue'; "
        "fix release.live or the last history entry"
    ]


def test_retained_tags_newest_first_without_repeats() -> None:
    values = staging_values()
    values["release"]["retain"] = 2
    values["release"]["live"] = "green"
    values["release"]["history"] = [
        {"tag": "1.0.0", "color": "blue", "promoted_at": "2026-11-01T10:00:00Z"},
        {"tag": "1.1.0", "color": "green", "promoted_at": "2026-11-02T10:00:00Z"},
        {"tag": "1.0.0", "color": "blue", "promoted_at": "2026-11-03T10:00:00Z", "kind": "rollback"},
        {"tag": "1.2.0", "color": "green", "promoted_at": "2026-11-04T10:00:00Z"},
    ]
    assert validate(values).release.retained_tags() == ["1.2.0", "1.0.0"]


class CountingMocks(RecordingMocks):
    def __init__(self) -> None:
        super().__init__()
        self.created: list[str] = []

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str | None, dict[str, Any]]:
        self.created.append(args.name)
        return super().new_resource(args)


@pytest.mark.parametrize("stack", ["staging", "production"])
def test_bad_value_stops_the_program_before_any_resource(stack: str) -> None:
    config = read_stack_file(stack_file(stack))
    config["shipyard:release"] = {**config["shipyard:release"], "live": "purple"}
    config["shipyard:gates"] = {**config["shipyard:gates"], "helth_path": "/x"}
    mocks = CountingMocks()
    with pytest.raises(SettingsError) as caught:
        run_program(main, config, stack=stack, mocks=mocks)
    assert caught.value.problems == [
        "release.live: must be 'blue' or 'green', got 'purple'",
        "gates.helth_path: unknown key 'helth_path'; did you mean 'health_path'?",
    ]
    assert mocks.created == []
