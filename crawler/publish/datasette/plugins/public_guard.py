"""A public instance that survives hostile visitors: `python -m crawler serve --public`.

Does nothing unless `crawler.publish.guard.configure()` turned the guard on in this process
(`serve(public=True)` does). Then every SQLite connection is guarded (`guard_connection`:
authorizer, limits, bounded functions, result budget), every request goes through
`PublicGate` (classes of requests, per-client limits, response cap, no file paths), and with
`--no-sql` nobody gets the `execute-sql` permission. crawler/publish/guard.py and gate.py explain each.
"""

from __future__ import annotations

from datasette.hookspecs import hookimpl  # = datasette.hookimpl

from crawler.publish import gate, guard


@hookimpl
def prepare_connection(conn):
    config = guard.config()
    if config is not None:
        guard.guard_connection(conn, config.limits)


@hookimpl
def permission_allowed(action):
    config = guard.config()
    if config is not None and not config.allow_sql and action == "execute-sql":
        return False
    return None


@hookimpl(trylast=True)
def asgi_wrapper(datasette):
    def wrap(app):
        config = guard.config()
        return app if config is None else gate.PublicGate(app, config)

    return wrap
