"""/health, /version, /metrics and the items endpoints' input handling, over real HTTP against `python -m app.api`."""

from __future__ import annotations

import re

from tests.app.processes import ApiProcess


def test_health_reports_version_and_color(api: ApiProcess) -> None:
    response = api.client().get("/health")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "version": "1.2.3-test", "color": "blue"}


def test_version(api: ApiProcess) -> None:
    response = api.client().get("/version")
    assert response.status_code == 200
    assert response.json() == {"version": "1.2.3-test", "color": "blue"}


def test_unknown_item_is_404(api: ApiProcess) -> None:
    with api.client() as client:
        assert client.get("/items/987654321").status_code == 404
        assert client.get("/items/not-a-number").status_code == 422
        assert client.post("/items", json={"name": ""}).status_code == 422
        assert client.post("/items", json={}).status_code == 422


def test_metrics_count_requests_by_path_template(api: ApiProcess) -> None:
    with api.client() as client:
        for _ in range(3):
            client.get("/version")
        client.get("/items/424242")  # 404 under the template, not the raw path
        client.get("/no-such-route")
        text = client.get("/metrics").text
    labels = 'color="blue",method="GET",path="/version",status="200",version="1.2.3-test"'
    match = re.search(r"^http_requests_total\{" + re.escape(labels) + r"\} (\d+\.\d+)$", text, re.M)
    assert match, text
    assert float(match.group(1)) >= 3
    assert 'path="/items/{item_id}",status="404"' in text
    assert "/items/424242" not in text
    assert 'path="<unmatched>",status="404"' in text
    for bucket in ("0.1", "0.25", "0.5", "1.0"):
        assert re.search(
            r'^http_request_duration_seconds_bucket\{color="blue",le="' + re.escape(bucket)
            + r'",method="GET",path="/version",version="1.2.3-test"\} ', text, re.M
        ), bucket
    assert "# TYPE http_request_errors_total counter" in text
    assert "process_resident_memory_bytes" in text

