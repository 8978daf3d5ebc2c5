"""scripts/bench_crawl at a tiny size: the generated mirror, both spiders, the CPU split and the RSS samples.

No timing is asserted (the machine is shared); the test checks that every table is there and consistent.
"""

from __future__ import annotations

import re
import subprocess
import sys

from tests.conftest import ROOT


def test_bench_crawl_runs_at_a_tiny_size():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "bench_crawl"), "--pages", "60", "--repeat", "1",
                           "--profile-pages", "60", "--rss-pages", "0", "--no-write"],
                          cwd=ROOT, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    out = done.stdout
    rows = {m.group(1): (int(m.group(2)), float(m.group(3)))
            for m in re.finditer(r"^\| ([a-z][^|]*?) \| (\d+) \| ([\d.]+) \|", out, re.MULTILINE)}
    bare, archive = rows["bare link-only Scrapy spider"], rows["archive spider (this code)"]
    # the mirror: 57 articles on 3 listing pages of 7 categories, the home page, robots.txt
    assert bare[0] >= 60 and archive[0] >= 60 and bare[1] > 0 and archive[1] > 0
    split = dict(re.findall(r"^\| (extraction|WARC|store \(SQLite\)|Scrapy engine, download) \| (\d+)%", out,
                            re.MULTILINE))
    assert set(split) == {"extraction", "WARC", "store (SQLite)", "Scrapy engine, download"}
    assert re.search(r"^\| after, 60 pages \(last round\) \| \d+ \| \d+ MB \|", out, re.MULTILINE)
