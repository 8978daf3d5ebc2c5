"""`scrapy crawl SPIDER`: Scrapy's own command, but a spider's argument error is one line, not a traceback.

Scrapy builds the spider inside an asyncio task, and a ValueError in its `__init__` (no
`-a start_url=` for `generic`, a `-a base_url=` without a scheme) comes out as asyncio's
"Task exception was never retrieved" traceback. The spider is built once beforehand
here; when its arguments are wrong, the message is printed in one line and the exit
status is 2, before anything is crawled.
"""

from __future__ import annotations

import sys
from typing import Any

from scrapy.commands.crawl import Command as ScrapyCrawl


def argument_error(spidercls: Any, spargs: dict[str, Any]) -> str | None:
    """The spider's own message when it refuses these `-a` arguments, else None."""
    try:
        spidercls(**spargs)
    except (ValueError, TypeError) as exc:
        return str(exc)
    return None


class Command(ScrapyCrawl):
    def run(self, args: list[str], opts: Any) -> None:
        if len(args) == 1 and self.crawler_process is not None:
            try:
                spidercls = self.crawler_process.spider_loader.load(args[0])
            except KeyError:
                print(f"scrapy crawl: unknown spider {args[0]!r} (`scrapy list` names them)", file=sys.stderr)
                self.exitcode = 2
                return
            if (message := argument_error(spidercls, opts.spargs)) is not None:
                print(f"scrapy crawl: {message}", file=sys.stderr)
                self.exitcode = 2
                return
        super().run(args, opts)
