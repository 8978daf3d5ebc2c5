"""`python -m crawler demo`: serve the bundled mirrors on 127.0.0.1, crawl them into archive.db, serve it.

Two things keep the demo's archive whole:

* each mirror has its own fixed port (`MIRROR_PORT` + the site's place in the registry), so a second
  run finds the same URLs as the first and adds no aliases pointing at ports nobody serves (a mirror's
  URLs are the article URLs the archive stores);
* the mirrors keep serving while Datasette does, so every "original article" link of the archive
  answers; they stop when the demo stops.
"""

from __future__ import annotations

import errno
import os
from contextlib import ExitStack
from pathlib import Path

from crawler.cli_errors import CliError

# The first mirror's port; the others follow in registry order (144 sites: 8100-8243).
MIRROR_PORT = 8100


def mirror_ports(sites: list[str], first_port: int = MIRROR_PORT) -> dict[str, int]:
    """Each site's fixed mirror port: `first_port` + its place in the registry (crawler/sites/sites.csv),
    the same whichever mirrors a run serves."""
    from crawler.sites import registry

    order = {name: index for index, name in enumerate(registry())}
    return {site: first_port + order[site] for site in sites}


def bundled_mirrors(mirrors: Path) -> list[Path]:
    """The mirror directories of registry sites under `mirrors`, by name."""
    from crawler.sites import registry

    known = registry()
    return [d for d in sorted(mirrors.iterdir()) if (d / "routes.json").is_file() and d.name in known]


def run_demo(mirrors: Path, port: int, serve_after: bool = True, first_mirror_port: int = MIRROR_PORT) -> int:
    """Serve the mirrors, crawl them, then (`serve_after`) serve the archive while the mirrors still run."""
    from crawler.crawl.scheduled import scheduled_crawl
    from crawler.mirror import MirrorServer

    db_path = os.environ.get("ARCHIVE_DB", "archive.db")
    if not mirrors.is_dir():
        raise CliError(f"{mirrors}: no such directory (run the demo from a checkout of the repository, "
                       "or pass --mirrors)")
    directories = bundled_mirrors(mirrors)
    ports = mirror_ports([d.name for d in directories], first_mirror_port)
    with ExitStack() as stack:
        base_urls = {}
        for directory in directories:
            try:
                mirror = stack.enter_context(MirrorServer(directory, port=ports[directory.name]))
            except OSError as exc:
                if exc.errno != errno.EADDRINUSE:
                    raise
                raise CliError(f"port {ports[directory.name]} of the {directory.name} mirror is in use (another "
                               "demo running?); choose other ports with --mirror-port FIRST") from None
            base_urls[directory.name] = mirror.base_url
            print(f"mirror {directory.name:<20} {mirror.base_url}")
        code = scheduled_crawl(sorted(base_urls), base_urls, db_path)
        if code or not serve_after:
            return code
        from crawler.publish import serve

        return serve(db_path, host="127.0.0.1", port=port)
