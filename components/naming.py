"""Names, labels and paths shared by the components, the release engine and the sample service.

Pure functions: one place decides what a thing is called, so the program and the release commands agree.
"""

from __future__ import annotations

from typing import Literal

Role = Literal["api", "worker"]
ROLES: tuple[Role, Role] = ("api", "worker")

LABEL_STACK = "shipyard.stack"
LABEL_SERVICE = "shipyard.service"
LABEL_ROLE = "shipyard.role"
LABEL_COLOR = "shipyard.color"
LABEL_TAG = "shipyard.tag"

# The router's color map: one line per entry ("live blue", "test green"). HAProxy picks a backend per request
# from it, the runtime API changes it in place, and workers read it to know whether their color is live.
ROUTER_MAP_DIR = "/usr/local/etc/haproxy/maps"
ROUTER_MAP_FILE = "colors.map"
ROUTER_CONFIG_PATH = "/usr/local/etc/haproxy/haproxy.cfg"
ROUTER_RUNTIME_API = ("127.0.0.1", 9999)
ROUTER_STATS_PORT = 8404
# Where workers mount the router's map volume (read-only) to learn the live color.
WORKER_LIVE_MAP = f"/run/shipyard/{ROUTER_MAP_FILE}"
SECRETS_DIR = "/run/secrets"


def prefix(service: str, stack: str) -> str:
    """Every Docker object of a stack starts with this, so two stacks can share a host."""
    return f"{service}-{stack}"


def shared_name(service: str, stack: str, part: str) -> str:
    """router, postgres, redis, minio, prometheus, grafana, backup, net, pgdata, ..."""
    return f"{prefix(service, stack)}-{part}"


def color_name(service: str, stack: str, role: Role, color: str) -> str:
    return f"{prefix(service, stack)}-{role}-{color}"


def image_ref(repository: str, tag: str) -> str:
    return f"{repository}:{tag}"


def color_labels(service: str, stack: str, role: Role, color: str, tag: str) -> dict[str, str]:
    return {
        LABEL_STACK: stack,
        LABEL_SERVICE: service,
        LABEL_ROLE: role,
        LABEL_COLOR: color,
        LABEL_TAG: tag,
    }


def render_color_map(live: str) -> str:
    """The router's map file for a given live color; the other color takes the test entry."""
    test = "green" if live == "blue" else "blue"
    return f"live {live}\ntest {test}\n"


def parse_color_map(text: str) -> dict[str, str]:
    entries: dict[str, str] = {}
    for line in text.splitlines():
        parts = line.split()
        if len(parts) == 2 and not parts[0].startswith("#"):
            entries[parts[0]] = parts[1]
    return entries


# Logical Pulumi resource names (the release commands target these with `pulumi up --target`).
def color_image_resource(service: str, stack: str, color: str) -> str:
    return f"{prefix(service, stack)}-image-{color}"


def color_resources(service: str, stack: str, color: str) -> list[str]:
    """What a deploy to `color` updates: that color's image and its api and worker containers."""
    return [
        color_image_resource(service, stack, color),
        color_name(service, stack, "api", color),
        color_name(service, stack, "worker", color),
    ]


def router_switch_resource(service: str, stack: str) -> str:
    """The resource whose update points the router's live entry at release.live (the flip)."""
    return f"{prefix(service, stack)}-router-switch"
