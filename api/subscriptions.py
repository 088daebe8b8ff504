"""Bounds on open subscriptions: per WebSocket connection (settings.MAX_SUBSCRIPTIONS_PER_CONNECTION) and per API
key across its connections (settings.MAX_SUBSCRIPTIONS_PER_KEY). One more is refused with TOO_MANY_SUBSCRIPTIONS
for that subscription alone; the connection and its other subscriptions go on.

The per-key count lives in this process: each API worker counts its own connections, until subscriptions are
shared across workers (issue 13).
"""

from __future__ import annotations

import contextlib
import threading
from collections import Counter
from collections.abc import Iterator

from api.context import Context
from graph import settings
from graph.errors import CreditGraphError


class TooManySubscriptions(CreditGraphError):
    code = "TOO_MANY_SUBSCRIPTIONS"


class SubscriptionSlots:
    def __init__(self) -> None:
        self._by_key: Counter[str] = Counter()
        self._lock = threading.Lock()

    def _refusal(self, context: Context) -> TooManySubscriptions | None:
        per_connection, per_key = settings.MAX_SUBSCRIPTIONS_PER_CONNECTION, settings.MAX_SUBSCRIPTIONS_PER_KEY
        if context.subscriptions.count >= per_connection:
            return TooManySubscriptions(f"this connection has {context.subscriptions.count} subscriptions open, the "
                                        f"most one connection may have ({per_connection}): complete one first")
        key = context.principal.key_id
        if key is not None and self._by_key[key] >= per_key:
            return TooManySubscriptions(f"this API key has {self._by_key[key]} subscriptions open, the most one key "
                                        f"may have ({per_key}, across its connections): complete one first")
        return None

    def check(self, context: Context) -> None:
        """Refuse now, before the subscription's stream starts (the client gets an `error` message)."""
        with self._lock:
            refusal = self._refusal(context)
        if refusal is not None:
            raise refusal

    @contextlib.contextmanager
    def held(self, context: Context) -> Iterator[None]:
        """A slot for as long as the subscription runs. Checked again: another subscription may have taken the
        last slot since `check` (the slot is taken inside the stream, whose `finally` is sure to give it back)."""
        key = context.principal.key_id
        with self._lock:
            refusal = self._refusal(context)
            if refusal is not None:
                raise refusal
            context.subscriptions.count += 1
            if key is not None:
                self._by_key[key] += 1
        try:
            yield
        finally:
            with self._lock:
                context.subscriptions.count -= 1
                if key is not None:
                    self._by_key[key] -= 1
                    if self._by_key[key] <= 0:
                        del self._by_key[key]

    def open_for(self, key_id: str) -> int:
        with self._lock:
            return self._by_key[key_id]


SLOTS = SubscriptionSlots()
