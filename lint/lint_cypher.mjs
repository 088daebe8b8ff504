// Lints Cypher statements with Neo4j's own front end: its parser and semantic analysis, compiled to JavaScript
// by TeaVM, from @neo4j-cypher/language-support (pinned exactly: its API changes between prereleases).
// Driven by tests/cypher_lint.py; one Node process for the whole batch.
//
// Usage: node lint/lint_cypher.mjs OUTPUT.json < INPUT.json
//   INPUT:  {"schema": {"labels": [...], "relationshipTypes": [...], "propertyKeys": [...]},
//            "statements": {"name": "cypher", ...}}
//   OUTPUT: {"name": [{"severity": 1|2, "message": "...", "offsets": {"start": n, "end": n}}, ...], ...}
//   severity 1 = error (Neo4j would reject the statement), 2 = warning. Offsets index the statement text.
// The result goes to a file, not stdout, so nothing the library logs can corrupt it (console.* goes to stderr
// too). Exit code 0 when every statement was linted, whatever the findings; 2 on bad usage; 1 on a crash.
//
// What is checked, per statement:
// - Neo4j's syntax and semantic analysis (removed syntax, undefined variables, types, aggregation scope...),
//   as Cypher 5: the reference engine is Neo4j 5;
// - parameters: the statement's own `$names` are declared, so "Parameter $x is not defined" never fires (the
//   values are irrelevant: the semantic analysis types parameters as Any);
// - labels, relationship types, property keys outside the model (`schema`): warnings, a typo guard;
// - functions and procedures: Neo4j's built-in catalogue as shipped in the pinned package
//   (`testData.mockSchema`, dumped from a real Neo4j) without plug-ins (APOC, GDS: neither engine of ours has
//   them), so an unknown function is an error and a deprecated one a warning.
// Corrections and additions made here to the library's schema checks:
// - it attributes `row.holder` in `(h:Person {pid: row.holder})` to `h`, and resolves a variable by name, not
//   scope (UNION parts); a property warning is kept only when the variable right before the `.` is, at that
//   very reference, a node or relationship, which is the library's own stated rule;
// - it does not look at map projections (`o{.uscc, .name}`, how every statement here returns data), so their
//   selectors on a node or relationship variable are checked against the property keys as well;
// - a text must hold exactly one statement: the drivers run one per call.
// Statements are spread over a few worker threads (each loads its own copy of the library, ~1 s), since the
// semantic analysis takes 25 ms to 1 s per statement.

import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';

const toStderr = (...args) => process.stderr.write(args.map(String).join(' ') + '\n');
for (const name of ['log', 'info', 'debug', 'warn', 'trace']) console[name] = toStderr;

const CYPHER_VERSION = 'CYPHER 5';
const PLUGIN_PREFIXES = ['apoc.', 'gds.', 'genai.'];
const NOT_PRESENT = " is not present in the database. Make sure you didn't misspell it or that it is available " +
  'when you run this statement in your application';
// `$name` or `$`quoted``: over-matching (a `$` in a string literal) only declares a parameter nobody uses.
const PARAMETER = /\$(?:([\p{L}\p{N}_]+)|`([^`]+)`)/gu;
const PROJECTION_SELECTOR = /[{,]\s*\./; // cheap pre-check before tokenising for map projections
const MAX_WORKERS = 4;
const STATEMENTS_PER_WORKER = 8; // below this, another library load (~1 s) costs more than it saves

// ---------------------------------------------------------------------------------------------- worker side

function loadLinter(schema) {
  const language = createRequire(import.meta.url)('@neo4j-cypher/language-support');
  const catalogue = language.testData.mockSchema;
  const dbSchema = {
    labels: schema.labels ?? [],
    relationshipTypes: schema.relationshipTypes ?? [],
    propertyKeys: schema.propertyKeys ?? [],
    functions: { [CYPHER_VERSION]: builtIns(catalogue.functions, (name, fn) => fn.isBuiltIn === true) },
    procedures: { [CYPHER_VERSION]: builtIns(catalogue.procedures, () => true) },
    defaultLanguage: CYPHER_VERSION,
  };
  const propertyKeys = new Set(dbSchema.propertyKeys);
  return (query) => lintOne(language, dbSchema, propertyKeys, query);
}

function builtIns(registry, keep) {
  const forVersion = registry?.[CYPHER_VERSION];
  if (!forVersion || Object.keys(forVersion).length === 0) {
    throw new Error(`the package's catalogue has no ${CYPHER_VERSION} entries: re-check the pinned version`);
  }
  return Object.fromEntries(
    Object.entries(forVersion).filter(
      ([name, entry]) => !PLUGIN_PREFIXES.some((prefix) => name.startsWith(prefix)) && keep(name, entry),
    ),
  );
}

function lintOne(language, dbSchema, propertyKeys, query) {
  if (typeof query !== 'string') return [harnessError(`not a string but ${typeof query}`)];
  const parameters = Object.fromEntries([...query.matchAll(PARAMETER)].map((m) => [m[1] ?? m[2], null]));
  const { diagnostics, symbolTables } = language.lintCypherQuery(
    query,
    { ...dbSchema, parameters },
    { consoleCommandsEnabled: false },
  );
  const symbols = symbolTables.flat();
  const found = diagnostics
    .filter((d) => !isMisattributedProperty(query, d, symbols))
    .map(({ severity, message, offsets }) => ({ severity, message, offsets }));
  found.push(...projectionWarnings(language, query, symbols, propertyKeys));
  const count = language.parseStatementsStrs(query).length;
  if (count !== 1) found.push(harnessError(`holds ${count} statements; a driver call runs exactly one`));
  return found.sort((a, b) => a.offsets.start - b.offsets.start);
}

