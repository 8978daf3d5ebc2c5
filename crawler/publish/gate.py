"""The public instance's request gate (`python -m crawler serve --public`).

Each HTTP request goes through `PublicGate` (the `public_guard` plugin's `asgi_wrapper`):

* **classes of requests**: arbitrary SQL (`?sql=`, `_where=`) runs at most `sql_at_once` at a
  time in the whole server, and together with table pages, canned queries, searches and
  dashboards at most `heavy_at_once`; Datasette has `num_sql_threads` SQL threads, so plain
  pages (an article, the home page) always find one free. A request that waits longer than
  `wait_seconds` for its turn is answered 503 with Retry-After;
* **per client** (the peer address, or X-Forwarded-For from a proxy on 127.0.0.1, as uvicorn
  trusts it): a token bucket for all requests and a slower one for arbitrary SQL (429 with
  Retry-After), and at most `client_waiting` requests waiting at once;
* **responses** larger than `max_response_bytes` are replaced by an error (400);
* the server's **file paths** (the database, its directory, the package, the virtualenv) are
  cut out of every response.

The SQLite side (authorizer, limits, bounded functions, result budget) is crawler/publish/guard.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qsl

from crawler.publish.guard import MIB, PublicConfig


class TokenBucket:
    def __init__(self, rate: float, burst: int, now: float):
        self.rate, self.burst = rate, burst
        self.tokens, self.stamp = float(burst), now

    def take(self, now: float) -> float:
        """0 when a token was taken, else the seconds until one is due."""
        self.tokens = min(self.burst, self.tokens + (now - self.stamp) * self.rate)
        self.stamp = now
        if self.tokens >= 1:
            self.tokens -= 1
            return 0.0
        return (1 - self.tokens) / self.rate


@dataclass
class Client:
    requests: TokenBucket
    sql: TokenBucket
    waiting: int = 0
    seen: float = 0.0


STATIC_PREFIXES = ("/-/static/", "/-/static-plugins/", "/favicon.ico")
SQL_PARAMS = ("sql", "_where")


def request_class(path: str, params: Iterable[tuple[str, str]], database: str = "archive") -> str:
    """'static', 'sql' (arbitrary SQL), 'heavy' (tables, canned queries, searches, dashboards) or 'page'.

    >>> request_class("/archive/articles/12", [])
    'page'
    >>> request_class("/archive/search", [("q", "dang")]), request_class("/archive.json", [("sql", "select 1")])
    ('heavy', 'sql')
    """
    if path.startswith(STATIC_PREFIXES):
        return "static"
    names = {name for name, _ in params}
    if any(name in SQL_PARAMS or name.startswith("_where") for name in names):
        return "sql"
    if path.startswith("/-/dashboards/") or any(name.startswith("_search") for name in names):
        return "heavy"
    parts = [p for p in path.split("/") if p]
    if len(parts) == 2 and parts[0] == database:  # /archive/TABLE or /archive/QUERY (any format)
        return "heavy"
    return "page"


Send = Callable[[dict[str, Any]], Awaitable[None]]


def _plain(status: int, text: str, retry_after: float | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
    if retry_after is not None:
        headers.append((b"retry-after", str(max(1, int(retry_after + 0.999))).encode()))
    body = text.encode("utf-8")
    headers.append((b"content-length", str(len(body)).encode()))
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class PublicGate:
    """ASGI middleware of a public instance: classes of requests, per-client limits, response cap, no paths."""

    def __init__(self, app: Any, config: PublicConfig, clock: Callable[[], float] = time.monotonic):
        self.app = app
        self.config = config
        self.limits = config.limits
        self.clock = clock
        self.clients: dict[str, Client] = {}
        self._sql: asyncio.Semaphore | None = None
        self._heavy: asyncio.Semaphore | None = None
        hidden = sorted({p for p in config.hidden_paths if p and len(p) > 1}, key=len, reverse=True)
        self.hidden = [p.encode("utf-8") for p in hidden]

    # -- per client --

    def client(self, scope: dict[str, Any]) -> Client:
        address = (scope.get("client") or ("?", 0))[0]
        now = self.clock()
        found = self.clients.get(address)
        if found is None:
            if len(self.clients) > 10_000:  # forget clients idle for ten minutes
                self.clients = {k: v for k, v in self.clients.items() if now - v.seen < 600}
            limits = self.limits
            found = self.clients[address] = Client(TokenBucket(limits.requests_per_second, limits.request_burst, now),
                                                   TokenBucket(limits.sql_per_second, limits.sql_burst, now))
        found.seen = now
        return found

    async def _answer(self, send: Send, status: int, text: str, retry_after: float | None = None) -> None:
        start, body = _plain(status, text, retry_after)
        await send(start)
        await send(body)

    # -- the gate --

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Send) -> None:
        if scope.get("type") != "http":
            await self.app(scope, receive, send)
            return
        if self._sql is None:  # created inside the server's event loop
            self._sql = asyncio.Semaphore(self.limits.sql_at_once)
            self._heavy = asyncio.Semaphore(self.limits.heavy_at_once)
        params = parse_qsl(scope.get("query_string", b"").decode("latin-1"), keep_blank_values=True)
        kind = request_class(scope.get("path", "/"), params)
        if kind == "static":
            await self.app(scope, receive, self._capped(send))
            return
        client = self.client(scope)
        now = self.clock()
        wait = client.requests.take(now)
        if not wait and kind == "sql":
            wait = client.sql.take(now)
        if wait:
            await self._answer(send, 429, "429: quá nhiều yêu cầu · too many requests from your address; "
                                          "try again later\n", wait)
            return
        if kind == "page":
            await self.app(scope, receive, self._capped(send))
            return
        if client.waiting >= self.limits.client_waiting:
            await self._answer(send, 429, "429: too many of your requests are waiting; try again later\n", 5)
            return
        semaphores = [self._sql, self._heavy] if kind == "sql" else [self._heavy]
        client.waiting += 1
        waiting = True
        held: list[asyncio.Semaphore] = []
        try:
            deadline = self.clock() + self.limits.wait_seconds
            for semaphore in semaphores:
                try:
                    await asyncio.wait_for(semaphore.acquire(), max(0.001, deadline - self.clock()))
                except TimeoutError:
                    await self._answer(send, 503, "503: máy chủ đang bận · the server is busy with other queries; "
                                                  "try again later\n", 5)
                    return
                held.append(semaphore)
            client.waiting -= 1
            waiting = False
            await self.app(scope, receive, self._capped(send))
        finally:
            for semaphore in held:
                semaphore.release()
            if waiting:
                client.waiting -= 1

    def _scrub(self, body: bytes) -> bytes:
        for path in self.hidden:
            if path in body:
                body = body.replace(path, b"[path]")
        return body

    def _capped(self, send: Send) -> Send:
        """`send`, with the server's paths cut out of the body and the body's size capped."""
        cap = self.limits.max_response_bytes
        start_message: dict[str, Any] | None = None
        sent, done = 0, False

        async def capped(message: dict[str, Any]) -> None:
            nonlocal start_message, sent, done
            if done:
                return
            if message["type"] == "http.response.start":
                start_message = message
                return
            if message["type"] != "http.response.body":
                await send(message)
                return
            body = self._scrub(message.get("body", b""))
            more = message.get("more_body", False)
            if start_message is not None:
                start, start_message = start_message, None
                if not more and len(body) > cap:
                    done = True
                    await self._answer(send, 400, f"400: the answer is larger than {cap // MIB} MB: ask for fewer "
                                                  "rows or columns (_size=, _col=, LIMIT)\n")
                    return
                headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
                if not more:
                    headers.append((b"content-length", str(len(body)).encode()))
                await send({**start, "headers": headers})
            sent += len(body)
            if sent > cap:  # a streamed answer: cut it off
                done = True
                await send({"type": "http.response.body", "body": b"", "more_body": False})
                return
            await send({**message, "body": body})

        return capped
