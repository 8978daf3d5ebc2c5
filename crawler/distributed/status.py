"""`python -m crawler status`: what the distributed crawl is doing, read from Redis alone.

    workers alive, the ingester, the stream (messages waiting for the ingester), and per site its current
    pass: state, requests queued, leased (being fetched or parsed), seen (fingerprints of the pass),
    pages fetched, items pushed, items ingested, requests taken over from lost workers, workers.

A pass is `seeding` while a seeder is alive and has not finished, `running` while requests are queued
or leased, `drained` when neither is left (its crawl_runs row is finished by the ingester).
"""

from __future__ import annotations

from typing import Any

from crawler.distributed import Keys, connect, live_workers


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)


def read_status(url: str, prefix: str = "vnparty") -> dict[str, Any]:
    server = connect(url)
    keys = Keys(prefix)
    alive = live_workers(server, keys)
    sites = []
    for site in sorted(_text(s) for s in server.smembers(keys.sites)):
        number = int(server.get(keys.pass_number(site)) or 0)
        info = {_text(k): _text(v) for k, v in server.hgetall(keys.pass_info(site, number)).items()}
        pipe = server.pipeline(transaction=False)
        pipe.zcard(keys.queue(site))
        pipe.hlen(keys.leases(site))
        pipe.scard(keys.seen(site))
        queued, leased, seen = pipe.execute()
        seeders = [k[7:] for k in info if k.startswith("seeder:") and k[7:] in alive]
        state = "seeding" if seeders else "running" if queued or leased else "drained"
        sites.append({
            "site": site, "pass": number, "state": state, "started_at": info.get("started_at"),
            "queued": queued, "leased": leased, "seen": seen, "fetched": int(info.get("fetched", 0)),
            "items": int(info.get("items", 0)), "ingested": int(info.get("ingested", 0)),
            "reclaimed": int(info.get("reclaimed", 0)), "run_id": int(info["run_id"]) if "run_id" in info else None,
            "workers": sorted(k[7:] for k in info if k.startswith("worker:")),
            "outcomes": {k[8:]: int(v) for k, v in info.items() if k.startswith("outcome:")},
        })
    stream = {"length": server.xlen(keys.stream), "pending": 0}
    try:
        for group in server.xinfo_groups(keys.stream):
            if _text(group.get("name")) == "ingest":
                stream["pending"] = group.get("pending", 0)
                stream["lag"] = group.get("lag")
    except Exception:  # no stream yet
        pass
    ingester = server.get(keys.ingester)
    return {"workers": alive, "ingester": _text(ingester) if ingester else None, "stream": stream,
            "known_published_at": _text(server.get(keys.published) or b"") or None, "sites": sites}


def format_status(status: dict[str, Any]) -> str:
    lines = [f"workers alive: {len(status['workers'])}" + (f" ({', '.join(status['workers'])})"
                                                            if status["workers"] else ""),
             f"ingester: {status['ingester'] or 'none running'}; stream: {status['stream']['length']} messages "
             f"waiting ({status['stream']['pending']} read, not yet acknowledged)",
             f"known articles published: {status['known_published_at'] or 'never (start the ingester first)'}", "",
             f"{'site':<22}{'pass':>5} {'state':<9}{'queued':>8}{'leased':>7}{'seen':>8}{'fetched':>8}"
             f"{'items':>7}{'ingested':>9}{'taken over':>11}{'workers':>8}"]
    for s in status["sites"]:
        lines.append(f"{s['site']:<22}{s['pass']:>5} {s['state']:<9}{s['queued']:>8}{s['leased']:>7}{s['seen']:>8}"
                     f"{s['fetched']:>8}{s['items']:>7}{s['ingested']:>9}{s['reclaimed']:>11}{len(s['workers']):>8}")
    if not status["sites"]:
        lines.append("(no pass seeded yet: python -m crawler crawl --distributed --seed …)")
    return "\n".join(lines)
