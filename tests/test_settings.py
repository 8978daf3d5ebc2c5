"""The project's Scrapy settings: quiet by default."""

from __future__ import annotations

import subprocess
import sys

from tests.conftest import ROOT

# Building a crawler installs a Twisted reactor: done in a child process, apart from the other tests.
BUILD_EXTENSIONS = """
from scrapy.crawler import Crawler
from scrapy.utils.project import get_project_settings
from crawler.crawl.generic import GenericSpider
crawler = Crawler(GenericSpider, get_project_settings(), init_reactor=True)
crawler._apply_settings()
print(" ".join(sorted(type(ext).__name__ for ext in crawler.extensions.middlewares)))
"""


def test_no_extension_opens_a_port():
    """Neither the telnet console nor the remote-control server is built for a crawl."""
    result = subprocess.run([sys.executable, "-c", BUILD_EXTENSIONS], capture_output=True, text=True, cwd=ROOT,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    names = set(result.stdout.split())
    assert {"CrawlRunRecorder", "CrawlProgress"} <= names  # the project's own extensions are built
    assert "TelnetConsole" not in names and "RemoteControl" not in names
