"""Generated secrets reach containers only as secret file uploads: never env, argv, healthchecks or exports."""

from __future__ import annotations

import hashlib
from typing import Any

from infra.settings.service import SECRET_LIKE
from tests.docker.rendering import CONTAINER, PREFIX, render
from tests.pulumi_mocks import Recording, Secret

P = PREFIX


def generated_values(recording: Recording) -> set[str]:
    """The mocks give each random resource `generated-<sha256(type:name)[:16]>`, as a secret."""
    values = set()
    for r in recording.registrations:
        if r.type.startswith("random:"):
            values.add("generated-" + hashlib.sha256(f"{r.type}:{r.name}".encode()).hexdigest()[:16])
    return values


def exposures(value: Any, secrets: set[str], path: str = "", wrapped: bool = False) -> list[tuple[str, bool]]:
    """Every (input path, inside a Secret?) where a generated value appears."""
    if isinstance(value, Secret):
        return exposures(value.value, secrets, path, True)
    if isinstance(value, dict):
        return [hit for k, v in value.items() for hit in exposures(v, secrets, f"{path}.{k}", wrapped)]
    if isinstance(value, list):
        return [hit for i, v in enumerate(value) for hit in exposures(v, secrets, f"{path}[{i}]", wrapped)]
    if isinstance(value, str) and any(s in value for s in secrets):
        return [(path, wrapped)]
    return []


def test_six_generated_secrets() -> None:
    recording = render()
    names = sorted(r.name for r in recording.registrations if r.type == "random:index/randomPassword:RandomPassword")
    assert names == sorted(f"{P}-{n}" for n in ("postgres-password", "redis-password", "minio-root-user",
                                                "minio-root-password", "grafana-admin-password", "app-secret-key"))
    assert len(generated_values(recording)) == 6


def test_generated_values_appear_only_in_secret_uploads() -> None:
    recording = render()
    secrets = generated_values(recording)
    seen_in = set()
    for registration in recording.registrations:
        inputs = {k: v for k, v in registration.inputs.items() if k != "__provider"}
        for path, wrapped in exposures(inputs, secrets):
            assert path.startswith(".uploads["), f"{registration.name}: a secret in {path}"
            assert wrapped, f"{registration.name}: {path} carries a secret but is not a secret input"
            seen_in.add(registration.name)
    # Every consumer got its secrets (by file), including both colors' api and worker.
    assert seen_in == {f"{P}-{n}" for n in ("postgres", "backup", "backup-mirror", "redis", "minio", "grafana",
                                            "api-blue", "worker-blue", "api-green", "worker-green")}


def test_no_env_value_holds_a_secret_and_no_env_name_looks_secret_unless_it_names_a_file() -> None:
    recording = render()
    secrets = generated_values(recording)
    for container in recording.of_type(CONTAINER):
        envs = container.inputs.get("envs") or []
        assert not isinstance(envs, Secret), container.name
        for entry in envs:
            name, _, value = entry.partition("=")
            assert not any(s in value for s in secrets), f"{container.name}: {name}"
            if any(word in name for word in SECRET_LIKE):
                assert name.endswith("_FILE") and value.startswith("/run/secrets/"), f"{container.name}: {name}"


def test_each_secret_file_holds_the_right_secret() -> None:
    recording = render()

    def value_of(secret: str) -> str:
        return "generated-" + hashlib.sha256(
            f"random:index/randomPassword:RandomPassword:{P}-{secret}".encode()).hexdigest()[:16]

    def uploads(name: str) -> dict[str, str]:
        raw = recording.named(name).inputs["uploads"]
        assert isinstance(raw, Secret)
        return {u["file"]: u["content"] for u in raw.value}

    api = uploads(f"{P}-api-blue")
    assert api["/run/secrets/postgres_password"] == value_of("postgres-password")
    assert api["/run/secrets/s3_access_key_id"] == value_of("minio-root-user")
    assert api["/run/secrets/s3_secret_access_key"] == value_of("minio-root-password")
    assert api["/run/secrets/app_secret_key"] == value_of("app-secret-key")
    redis = uploads(f"{P}-redis")
    assert redis["/usr/local/etc/redis/redis.conf"] == f"requirepass {value_of('redis-password')}\nappendonly yes\n" \
                                                       "dir /data\n"
    mc = uploads(f"{P}-backup-mirror")["/root/.mc/config.json"]
    assert value_of("minio-root-user") in mc and value_of("minio-root-password") in mc
    assert f'"url": "http://{P}-minio:9000"' in mc
    grafana = uploads(f"{P}-grafana")
    assert grafana["/run/secrets/grafana_admin_password"] == value_of("grafana-admin-password")


def test_configuration_without_secrets_stays_plain_and_exports_wrap_secrets() -> None:
    recording = render()
    for name in (f"{P}-router", f"{P}-prometheus"):
        assert not isinstance(recording.named(name).inputs["uploads"], Secret), name
    secrets = generated_values(recording)
    for key, value in recording.outputs.items():
        hits = exposures(value, secrets)
        assert all(wrapped for _, wrapped in hits), key
    assert isinstance(recording.outputs["grafana_admin_password"], Secret)
