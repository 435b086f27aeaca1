from __future__ import annotations

from pathlib import Path

import pytest

from release.engine import EngineError, apply, load_engine
from release.pulumi_engine import PulumiEngine, urns_for

DEPLOYMENT = {
    "resources": [
        {"urn": "urn:pulumi:staging::shipyard::pulumi:pulumi:Stack::shipyard-staging"},
        {"urn": "urn:pulumi:staging::shipyard::shipyard:docker/app_color:AppColor$docker:index/container:"
                "Container::demo-staging-api-green"},
        {"urn": "urn:pulumi:staging::shipyard::shipyard:docker/app_color:AppColor$docker:index/remoteImage:"
                "RemoteImage::demo-staging-image-green"},
        {"urn": "urn:pulumi:staging::shipyard::shipyard:docker/router:Router$pulumi-python:dynamic:Resource::"
                "demo-staging-router-switch"},
    ]
}


def test_logical_names_map_to_urns() -> None:
    urns = urns_for(DEPLOYMENT, ["demo-staging-image-green", "demo-staging-api-green"])
    assert urns is not None and [u.rsplit("::", 1)[1] for u in urns] == ["demo-staging-image-green",
                                                                          "demo-staging-api-green"]
    assert urns_for(DEPLOYMENT, ["demo-staging-router-switch"]) == [DEPLOYMENT["resources"][3]["urn"]]


def test_a_name_not_in_state_means_a_full_up() -> None:
    assert urns_for(DEPLOYMENT, ["demo-staging-api-green", "demo-staging-worker-green"]) is None
    assert urns_for({}, ["x"]) is None


class Failing:
    def __init__(self, project_dir: Path, stack: str):
        self.args = (project_dir, stack)

    def up(self, targets: object = None) -> None:
        raise RuntimeError("boom")


def test_load_engine_from_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("SHIPYARD_ENGINE", raising=False)
    assert isinstance(load_engine(tmp_path, "s"), PulumiEngine)
    monkeypatch.setenv("SHIPYARD_ENGINE", f"{__name__}:Failing")
    engine = load_engine(tmp_path, "s")
    assert engine.args == (tmp_path, "s")  # type: ignore[attr-defined]
    with pytest.raises(EngineError, match="RuntimeError: boom"):
        apply(engine, ["x"])
    monkeypatch.setenv("SHIPYARD_ENGINE", "nonsense")
    with pytest.raises(EngineError, match="module:Class"):
        load_engine(tmp_path, "s")
