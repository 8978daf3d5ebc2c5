"""A progress report for long commands (reextract, enrich backfills, import-warc).

On a terminal, one line redrawn in place (at most every `REDRAW_SECONDS`): a bar, the count, the share,
the rate and the time left. Elsewhere (a log file, cron's mail), a line at every 10 % and at least
every `LINE_SECONDS`, so a long run shows it is alive without flooding the log:

    reextract [#########.....................] 3,120/10,000 31% 412/s 0:16 left
    reextract: 3120/10000 (31%), 412/s, 0:16 left

The standard library is enough for this (no tqdm or rich: one line of text, no dependency).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import TextIO

REDRAW_SECONDS = 0.2  # a terminal redraw per step would cost more than a fast step (enrich does ~5,000/s)
LINE_SECONDS = 60.0  # a log line at least this often: an hour-long run must not look hung between deciles
BAR_WIDTH = 30
MEGABYTE = 1 << 20


def _duration(seconds: float) -> str:
    minutes, secs = divmod(int(seconds), 60)
    hours, minutes = divmod(minutes, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


class Progress:
    """`step()` per item done (or `update(done)`), then `finish()`. `unit="bytes"` counts in MB."""

    def __init__(self, total: int, out: TextIO, label: str = "reextract", unit: str = "",
                 clock: Callable[[], float] = time.monotonic):
        self.total, self.out, self.label, self.unit, self.clock = total, out, label, unit, clock
        self.done = 0
        self.started = clock()
        self.tty = hasattr(out, "isatty") and out.isatty()
        self._last_decile = 0
        self._last_output = self.started
        self._drawn = False

    def step(self, count: int = 1) -> None:
        self.update(self.done + count)

    def update(self, done: int) -> None:
        self.done = done
        now = self.clock()
        last = done >= self.total
        if self.tty:
            if last or now - self._last_output >= REDRAW_SECONDS:
                self._draw(now)
        else:
            decile = 10 * done // max(self.total, 1)
            if decile > self._last_decile or now - self._last_output >= LINE_SECONDS:
                self._last_decile = decile
                self._line(now)

    def finish(self) -> None:
        if self.tty and self._drawn:
            self.out.write("\n")
            self.out.flush()

    # -- text -------------------------------------------------------------------------------

    def _amounts(self, thousands: str) -> str:
        """'3,120/10,000' (or '12.5/50.0 MB'): done and total."""
        if self.unit == "bytes":
            return f"{self.done / MEGABYTE:.1f}/{self.total / MEGABYTE:.1f} MB"
        return f"{self.done:{thousands}}/{self.total:{thousands}}"

    def _rate_and_left(self, now: float) -> list[str]:
        """The rate, and the time left while there is some."""
        rate = self.done / max(now - self.started, 1e-9)
        parts = [f"{rate / MEGABYTE:.1f} MB/s" if self.unit == "bytes" else f"{rate:.0f}/s"]
        if self.done and self.done < self.total:
            parts.append(f"{_duration((self.total - self.done) / rate)} left")
        return parts

    def _percent(self) -> int:
        return 100 * min(self.done, self.total) // max(self.total, 1)

    def _draw(self, now: float) -> None:
        filled = BAR_WIDTH * min(self.done, self.total) // max(self.total, 1)
        text = " ".join([f"{self.label} [{'#' * filled}{'.' * (BAR_WIDTH - filled)}]", self._amounts(","),
                         f"{self._percent()}%", *self._rate_and_left(now)])
        self.out.write(f"\r{text}\033[K")  # erase what a longer line left behind
        self.out.flush()
        self._drawn = True
        self._last_output = now

    def _line(self, now: float) -> None:
        text = ", ".join([f"{self.label}: {self._amounts('')} ({self._percent()}%)", *self._rate_and_left(now)])
        print(text, file=self.out, flush=True)
        self._last_output = now
