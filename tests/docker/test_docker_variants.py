"""Settings that change the stack's shape: a remote engine, pulled images, monitoring or backups off."""

from __future__ import annotations

import copy

from tests.docker.rendering import CONTAINER, PREFIX, REMOTE_IMAGE, plain_inputs, render, staging_config, variant

P = PREFIX


def test_a_remote_engine_gets_its_own_provider_and_urls() -> None:
    recording = render(variant(docker={"host": "ssh://deploy@staging.example.com"}))
    provider = recording.named(f"{P}-docker")
    assert provider.type == "pulumi:providers:docker"
    assert provider.input("host") == "ssh://deploy@staging.example.com"
    assert recording.outputs["live_url"] == "http://staging.example.com:8080"
    assert recording.outputs["test_url"] == "http://staging.example.com:8081"
    assert plain_inputs(recording, f"{P}-router-switch")["docker_host"] == "ssh://deploy@staging.example.com"


def test_the_local_engine_uses_the_default_provider() -> None:
    recording = render()
    assert not [r for r in recording.registrations if r.type == "pulumi:providers:docker"]
    assert "docker_host" not in plain_inputs(recording, f"{P}-router-switch")


def test_without_a_build_context_each_color_pulls_its_tag() -> None:
    config = variant(service={"image": {"repository": "ghcr.io/acme/orders"}})
    config["shipyard:release"] = {**config["shipyard:release"], "green": {"tag": "2.0.0"}}
    recording = render(config)
    assert sorted(r.name for r in recording.of_type(REMOTE_IMAGE)) == [f"{P}-image-blue", f"{P}-image-green"]
    assert not recording.of_type("docker:index/image:Image")
    assert plain_inputs(recording, f"{P}-image-green") == {"name": "ghcr.io/acme/orders:2.0.0", "keepLocally": True}
    assert recording.named(f"{P}-api-green").input("image") == "sha256:ghcr.io/acme/orders:2.0.0"
    assert recording.named(f"{P}-worker-blue").input("image") == "sha256:ghcr.io/acme/orders:1.0.0"


def test_monitoring_off_drops_prometheus_grafana_and_their_urls() -> None:
    recording = render(variant(monitoring={"enabled": False}))
    names = {r.name for r in recording.of_type(CONTAINER)}
    assert f"{P}-prometheus" not in names and f"{P}-grafana" not in names
    assert not recording.of_type("shipyard:docker/monitoring:Monitoring")
    assert {"grafana_url", "prometheus_url", "grafana_admin_password"}.isdisjoint(recording.outputs)


def test_backups_off_drops_the_backup_and_mirror_containers_only() -> None:
    base = {r.name for r in render().of_type(CONTAINER)}
    without = {r.name for r in render(variant(backup={"enabled": False})).of_type(CONTAINER)}
    assert base - without == {f"{P}-backup", f"{P}-backup-mirror"}


def test_backup_schedule_reaches_only_the_backup_container() -> None:
    base = render()
    changed = render(variant(backup={"interval_seconds": 3600, "keep": 3}))
    old, new = base.by_urn(), changed.by_urn()
    differing = {new[u].name for u in new if base.digest(old[u]) != changed.digest(new[u])}
    assert differing == {f"{P}-backup"}


def test_committed_config_is_not_mutated_by_variants() -> None:
    before = copy.deepcopy(staging_config())
    variant(release={"live": "green"})
    assert staging_config() == before
