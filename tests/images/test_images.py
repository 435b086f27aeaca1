"""The offline test images in real containers, started the way the staging stack starts them (same commands,
env, uploaded files, healthchecks), plus a real router flip through release.router_switch.

A missing image fails (require_images), never skips. Every object is named with a unique prefix and removed.
"""

from __future__ import annotations

import contextlib
import io
import tarfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import docker
import docker.errors
import httpx
import pytest

from components import naming
from components.docker import minio as minio_component
from components.docker import redis as redis_component
from components.docker import router as router_component
from components.docker.app_color import S3_REGION, WORKER_METRICS_PORT, http_check
from components.docker.backup_script import (
    BACKUP_BUCKET,
    BACKUP_SCRIPT_PATH,
    BACKUPS_DIR,
    DATABASE_USER,
    MC_CONFIG_PATH,
    mirror_script,
    render_backup_script,
    render_mc_config,
)
from components.docker.containers import secret_path
from components.docker.router_config import (
    INITIAL_MAP_PATH,
    LIVE_BIND_PORT,
    MAP_PATH,
    TEST_BIND_PORT,
    RouterBackends,
    render_haproxy_config,
    router_command,
)
from release.router_switch import read_live_color, switch_live_color
from tests.images import (
    ALL_IMAGES,
    MINIO_IMAGE,
    POSTGRES_IMAGE,
    REDIS_IMAGE,
    ROUTER_IMAGE,
    app_image,
    require_images,
)

pytestmark = pytest.mark.timeout(600)

DATABASE = "app"
BUCKET = "app-data"
APP_PORT = 8000
SECRETS = {
    "postgres_password": "pgPassw0rdFromFile",
    "redis_password": "redisPassw0rdFromFile",
    "s3_access_key_id": "minioRootUser",
    "s3_secret_access_key": "minioRootPassw0rd",
    "app_secret_key": "appSecretKey0123456789",
}
LOOPBACK = ("127.0.0.1", None)


def tar_files(files: dict[str, str], mode: int = 0o644) -> bytes:
    """Absolute paths -> one tar to extract at "/" (how the stack's uploads land: parents created, root-owned)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as tar:
        for path, content in files.items():
            data = content.encode()
            info = tarfile.TarInfo(path.lstrip("/"))
            info.size, info.mode, info.mtime = len(data), mode, int(time.time())
            tar.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def seconds_ns(value: float) -> int:
    return int(value * 1_000_000_000)


def fast_check(test: list[str]) -> dict[str, Any]:
    """The stack's healthcheck command, on a test-friendly schedule."""
    return {"test": test, "interval": seconds_ns(1), "timeout": seconds_ns(3), "retries": 30,
            "start_period": seconds_ns(1)}


def wait_for(what: str, check: Callable[[], Any], timeout: float = 90.0, interval: float = 0.5) -> Any:
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception as error:  # noqa: BLE001 - keep polling; the last error is reported on timeout
            last = error
        else:
            if result:
                return result
            last = result
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}; last: {last!r}")


@dataclass
class Lab:
    """Containers, networks and volumes of one test module, all under one unique prefix."""

    client: Any
    prefix: str = field(default_factory=lambda: f"shipyard-imgtest-{uuid.uuid4().hex[:8]}")
    containers: list[Any] = field(default_factory=list)
    networks: list[Any] = field(default_factory=list)
    volumes: list[Any] = field(default_factory=list)

    def name(self, part: str) -> str:
        return f"{self.prefix}-{part}"

    def network(self, part: str) -> Any:
        network = self.client.networks.create(self.name(part), driver="bridge")
        self.networks.append(network)
        return network

    def volume(self, part: str) -> Any:
        volume = self.client.volumes.create(self.name(part))
        self.volumes.append(volume)
        return volume

    def create(self, part: str, image: str, *, files: dict[str, str] | None = None, network: Any = None,
               alias: str | None = None, start: bool = True, **kwargs: Any) -> Any:
        if network is not None:
            endpoint = self.client.api.create_endpoint_config(aliases=[alias or part])
            kwargs.update(network=network.name, networking_config={network.name: endpoint})
        container = self.client.containers.create(image, name=self.name(part), detach=True, **kwargs)
        self.containers.append(container)
        if files:
            assert container.put_archive("/", tar_files(files))
        if start:
            container.start()
        return container

    def cleanup(self) -> None:
        for container in reversed(self.containers):
            with contextlib.suppress(docker.errors.NotFound):
                container.remove(force=True, v=True)
        for network in self.networks:
            with contextlib.suppress(docker.errors.NotFound):
                network.remove()
        for volume in self.volumes:
            with contextlib.suppress(docker.errors.NotFound):
                volume.remove(force=True)


