"""Live-color sources: the router's map file and the SSM parameter (moto's server, real HTTP, cached)."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import boto3

from app.live_color import AlwaysLive, FileSource, SsmSource, is_active
from tests.app.conftest import S3_KEY_ID, S3_SECRET


def test_file_source(tmp_path: Path) -> None:
    path = tmp_path / "colors.map"
    source = FileSource(str(path))
    assert source.live_color() is None and not is_active(source, "blue")
    path.write_text("# router map\nlive green\ntest blue\n")
    assert is_active(source, "green") and not is_active(source, "blue")
    path.write_text("garbage")
    assert source.live_color() is None


def test_ssm_source_is_cached(s3_server: str) -> None:
    def client() -> Any:
        return boto3.client("ssm", endpoint_url=s3_server, region_name="us-east-1",
                            aws_access_key_id=S3_KEY_ID, aws_secret_access_key=S3_SECRET)

    ssm = client()
    ssm.put_parameter(Name="/shipyard/test/live-color", Value="blue", Type="String", Overwrite=True)
    source = SsmSource("/shipyard/test/live-color", "us-east-1", client_factory=client, cache_seconds=0.5)
    assert is_active(source, "blue")
    ssm.put_parameter(Name="/shipyard/test/live-color", Value="green", Type="String", Overwrite=True)
    assert is_active(source, "blue"), "cached"
    time.sleep(0.6)
    assert is_active(source, "green")
    missing = SsmSource("/shipyard/test/missing", "us-east-1", client_factory=client)
    assert missing.live_color() is None


def test_no_source_is_always_active() -> None:
    assert is_active(AlwaysLive("green"), "green")


def test_ssm_cache_defaults_to_about_two_seconds() -> None:
    assert SsmSource("/p", "us-east-1").cache_seconds == 2.0
