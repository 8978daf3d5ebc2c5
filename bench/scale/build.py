"""Build (or reuse) the synthetic archive of one code root at one size: stored, then published.

    CACHE/<size>-<code hash>/
        raw.db          what the root's store wrote (store_run.py), the file a crawl leaves
        store.json      store timings (real path and plain executemany), written when raw.db is complete
        planted.json    {entity: [article numbers]}: the truth for precision and recall
        archive.db      `python -m crawler publish raw.db archive.db` of the root: what a public server serves
        build.json      how long publishing took, and the files publishing left beside archive.db

Each step is skipped when its output is there, so a killed build resumes. The code hash covers the
root's modules that decide what is stored and published (not the crawl, not the Datasette templates)
and this generator: any change there builds anew.
"""

from __future__ import annotations

import hashlib
import json
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
GENERATOR_FILES = ("generate.py", "vocabulary.py", "vocabulary.tsv", "store_run.py")
# Code that does not change the database (the crawl, how a search is asked): skipping it keeps the cache
# across unrelated commits.
NOT_STORAGE = ("crawler/crawl/", "crawler/distributed/", "crawler/publish/datasette/", "crawler/publish/search.py")


def code_hash(root: Path) -> str:
    digest = hashlib.sha256()
    files = sorted(p for p in (root / "crawler").rglob("*.py")
                   if not str(p.relative_to(root)).startswith(NOT_STORAGE))
    for path in [*files, *(HERE / name for name in GENERATOR_FILES)]:
        digest.update(str(path.name).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


@dataclass
class Built:
    root: Path
    directory: Path
    raw: Path
    served: Path
    store: dict[str, Any]
    planted: dict[str, list[int]]
    publish_seconds: float
    published_files: list[str]  # what publishing left beside archive.db (an inspect file, say)

    def remove_serving_leftovers(self) -> None:
        """Delete the inspect caches a server wrote beside the files (not those publishing wrote), so the next
        start is a first one. Never a -wal or -shm: those belong to SQLite."""
        for db in (self.raw, self.served):
            for path in db.parent.glob(db.name + "*-inspect.json"):
                if path.name not in self.published_files:
                    path.unlink()


def _python(root: Path) -> str:
    return str(root / ".venv" / "bin" / "python")


def _run(cmd: list[str], root: Path, log: Path) -> None:
    with log.open("ab") as out:
        done = subprocess.run(cmd, cwd=root, stdout=out, stderr=subprocess.STDOUT)
    if done.returncode:
        raise RuntimeError(f"{' '.join(cmd[:3])} … failed ({done.returncode}) in {root}; see {log}")


def build(root: Path, size: int, cache: Path, log: Path, seed: int | None = None, plain: bool = True) -> Built:
    root = root.resolve()
    directory = cache / (f"{size}-{code_hash(root)}" + ("" if seed is None else f"-seed{seed}"))
    directory.mkdir(parents=True, exist_ok=True)
    raw, served = directory / "raw.db", directory / "archive.db"
    store_json, planted_json = directory / "store.json", directory / "planted.json"
    build_json = directory / "build.json"
    if not store_json.exists():
        for leftover in directory.glob("*.db*"):  # a killed build
            leftover.unlink()
        cmd = [_python(root), str(HERE / "store_run.py"), "--root", str(root), "--db", str(raw), "--size", str(size),
               "--planted", str(planted_json), "--report", str(directory / "store.json.tmp")]
        if plain:
            cmd += ["--plain-db", str(directory / "plain.db")]
        if seed is not None:
            cmd += ["--seed", str(seed)]
        _run(cmd, root, log)
        for path in directory.glob("plain.db*"):  # only its timing matters
            path.unlink()
        (directory / "store.json.tmp").rename(store_json)
    if not build_json.exists():
        start = time.perf_counter()
        _run([_python(root), "-m", "crawler", "publish", str(raw), str(served)], root, log)
        published = sorted(p.name for p in directory.glob(served.name + "*") if p != served)
        build_json.write_text(json.dumps({"publish_seconds": time.perf_counter() - start,
                                          "published_files": published}), encoding="utf-8")
    meta = json.loads(build_json.read_text(encoding="utf-8"))
    return Built(root, directory, raw, served, json.loads(store_json.read_text(encoding="utf-8")),
                 json.loads(planted_json.read_text(encoding="utf-8"))["planted"],
                 meta["publish_seconds"], meta["published_files"])
