"""JSON for what travels through Redis: scrapy-redis' queued requests and the ingester's messages.

scrapy-redis pickles requests by default; a pickle read from Redis can run code, so anyone who can write
to Redis could take over every worker. This module is the serializer instead (`SCHEDULER_SERIALIZER =
"crawler.distributed.codec"`: a module with `dumps` and `loads`): plain JSON, with bytes (request bodies,
header names and values) as `{"$b": base64}` and dicts with non-string keys as `{"$d": [[k, v], …]}`.

    >>> loads(dumps({"headers": {b"If-None-Match": [b'"x"']}, "body": b"", "meta": {"page": 2}}))
    {'headers': {b'If-None-Match': [b'"x"']}, 'body': b'', 'meta': {'page': 2}}
"""

from __future__ import annotations

import base64
import json
from typing import Any


def _encode(value: Any) -> Any:
    if isinstance(value, bytes | bytearray):
        return {"$b": base64.b64encode(bytes(value)).decode("ascii")}
    if isinstance(value, dict):
        if all(isinstance(k, str) for k in value) and not ({"$b", "$d"} & value.keys()):
            return {k: _encode(v) for k, v in value.items()}
        return {"$d": [[_encode(k), _encode(v)] for k, v in value.items()]}
    if isinstance(value, list | tuple | set | frozenset):
        return [_encode(v) for v in value]
    return value


def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        if len(value) == 1 and "$b" in value:
            return base64.b64decode(value["$b"])
        if len(value) == 1 and "$d" in value:
            return {_freeze(_decode(k)): _decode(v) for k, v in value["$d"]}
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_decode(v) for v in value]
    return value


def _freeze(key: Any) -> Any:
    return tuple(key) if isinstance(key, list) else key


def dumps(obj: Any) -> bytes:
    return json.dumps(_encode(obj), ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def loads(data: bytes | str) -> Any:
    return _decode(json.loads(data))
