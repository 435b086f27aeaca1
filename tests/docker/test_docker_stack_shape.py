"""The staging stack as committed: every resource, and the inputs of every container, exactly."""

from __future__ import annotations

from components.docker import router_config
from components.docker.backup_script import render_backup_script
from components.naming import render_color_map
from tests.docker.rendering import CONTAINER, PREFIX, plain_inputs, render, upload_map

P = PREFIX
SECRETS = ["postgres-password", "redis-password", "minio-root-user", "minio-root-password",
           "grafana-admin-password", "app-secret-key"]
VOLUMES = ["pgdata", "backups", "redisdata", "miniodata", "prometheus-data", "grafana-data", "router-maps"]
CONTAINERS = ["router", "postgres", "backup", "backup-mirror", "redis", "minio", "prometheus", "grafana",
              "api-blue", "worker-blue", "api-green", "worker-green"]

EXPECTED_RESOURCES = sorted(
    [("shipyard:docker/network:StackNetwork", f"{P}-network"),
     ("shipyard:docker/secrets:StackSecrets", f"{P}-secrets"),
     ("shipyard:docker/minio:Minio", f"{P}-storage"),
     ("shipyard:docker/postgres:Postgres", f"{P}-database"),
     ("shipyard:docker/redis:Redis", f"{P}-cache"),
     ("shipyard:docker/app_color:AppColor", f"{P}-color-blue"),
     ("shipyard:docker/app_color:AppColor", f"{P}-color-green"),
     ("shipyard:docker/router:Router", f"{P}-routing"),
     ("shipyard:docker/monitoring:Monitoring", f"{P}-monitoring"),
     ("docker:index/network:Network", f"{P}-net"),
     ("docker:index/image:Image", f"{P}-image-blue"),
     ("docker:index/image:Image", f"{P}-image-green"),
     ("pulumi-python:dynamic:Resource", f"{P}-router-switch")]
    + [("random:index/randomPassword:RandomPassword", f"{P}-{s}") for s in SECRETS]
    + [("docker:index/volume:Volume", f"{P}-{v}") for v in VOLUMES]
    + [(CONTAINER, f"{P}-{c}") for c in CONTAINERS]
)


def shared(role: str) -> list[dict[str, str]]:
    return [{"label": "shipyard.role", "value": role}, {"label": "shipyard.service", "value": "shipyard-demo"},
            {"label": "shipyard.stack", "value": "staging"}]


def net(alias: str) -> list[dict[str, object]]:
    return [{"name": f"{P}-net", "aliases": [alias]}]


def check(tests: list[str], interval: str = "10s", timeout: str = "5s", retries: int = 5,
          start: str = "20s") -> dict[str, object]:
    return {"tests": tests, "interval": interval, "timeout": timeout, "retries": retries, "startPeriod": start}


def python_get(port: int, path: str) -> list[str]:
    code = ("import sys, urllib.request\ntry:\n"
            f"    status = urllib.request.urlopen('http://127.0.0.1:{port}{path}', timeout=2).status\n"
            "except Exception:\n    sys.exit(1)\nsys.exit(0 if status == 200 else 1)\n")
    return ["CMD", "python", "-c", code]


def app_env(color: str, worker: bool) -> list[str]:
    env = [f"APP_COLOR={color}", "APP_SECRET_KEY_FILE=/run/secrets/app_secret_key", "APP_VERSION=1.0.0",
           "LOG_LEVEL=info", "PORT=8000", "POSTGRES_DB=app", f"POSTGRES_HOST={P}-postgres",
           "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password", "POSTGRES_PORT=5432",
           "POSTGRES_USER=shipyard", f"REDIS_HOST={P}-redis", "REDIS_PASSWORD_FILE=/run/secrets/redis_password",
           "REDIS_PORT=6379", "S3_ACCESS_KEY_ID_FILE=/run/secrets/s3_access_key_id", "S3_BUCKET=app-data",
           f"S3_ENDPOINT_URL=http://{P}-minio:9000", "S3_ENSURE_BUCKET=true", "S3_REGION=us-east-1",
           "S3_SECRET_ACCESS_KEY_FILE=/run/secrets/s3_secret_access_key"]
    if worker:
        env += ["LIVE_COLOR_FILE=/run/shipyard/colors.map", "METRICS_PORT=9100"]
    return sorted(env)


APP_SECRET_FILES = [f"/run/secrets/{n}" for n in
                    ("app_secret_key", "postgres_password", "redis_password", "s3_access_key_id",
                     "s3_secret_access_key")]


