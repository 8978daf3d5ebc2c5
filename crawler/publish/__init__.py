"""Publishing: Datasette on an immutable snapshot (`serve`), and safe swaps of new snapshots (`snapshot`)."""

from crawler.publish.server import (
    DATABASE_NAME,
    METADATA,
    SETTINGS,
    datasette_args,
    ensure_inspect_file,
    inspect_is_fresh,
    inspect_path_for,
    serve,
)
from crawler.publish.snapshot import SnapshotError, check_snapshot, publish_snapshot

__all__ = ["DATABASE_NAME", "METADATA", "SETTINGS", "SnapshotError", "check_snapshot", "datasette_args",
           "ensure_inspect_file", "inspect_is_fresh", "inspect_path_for", "publish_snapshot", "serve"]
