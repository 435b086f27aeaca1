"""The stack's network and its named volumes: everything that holds data and must outlive its containers."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_docker as docker

from components.naming import LABEL_SERVICE, LABEL_STACK, shared_name

# Logical volume -> the suffix of its Docker name. Data volumes survive `pulumi destroy` (retain_on_delete): a
# staging database is cheap to keep and expensive to lose; `docker volume rm` is the deliberate way out.
VOLUMES = {
    "pgdata": "pgdata",
    "backups": "backups",
    "redisdata": "redisdata",
    "miniodata": "miniodata",
    "prometheus_data": "prometheus-data",
    "grafana_data": "grafana-data",
    "router_maps": "router-maps",
}


@dataclass(frozen=True)
class StackNetworkArgs:
    service: str
    stack: str


class StackNetwork(pulumi.ComponentResource):
    network: docker.Network
    volumes: dict[str, docker.Volume]

    def __init__(self, name: str, args: StackNetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:docker/network:StackNetwork", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        net_name = shared_name(args.service, args.stack, "net")
        self.network = docker.Network(
            net_name,
            name=net_name,
            driver="bridge",
            labels=[
                docker.NetworkLabelArgs(label=LABEL_SERVICE, value=args.service),
                docker.NetworkLabelArgs(label=LABEL_STACK, value=args.stack),
            ],
            opts=child,
        )
        self.volumes = {}
        for key, suffix in VOLUMES.items():
            volume_name = shared_name(args.service, args.stack, suffix)
            self.volumes[key] = docker.Volume(
                volume_name,
                name=volume_name,
                labels=[
                    docker.VolumeLabelArgs(label=LABEL_SERVICE, value=args.service),
                    docker.VolumeLabelArgs(label=LABEL_STACK, value=args.stack),
                ],
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )
        self.register_outputs(
            {"network": self.network.name, "volumes": {k: v.name for k, v in self.volumes.items()}}
        )

    def volume_name(self, key: str) -> pulumi.Output[str]:
        return self.volumes[key].name