def expected_containers() -> dict[str, dict[str, object]]:
    common = {"restart": "unless-stopped", "destroyGraceSeconds": 30}
    expected: dict[str, dict[str, object]] = {
        "postgres": {"image": "postgres:16", "memory": 1024, "labels": shared("postgres"),
                     "networksAdvanced": net("postgres"),
                     "envs": ["POSTGRES_DB=app", "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password",
                              "POSTGRES_USER=shipyard"],
                     "healthcheck": check(["CMD", "pg_isready", "-U", "shipyard", "-d", "app"]),
                     "volumes": [{"volumeName": f"{P}-pgdata", "containerPath": "/var/lib/postgresql/data"}],
                     "uploads": ["/run/secrets/postgres_password"]},
        "backup": {"image": "postgres:16", "memory": 256, "labels": shared("backup"), "networksAdvanced":
                   net("backup"), "command": ["bash", "/usr/local/bin/shipyard-backup.sh"],
                   "envs": ["PGDATABASE=app", f"PGHOST={P}-postgres", "PGPORT=5432", "PGUSER=shipyard",
                            "POSTGRES_PASSWORD_FILE=/run/secrets/postgres_password"],
                   "healthcheck": check(["CMD-SHELL", "test -n \"$(find /backups -maxdepth 1 -name '*.dump' "
                                         "-mmin -721)\""], interval="60s", start="120s"),
                   "volumes": [{"volumeName": f"{P}-backups", "containerPath": "/backups"}],
                   "uploads": ["/usr/local/bin/shipyard-backup.sh", "/run/secrets/postgres_password"]},
        "backup-mirror": {"image": "minio/mc:RELEASE.2025-04-16T18-13-26Z", "memory": 256,
                          "labels": shared("backup-mirror"), "networksAdvanced": net("backup-mirror"),
                          "entrypoints": ["sh", "-c", "until mc ls store >/dev/null; do sleep 2; done && "
                                          "mc mb --ignore-existing store/backups && exec mc mirror --watch "
                                          "--overwrite --remove --exclude '*.partial' /backups store/backups"],
                          "healthcheck": check(["CMD-SHELL", "mc ls store/backups >/dev/null || exit 1"],
                                               interval="60s"),
                          "volumes": [{"volumeName": f"{P}-backups", "containerPath": "/backups", "readOnly": True}],
                          "uploads": ["/root/.mc/config.json"]},
        "redis": {"image": "redis:7.4", "memory": 256, "labels": shared("redis"), "networksAdvanced": net("redis"),
                  "command": ["redis-server", "/usr/local/etc/redis/redis.conf"],
                  "healthcheck": check(["CMD-SHELL", 'REDISCLI_AUTH="$(cat /run/secrets/redis_password)" '
                                        "redis-cli ping | grep -q PONG"]),
                  "volumes": [{"volumeName": f"{P}-redisdata", "containerPath": "/data"}],
                  "uploads": ["/run/secrets/redis_password", "/usr/local/etc/redis/redis.conf"]},
        "minio": {"image": "minio/minio:RELEASE.2025-04-22T22-12-26Z", "memory": 512, "labels": shared("minio"),
                  "networksAdvanced": net("minio"), "command": ["server", "/data", "--console-address", ":9001"],
                  "envs": ["MINIO_ROOT_PASSWORD_FILE=/run/secrets/minio_root_password",
                           "MINIO_ROOT_USER_FILE=/run/secrets/minio_root_user"],
                  "healthcheck": check(["CMD-SHELL", "timeout 2 bash -c ':> /dev/tcp/127.0.0.1/9000' || exit 1"]),
                  "volumes": [{"volumeName": f"{P}-miniodata", "containerPath": "/data"}],
                  "uploads": ["/run/secrets/minio_root_password", "/run/secrets/minio_root_user"]},
        "router": {"image": "haproxy:2.8", "memory": 128, "labels": shared("router"), "networksAdvanced":
                   net("router"), "user": "root", "command": router_config.router_command(
                       "/usr/local/etc/haproxy/haproxy.cfg"),
                   "healthcheck": check(["CMD", "bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8404 && printf 'GET "
                                         "/healthz HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"],
                                        interval="5s", timeout="3s", retries=3, start="5s"),
                   "volumes": [{"volumeName": f"{P}-router-maps", "containerPath": "/usr/local/etc/haproxy/maps"}],
                   "ports": [{"internal": 8080, "external": 8080, "ip": "0.0.0.0"},
                             {"internal": 8081, "external": 8081, "ip": "0.0.0.0"}],
                   "uploads": ["/usr/local/etc/haproxy/colors.initial.map", "/usr/local/etc/haproxy/haproxy.cfg"]},
        "prometheus": {"image": "prom/prometheus:v2.55.1", "memory": 512, "labels": shared("prometheus"),
                       "networksAdvanced": net("prometheus"),
                       "command": ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus",
                                   "--storage.tsdb.retention.time=15d"],
                       "healthcheck": check(["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:9090/-/ready"]),
                       "volumes": [{"volumeName": f"{P}-prometheus-data", "containerPath": "/prometheus"}],
                       "ports": [{"internal": 9090, "external": 9090, "ip": "127.0.0.1"}],
                       "uploads": ["/etc/prometheus/prometheus.yml", "/etc/prometheus/rules/shipyard.rules.yml"]},
        "grafana": {"image": "grafana/grafana:11.3.1", "memory": 256, "labels": shared("grafana"),
                    "networksAdvanced": net("grafana"),
                    "envs": ["GF_ANALYTICS_REPORTING_ENABLED=false",
                             "GF_SECURITY_ADMIN_PASSWORD__FILE=/run/secrets/grafana_admin_password",
                             "GF_SECURITY_ADMIN_USER=admin", "GF_USERS_ALLOW_SIGN_UP=false"],
                    "healthcheck": check(["CMD-SHELL", "wget -q -O /dev/null http://127.0.0.1:3000/api/health "
                                          "|| exit 1"]),
                    "volumes": [{"volumeName": f"{P}-grafana-data", "containerPath": "/var/lib/grafana"}],
                    "ports": [{"internal": 3000, "external": 3000, "ip": "127.0.0.1"}],
                    "uploads": ["/etc/grafana/dashboards/shipyard-release.json",
                                "/etc/grafana/provisioning/dashboards/shipyard.yml",
                                "/etc/grafana/provisioning/datasources/prometheus.yml",
                                "/run/secrets/grafana_admin_password"]},
    }
    for color in ("blue", "green"):
        for role, memory in (("api", 384), ("worker", 256)):
            labels = [{"label": "shipyard.color", "value": color}, *shared(role),
                      {"label": "shipyard.tag", "value": "1.0.0"}]
            spec: dict[str, object] = {
                "image": "sha256:shipyard-demo:1.0.0", "memory": memory, "labels": labels,
                "networksAdvanced": net(f"{role}-{color}"), "envs": app_env(color, role == "worker"),
                "uploads": APP_SECRET_FILES,
            }
            if role == "api":
                spec["healthcheck"] = check(python_get(8000, "/health"), interval="2s", timeout="2s", retries=3,
                                            start="10s")
            else:
                spec["healthcheck"] = check(python_get(9100, "/metrics"), start="10s")
                spec["command"] = ["python", "-m", "app.worker"]
                spec["volumes"] = [{"volumeName": f"{P}-router-maps", "containerPath": "/run/shipyard",
                                    "readOnly": True}]
            expected[f"{role}-{color}"] = spec
    return {f"{P}-{k}": {**common, "name": f"{P}-{k}", **v} for k, v in expected.items()}


