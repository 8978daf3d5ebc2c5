"""Serve an offline mirror (tests/fixtures/sites/<site>/) over real HTTP on loopback.

    with MirrorServer("tests/fixtures/sites/tuyengiao") as mirror:
        mirror.base_url          # 'http://127.0.0.1:40123'

`routes.json` maps a request target (path + query) to a file name, or to an
object with `file`, `status`, `content_type`, `location` and `headers`.
Targets not listed answer 404. The routes are re-read on every request, so a
test can edit a mirror between two crawls.

Faults, for testing a crawler against fragile servers (keys of a route object):

* `delay`: seconds to wait before answering;
* `fail_first` + `fail_status`: the first N requests answer `fail_status` (default 503);
* `stall`: send the headers and half the body, then hang for `stall` seconds;
* `drop`: close the connection without answering;
* `pad_to`: pad the body with whitespace to this many bytes (an oversized page);
* `headers` with an `ETag`: a request whose If-None-Match matches gets 304;
* a target ending in `*` matches every target with that prefix; with
  `"trap": true` its file is a template whose `{next}` becomes N+1 for a
  request carrying `page=N` (a pager that never ends).
"""

from __future__ import annotations

import json
import re
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Self

NOT_FOUND_PAGE = b"<!DOCTYPE html><html><head><title>404</title></head><body><h1>404 Not Found</h1></body></html>"


def content_type_for(name: str) -> str:
    if name.endswith(".txt"):
        return "text/plain; charset=utf-8"
    if name.endswith(".xml"):
        return "application/xml; charset=utf-8"
    return "text/html; charset=utf-8"


class LoopbackServer:
    """An HTTP server on its own thread: `with Server(...) as s: s.base_url`. Subclasses give the handler."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str = "127.0.0.1", port: int = 0):
        self.httpd = ThreadingHTTPServer((host, port), handler)
        self.httpd.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        host, port = self.httpd.server_address[:2]
        return f"http://{host}:{port}"

    def start(self) -> Self:
        self._thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class MirrorServer(LoopbackServer):
    def __init__(self, root: str | Path, host: str = "127.0.0.1", port: int = 0):
        self.root = Path(root)
        if not (self.root / "routes.json").exists():
            raise FileNotFoundError(f"{self.root}/routes.json: not a mirror directory")
        self.requests: list[str] = []  # request targets in arrival order, for tests
        self._served: dict[str, int] = {}  # target -> times answered (for fail_first)
        self._lock = threading.Lock()
        super().__init__(self._handler_class(), host, port)

    def routes(self) -> dict[str, Any]:
        return json.loads((self.root / "routes.json").read_text(encoding="utf-8"))

    def route_for(self, target: str) -> dict[str, Any] | None:
        routes = self.routes()
        route = routes.get(target)
        if route is None:
            prefixes = [key for key in routes if key.endswith("*") and target.startswith(key[:-1])]
            route = routes[max(prefixes, key=len)] if prefixes else None
        return {"file": route} if isinstance(route, str) else route

    def count(self, target: str) -> int:
        """How many times `target` was requested before (thread-safe)."""
        with self._lock:
            seen = self._served.get(target, 0)
            self._served[target] = seen + 1
            return seen

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        mirror = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_HEAD(self) -> None:  # noqa: N802 (http.server's naming)
                self._respond(send_body=False)

            def do_GET(self) -> None:  # noqa: N802
                try:
                    self._respond(send_body=True)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True  # the client gave up (timeout, size limit): expected

            def _respond(self, send_body: bool) -> None:
                mirror.requests.append(self.path)
                route = mirror.route_for(self.path) or {"status": 404}
                if route.get("delay"):
                    time.sleep(route["delay"])
                if route.get("drop"):
                    self.connection.shutdown(socket.SHUT_RDWR)
                    self.close_connection = True
                    return
                status = route.get("status", 200)
                etag = route.get("headers", {}).get("ETag")
                if etag and self.headers.get("If-None-Match") == etag:
                    self.send_response(304)
                    self.send_header("ETag", etag)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if mirror.count(self.path) < route.get("fail_first", 0):
                    status, route = route.get("fail_status", 503), {}
                body = NOT_FOUND_PAGE if status == 404 else b""
                if "file" in route:
                    body = (mirror.root / route["file"]).read_bytes()
                if route.get("trap"):
                    page = re.search(r"page=(\d+)", self.path)
                    body = body.replace(b"{next}", str(int(page.group(1)) + 1 if page else 2).encode())
                if route.get("pad_to"):
                    body += b" " * max(0, route["pad_to"] - len(body))
                self.send_response(status)
                content_type = route.get("content_type") or content_type_for(route.get("file", ".html"))
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(body)))
                if "location" in route:
                    self.send_header("Location", route["location"])
                for name, value in route.get("headers", {}).items():
                    self.send_header(name, value)
                self.end_headers()
                if not send_body:
                    return
                if route.get("stall"):
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    time.sleep(route["stall"])
                    self.close_connection = True
                    return
                self.wfile.write(body)

            def log_message(self, format: str, *args: Any) -> None:  # quiet: the crawler logs
                pass

        return Handler


def article_pages(root: str | Path) -> list[tuple[str, Path]]:
    """(request target, file) of every article page of a mirror: the targets its expected.json lists,
    each once (a file served under several targets is listed under the first)."""
    root = Path(root)
    routes = json.loads((root / "routes.json").read_text(encoding="utf-8"))
    expected = json.loads((root / "expected.json").read_text(encoding="utf-8"))
    pages: dict[Path, str] = {}
    for target in expected.get("articles", {}):
        route = routes.get(target)
        name = route if isinstance(route, str) else (route or {}).get("file")
        if name and (root / name) not in pages:
            pages[root / name] = target
    return [(target, path) for path, target in pages.items()]
