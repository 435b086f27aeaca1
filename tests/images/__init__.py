"""The offline test images: Debian bookworm stand-ins for the staging stack's images, built by
`python -m tests.images.build` (no registry is ever used; an image is reused while its content hash holds).

Tests call `require_images()` first: a missing or out-of-date image is a failure, never a skip.
"""

from __future__ import annotations

APP_REPOSITORY = "shipyard-test/app"
# tag -> APP_FAULT ("" for a good image)
APP_FAULTS: dict[str, str] = {
    "1.0.0": "",
    "1.1.0": "",
    "2.0.0": "",
    "bad-ready": "ready",
    "crash": "crash",
    "flappy": "flappy",
}
APP_TAGS: tuple[str, ...] = tuple(APP_FAULTS)
ROUTER_IMAGE = "shipyard-test/haproxy:2.6"
POSTGRES_IMAGE = "shipyard-test/postgres:15"
REDIS_IMAGE = "shipyard-test/redis:7"
MINIO_IMAGE = "shipyard-test/minio:s3"
BASE_REPOSITORY = "shipyard-test/base"
HASH_LABEL = "shipyard.test.hash"

BUILD_COMMAND = "python -m tests.images.build"


def app_image(tag: str) -> str:
    return f"{APP_REPOSITORY}:{tag}"


ALL_IMAGES: tuple[str, ...] = (
    *(app_image(tag) for tag in APP_TAGS),
    ROUTER_IMAGE,
    POSTGRES_IMAGE,
    REDIS_IMAGE,
    MINIO_IMAGE,
)


def require_images(*images: str, client: object | None = None) -> None:
    """Fail (AssertionError) unless every image (default: all of them) exists with its current content hash."""
    from tests.images import build

    problems = build.missing_images(list(images) or list(ALL_IMAGES), client=client)
    if problems:
        listing = "\n".join(f"  {ref}: {why}" for ref, why in problems.items())
        raise AssertionError(
            f"test image(s) missing or out of date:\n{listing}\n"
            f"run `{BUILD_COMMAND}` from the repository root (or scripts/build_test_images.py)"
        )
