"""The Redis job queue's key layout and the job payload, shared by the API (producer) and the worker."""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import asdict, dataclass
from typing import Any

from app.config import Settings

PENDING = "jobs:pending"
DEAD = "jobs:dead"
PROCESSING_PREFIX = "jobs:processing:"
HEARTBEAT_PREFIX = "workers:heartbeat:"
MAX_ATTEMPTS = 5


def redis_options(settings: Settings, timeout: float) -> dict[str, Any]:
    """Connection settings shared by the API's async client and the worker's sync client."""
    return {
        "host": settings.redis_host,
        "port": settings.redis_port,
        "password": settings.redis_password,
        "ssl": settings.redis_tls,
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "decode_responses": True,
    }


def processing_key(worker_id: str) -> str:
    return f"{PROCESSING_PREFIX}{worker_id}"


def heartbeat_key(worker_id: str) -> str:
    return f"{HEARTBEAT_PREFIX}{worker_id}"


def new_job_id() -> str:
    return uuid.uuid4().hex


@dataclass(frozen=True)
class Job:
    job_id: str
    item_id: int
    name: str
    attempts: int = 0

    def encode(self) -> str:
        return json.dumps(asdict(self), separators=(",", ":"), sort_keys=True)

    @classmethod
    def decode(cls, raw: str | bytes) -> Job:
        data = json.loads(raw)
        return cls(
            job_id=str(data["job_id"]),
            item_id=int(data["item_id"]),
            name=str(data["name"]),
            attempts=int(data.get("attempts", 0)),
        )


def compute_result(name: str) -> dict[str, Any]:
    """What the worker computes for an item: deterministic, so a re-delivered job computes the same thing."""
    return {
        "upper": name.upper(),
        "length": len(name),
        "sha256": hashlib.sha256(name.encode("utf-8")).hexdigest(),
    }
