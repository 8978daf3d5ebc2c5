"""A progress report for long commands (reextract, imports): a bar on a terminal, a line every 10 % elsewhere."""

from __future__ import annotations

import time
from typing import TextIO


class Progress:
    """A one-line progress bar on a terminal; a line every 10 % elsewhere (logs)."""

    def __init__(self, total: int, out: TextIO, label: str = "reextract"):
        self.total, self.out, self.label = total, out, label
        self.done = 0
        self.started = time.monotonic()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self._last_decile = -1

    def step(self) -> None:
        self.done += 1
        if self.tty:
            width = 30
            filled = int(width * self.done / max(self.total, 1))
            rate = self.done / max(time.monotonic() - self.started, 1e-9)
            self.out.write(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                           f"{self.done}/{self.total} {rate:.0f}/s")
            self.out.flush()
        else:
            decile = 10 * self.done // max(self.total, 1)
            if decile > self._last_decile:
                self._last_decile = decile
                print(f"{self.label}: {self.done}/{self.total} ({10 * decile}%)", file=self.out, flush=True)

    def finish(self) -> None:
        if self.tty and self.total:
            self.out.write("\n")
