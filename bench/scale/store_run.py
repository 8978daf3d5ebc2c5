"""Store the synthetic archive through one code root's real store path; time it against plain executemany.

Run with that root's interpreter, from that root (scale.py does):

    cd ROOT && ROOT/.venv/bin/python BENCH/bench/scale/store_run.py --root ROOT --db out.db --size 100000 \\
        --plain-db plain.db --planted planted.json --report report.json

Articles are generated in chunks (generation is not timed), each chunk goes through
`ArticleStore.upsert` (inside `ArticleStore.batch()` when the root's store has it) and, with `--plain-db`,
the same rows through one `executemany` per table into a second file (the floor the real path is
compared with). CPU time of this process around the store calls only; the report gives the cumulative
figures at every milestone (10k, 100k, 1M) reached.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import re
import sqlite3
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

CHUNK = 1000  # articles generated (and plainly inserted) at a time: bounded memory, small per-chunk overhead
MILESTONES = (10_000, 100_000, 1_000_000)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="the code root whose crawler package stores the articles")
    ap.add_argument("--db", required=True)
    ap.add_argument("--size", type=int, required=True)
    ap.add_argument("--seed", type=int)
    ap.add_argument("--plain-db", help="also insert the same rows with plain executemany into this file")
    ap.add_argument("--planted", help="write {entity: [article numbers]} here")
    ap.add_argument("--report", help="write the timings here (JSON)")
    return ap.parse_args(argv)


class Clock:
    """CPU and wall seconds spent inside `with clock:` blocks, summed."""

    def __init__(self) -> None:
        self.cpu = self.wall = 0.0

    def __enter__(self) -> Clock:
        self._cpu, self._wall = time.process_time(), time.perf_counter()
        return self

    def __exit__(self, *exc: object) -> None:
        self.cpu += time.process_time() - self._cpu
        self.wall += time.perf_counter() - self._wall


class PlainInserter:
    """The rows the real path wrote for a chunk (articles, article_urls, the search index), read back and
    written again by one executemany per table into a file with the same schema: what the same rows
    cost SQLite alone. Generic over the root's schema: the index's columns and rowid come from its DDL."""

    def __init__(self, path: str, store_class: Any, fold: Callable[[str | None], str], sites: list[str]) -> None:
        self.conn = store_class(path).db.conn  # the root's own schema, then a bare connection
        self.conn.executemany("INSERT INTO sites (name) VALUES (?)", [(site,) for site in sites])  # the foreign key
        self.fold = fold
        ddl = self.conn.execute("SELECT sql FROM sqlite_master WHERE name = 'articles_fts'").fetchone()[0]
        args = ddl[ddl.index("(") + 1:ddl.rindex(")")].split(",")
        self.fts_columns = [a.strip() for a in args if "=" not in a]
        rowid = re.search(r"content_rowid\s*=\s*'?(\w+)", ddl)
        self.fts_rowid = rowid.group(1) if rowid else "id"

    def read(self, source: sqlite3.Connection, ids: list[int]) -> dict[str, tuple[list[str], list[tuple]]]:
        marks = ", ".join("?" * len(ids))
        out = {}
        for table, key in (("articles", "id"), ("article_urls", "article_id")):
            cursor = source.execute(f"SELECT * FROM {table} WHERE {key} IN ({marks})", ids)
            out[table] = ([d[0] for d in cursor.description], cursor.fetchall())
        names, rows = out["articles"]
        index = [names.index(c) for c in self.fts_columns]
        text = {names.index(c) for c in ("title", "lead", "body_text")}
        fts_rows = [(row[names.index(self.fts_rowid)], *(self.fold(row[i]) if i in text else row[i] for i in index))
                    for row in rows]
        out["articles_fts"] = (["rowid", *self.fts_columns], fts_rows)
        return out

    def insert(self, tables: dict[str, tuple[list[str], list[tuple]]]) -> None:
        self.conn.execute("BEGIN")
        for table, (names, rows) in tables.items():
            self.conn.executemany(f"INSERT INTO {table} ({', '.join(names)}) VALUES ({', '.join('?' * len(names))})",
                                  rows)
        self.conn.execute("COMMIT")


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    root = Path(args.root).resolve()
    sys.path.insert(0, str(root))  # the root's crawler package first
    sys.path.append(str(Path(__file__).resolve().parents[2]))  # then this generator
    from bench.scale.generate import DEFAULT_SEED, generate_article, registry_sites
    from crawler.extract.article import Article
    from crawler.store.archive import ArticleStore
    from crawler.store.folding import vn_fold

    seed = DEFAULT_SEED if args.seed is None else args.seed
    extra_keys = ("site", "province", "seen_at", "contains")
    store = ArticleStore(args.db)
    for site in registry_sites():
        store.register_site(name=site["name"], origin=site["origin"], province=site["province"] or None,
                            organization=site["organization"], organization_type=site["organization_type"],
                            platform=site["platform"] or None, status=site["status"])
    plain = (PlainInserter(args.plain_db, ArticleStore, vn_fold, [s["name"] for s in registry_sites()])
             if args.plain_db else None)
    batched = hasattr(store, "batch")
    real, floor, generation = Clock(), Clock(), Clock()
    planted: dict[str, list[int]] = {}
    milestones: list[dict[str, float]] = []
    with contextlib.ExitStack() as batch:
        if batched:  # the store's own batching (one transaction per batch of upserts)
            batch.enter_context(store.batch())
        for start in range(1, args.size + 1, CHUNK):
            with generation:
                chunk = []
                for n in range(start, min(start + CHUNK, args.size + 1)):
                    fields = generate_article(n, seed)
                    extra = {k: fields.pop(k) for k in extra_keys}
                    for key in extra["contains"]:
                        planted.setdefault(key, []).append(n)
                    chunk.append((Article(**fields), extra))
            with real:
                ids = [store.upsert(article, site=extra["site"], province=extra["province"],
                                    seen_at=extra["seen_at"]).article_id for article, extra in chunk]
            if plain:
                rows = plain.read(store.db.conn, ids)
                with floor:
                    plain.insert(rows)
            done = start + len(chunk) - 1
            if done in MILESTONES or done == args.size:
                milestones.append({"articles": done, "store_cpu_s": real.cpu, "store_wall_s": real.wall,
                                   "plain_cpu_s": floor.cpu if plain else None,
                                   "plain_wall_s": floor.wall if plain else None})
        with real:  # the end of the last batch commits
            batch.close()
            store.close()
    milestones[-1].update(store_cpu_s=real.cpu, store_wall_s=real.wall)
    report = {"root": str(root), "articles": args.size, "seed": seed, "batched": batched,
              "generate_cpu_s": generation.cpu, "milestones": milestones}
    if args.report:
        Path(args.report).write_text(json.dumps(report, indent=2), encoding="utf-8")
    if args.planted:
        Path(args.planted).write_text(json.dumps({"articles": args.size, "seed": seed, "planted": planted},
                                                 ensure_ascii=False), encoding="utf-8")
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
