"""Bounds on open subscriptions: per WebSocket connection (settings.MAX_SUBSCRIPTIONS_PER_CONNECTION) and per API
key across its connections (settings.MAX_SUBSCRIPTIONS_PER_KEY). One more is refused with TOO_MANY_SUBSCRIPTIONS
for that subscription alone; the connection and its other subscriptions go on.

A connection lives in one process, so its count is kept there. The per-key count is kept on the broker
(graph/broker.py) when one is attached, so that it holds across API workers: a sorted set per key whose members
are the open subscriptions, each scored with the moment it expires. A subscription takes its member in one Lua
script (drop the expired members, count, add if under the limit: two processes cannot both take the last slot),
refreshes it whenever it re-checks its key (at least every SUBSCRIPTION_KEY_RECHECK_SECONDS) and removes it when
it ends; a process that dies without removing its members (SIGKILL) frees them within SLOT_SECONDS. The times are
the broker's own clock (`TIME` in the scripts). Without a broker a process counts its own.
"""

from __future__ import annotations

import contextlib
import secrets
import threading
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

from api.context import Context
from api.offload import run_blocking
from graph import settings
from graph.broker import Broker
from graph.errors import CreditGraphError


class TooManySubscriptions(CreditGraphError):
    code = "TOO_MANY_SUBSCRIPTIONS"


def slot_seconds() -> float:
    """How long a subscription's member counts without a refresh: three missed re-checks."""
    return 3 * settings.SUBSCRIPTION_KEY_RECHECK_SECONDS + 1


_NOW = "local t = redis.call('TIME'); local now = tonumber(t[1]) + tonumber(t[2]) / 1000000\n"
# KEYS[1] the key's set; ARGV: limit, member, seconds. Returns {taken (1/0), open before}.
_TAKE = _NOW + """redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
local open = redis.call('ZCARD', KEYS[1])
if open >= tonumber(ARGV[1]) then return {0, open} end
redis.call('ZADD', KEYS[1], now + tonumber(ARGV[3]), ARGV[2])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[3])) + 1)
return {1, open}"""
# KEYS[1]; ARGV: member, seconds. Refreshes a member still there (XX: one freed meanwhile is not brought back).
_REFRESH = _NOW + """redis.call('ZADD', KEYS[1], 'XX', now + tonumber(ARGV[2]), ARGV[1])
redis.call('EXPIRE', KEYS[1], math.ceil(tonumber(ARGV[2])) + 1)
return 1"""
_COUNT = _NOW + """redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
return redis.call('ZCARD', KEYS[1])"""


class Slot:
    """A subscription's place under its key; `refresh()` keeps it counted (api/lifecycle.py calls it at each key
    re-check)."""

    def __init__(self, refresh: Callable[[], Awaitable[None]] | None = None) -> None:
        self._refresh = refresh

    async def refresh(self) -> None:
        if self._refresh is not None:
            await self._refresh()


class SubscriptionSlots:
    def __init__(self) -> None:
        self._by_key: Counter[str] = Counter()  # without a broker
        self._lock = threading.Lock()
        self._broker: Broker | None = None

    def attach(self, broker: Broker | None) -> None:
        """Count per key on `broker` (None: in this process)."""
        self._broker = broker

    def _per_connection_refusal(self, context: Context) -> TooManySubscriptions | None:
        per_connection = settings.MAX_SUBSCRIPTIONS_PER_CONNECTION
        if context.subscriptions.count >= per_connection:
            return TooManySubscriptions(f"this connection has {context.subscriptions.count} subscriptions open, the "
                                        f"most one connection may have ({per_connection}): complete one first")
        return None

    @staticmethod
    def _per_key_refusal(open_now: int) -> TooManySubscriptions:
        return TooManySubscriptions(f"this API key has {open_now} subscriptions open, the most one key may have "
                                    f"({settings.MAX_SUBSCRIPTIONS_PER_KEY}, across its connections and the API's "
                                    "processes): complete one first")

    async def check(self, context: Context) -> None:
        """Refuse now, before the subscription's stream starts (the client gets an `error` message)."""
        refusal = self._per_connection_refusal(context)
        key = context.principal.key_id
        if refusal is None and key is not None:
            open_now = await self.open_for(key)
            if open_now >= settings.MAX_SUBSCRIPTIONS_PER_KEY:
                refusal = self._per_key_refusal(open_now)
        if refusal is not None:
            raise refusal

    @contextlib.asynccontextmanager
    async def held(self, context: Context) -> AsyncIterator[Slot]:
        """A slot for as long as the subscription runs. Checked again: another subscription may have taken the
        last slot since `check` (the slot is taken inside the stream, whose `finally` is sure to give it back)."""
        key = context.principal.key_id
        broker = self._broker
        refusal = self._per_connection_refusal(context)
        if refusal is not None:
            raise refusal
        context.subscriptions.count += 1
        try:
            if key is None:
                yield Slot()
            elif broker is None:
                with self._local(key):
                    yield Slot()
            else:
                async with self._brokered(broker, key) as slot:
                    yield slot
        finally:
            context.subscriptions.count -= 1

    @contextlib.contextmanager
    def _local(self, key: str) -> Any:
        with self._lock:
            if self._by_key[key] >= settings.MAX_SUBSCRIPTIONS_PER_KEY:
                raise self._per_key_refusal(self._by_key[key])
            self._by_key[key] += 1
        try:
            yield
        finally:
            with self._lock:
                self._by_key[key] -= 1
                if self._by_key[key] <= 0:
                    del self._by_key[key]

    @contextlib.asynccontextmanager
    async def _brokered(self, broker: Broker, key: str) -> AsyncIterator[Slot]:
        name, member, seconds = broker.key("subscriptions", key), secrets.token_hex(8), slot_seconds()
        taken, open_now = await run_blocking(broker.client.eval, _TAKE, 1, name,
                                             settings.MAX_SUBSCRIPTIONS_PER_KEY, member, seconds)
        if not taken:
            raise self._per_key_refusal(int(open_now))

        async def refresh() -> None:
            await run_blocking(broker.client.eval, _REFRESH, 1, name, member, slot_seconds())

        try:
            yield Slot(refresh)
        finally:
            with contextlib.suppress(Exception):  # an unreachable broker frees the member when it expires
                await run_blocking(broker.client.zrem, name, member)

    async def open_for(self, key_id: str) -> int:
        """Subscriptions open under the key: across processes with a broker, else in this one."""
        broker = self._broker
        if broker is None:
            with self._lock:
                return self._by_key[key_id]
        return int(await run_blocking(broker.client.eval, _COUNT, 1, broker.key("subscriptions", key_id)))


SLOTS = SubscriptionSlots()