function harnessError(message) {
  return { severity: 1, message, offsets: { start: 0, end: 0 } };
}

/** The symbol a variable occurrence at `offset` refers to, or undefined. */
function symbolAt(symbols, offset) {
  return symbols.find((s) => s.references.includes(offset) || s.definitionPosition === offset);
}

function isNodeOrRelationship(symbol) {
  return Boolean(symbol) && symbol.types.length > 0 && symbol.types.every((t) => t === 'Node' || t === 'Relationship');
}

/** A property warning on `x.prop` where `x`, at that reference, is not a node or relationship (a map, say). */
function isMisattributedProperty(query, diagnostic, symbols) {
  const { start, end } = diagnostic.offsets;
  const property = query.slice(start, end);
  if (diagnostic.severity !== 2 || !property || diagnostic.message !== property + NOT_PRESENT) return false;
  const accessor = /([A-Za-z_][A-Za-z0-9_]*)\s*\.\s*$/.exec(query.slice(0, start));
  if (!accessor) return false; // a key in a pattern's property map: the library has it right
  return !isNodeOrRelationship(symbolAt(symbols, accessor.index));
}

/** Warnings for `.key` selectors of map projections on nodes and relationships that name no known key. */
function projectionWarnings(language, query, symbols, propertyKeys) {
  if (!PROJECTION_SELECTOR.test(query)) return [];
  const tokens = language.highlightSyntax(query).filter((t) => t.tokenType !== 'comment');
  const warnings = [];
  tokens.forEach((token, i) => {
    if (token.tokenType !== 'property' || i < 2 || tokens[i - 1].token !== '.') return;
    if (!['{', ','].includes(tokens[i - 2].token)) return; // `x.key`, not a selector
    const open = openingBrace(tokens, i - 1);
    const owner = open > 0 ? tokens[open - 1] : undefined;
    if (!owner || owner.tokenType !== 'variable') return; // a map literal, not a projection
    if (!isNodeOrRelationship(symbolAt(symbols, owner.position.startOffset))) return;
    const name = token.token.replace(/^`|`$/g, '');
    if (propertyKeys.has(name)) return;
    const start = token.position.startOffset;
    warnings.push({
      severity: 2,
      message: `${name}${NOT_PRESENT} (map projection of \`${owner.token}\`)`,
      offsets: { start, end: start + token.token.length },
    });
  });
  return warnings;
}

/** Index of the unmatched `{` enclosing token `from`, or -1. */
function openingBrace(tokens, from) {
  let depth = 0;
  for (let i = from - 1; i >= 0; i--) {
    const t = tokens[i].token;
    if (t === '}' || t === ']' || t === ')') depth++;
    else if (t === '[' || t === '(') depth--;
    else if (t === '{') {
      if (depth === 0) return i;
      depth--;
    }
    if (depth < 0) return -1;
  }
  return -1;
}

if (!isMainThread) {
  const lintQuery = loadLinter(workerData.schema);
  const results = workerData.statements.map(([name, query]) => [name, lintQuery(query)]);
  parentPort.postMessage(results);
}

// ------------------------------------------------------------------------------------------------ main side

function split(entries) {
  const wanted = Number(process.env.CYPHER_LINT_WORKERS) || Math.min(availableParallelism(), MAX_WORKERS);
  const count = Math.max(1, Math.min(wanted, Math.ceil(entries.length / STATEMENTS_PER_WORKER)));
  const chunks = Array.from({ length: count }, () => ({ cost: 0, statements: [] }));
  // Longest first onto the least loaded worker; analysis time grows with the text.
  const bySize = [...entries].sort((a, b) => String(b[1]).length - String(a[1]).length);
  for (const entry of bySize) {
    const lightest = chunks.reduce((a, b) => (b.cost < a.cost ? b : a));
    lightest.statements.push(entry);
    lightest.cost += String(entry[1]).length + 200;
  }
  return chunks.filter((c) => c.statements.length > 0).map((c) => c.statements);
}

function runWorker(schema, statements) {
  return new Promise((resolve, reject) => {
    const worker = new Worker(new URL(import.meta.url), { workerData: { schema, statements }, stdout: true });
    worker.stdout.on('data', (chunk) => process.stderr.write(chunk));
    let results;
    worker.once('message', (message) => (results = message));
    worker.once('error', reject);
    worker.once('exit', (code) =>
      results ? resolve(results) : reject(new Error(`lint worker exited with ${code} and no result`)),
    );
  });
}

async function main() {
  const [outputPath] = process.argv.slice(2);
  if (!outputPath) {
    toStderr('usage: node lint_cypher.mjs OUTPUT.json < INPUT.json');
    return 2;
  }
  const { schema = {}, statements } = JSON.parse(readFileSync(0, 'utf8'));
  if (typeof statements !== 'object' || statements === null || Array.isArray(statements)) {
    toStderr('input needs "statements": {"name": "cypher", ...}');
    return 2;
  }
  const started = performance.now();
  const entries = Object.entries(statements);
  const chunks = split(entries);
  const linted = new Map((await Promise.all(chunks.map((chunk) => runWorker(schema, chunk)))).flat());
  const results = Object.fromEntries(entries.map(([name]) => [name, linted.get(name)]));
  writeFileSync(outputPath, JSON.stringify(results));
  toStderr(
    `linted ${entries.length} statements in ${((performance.now() - started) / 1000).toFixed(1)} s ` +
      `on ${chunks.length} worker thread(s)`,
  );
  return 0;
}

if (isMainThread) {
  main().then(
    (code) => (process.exitCode = code),
    (error) => {
      toStderr(error?.stack ?? String(error));
      process.exitCode = 1;
    },
  );
}
