"""Store calls off the event loop: every statement the API runs goes through a bounded thread pool, so that one
slow statement holds one thread while the loop goes on serving the other requests.

Three ways in, all here:
- `run_blocking(fn, *args)`: await a blocking call on the pool, in a copy of the caller's context (contextvars do
  not cross into executor threads by themselves: the request's wall-clock budget, graph/store.py
  `request_budget`, is a contextvar, and the copy carries it; its `_Budget` object is shared, so a write in the
  thread marks the request as written). The DataLoaders (api/context.py), the key check (api/app.py), the
  access-log flush (api/auth.py), the subscriptions' key re-check and the health check use it.
- `Blocking`, a field extension that runs a sync field's whole resolution (its permission classes, its other
  extensions and its resolver) on the pool and hands graphql-core an awaitable. `offload_sync_fields` adds it, as
  the outermost extension, to every sync root field of the schema (api/schema.py), and fields below the root that
  call the store carry it explicitly (`Person.idNumberUnmasked`). Async resolvers are left alone: they await
  DataLoaders, whose batch functions use `run_blocking`.
- `start_blocking(fn, *args)`: start a call on the pool now and wait for it later (a check's access records,
  api/context.py `AccessRecords.append_now`), in the pool thread's own context, so outside the request's budget.

The pool has settings.STORE_THREADS threads. The store clients are safe for that: redis-py's connection pool (the
FalkorDB client) and the Neo4j driver hand each thread its own connection (pools of 100 by default, well above
the thread count), and Neo4jStore keeps one READ session per thread.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
from collections.abc import Callable
from concurrent.futures import Executor, Future, ThreadPoolExecutor
from typing import Any, TypeVar

from strawberry.extensions import FieldExtension
from strawberry.types import Info

from graph import settings

T = TypeVar("T")

EXECUTOR: Executor = ThreadPoolExecutor(max_workers=settings.STORE_THREADS, thread_name_prefix="store")


async def run_blocking(fn: Callable[..., T], /, *args: Any, **kwargs: Any) -> T:
    """`fn(*args, **kwargs)` on the store pool, in a copy of the current context."""
    context = contextvars.copy_context()
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(EXECUTOR, functools.partial(context.run, fn, *args, **kwargs))


def start_blocking(fn: Callable[..., T], /, *args: Any) -> Future[T]:
    """`fn(*args)` started on the store pool; its future, to be awaited with `asyncio.wrap_future`."""
    return EXECUTOR.submit(fn, *args)


class Blocking(FieldExtension):
    """Resolve this (sync) field on the store pool. Outermost: nothing after it sees the awaitable it returns."""

    def resolve(self, next_: Callable[..., Any], source: Any, info: Info, **kwargs: Any) -> Any:
        return run_blocking(next_, source, info, **kwargs)


def offload_sync_fields(*types: Any, only: frozenset[str] | None = None) -> None:
    """Append `Blocking` (last is outermost) to every field with a sync resolver of these strawberry types (the root
    Query and Mutation, whose sync resolvers call queries/ and so the store), or to the fields named in `only`
    (Python names). Before the schema is built."""
    for kind in types:
        for field in kind.__strawberry_definition__.fields:
            if field.base_resolver is None or field.is_async:
                continue
            if only is not None and field.python_name not in only:
                continue
            if not any(isinstance(extension, Blocking) for extension in field.extensions):
                field.extensions.append(Blocking())
