"""The service's entry points as real subprocesses (`python -m app.api`, `python -m app.worker`) for the tests."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from tests.app.servers import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
# Everything the service reads from the environment: never inherited from the test runner's own environment.
CONTRACT_PREFIXES = ("APP_", "POSTGRES_", "REDIS_", "S3_", "LIVE_COLOR_", "WORKER_", "AWS_")
CONTRACT_NAMES = ("PORT", "LOG_LEVEL", "METRICS_PORT")


def clean_environ() -> dict[str, str]:
    return {
        k: v for k, v in os.environ.items()
        if not k.startswith(CONTRACT_PREFIXES) and k not in CONTRACT_NAMES
    }


@dataclass
class ServiceProcess:
    argv: list[str]
    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen[bytes] | None = None

    def start(self) -> ServiceProcess:
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            [sys.executable, *self.argv], env={**clean_environ(), **self.env}, cwd=REPO_ROOT,
            stdout=log, stderr=subprocess.STDOUT,
        )
        log.close()
        return self

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def signal(self, signum: int) -> None:
        assert self.process is not None
        self.process.send_signal(signum)

    def wait(self, timeout: float) -> int:
        assert self.process is not None
        return self.process.wait(timeout=timeout)

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)

    def output(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@dataclass
class ApiProcess(ServiceProcess):
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.url, timeout=10.0)

    def wait_healthy(self, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise AssertionError(f"API exited with {self.process and self.process.returncode}:\n{self.output()}")
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code in (200, 503):
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise AssertionError(f"API not serving after {timeout}s:\n{self.output()}")


@dataclass
class WorkerProcess(ServiceProcess):
    metrics_port: int = 0

    def metrics(self) -> str:
        return httpx.get(f"http://127.0.0.1:{self.metrics_port}/metrics", timeout=2.0).text


@dataclass
class Launcher:
    """Starts service processes with the base env plus overrides, and kills whatever is left at teardown."""

    base_env: dict[str, str]
    log_dir: Path
    started: list[ServiceProcess] = field(default_factory=list)
    threaded: list[ThreadedApi] = field(default_factory=list)

    def api(self, wait: bool = True, **overrides: str) -> ApiProcess:
        port = free_port()
        env = {**self.base_env, "PORT": str(port), **overrides}
        proc = ApiProcess(["-m", "app.api"], env, self.log_dir / f"api-{port}.log", port=port)
        self.started.append(proc.start())
        if wait:
            proc.wait_healthy()
        return proc

    def worker(self, **overrides: str) -> WorkerProcess:
        port = free_port()
        env = {**self.base_env, "METRICS_PORT": str(port), **overrides}
        proc = WorkerProcess(["-m", "app.worker"], env, self.log_dir / f"worker-{port}.log", metrics_port=port)
        self.started.append(proc.start())
        return proc

    def api_in_thread(self, **overrides: str) -> ThreadedApi:
        served = ThreadedApi({**self.base_env, **overrides}).start()
        self.threaded.append(served)
        return served

    def stop_all(self) -> None:
        for proc in self.started:
            proc.stop()
        for served in self.threaded:
            served.stop()


def eventually(check: Callable[[], bool], timeout: float, interval: float = 0.1, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(interval)
    raise AssertionError(f"{what} not met within {timeout}s")


def terminate(proc: ServiceProcess) -> None:
    proc.signal(signal.SIGTERM)


class ThreadedApi:
    """The API app (`app.api.create_app`) served by uvicorn on a real loopback port from a thread of the test
    process: real HTTP, but without paying the interpreter start-up for every configuration variant."""

    def __init__(self, env: dict[str, str]) -> None:
        import uvicorn

        from app.api import create_app
        from app.config import Settings

        self.port = free_port()
        settings = Settings.model_validate({k.lower(): v for k, v in {**env, "PORT": str(self.port)}.items()})
        config = uvicorn.Config(create_app(settings), host="127.0.0.1", port=self.port, log_level="warning",
                                lifespan="on")
        self.server = uvicorn.Server(config)
        import threading

        self.thread = threading.Thread(target=self.server.run, name=f"api-{self.port}", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ThreadedApi:
        self.thread.start()
        eventually(lambda: self.server.started or not self.thread.is_alive(), timeout=20, what="uvicorn started")
        assert self.server.started, "uvicorn failed to start (see captured log)"
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
