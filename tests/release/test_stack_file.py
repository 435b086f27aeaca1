from __future__ import annotations

from pathlib import Path

import pytest

from infra.settings import ReleaseSettings, SettingsError, from_stack_file
from release.stack_file import StackFile
from release.transitions import with_color_tag, with_live
from tests.release.stack_fixtures import make_project


def test_round_trip_keeps_comments_and_other_keys(tmp_path: Path) -> None:
    project, stack, service = make_project(tmp_path)
    path = project / f"Pulumi.{stack}.yaml"
    before = path.read_text()
    file = StackFile(project, stack)
    release = with_color_tag(file.settings().release, "green", "1.1")
    file.write_release(with_live(release, "green", "promote"))
    text = path.read_text()
    assert "# A release test stack. This comment must survive" in text
    assert "# release state: written by the release commands" in text
    assert "# the first tag" in text
    assert before.split("shipyard:gates:")[1] == text.split("shipyard:gates:")[1]
    settings = from_stack_file(stack, project)
    assert settings.release.live == "green"
    assert settings.release.tag_of("green") == "1.1"  # stays text, not the float 1.1
    assert [(e.tag, e.color) for e in settings.release.history] == [("1.0.0", "blue"), ("1.1", "green")]
    assert settings.service.name == service


def test_invalid_release_is_refused_and_nothing_written(tmp_path: Path) -> None:
    project, stack, _ = make_project(tmp_path)
    path = project / f"Pulumi.{stack}.yaml"
    before = path.read_text()
    file = StackFile(project, stack)
    bad = ReleaseSettings.model_construct(live="green", blue=file.settings().release.blue,
                                          green=file.settings().release.green, history=[], retain=1)
    with pytest.raises(SettingsError, match="retain"):
        file.write_release(bad)
    assert path.read_text() == before
    assert not [p for p in project.iterdir() if p.name.endswith(".tmp")]


def test_missing_stack_file_names_it(tmp_path: Path) -> None:
    with pytest.raises(SettingsError, match="Pulumi.nope.yaml"):
        StackFile(tmp_path, "nope").settings()
