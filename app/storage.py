"""Object storage (S3 on AWS, MinIO on docker) through boto3."""

from __future__ import annotations

import logging
import threading
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from app.config import Settings

log = logging.getLogger("app.storage")


def s3_client(settings: Settings, timeout_seconds: float = 1.0) -> Any:
    """A client with short timeouts and no retries: readiness must answer fast, callers retry themselves."""
    config = Config(
        connect_timeout=timeout_seconds,
        read_timeout=timeout_seconds,
        retries={"max_attempts": 1, "mode": "standard"},
        region_name=settings.s3_region,
    )
    kwargs: dict[str, Any] = {"config": config, "region_name": settings.s3_region}
    if settings.s3_endpoint_url:
        kwargs["endpoint_url"] = settings.s3_endpoint_url
    if settings.s3_access_key_id and settings.s3_secret_access_key:
        kwargs["aws_access_key_id"] = settings.s3_access_key_id
        kwargs["aws_secret_access_key"] = settings.s3_secret_access_key
    return boto3.session.Session().client("s3", **kwargs)


def check_bucket(client: Any, bucket: str) -> None:
    """Raise if the bucket is missing or storage is unreachable."""
    client.head_bucket(Bucket=bucket)


def ensure_bucket(client: Any, bucket: str, region: str) -> bool:
    """Create the bucket if it is missing; True once it exists."""
    try:
        client.head_bucket(Bucket=bucket)
        return True
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code not in ("404", "NoSuchBucket", "NotFound"):
            raise
    kwargs: dict[str, Any] = {"Bucket": bucket}
    if region != "us-east-1":
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        client.create_bucket(**kwargs)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code not in ("BucketAlreadyOwnedByYou", "BucketAlreadyExists"):
            raise
    log.info("created bucket %s", bucket)
    return True


def ensure_bucket_until_done(
    settings: Settings, stop: threading.Event, retry_seconds: float = 1.0
) -> None:
    """Background loop for S3_ENSURE_BUCKET: keep trying while storage is down, stop once the bucket exists."""
    client = s3_client(settings, timeout_seconds=2.0)
    while not stop.is_set():
        try:
            if ensure_bucket(client, settings.s3_bucket, settings.s3_region):
                return
        except (BotoCoreError, ClientError) as exc:
            log.warning("cannot ensure bucket %s yet: %s", settings.s3_bucket, exc)
        stop.wait(retry_seconds)
