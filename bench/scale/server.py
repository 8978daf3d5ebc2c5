"""A code root's own Datasette (`python -m crawler serve`) on a free loopback port, and an HTTP client for it."""

from __future__ import annotations

import http.client
import json
import os
import signal
import socket
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

START_TIMEOUT_S = 600  # a first start at 1M hashes a 10 GB file
REQUEST_TIMEOUT_S = 60  # longer than any SQL time limit: a slow answer is measured, not cut short
READY_PATH = "/-/versions.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Answer:
    status: int
    seconds: float
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Client:
    """One keep-alive connection; reconnects after an error. Wall seconds per request."""

    def __init__(self, port: int, timeout: float = REQUEST_TIMEOUT_S) -> None:
        self.port, self.timeout = port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def get(self, path: str) -> Answer:
        start = time.perf_counter()
        try:
            if self.conn is None:
                self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=self.timeout)
            self.conn.request("GET", path)
            response = self.conn.getresponse()
            body = response.read()
            return Answer(response.status, time.perf_counter() - start, body)
        except (OSError, http.client.HTTPException) as exc:  # a timeout or a dropped connection: a failure
            self.close()
            return Answer(0, time.perf_counter() - start, str(exc).encode())

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class Server:
    """`ROOT/.venv/bin/python -m crawler serve --db DB --port P`, run from ROOT; `start_seconds` is the time
    from the spawn to the first answer."""

    def __init__(self, root: Path, db: Path, log: Path) -> None:
        self.root, self.db, self.log = root, db, log
        self.port = free_port()
        self.proc: subprocess.Popen | None = None
        self.start_seconds = 0.0

    def __enter__(self) -> Server:
        python = self.root / ".venv" / "bin" / "python"
        with self.log.open("ab") as log:
            start = time.perf_counter()
            self.proc = subprocess.Popen(
                [str(python), "-m", "crawler", "serve", "--db", str(self.db), "--port", str(self.port)],
                cwd=self.root, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                env={**os.environ, "PYTHONPATH": str(self.root)})
        client = Client(self.port, timeout=5)
        while time.perf_counter() - start < START_TIMEOUT_S:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the server of {self.root} exited with {self.proc.returncode}; see {self.log}")
            if client.get(READY_PATH).status == 200:
                self.start_seconds = time.perf_counter() - start
                client.close()
                return self
            time.sleep(0.05)
        self.__exit__()
        raise RuntimeError(f"the server of {self.root} did not answer within {START_TIMEOUT_S} s; see {self.log}")

    def __exit__(self, *exc: object) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)  # its own session: the server and nothing else
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