def test_every_resource_with_its_type_and_name() -> None:
    recording = render()
    assert sorted((r.type, r.name) for r in recording.registrations) == EXPECTED_RESOURCES


def test_every_container_has_exactly_these_inputs() -> None:
    recording = render()
    for name, expected in expected_containers().items():
        actual = plain_inputs(recording, name)
        actual["uploads"] = [u["file"] for u in actual.get("uploads") or []]
        assert actual == expected, name


def test_uploaded_files_are_the_rendered_ones() -> None:
    recording = render()
    router = upload_map(recording, f"{P}-router")
    assert router["/usr/local/etc/haproxy/colors.initial.map"] == render_color_map("blue")
    assert f"server api-green {P}-api-green:8000" in router["/usr/local/etc/haproxy/haproxy.cfg"]
    assert upload_map(recording, f"{P}-backup")["/usr/local/bin/shipyard-backup.sh"] == render_backup_script(21600, 14)
    redis_conf = upload_map(recording, f"{P}-redis")["/usr/local/etc/redis/redis.conf"]
    assert redis_conf.startswith("requirepass generated-") and "appendonly yes\n" in redis_conf


def test_images_build_the_sample_app_per_tag_and_data_volumes_are_retained() -> None:
    recording = render()
    for color in ("blue", "green"):
        assert plain_inputs(recording, f"{P}-image-{color}") == {
            "imageName": "shipyard-demo:1.0.0", "skipPush": True, "buildOnPreview": False,
            "build": {"context": "app", "args": {"APP_VERSION": "1.0.0"}},
        }
    switch = plain_inputs(recording, f"{P}-router-switch")
    assert switch == {"router": f"{P}-router", "live": "blue", "router_id": f"{P}-router-id"}
    assert recording.outputs["live_url"] == "http://localhost:8080"
    assert recording.outputs["colors"]["green"] == {"api": f"{P}-api-green", "worker": f"{P}-worker-green"}


def test_fixed_name_containers_are_replaced_delete_first() -> None:
    # A container's name is fixed, so create-before-delete (Pulumi's default) would collide on the name.
    recording = render()
    containers = recording.of_type("docker:index/container:Container")
    assert len(containers) == 12
    assert all(c.delete_before_replace for c in containers)
