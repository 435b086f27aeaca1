"""The whole stack configuration: one typed model of everything under the project's config namespace."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from infra.settings.base import StrictModel
from infra.settings.monitoring import BackupSettings, MonitoringSettings
from infra.settings.platforms import AwsPlatformSettings, DockerPlatformSettings
from infra.settings.release import GateSettings, ReleaseSettings, StandbySettings
from infra.settings.service import ServiceSettings

NAMESPACE = "shipyard"


class StackSettings(StrictModel):
    platform: Literal["docker", "aws"]
    service: ServiceSettings
    release: ReleaseSettings
    gates: GateSettings = Field(default_factory=GateSettings)
    standby: StandbySettings = Field(default_factory=StandbySettings)
    monitoring: MonitoringSettings = Field(default_factory=MonitoringSettings)
    backup: BackupSettings = Field(default_factory=BackupSettings)
    docker: DockerPlatformSettings | None = None
    aws: AwsPlatformSettings | None = None

    @model_validator(mode="after")
    def _platform_section(self) -> StackSettings:
        if self.platform == "aws" and self.aws is None:
            raise ValueError("aws: required when platform is 'aws' (at least aws.region)")
        other = "aws" if self.platform == "docker" else "docker"
        if getattr(self, other) is not None:
            raise ValueError(
                f"{other}: set, but platform is {self.platform!r}; remove the {other} section or change platform"
            )
        if self.platform == "aws" and self.service.image.build_context:
            raise ValueError("service.image.build_context: only the docker platform builds images; push to ECR")
        return self

    @property
    def docker_settings(self) -> DockerPlatformSettings:
        return self.docker or DockerPlatformSettings()

    @property
    def aws_settings(self) -> AwsPlatformSettings:
        if self.aws is None:
            raise ValueError("aws settings are only present when platform is 'aws'")
        return self.aws
