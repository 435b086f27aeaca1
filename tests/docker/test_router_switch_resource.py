"""The router switch's dynamic provider against a fake router: when it reports a change and what it calls."""

from __future__ import annotations

from typing import Any

import dill

from components.docker.router_switch_resource import RouterSwitchProvider


class FakeRouter:
    def __init__(self, live: str | None):
        self.name = "router"
        self.status = "running"
        self.live = live
        self.commands: list[list[str]] = []

    def reload(self) -> None:
        pass

    def exec_run(self, command: list[str], user: str = "") -> tuple[int, bytes]:
        self.commands.append(command)
        if self.live is None:
            return 1, b"no such container"
        live = command[-2]
        if live:
            self.live = live
        other = "green" if self.live == "blue" else "blue"
        return 0, f"0x1 live {self.live}\n0x2 test {other}\n".encode()


class FakeClient:
    def __init__(self, router: FakeRouter):
        self.containers = self
        self.router = router

    def get(self, name: str) -> FakeRouter:
        return self.router


def provider_for(router: FakeRouter) -> RouterSwitchProvider:
    provider = RouterSwitchProvider()
    provider._client = lambda _host: FakeClient(router)  # type: ignore[method-assign,assignment]
    return provider


def props(**changes: Any) -> dict[str, Any]:
    return {"router": "router", "live": "blue", "router_id": "r1", "docker_host": None, **changes}


def test_create_and_update_switch_the_router_and_report_the_previous_color() -> None:
    router = FakeRouter("blue")
    provider = provider_for(router)
    created = provider.create(props(live="green"))
    assert created.id == "router-switch"
    outs = created.outs or {}
    assert outs["live"] == "green" and outs["previous"] == "blue"
    updated = provider.update("router-switch", props(live="green"), props(live="blue"))
    outs = updated.outs or {}
    assert outs["previous"] == "green" and router.live == "blue"


def test_diff_follows_live_and_router_id_and_the_running_router() -> None:
    provider = provider_for(FakeRouter("blue"))
    assert provider.diff("x", props(), props()).changes is False
    assert provider.diff("x", props(), props(live="green")).changes is True
    assert provider.diff("x", props(), props(router_id="r2")).changes is True
    drifted = provider_for(FakeRouter("green"))
    assert drifted.diff("x", props(), props()).changes is True


def test_diff_falls_back_to_inputs_when_the_router_cannot_be_read() -> None:
    provider = provider_for(FakeRouter(None))
    assert provider.diff("x", props(), props()).changes is False
    assert provider.diff("x", props(), props(live="green")).changes is True


def test_delete_does_nothing_and_the_provider_pickles() -> None:
    router = FakeRouter("blue")
    provider_for(router).delete("x", props())
    assert router.commands == []
    assert isinstance(dill.loads(dill.dumps(RouterSwitchProvider(), recurse=True)), RouterSwitchProvider)