def logs(container: Any) -> str:
    try:
        return str(container.logs(tail=60).decode(errors="replace"))
    except docker.errors.APIError as error:
        return f"<no logs: {error}>"


def wait_healthy(container: Any, timeout: float = 90.0) -> None:
    def healthy() -> bool:
        container.reload()
        state = container.attrs["State"]
        if state["Status"] == "exited":
            raise AssertionError(f"{container.name} exited {state['ExitCode']}:\n{logs(container)}")
        return bool(state.get("Health", {}).get("Status") == "healthy")

    try:
        wait_for(f"{container.name} healthy", healthy, timeout)
    except AssertionError as error:
        container.reload()
        health = container.attrs["State"].get("Health", {}).get("Log", [])[-2:]
        raise AssertionError(f"{error}\nhealth log: {health}\nlogs:\n{logs(container)}") from None


def host_port(container: Any, port: int) -> int:
    container.reload()
    return int(container.ports[f"{port}/tcp"][0]["HostPort"])


def exec_ok(container: Any, command: list[str], **kwargs: Any) -> str:
    code, output = container.exec_run(command, **kwargs)
    text = output.decode(errors="replace")
    assert code == 0, f"{command} in {container.name}: exit {code}: {text}"
    return str(text)


@dataclass
class Stack:
    lab: Lab
    network: Any
    postgres: Any
    redis: Any
    minio: Any
    minio_port: int

    def app_env(self, color: str, tag: str) -> dict[str, str]:
        """What components/docker/app_color.py sets on the api container."""
        return {
            "APP_COLOR": color,
            "APP_VERSION": tag,
            "PORT": str(APP_PORT),
            "POSTGRES_HOST": self.postgres.name,
            "POSTGRES_PORT": "5432",
            "POSTGRES_USER": DATABASE_USER,
            "POSTGRES_DB": DATABASE,
            "REDIS_HOST": self.redis.name,
            "REDIS_PORT": str(redis_component.REDIS_PORT),
            "S3_ENDPOINT_URL": f"http://{self.minio.name}:{minio_component.MINIO_PORT}",
            "S3_BUCKET": BUCKET,
            "S3_REGION": S3_REGION,
            "S3_ENSURE_BUCKET": "true",
            **{f"{name.upper()}_FILE": secret_path(name) for name in SECRETS},
        }

    def app(self, part: str, tag: str, color: str = "blue", **kwargs: Any) -> Any:
        return self.lab.create(
            part, app_image(tag), network=self.network, alias=kwargs.pop("alias", part),
            environment=self.app_env(color, tag), files={secret_path(k): v for k, v in SECRETS.items()},
            healthcheck=fast_check(http_check(APP_PORT, "/health")), ports={f"{APP_PORT}/tcp": LOOPBACK},
            **kwargs,
        )


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    engine = docker.from_env(timeout=120)
    require_images(*ALL_IMAGES, client=engine)
    yield engine
    engine.close()


@pytest.fixture(scope="module")
def lab(client: Any) -> Iterator[Lab]:
    lab = Lab(client)
    try:
        yield lab
    finally:
        lab.cleanup()


