"""A tiny real HTTP server standing in for the router + one color, with scripted answers."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

# path -> (status, body, headers); a callable is called per request (for flapping answers)
Route = tuple[int, str, dict[str, str]] | Callable[[], tuple[int, str, dict[str, str]]]


def json_body(value: object) -> str:
    return json.dumps(value)


@contextmanager
def fake_service(routes: dict[str, Route]) -> Iterator[str]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            route = routes.get(self.path)
            status, body, headers = (route() if callable(route) else route) if route else (404, "not found", {})
            data = body.encode()
            self.send_response(status)
            for key, value in headers.items():
                self.send_header(key, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *_: object) -> None:
            return None

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
