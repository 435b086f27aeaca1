"""Which resources a release setting change touches: a flip only the switch, a deploy only the idle color."""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_docker
import pytest

from tests.docker.rendering import PREFIX, render, staging_config, variant
from tests.pulumi_mocks import Recording

P = PREFIX
DATA = {f"{P}-{n}" for n in ("postgres", "redis", "minio", "backup", "backup-mirror", "pgdata", "backups",
                            "redisdata", "miniodata", "prometheus-data", "grafana-data", "router-maps", "router")}


def changed(before: Recording, after: Recording) -> set[str]:
    """Names of resources added, removed, or with different inputs (by URN)."""
    old, new = before.by_urn(), after.by_urn()
    names = {old[u].name for u in old.keys() - new.keys()} | {new[u].name for u in new.keys() - old.keys()}
    for urn in old.keys() & new.keys():
        if before.digest(old[urn]) != after.digest(new[urn]):
            names.add(new[urn].name)
    return names


def release(**changes: Any) -> dict[str, Any]:
    return variant(release=changes)


def test_rendering_twice_changes_nothing() -> None:
    assert changed(render(), render()) == set()


def test_flipping_live_changes_only_the_router_switch() -> None:
    assert staging_config()["shipyard:release"]["live"] == "blue"
    assert changed(render(), render(release(live="green"))) == {f"{P}-router-switch"}


def test_deploying_to_the_idle_color_changes_only_that_color() -> None:
    after = render(release(green={"tag": "1.1.0"}))
    assert changed(render(), after) == {f"{P}-image-green", f"{P}-api-green", f"{P}-worker-green"}
    assert after.named(f"{P}-image-green").input("imageName") == "shipyard-demo:1.1.0"
    assert "APP_VERSION=1.1.0" in after.named(f"{P}-api-green").input("envs")


def test_deploy_then_flip_keeps_the_same_boundaries() -> None:
    deployed = render(release(green={"tag": "1.1.0"}))
    flipped = render(release(green={"tag": "1.1.0"}, live="green"))
    assert changed(deployed, flipped) == {f"{P}-router-switch"}
    rolled_back = render(release(green={"tag": "1.1.0"}, live="blue", blue={"tag": "0.9.0"}))
    assert changed(deployed, rolled_back) == {f"{P}-image-blue", f"{P}-api-blue", f"{P}-worker-blue"}


def test_no_release_setting_reaches_data_stores_or_the_router() -> None:
    base = render()
    variants = [
        release(live="green"),
        release(blue={"tag": "2.0.0"}),
        release(green={"tag": "2.0.0"}),
        release(retain=3),
        release(history=[{"tag": "1.0.0", "color": "blue", "promoted_at": "2026-01-01T00:00:00Z"}]),
    ]
    for config in variants:
        assert not (changed(base, render(config)) & DATA), config["shipyard:release"]


def test_data_volumes_survive_a_destroy(monkeypatch: pytest.MonkeyPatch) -> None:
    # retain_on_delete is not part of the mock monitor's record, so catch the options on the way in.
    seen: dict[str, bool | None] = {}
    original = pulumi_docker.Volume

    def recording_volume(resource_name: str, opts: pulumi.ResourceOptions | None = None, **kwargs: Any) -> Any:
        seen[resource_name] = opts.retain_on_delete if opts else None
        return original(resource_name, opts=opts, **kwargs)

    monkeypatch.setattr(pulumi_docker, "Volume", recording_volume)
    render()
    expected = ("pgdata", "backups", "redisdata", "miniodata", "prometheus-data", "grafana-data", "router-maps")
    assert seen == {f"{P}-{n}": True for n in expected}
