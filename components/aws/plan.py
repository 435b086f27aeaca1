"""Pure decisions of the aws platform: subnet layout, Fargate sizes, listener weights, task counts per color.

No Pulumi here, so every rule is tested with plain pytest (and hypothesis for the subnet layout).
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

Color = Literal["blue", "green"]
Role = Literal["api", "worker"]
COLORS: tuple[Color, Color] = ("blue", "green")
ROLES: tuple[Role, Role] = ("api", "worker")

# Each subnet is a /(vpc prefix + 4): up to 8 AZs of public + private subnets fit in the VPC CIDR.
SUBNET_BITS = 4

# Fargate task sizes: cpu units -> allowed memory (MiB).
FARGATE_MEMORY: dict[int, tuple[int, ...]] = {
    256: (512, 1024, 2048),
    512: tuple(range(1024, 4097, 1024)),
    1024: tuple(range(2048, 8193, 1024)),
    2048: tuple(range(4096, 16385, 1024)),
    4096: tuple(range(8192, 30721, 1024)),
    8192: tuple(range(16384, 61441, 4096)),
    16384: tuple(range(32768, 122881, 8192)),
}


@dataclass(frozen=True)
class SubnetPair:
    availability_zone: str
    public_cidr: str
    private_cidr: str


def subnet_layout(vpc_cidr: str, zones: list[str]) -> list[SubnetPair]:
    """Public subnets take the first blocks of the VPC, private ones the blocks after the last possible public one."""
    network = ipaddress.ip_network(vpc_cidr)
    half = 2 ** (SUBNET_BITS - 1)
    if not zones:
        raise ValueError("network: at least one availability zone is needed")
    if len(zones) > half:
        raise ValueError(f"network.az_count: at most {half} zones fit the subnet layout, got {len(zones)}")
    blocks = list(network.subnets(prefixlen_diff=SUBNET_BITS))
    return [
        SubnetPair(zone, str(blocks[index]), str(blocks[half + index])) for index, zone in enumerate(zones)
    ]


def nat_gateway_count(mode: Literal["single", "per_az"], az_count: int) -> int:
    return az_count if mode == "per_az" else 1


def check_fargate_size(role: str, cpu: int, memory_mb: int) -> None:
    """Raise ValueError naming service.<role>.cpu / memory_mb when Fargate cannot run that pair."""
    if cpu not in FARGATE_MEMORY:
        allowed = ", ".join(str(c) for c in FARGATE_MEMORY)
        raise ValueError(f"service.{role}.cpu: Fargate runs cpu units {allowed}; got {cpu}")
    choices = FARGATE_MEMORY[cpu]
    if memory_mb not in choices:
        raise ValueError(
            f"service.{role}.cpu / memory_mb: Fargate does not run cpu={cpu} with memory_mb={memory_mb}; "
            f"with cpu {cpu} use memory_mb from {choices[0]} to {choices[-1]} in steps of "
            f"{choices[1] - choices[0]}"
        )


def listener_weights(target: Color) -> dict[Color, int]:
    """Forward weights of a listener whose traffic goes to `target`; both groups stay in the action."""
    return {color: (100 if color == target else 0) for color in COLORS}


def other(color: Color) -> Color:
    return "green" if color == "blue" else "blue"


@dataclass(frozen=True)
class ColorCounts:
    desired: int
    autoscaled: bool


def color_counts(
    standby: Literal["warm", "cold"],
    live: Color,
    role: Role,
    color: Color,
    desired_count: int,
) -> ColorCounts:
    """Desired tasks of one role on one color.

    Warm standby treats both colors alike (the idle one runs the live count, api autoscaling on both), so a
    flip changes no count and no scaling target: it is only the listener and the live-color parameter. The
    idle api takes no traffic, so its CPU stays low and autoscaling holds it at the minimum (the live count).
    Idle workers poll the live-color parameter and take no jobs. Cold standby runs the idle color at zero.
    """
    if standby == "cold" and color != live:
        return ColorCounts(desired=0, autoscaled=False)
    return ColorCounts(desired=desired_count, autoscaled=role == "api")
