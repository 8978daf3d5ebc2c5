"""The progress report of long commands (crawler/progress.py): a bar redrawn in place on a terminal
(a real pseudo-terminal here), periodic lines in a log; and `import-warc` showing it."""

from __future__ import annotations

import os
import pty
import re
import subprocess
import sys

from crawler.progress import LINE_SECONDS, REDRAW_SECONDS, Progress
from tests.conftest import MIRRORS, ROOT, load_expected
from tests.test_warc import foreign_warc, mirror_page


class Clock:
    """Time that moves by `step` seconds each time it is read (the report's own clock)."""

    def __init__(self, step: float):
        self.now, self.step = 1000.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def read_all(fd: int) -> str:
    chunks = []
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:  # the other side closed (EIO on Linux)
            break
        if not chunk:
            break
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8")


def test_on_a_terminal_one_line_is_redrawn_at_most_every_redraw_interval():
    master, slave = pty.openpty()
    terminal = os.fdopen(slave, "w", encoding="utf-8")
    clock = Clock(REDRAW_SECONDS / 4)  # four steps per redraw interval
    progress = Progress(400, terminal, label="reextract", clock=clock)
    for _ in range(400):
        progress.step()
    progress.finish()
    terminal.close()
    shown = read_all(master)
    os.close(master)
    shown = shown.replace("\r\n", "\n")  # the terminal's own line ending (onlcr)
    frames = shown.split("\r")[1:]
    assert 400 / 5 <= len(frames) <= 400 / 4 + 1  # one redraw per interval (4 steps, 5 by rounding), not 400
    assert frames[-1].startswith("reextract [" + "#" * 30 + "] 400/400 100% ") and shown.endswith("\n")
    assert re.fullmatch(r"reextract \[#*\.*\] \d+/400 \d+% \d+/s \d+:\d\d left\x1b\[K", frames[len(frames) // 2])


def test_in_a_log_a_line_at_each_tenth_and_while_slow_at_least_every_line_interval(tmp_path):
    log = tmp_path / "run.log"
    with open(log, "w", encoding="utf-8") as out:
        fast = Progress(1000, out, label="enrich", clock=Clock(0.001))
        for _ in range(1000):
            fast.step()
        fast.finish()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert [re.match(r"enrich: (\d+)/1000 \((\d+)%\)", line).groups() for line in lines] == \
        [(str(100 * n), str(10 * n)) for n in range(1, 11)]
    assert "\r" not in log.read_text(encoding="utf-8")
    with open(log, "w", encoding="utf-8") as out:
        slow = Progress(1000, out, label="enrich", clock=Clock(LINE_SECONDS / 2))
        for _ in range(20):
            slow.step()
    lines = log.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10 and lines[0].startswith("enrich: 2/1000 (0%), 0/s, ")  # alive, with the time left


def test_import_warc_shows_a_bar_on_a_terminal_and_lines_in_a_log(tmp_path):
    expected = load_expected("tuyengiao")["articles"]
    warc = tmp_path / "browser.warc.gz"
    foreign_warc(warc, {path: mirror_page(MIRRORS / "tuyengiao", path) for path in list(expected)[:3]})
    command = [sys.executable, "-m", "crawler", "import-warc", str(warc)]
    master, slave = pty.openpty()
    on_terminal = subprocess.run([*command, "--db", str(tmp_path / "a" / "archive.db")], cwd=ROOT,
                                 stdout=subprocess.PIPE, stderr=slave, timeout=120)
    os.close(slave)
    shown = read_all(master)
    os.close(master)
    assert on_terminal.returncode == 0, shown
    assert re.search(r"\rimport-warc \[#{30}\] [\d.]+/[\d.]+ MB 100% ", shown)
    assert re.search(r"\rreextract \[#{30}\] 3/3 100% ", shown)
    in_log = subprocess.run([*command, "--db", str(tmp_path / "b" / "archive.db")], cwd=ROOT, capture_output=True,
                            text=True, timeout=120)
    assert in_log.returncode == 0, in_log.stderr
    assert re.search(r"^import-warc: [\d.]+/[\d.]+ MB \(100%\), ", in_log.stderr + in_log.stdout, re.M)
    assert "\r" not in in_log.stderr
