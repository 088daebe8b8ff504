"""Publish/subscribe for lifecycle events (the `listEvents` subscription), across processes through a broker.

The lifecycle mutations publish after their write has committed; so does a classification run (queries/classes.py),
one CLASS_CHANGE event per organisation whose credit-risk class changed, heard only by subscribers that asked for
class changes. Each published event carries its audience: the
keys (USCC or person id) of the entry's subject and of everything one hop from it through a role or a
shareholding; a subscriber receives it when one of the keys it watches is in the audience.

With a broker (graph/broker.py: the embedded engine's own Redis server, settings.BROKER_URL, or the local broker
of a Neo4j deployment) attached, `publish` sends the event to the store's channel on it, and every API process
that attached the same broker hears it on one pub/sub connection of its own (a listener thread) and hands it to
its local subscribers: a subscriber gets the event whichever process committed the change (another API worker,
`python -m queries.lifecycle sweep`). Redis pub/sub delivers to whoever listens at the moment: an event published
while a process's listener is reconnecting (the broker restarting) is not seen there. Without a broker (one
process, no Redis), events go straight to the local subscribers.

Local subscribers are asyncio queues, each fed on its own event loop with `call_soon_threadsafe`, so a sync
resolver on the store's thread pool, the listener thread or a test can publish.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncGenerator, Iterable
from dataclasses import dataclass, field
from typing import Any

import redis

from graph.broker import Broker

log = logging.getLogger(__name__)


# What an event is about: a list entry's lifecycle, or an organisation's credit-risk class changing in a
# classification run (queries/classes.py; delivered only to subscribers that asked for class changes).
LIST_ENTRY, CLASS_CHANGE = "LIST_ENTRY", "CLASS_CHANGE"


@dataclass(frozen=True)
class LifecycleEvent:
    entry_id: str  # the entry's id; for a CLASS_CHANGE, the classification run's id
    subject_key: str  # USCC or person id of the entry's subject
    subject_kind: str  # ORGANIZATION or PERSON
    subject_name: str | None
    event: dict[str, Any]  # the EntryEvent as stored (seq, at, action, fromStatus, toStatus, actor, note, …)
    audience: frozenset[str] = field(default_factory=frozenset)  # subject key and keys one hop away
    kind: str = LIST_ENTRY
    class_change: dict[str, Any] | None = None  # CLASS_CHANGE: runId, asOf, before, after, score, at

    def encode(self) -> str:
        return json.dumps({"entryId": self.entry_id, "subjectKey": self.subject_key, "subjectKind": self.subject_kind,
                           "subjectName": self.subject_name, "event": self.event,
                           "audience": sorted(self.audience), "kind": self.kind,
                           "classChange": self.class_change}, ensure_ascii=False)

    @classmethod
    def decode(cls, text: str | bytes) -> LifecycleEvent:
        m = json.loads(text)
        return cls(entry_id=m["entryId"], subject_key=m["subjectKey"], subject_kind=m["subjectKind"],
                   subject_name=m.get("subjectName"), event=dict(m["event"]), audience=frozenset(m["audience"]),
                   kind=m.get("kind") or LIST_ENTRY, class_change=m.get("classChange"))


class Subscription:
    """One subscriber, registered from creation until `close()`: (matched watched key, event) from `get()`."""

    def __init__(self, bus: EventBus, watch: frozenset[str], max_queue: int, class_changes: bool = False) -> None:
        self.watch = watch
        self.class_changes = class_changes  # CLASS_CHANGE events reach only a subscriber that asked for them
        self.queue: asyncio.Queue[tuple[str, LifecycleEvent]] = asyncio.Queue(max_queue)
        self.loop = asyncio.get_running_loop()
        self._bus = bus
        # Set by the API once the subscription is counted under its key (api/subscriptions.py); events reach it
        # from registration on, `subscriber_count` counts it from here on.
        self.active = False

    async def get(self) -> tuple[str, LifecycleEvent]:
        return await self.queue.get()

    def close(self) -> None:
        self._bus._remove(self)


class _Listener:
    """The process's one pub/sub connection to the broker's channel, on a thread: each message is delivered to the
    local subscribers. Reconnects (every half second) while the broker is unreachable."""

    def __init__(self, bus: EventBus, broker: Broker, channel: str) -> None:
        self._bus, self._broker, self._channel = bus, broker, channel
        self._stop = threading.Event()
        self._pubsub: Any = None
        try:
            self._pubsub = self._subscribe()  # subscribed before attach() returns: nothing published after is missed
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            log.warning("event broker unreachable (%s); the listener keeps trying", exc)
        self._thread = threading.Thread(target=self._run, name="events-listener", daemon=True)
        self._thread.start()

    def _subscribe(self) -> Any:
        pubsub = self._broker.pubsub()
        pubsub.subscribe(self._channel)
        return pubsub

    def _run(self) -> None:
        pubsub: Any = self._pubsub
        while not self._stop.is_set():
            try:
                if pubsub is None:
                    pubsub = self._pubsub = self._subscribe()
                message = pubsub.get_message(timeout=0.5)
                if message and message.get("type") == "message":
                    self._bus.deliver(LifecycleEvent.decode(message["data"]))
            except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
                log.warning("event broker unreachable (%s); reconnecting", exc)
                with contextlib.suppress(Exception):
                    if pubsub is not None:
                        pubsub.close()
                pubsub = self._pubsub = None
                self._stop.wait(0.5)
            except (ValueError, KeyError, TypeError) as exc:  # not one of ours: skipped
                log.warning("an unreadable message on %s was skipped: %s", self._channel, exc)
        with contextlib.suppress(Exception):
            if pubsub is not None:
                pubsub.close()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)


class EventBus:
    def __init__(self, max_queue: int = 1000) -> None:
        self._by_id: dict[int, Subscription] = {}
        self._lock = threading.Lock()
        self._max_queue = max_queue
        self._broker: Broker | None = None
        self._channel = ""
        self._listener: _Listener | None = None
        self._attached = 0  # attach() calls not yet detached (apps in one process: the tests)

    # ------------------------------------------------------------------------------------------ the broker

    def attach(self, broker: Broker | None, *, listen: bool = True) -> None:
        """Publish through `broker` (None: in-process only) and, with `listen`, hear every process's events."""
        with self._lock:
            self._attached += 1
            if broker is None or self._broker is not None:
                return  # the first broker attached serves until the last detach
            self._broker, self._channel = broker, broker.key("listEvents")
        if listen:
            self._listener = _Listener(self, broker, self._channel)

    def detach(self) -> None:
        with self._lock:
            self._attached = max(0, self._attached - 1)
            if self._attached:
                return
            listener, self._listener, self._broker = self._listener, None, None
        if listener is not None:
            listener.stop()

    @property
    def brokered(self) -> bool:
        return self._broker is not None

    # ------------------------------------------------------------------------------------ publish, deliver

    def publish(self, event: LifecycleEvent) -> int:
        """Send the event to every subscriber of every process (through the broker: the number of processes that
        heard it), or of this one without a broker (the number of subscribers it was delivered to)."""
        broker = self._broker
        if broker is None:
            return self.deliver(event)
        try:
            return int(broker.client.publish(self._channel, event.encode()))
        except (redis.ConnectionError, redis.TimeoutError, OSError) as exc:
            # The write has committed and stands; its notification is lost (subscribers can re-read the history).
            log.warning("event of entry %s not published, the broker is unreachable: %s", event.entry_id, exc)
            return 0

    def deliver(self, event: LifecycleEvent) -> int:
        """Deliver to this process's subscribers watching a key in the event's audience; returns how many."""
        with self._lock:
            targets = list(self._by_id.values())
        delivered = 0
        for sub in targets:
            if event.kind == CLASS_CHANGE and not sub.class_changes:
                continue
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

    # -------------------------------------------------------------------------------------------- subscribe

    def open(self, watch: Iterable[str], class_changes: bool = False) -> Subscription:
        """A subscriber registered now (on the running loop): events published from here on reach it (class changes
        only with `class_changes`)."""
        sub = Subscription(self, frozenset(watch), self._max_queue, class_changes)
        with self._lock:
            self._by_id[id(sub)] = sub
        return sub

    def _remove(self, sub: Subscription) -> None:
        with self._lock:
            self._by_id.pop(id(sub), None)

    async def subscribe(self, watch: Iterable[str], class_changes: bool = False
                        ) -> AsyncGenerator[tuple[str, LifecycleEvent], None]:
        """Yield (matched watched key, event) until the consumer stops iterating."""
        sub = self.open(watch, class_changes)
        sub.active = True
        try:
            while True:
                yield await sub.get()
        finally:
            sub.close()

    @property
    def subscriber_count(self) -> int:
        """Subscribers registered and active (a test waits for it before it publishes)."""
        with self._lock:
            return sum(1 for sub in self._by_id.values() if sub.active)


# The process's bus: the API's mutations publish here and its subscriptions listen here.
BUS = EventBus()