@pytest.fixture(scope="module")
def stack(lab: Lab) -> Stack:
    """postgres, redis and minio as components/docker/{postgres,redis,minio}.py run them."""
    network = lab.network("net")
    postgres = lab.create(
        "postgres", POSTGRES_IMAGE, network=network, alias="postgres",
        environment={"POSTGRES_USER": DATABASE_USER, "POSTGRES_DB": DATABASE,
                     "POSTGRES_PASSWORD_FILE": secret_path("postgres_password")},
        files={secret_path("postgres_password"): SECRETS["postgres_password"]},
        volumes={lab.volume("pgdata").name: {"bind": "/var/lib/postgresql/data", "mode": "rw"}},
        healthcheck=fast_check(["CMD", "pg_isready", "-U", DATABASE_USER, "-d", DATABASE]),
    )
    redis = lab.create(
        "redis", REDIS_IMAGE, network=network, alias="redis",
        command=["redis-server", redis_component.CONFIG_PATH],
        files={redis_component.CONFIG_PATH: redis_component.render_redis_config(SECRETS["redis_password"]),
               redis_component.PASSWORD_FILE: SECRETS["redis_password"]},
        volumes={lab.volume("redisdata").name: {"bind": "/data", "mode": "rw"}},
        healthcheck=fast_check(redis_component.HEALTH_TEST),
    )
    minio = lab.create(
        "minio", MINIO_IMAGE, network=network, alias="minio",
        command=["server", "/data", "--console-address", ":9001"],
        environment={"MINIO_ROOT_USER_FILE": minio_component.ROOT_USER_FILE,
                     "MINIO_ROOT_PASSWORD_FILE": minio_component.ROOT_PASSWORD_FILE},
        files={minio_component.ROOT_USER_FILE: SECRETS["s3_access_key_id"],
               minio_component.ROOT_PASSWORD_FILE: SECRETS["s3_secret_access_key"]},
        volumes={lab.volume("miniodata").name: {"bind": "/data", "mode": "rw"}},
        healthcheck=fast_check(minio_component.HEALTH_TEST),
        ports={f"{minio_component.MINIO_PORT}/tcp": LOOPBACK},
    )
    for container in (postgres, redis, minio):
        wait_healthy(container)
    return Stack(lab, network, postgres, redis, minio, host_port(minio, minio_component.MINIO_PORT))


def get(port: int, path: str, **kwargs: Any) -> httpx.Response:
    return httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5, **kwargs)


def wait_status(port: int, path: str, status: int, timeout: float = 90.0) -> httpx.Response:
    return wait_for(f":{port}{path} -> {status}", lambda: (r := get(port, path)).status_code == status and r, timeout)


# ------------------------------------------------------------------ images


@pytest.mark.parametrize("tag", ["1.0.0", "1.1.0", "2.0.0", "bad-ready", "crash", "flappy"])
def test_app_images_carry_version_fault_and_user(client: Any, tag: str) -> None:
    config = client.images.get(app_image(tag)).attrs["Config"]
    env = dict(item.split("=", 1) for item in config["Env"])
    assert env["APP_VERSION"] == tag
    assert env.get("APP_FAULT", "") == {"bad-ready": "ready", "crash": "crash", "flappy": "flappy"}.get(tag, "")
    assert config["User"] == "app"
    assert config["WorkingDir"] == "/srv"
    assert config["Cmd"] == ["python", "-m", "app.api"]
    assert "8000/tcp" in config["ExposedPorts"]


# ------------------------------------------------------------------ backing services


def test_postgres_accepts_the_password_from_the_file_only(stack: Stack) -> None:
    pg = stack.postgres
    login = f"psql -h 127.0.0.1 -U {DATABASE_USER} -d {DATABASE} -tAc 'select current_database()'"
    out = exec_ok(pg, ["bash", "-c", f'PGPASSWORD="$(cat {secret_path("postgres_password")})" {login}'])
    assert out.strip() == DATABASE
    code, output = pg.exec_run(["bash", "-c", f"PGPASSWORD=wrong {login}"])
    assert code != 0 and b"password authentication failed" in output
    # The server is not running with the password in its environment.
    environ = exec_ok(pg, ["bash", "-c", "tr '\\0' '\\n' < /proc/1/environ"], user="postgres")
    assert SECRETS["postgres_password"] not in environ
    show = ["psql", "-U", DATABASE_USER, "-d", DATABASE, "-tAc", "show password_encryption"]
    assert exec_ok(pg, show).strip() == "scram-sha-256"
    for tool in ("pg_isready", "pg_dump", "pg_restore", "psql"):
        exec_ok(pg, ["bash", "-c", f"command -v {tool}"])


