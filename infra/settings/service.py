"""The service being deployed: its image, its two roles (api, worker) and what they need."""

from __future__ import annotations

from pydantic import Field, model_validator

from infra.settings.base import StrictModel

DNS_LABEL = r"^[a-z][a-z0-9-]{0,30}[a-z0-9]$"
ENV_NAME = r"^[A-Z_][A-Z0-9_]*$"
# Names that look like they carry a secret must never be plain environment values.
SECRET_LIKE = ("PASSWORD", "SECRET", "TOKEN", "KEY", "CREDENTIAL")


class ImageSettings(StrictModel):
    # e.g. "ghcr.io/acme/orders-api" or "123456789012.dkr.ecr.eu-west-1.amazonaws.com/orders-api".
    # Empty on the aws platform means: use the ECR repository this stack creates.
    repository: str = Field(default="", pattern=r"^[a-z0-9][a-z0-9._/:-]*$|^$")
    # Docker platform only: build the image from this directory (relative to the project) for every tag
    # instead of pulling it. The embedded default builds the sample service in app/.
    build_context: str | None = None


class RoleSettings(StrictModel):
    command: list[str] | None = None
    port: int = Field(default=8000, ge=1, le=65535)
    cpu: int = Field(default=256, ge=128, le=16384, description="CPU units (1024 = one vCPU)")
    memory_mb: int = Field(default=512, ge=64, le=122880)
    # Live color task count on aws; containers per color on docker are always one.
    desired_count: int = Field(default=2, ge=1, le=100)
    max_count: int = Field(default=6, ge=1, le=100)

    @model_validator(mode="after")
    def _counts(self) -> RoleSettings:
        if self.max_count < self.desired_count:
            raise ValueError(
                f"max_count: {self.max_count} is below desired_count {self.desired_count}; "
                f"raise max_count or lower desired_count"
            )
        return self


class ServiceSettings(StrictModel):
    name: str = Field(pattern=DNS_LABEL, description="lowercase letters, digits and '-', 2 to 32 characters")
    image: ImageSettings = Field(default_factory=ImageSettings)
    api: RoleSettings = Field(default_factory=RoleSettings)
    worker: RoleSettings = Field(
        default_factory=lambda: RoleSettings(command=["python", "-m", "app.worker"], desired_count=1, max_count=4)
    )
    # Plain, non-secret environment for both roles. Secrets come from the platform's secret store as files.
    env: dict[str, str] = Field(default_factory=dict)
    bucket: str = Field(default="app-data", pattern=r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
    database: str = Field(default="app", pattern=r"^[a-z_][a-z0-9_]{0,62}$")

    @model_validator(mode="after")
    def _env_names(self) -> ServiceSettings:
        import re

        for key in self.env:
            if not re.match(ENV_NAME, key):
                raise ValueError(f"env.{key}: must be an UPPER_SNAKE_CASE variable name")
            if any(word in key for word in SECRET_LIKE):
                raise ValueError(
                    f"env.{key}: looks like a secret; plain env values are visible in `docker inspect` and "
                    f"task definitions. Let the stack generate it, or keep it in the secret store"
                )
        return self
