"""`python -m api keys create|revoke|list`: manage API keys (see api/auth.py).

`python -m api serve [--demo] [--workers N]`: open the configured store, load the catalogue (and the demo data set
into an empty graph with --demo), and serve GraphQL with GraphiQL on 127.0.0.1. Ctrl-C (SIGINT) or SIGTERM
(systemd, Docker, Kubernetes) stops the server and then the engine it started (or adopted), which flushes its data
to disk; after SIGTERM the exit status is 143.

With `--workers N` (settings.WORKERS) above 1, this process owns the engine (starts or adopts it, as above) and
supervises N uvicorn worker processes on one listening socket (`api.app:worker_app`); each worker attaches to the
engine and keeps nothing another needs: events and the per-key subscription count go through the broker
(graph/broker.py), keys are cached for KEY_CACHE_SECONDS only. On Neo4j without BROKER_URL this process also
starts the local broker (graph/broker.py `LocalBroker`) and stops it last. On SIGTERM or SIGINT the workers are
stopped first, then the broker and the engine.
"""

from __future__ import annotations

import argparse
import logging
import signal
import sys

import uvicorn

from api.app import create_app
from graph import settings
from graph.broker import LocalBroker
from graph.embedded import exit_on_sigterm
from graph.errors import CreditGraphError
from graph.store import FalkorStore, GraphStore, open_store
from loaders.measures import load_catalogue
from queries.lookup import counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m api")
    commands = parser.add_subparsers(dest="command", required=True)
    serve = commands.add_parser("serve", help="serve GraphQL")
    serve.add_argument("--demo", action="store_true", help="load the demo data set if the graph is empty")
    serve.add_argument("--host", default=settings.HOST)
    serve.add_argument("--port", type=int, default=settings.PORT)
    serve.add_argument("--workers", type=int, default=settings.WORKERS,
                       help="worker processes (default settings.WORKERS); the engine is this process's")
    keys = commands.add_parser("keys", help="create, revoke and list API keys (api/auth.py)")
    key_commands = keys.add_subparsers(dest="keys_command", required=True)
    create = key_commands.add_parser("create", help="create a key; its token is printed once, only its hash is kept")
    create.add_argument("--label", required=True, help="who holds the key (recorded as `who` in the access log)")
    create.add_argument("--role", required=True, choices=["BANK", "INVESTIGATOR", "DEPARTMENT", "ADMIN"])
    create.add_argument("--department", help="department code (required for DEPARTMENT keys)")
    create.add_argument("--unmask", action="store_true", help="may read full ID numbers (INVESTIGATOR, ADMIN)")
    revoke = key_commands.add_parser("revoke", help="revoke a key (kept, marked revokedAt)")
    revoke.add_argument("key_id")
    key_commands.add_parser("list", help="list keys (never their tokens)")
    args = parser.parse_args(argv)
    if args.command == "keys":
        return keys_command(args)
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    exit_on_sigterm()  # uvicorn re-raises SIGTERM after its graceful shutdown: `finally` must still run

    store = _open_store()
    if store is None:
        return 1
    broker = None
    try:
        broker = _local_broker(store)
        load_catalogue(store)
        found = counts(store)
        if args.demo and not found.get("organizations"):
            from loaders.__main__ import DEMO_DIR
            from loaders.pipeline import Loader

            report = Loader(store, progress=True).load_path(DEMO_DIR)
            print(report.summary())
            from queries.identity import resolve  # who is who (issue 14), as `python -m loaders demo` does

            print(resolve(store).summary())
            found = counts(store)
        print(f"graph: {found.get('organizations', 0):,} organisations, {found.get('persons', 0):,} persons, "
              f"{found.get('entries', 0):,} list entries ({store.dialect.name})")
        if args.demo:
            _demo_key(store)
        print(f"GraphQL and GraphiQL: http://{args.host}:{args.port}/graphql"
              + (f" ({args.workers} worker processes)" if args.workers > 1 else ""), flush=True)
        if args.workers > 1:
            return _serve_workers(args.host, args.port, args.workers)
        uvicorn.run(create_app(store), host=args.host, port=args.port, log_level="info")
    except CreditGraphError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.close()  # after the workers: the engine this process owns stops last
        if broker is not None:
            broker.stop()
    return 0


def _local_broker(store: GraphStore) -> LocalBroker | None:
    """On Neo4j without settings.BROKER_URL, the local broker for `listEvents` across processes (graph/broker.py),
    started or attached to; the embedded engine is its own broker."""
    if settings.BROKER_URL or isinstance(store, FalkorStore):
        return None
    local = LocalBroker()
    local.start()
    return local


def _serve_workers(host: str, port: int, workers: int) -> int:
    """uvicorn's supervisor of `workers` processes on one socket, until SIGTERM or SIGINT (then 128 + it)."""
    from uvicorn.supervisors import Multiprocess

    class Supervisor(Multiprocess):
        received = 0

        def handle_int(self) -> None:
            self.received = signal.SIGINT
            super().handle_int()

        def handle_term(self) -> None:
            self.received = signal.SIGTERM
            super().handle_term()

    config = uvicorn.Config("api.app:worker_app", factory=True, host=host, port=port, workers=workers,
                            log_level="info")
    supervisor = Supervisor(config, sockets=[config.bind_socket()])
    supervisor.run()  # stops and joins every worker before it returns
    return 128 + supervisor.received if supervisor.received else 0


def _open_store() -> GraphStore | None:
    """The configured store, or None after saying why it cannot be opened."""
    try:
        return open_store()
    except CreditGraphError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return None


def _demo_key(store: GraphStore) -> None:
    """First start of the demo: one local ADMIN key, shown once (only its hash is stored)."""
    from api import auth

    if auth.list_keys(store):
        print("API keys exist: use yours, or create one with `python -m api keys create --label L --role ROLE`")
        return
    key_id, token = auth.create_key(store, label="local-demo", role="ADMIN")
    print(f"created a local ADMIN key {key_id} for the demo; it is shown only now:\n"
          f"  Authorization: Bearer {token}\n"
          "  (GraphiQL: Headers tab; /explore: the key field). Revoke it with `python -m api keys revoke "
          f"{key_id}`.")


def keys_command(args: argparse.Namespace) -> int:
    from api import auth

    store = _open_store()
    if store is None:
        return 1
    try:
        if args.keys_command == "create":
            key_id, token = auth.create_key(store, label=args.label, role=args.role, department=args.department,
                                            unmask=args.unmask)
            print(f"key {key_id} ({args.role}) created; its token, shown this once:\n{token}")
        elif args.keys_command == "revoke":
            key = auth.revoke_key(store, args.key_id)
            print(f"key {key['keyId']} revoked at {key['revokedAt']}")
        else:
            for key in auth.list_keys(store):
                print(f"{key['keyId']}\t{key['role']}\t{key.get('department') or '-'}\t"
                      f"{'unmask' if key.get('unmask') else '-'}\t{key['label']}\t{key['createdAt']}\t"
                      f"{'revoked ' + key['revokedAt'] if key.get('revokedAt') else 'active'}")
    except CreditGraphError as exc:
        print(f"error: {exc.message}", file=sys.stderr)
        return 1
    finally:
        store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