def test_postgres_image_runs_the_backup_script_and_minio_image_mirrors_it(stack: Stack) -> None:
    """The backup and backup-mirror containers of components/docker/postgres.py."""
    import boto3

    backups = stack.lab.volume("backups")
    backup = stack.lab.create(
        "backup", POSTGRES_IMAGE, network=stack.network, alias="backup",
        command=["bash", "-c", f"bash {BACKUP_SCRIPT_PATH} --once && pg_restore --list {BACKUPS_DIR}/*.dump"],
        environment={"PGHOST": stack.postgres.name, "PGPORT": "5432", "PGUSER": DATABASE_USER,
                     "PGDATABASE": DATABASE, "POSTGRES_PASSWORD_FILE": secret_path("postgres_password")},
        files={BACKUP_SCRIPT_PATH: render_backup_script(3600, 2),
               secret_path("postgres_password"): SECRETS["postgres_password"]},
        volumes={backups.name: {"bind": BACKUPS_DIR, "mode": "rw"}},
    )
    status = backup.wait(timeout=120)
    assert status["StatusCode"] == 0, logs(backup)
    assert f"dbname: {DATABASE}" in logs(backup)

    # The backup mirror: the minio image as minio_client, `sh -c <mirror script>` with mc's config uploaded.
    endpoint = f"http://{stack.minio.name}:{minio_component.MINIO_PORT}"
    mirror = stack.lab.create(
        "backup-mirror", MINIO_IMAGE, network=stack.network, alias="backup-mirror",
        entrypoint=["sh", "-c", mirror_script()],
        files={MC_CONFIG_PATH: render_mc_config(endpoint, SECRETS["s3_access_key_id"],
                                                SECRETS["s3_secret_access_key"])},
        volumes={backups.name: {"bind": BACKUPS_DIR, "mode": "ro"}},
        healthcheck=fast_check(["CMD-SHELL", "mc ls store/backups >/dev/null || exit 1"]),
    )
    wait_healthy(mirror)
    s3 = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{stack.minio_port}", region_name=S3_REGION,
        aws_access_key_id=SECRETS["s3_access_key_id"], aws_secret_access_key=SECRETS["s3_secret_access_key"],
    )
    keys = wait_for("the dump mirrored to the backups bucket", lambda: [
        obj["Key"] for obj in s3.list_objects_v2(Bucket=BACKUP_BUCKET).get("Contents", [])
    ], 60)
    assert len(keys) == 1 and keys[0].startswith(f"{DATABASE}-") and keys[0].endswith(".dump"), keys


def test_redis_requires_the_configured_password(stack: Stack) -> None:
    redis = stack.redis
    code, output = redis.exec_run(["redis-cli", "ping"])
    assert b"NOAUTH" in output, output
    pong = exec_ok(redis, ["redis-cli", "ping"], environment={"REDISCLI_AUTH": SECRETS["redis_password"]})
    assert "PONG" in pong
    assert exec_ok(redis, ["bash", "-c", "ps -o user= -C redis-server"]).split() == ["redis"]
    aof = exec_ok(redis, ["redis-cli", "config", "get", "appendonly"],
                  environment={"REDISCLI_AUTH": SECRETS["redis_password"]})
    assert aof.split() == ["appendonly", "yes"]


def test_minio_stand_in_speaks_s3(stack: Stack) -> None:
    import boto3

    s3 = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{stack.minio_port}", region_name=S3_REGION,
        aws_access_key_id=SECRETS["s3_access_key_id"], aws_secret_access_key=SECRETS["s3_secret_access_key"],
    )
    s3.create_bucket(Bucket="probe")
    s3.put_object(Bucket="probe", Key="k", Body=b"v")
    assert s3.get_object(Bucket="probe", Key="k")["Body"].read() == b"v"


# ------------------------------------------------------------------ app


