"""In-process publish/subscribe for lifecycle events (the `listEvents` subscription).

One process serves the API, so a subscriber is an asyncio queue registered here, and the lifecycle mutations
publish after their write has committed. Each published event carries its audience: the keys (USCC or person
id) of the entry's subject and of everything one hop from it through a role or a shareholding; a subscriber
receives it when one of the keys it watches is in the audience.

Publishing is thread-safe (each queue is fed on its own event loop with `call_soon_threadsafe`), so a sync
resolver, a worker thread or a test can publish. A multi-process deployment (several uvicorn workers, or a
sweep run from a cron job) would need a broker instead (Redis pub/sub on the same server as FalkorDB, or
Neo4j CDC): events published in one process are not seen by subscribers of another.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class LifecycleEvent:
    entry_id: str
    subject_key: str  # USCC or person id of the entry's subject
    subject_kind: str  # ORGANIZATION or PERSON
    subject_name: str | None
    event: dict[str, Any]  # the EntryEvent as stored (seq, at, action, fromStatus, toStatus, actor, note, …)
    audience: frozenset[str] = field(default_factory=frozenset)  # subject key and keys one hop away


@dataclass
class _Subscriber:
    watch: frozenset[str]
    queue: asyncio.Queue[tuple[str, LifecycleEvent]]
    loop: asyncio.AbstractEventLoop


class EventBus:
    def __init__(self, max_queue: int = 1000) -> None:
        self._by_id: dict[int, _Subscriber] = {}
        self._lock = threading.Lock()
        self._max_queue = max_queue

    def publish(self, event: LifecycleEvent) -> int:
        """Deliver to every subscriber watching a key in the event's audience; returns how many."""
        with self._lock:
            targets = list(self._by_id.values())
        delivered = 0
        for sub in targets:
            matched = sorted(sub.watch & event.audience)
            if not matched:
                continue
            # The watched key that matched: the subject itself if watched, else the first linked key.
            key = event.subject_key if event.subject_key in sub.watch else matched[0]
            with contextlib.suppress(RuntimeError):  # the subscriber's loop has closed
                sub.loop.call_soon_threadsafe(self._offer, sub.queue, (key, event))
                delivered += 1
        return delivered

    @staticmethod
    def _offer(queue: asyncio.Queue[tuple[str, LifecycleEvent]], item: tuple[str, LifecycleEvent]) -> None:
        with contextlib.suppress(asyncio.QueueFull):  # a subscriber that does not read loses events, not memory
            queue.put_nowait(item)

    async def subscribe(self, watch: Iterable[str]) -> AsyncGenerator[tuple[str, LifecycleEvent], None]:
        """Yield (matched watched key, event) until the consumer stops iterating."""
        sub = _Subscriber(frozenset(watch), asyncio.Queue(self._max_queue), asyncio.get_running_loop())
        with self._lock:
            self._by_id[id(sub)] = sub
        try:
            while True:
                yield await sub.queue.get()
        finally:
            with self._lock:
                self._by_id.pop(id(sub), None)

    @property
    def subscriber_count(self) -> int:
        with self._lock:
            return len(self._by_id)


# The process's bus: the API's mutations publish here and its subscriptions listen here.
BUS = EventBus()
