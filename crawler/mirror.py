"""Serve an offline mirror (tests/fixtures/sites/<site>/) over real HTTP on loopback.

    with MirrorServer("tests/fixtures/sites/tuyengiao") as mirror:
        mirror.base_url          # 'http://127.0.0.1:40123'

`routes.json` maps a request target (path + query) to a file name, or to an
object with `file`, `status`, `content_type`, `location` and `headers`.
Targets not listed answer 404. The routes are re-read on every request, so a
test can edit a mirror between two crawls.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

NOT_FOUND_PAGE = b"<!DOCTYPE html><html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>"


def content_type_for(name: str) -> str:
    if name.endswith(".txt"):
        return "text/plain; charset=utf-8"
    if name.endswith(".xml"):
        return "application/xml; charset=utf-8"
    return "text/html; charset=utf-8"


class MirrorServer:
    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0):
        self.root = Path(root)
        if not (self.root / "routes.json").exists():
            raise FileNotFoundError(f"{self.root}/routes.json: not a mirror directory")
        self.requests: list[str] = []  # request targets in arrival order, for tests
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def routes(self) -> dict[str, Any]:
        return json.loads((self.root / "routes.json").read_text(encoding="utf-8"))

    def start(self) -> MirrorServer:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> MirrorServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
                self._respond(send_body=False)

            def do_GET(self) -> None:  # noqa: N802
                self._respond(send_body=True)

            def _respond(self, send_body: bool) -> None:
                mirror.requests.append(self.path)
                route = mirror.routes().get(self.path)
                if isinstance(route, str):
                    route = {"file": route}
                if route is None:
                    route = {"status": 404}
                status = route.get("status", 200)
                body = NOT_FOUND_PAGE if status == 404 else b""
                if "file" in route:
                    body = (mirror.root / route["file"]).read_bytes()
                self.send_response(status)
                content_type = route.get("content_type") or content_type_for(route.get("file", ".html"))
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if "location" in route:
                    self.send_header("Location", route["location"])
                for name, value in route.get("headers", {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the crawler logs
                pass

        return Handler