def test_app_health_and_ready_against_the_stack(stack: Stack) -> None:
    import boto3

    api = stack.app("api-ready", "1.0.0")
    wait_healthy(api)
    port = host_port(api, APP_PORT)
    health = get(port, "/health")
    assert health.status_code == 200
    assert health.json().get("version") == "1.0.0", health.text
    ready = wait_status(port, "/ready", 200, timeout=60)
    assert ready.status_code == 200, ready.text
    s3 = boto3.client(
        "s3", endpoint_url=f"http://127.0.0.1:{stack.minio_port}", region_name=S3_REGION,
        aws_access_key_id=SECRETS["s3_access_key_id"], aws_secret_access_key=SECRETS["s3_secret_access_key"],
    )
    # S3_ENSURE_BUCKET=true: the app created its bucket.
    assert BUCKET in [bucket["Name"] for bucket in s3.list_buckets()["Buckets"]]
    assert exec_ok(api, ["id", "-un"]).strip() == "app"


def test_app_migrations_run_against_the_stack_postgres(stack: Stack) -> None:
    """`python -m app.migrate` as a one-off container of the app image (twice: the second run is a no-op)."""
    for attempt in ("first", "again"):
        migrate = stack.lab.create(
            f"migrate-{attempt}", app_image("1.0.0"), network=stack.network, command=["python", "-m", "app.migrate"],
            environment=stack.app_env("blue", "1.0.0"), files={secret_path(k): v for k, v in SECRETS.items()},
        )
        status = migrate.wait(timeout=120)
        assert status["StatusCode"] == 0, logs(migrate)


def test_bad_ready_image_is_healthy_but_not_ready(stack: Stack) -> None:
    api = stack.app("api-bad-ready", "bad-ready")
    wait_healthy(api)
    port = host_port(api, APP_PORT)
    # Give it the time a good image needs to become ready; it must stay 503.
    time.sleep(3)
    assert get(port, "/ready").status_code == 503
    assert get(port, "/health").status_code == 200


def test_crash_image_exits_non_zero(stack: Stack) -> None:
    api = stack.app("api-crash", "crash")
    status = api.wait(timeout=120)
    assert status["StatusCode"] != 0, logs(api)


def test_worker_metrics_port(stack: Stack) -> None:
    """The worker container of app_color.py: `python -m app.worker`, metrics on 9100 for its healthcheck."""
    lab = stack.lab
    maps = lab.volume("worker-maps")
    worker = lab.create(
        "worker", app_image("1.0.0"), network=stack.network, alias="worker-blue",
        command=["python", "-m", "app.worker"],
        environment={**stack.app_env("blue", "1.0.0"), "LIVE_COLOR_FILE": naming.WORKER_LIVE_MAP,
                     "METRICS_PORT": str(WORKER_METRICS_PORT)},
        files={secret_path(k): v for k, v in SECRETS.items()},
        volumes={maps.name: {"bind": "/run/shipyard", "mode": "ro"}},
        healthcheck=fast_check(http_check(WORKER_METRICS_PORT, "/metrics")),
    )
    wait_healthy(worker)


# ------------------------------------------------------------------ router


def test_haproxy_accepts_the_rendered_config(lab: Lab) -> None:
    config = render_haproxy_config(RouterBackends("api-blue", "api-green", APP_PORT))
    check = lab.create(
        "haproxy-check", ROUTER_IMAGE, start=False,
        command=["haproxy", "-c", "-f", naming.ROUTER_CONFIG_PATH],
    )
    check.put_archive("/", tar_files({naming.ROUTER_CONFIG_PATH: config, MAP_PATH: naming.render_color_map("blue")}))
    check.start()
    status = check.wait(timeout=60)
    assert status["StatusCode"] == 0, logs(check)
    assert "Configuration file is valid" in logs(check)


def test_router_image_defaults(client: Any) -> None:
    config = client.images.get(ROUTER_IMAGE).attrs["Config"]
    assert config["User"] == "haproxy"
    assert config["Cmd"] == ["haproxy", "-W", "-db", "-f", naming.ROUTER_CONFIG_PATH]
    out = client.containers.run(ROUTER_IMAGE, ["bash", "-c", f"test ! -e {naming.ROUTER_MAP_DIR} && echo ok"],
                                remove=True)
    assert out.strip() == b"ok"


