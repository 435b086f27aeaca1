"""The VPC: public subnets for the ALB and NAT gateways, private subnets for tasks, RDS and ElastiCache."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

from components.aws.plan import nat_gateway_count, subnet_layout


@dataclass(frozen=True)
class NetworkArgs:
    cidr: str
    zones: list[str]
    nat: Literal["single", "per_az"]
    tags: dict[str, str]


class Network(pulumi.ComponentResource):
    vpc: aws.ec2.Vpc
    public_subnet_ids: list[pulumi.Output[str]]
    private_subnet_ids: list[pulumi.Output[str]]

    def __init__(self, name: str, args: NetworkArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("shipyard:aws/network:Network", name, None, opts)
        layout = subnet_layout(args.cidr, args.zones)
        child = pulumi.ResourceOptions(parent=self)

        def tags(part: str) -> dict[str, str]:
            return {**args.tags, "Name": f"{name}-{part}"}

        self.vpc = aws.ec2.Vpc(
            f"{name}-vpc",
            cidr_block=args.cidr,
            enable_dns_hostnames=True,
            enable_dns_support=True,
            tags=tags("vpc"),
            opts=child,
        )
        gateway = aws.ec2.InternetGateway(f"{name}-igw", vpc_id=self.vpc.id, tags=tags("igw"), opts=child)
        public_routes = aws.ec2.RouteTable(
            f"{name}-public-rt",
            vpc_id=self.vpc.id,
            routes=[{"cidr_block": "0.0.0.0/0", "gateway_id": gateway.id}],
            tags=tags("public-rt"),
            opts=child,
        )
        public: list[aws.ec2.Subnet] = []
        private: list[aws.ec2.Subnet] = []
        for pair in layout:
            zone = pair.availability_zone
            subnet = aws.ec2.Subnet(
                f"{name}-public-{zone}",
                vpc_id=self.vpc.id,
                cidr_block=pair.public_cidr,
                availability_zone=zone,
                map_public_ip_on_launch=False,
                tags=tags(f"public-{zone}"),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-public-{zone}", subnet_id=subnet.id, route_table_id=public_routes.id, opts=child
            )
            public.append(subnet)
            private.append(
                aws.ec2.Subnet(
                    f"{name}-private-{zone}",
                    vpc_id=self.vpc.id,
                    cidr_block=pair.private_cidr,
                    availability_zone=zone,
                    tags=tags(f"private-{zone}"),
                    opts=child,
                )
            )

        nats: list[aws.ec2.NatGateway] = []
        for index in range(nat_gateway_count(args.nat, len(layout))):
            zone = layout[index].availability_zone
            address = aws.ec2.Eip(f"{name}-nat-{zone}", domain="vpc", tags=tags(f"nat-{zone}"), opts=child)
            nats.append(
                aws.ec2.NatGateway(
                    f"{name}-nat-{zone}",
                    allocation_id=address.allocation_id,
                    subnet_id=public[index].id,
                    tags=tags(f"nat-{zone}"),
                    opts=pulumi.ResourceOptions(parent=self, depends_on=[gateway]),
                )
            )
        for index, subnet in enumerate(private):
            zone = layout[index].availability_zone
            nat = nats[index if len(nats) > 1 else 0]
            table = aws.ec2.RouteTable(
                f"{name}-private-rt-{zone}",
                vpc_id=self.vpc.id,
                routes=[{"cidr_block": "0.0.0.0/0", "nat_gateway_id": nat.id}],
                tags=tags(f"private-rt-{zone}"),
                opts=child,
            )
            aws.ec2.RouteTableAssociation(
                f"{name}-private-{zone}", subnet_id=subnet.id, route_table_id=table.id, opts=child
            )

        self.public_subnet_ids = [s.id for s in public]
        self.private_subnet_ids = [s.id for s in private]
        self.register_outputs(
            {"vpc_id": self.vpc.id, "public_subnet_ids": self.public_subnet_ids,
             "private_subnet_ids": self.private_subnet_ids}
        )