def test_router_flip_to_green(stack: Stack) -> None:
    lab = stack.lab
    blue = stack.app("api-blue", "1.0.0", color="blue", alias="api-blue")
    green = stack.app("api-green", "1.1.0", color="green", alias="api-green")
    backends = RouterBackends(blue_host="api-blue", green_host="api-green", port=APP_PORT)
    router = lab.create(
        "router", ROUTER_IMAGE, network=stack.network, alias="router", user="root",
        command=router_command(naming.ROUTER_CONFIG_PATH),
        files={naming.ROUTER_CONFIG_PATH: render_haproxy_config(backends),
               INITIAL_MAP_PATH: naming.render_color_map(router_component.SEED_COLOR)},
        volumes={lab.volume("maps").name: {"bind": naming.ROUTER_MAP_DIR, "mode": "rw"}},
        healthcheck=fast_check(router_component.HEALTH_TEST),
        ports={f"{LIVE_BIND_PORT}/tcp": LOOPBACK, f"{TEST_BIND_PORT}/tcp": LOOPBACK},
    )
    for container in (blue, green, router):
        wait_healthy(container)
    live, test = host_port(router, LIVE_BIND_PORT), host_port(router, TEST_BIND_PORT)

    def color(port: int) -> str | None:
        response = get(port, "/health")
        return response.headers.get("X-Shipyard-Color") if response.status_code == 200 else None

    wait_for("live -> blue", lambda: color(live) == "blue", 60)
    wait_for("test -> green", lambda: color(test) == "green", 60)
    assert read_live_color(stack.lab.client, router.name) == "blue"
    # HAProxy itself runs as the haproxy user (the container starts as root only to seed the map).
    assert "haproxy" in exec_ok(router, ["ps", "-o", "user=", "-C", "haproxy"]).split()

    result = switch_live_color(stack.lab.client, router.name, "green")
    assert result.changed and result.previous == "blue" and result.live == "green"
    for _ in range(5):
        response = get(live, "/health")
        assert response.status_code == 200
        assert response.headers["X-Shipyard-Color"] == "green"
        assert response.json().get("version") == "1.1.0"
    assert color(test) == "blue"
    assert read_live_color(stack.lab.client, router.name) == "green"
    # The map on the volume follows (workers and a restarted router read it).
    assert naming.parse_color_map(exec_ok(router, ["cat", MAP_PATH]))["live"] == "green"
    assert switch_live_color(stack.lab.client, router.name, "green").changed is False


def test_postgres_restart_keeps_the_initialised_data(lab: Lab) -> None:
    """restart: unless-stopped — a second start must skip the init and keep the data and the password."""
    pg = lab.create(
        "pg-restart", POSTGRES_IMAGE,
        environment={"POSTGRES_USER": DATABASE_USER, "POSTGRES_DB": DATABASE,
                     "POSTGRES_PASSWORD_FILE": secret_path("postgres_password")},
        files={secret_path("postgres_password"): SECRETS["postgres_password"]},
        volumes={lab.volume("pgdata-restart").name: {"bind": "/var/lib/postgresql/data", "mode": "rw"}},
        healthcheck=fast_check(["CMD", "pg_isready", "-U", DATABASE_USER, "-d", DATABASE]),
    )
    wait_healthy(pg)
    exec_ok(pg, ["psql", "-U", DATABASE_USER, "-d", DATABASE, "-c", "create table kept (id int)"])
    pg.restart(timeout=30)
    wait_healthy(pg)
    login = f"psql -h 127.0.0.1 -U {DATABASE_USER} -d {DATABASE} -tAc 'select count(*) from kept'"
    out = exec_ok(pg, ["bash", "-c", f'PGPASSWORD="$(cat {secret_path("postgres_password")})" {login}'])
    assert out.strip() == "0"
    assert pg.logs().decode().count("init process complete") == 1
