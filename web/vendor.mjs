// Copy the browser files the API serves from web/node_modules into api/static/vendor/, so that `make run` and the
// Docker image need neither npm nor the internet (no CDN: many bank networks have no way out).
//
//   npm ci --prefix web && node web/vendor.mjs          (or: make vendor)   writes api/static/vendor/
//   node web/vendor.mjs --check                                              exits 1 if anything differs
//
// Layout mirrors the CDN paths strawberry's GraphiQL template uses: vendor/<package>@<version>/<path>, so the
// template's integrity (SRI) hashes hold unchanged. vendor/manifest.json records every file's size and sha384;
// tests/test_static.py checks the vendored files against it, against web/package.json's pins and, when
// web/node_modules is installed, byte for byte against the npm packages.
import { createHash } from "node:crypto";
import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const WEB = dirname(fileURLToPath(import.meta.url));
const MODULES = join(WEB, "node_modules");
const VENDOR = join(WEB, "..", "api", "static", "vendor");

// package -> files inside it that the pages load (plus its LICENSE, always copied).
export const FILES = {
  react: ["umd/react.production.min.js"],
  "react-dom": ["umd/react-dom.production.min.js"],
  "js-cookie": ["dist/js.cookie.min.js"],
  graphiql: ["graphiql.min.css", "graphiql.min.js"],
  "@graphiql/plugin-explorer": ["dist/style.css", "dist/index.umd.js"],
  cytoscape: ["dist/cytoscape.min.js"],
};

const sha384 = (bytes) => "sha384-" + createHash("sha384").update(bytes).digest("base64");

function licence(pkg, meta) {
  for (const name of ["LICENSE", "LICENSE.md", "LICENSE.txt", "license"]) {
    const path = join(MODULES, pkg, name);
    if (existsSync(path)) return readFileSync(path);
  }
  // @graphiql/plugin-explorer ships no licence file; its package.json says MIT and it lives in the graphiql
  // monorepo, whose MIT licence (shipped in the graphiql package) is the one that applies.
  const monorepo = join(MODULES, "graphiql", "LICENSE");
  if (meta.license === "MIT" && String(meta.repository?.url || "").includes("graphql/graphiql")) {
    const note = `${pkg}@${meta.version} ships no LICENSE file; its package.json declares "MIT" and its source is ` +
      `the graphql/graphiql monorepo, whose licence follows.\n\n`;
    return Buffer.concat([Buffer.from(note), readFileSync(monorepo)]);
  }
  throw new Error(`${pkg}: no licence file and no known licence`);
}

function plan() {
  const pins = JSON.parse(readFileSync(join(WEB, "package.json"), "utf8")).dependencies;
  const out = []; // {pkg, version, path (relative to vendor/), bytes}
  for (const [pkg, files] of Object.entries(FILES)) {
    const metaPath = join(MODULES, pkg, "package.json");
    if (!existsSync(metaPath)) throw new Error(`${pkg} is not installed: run npm ci --prefix web`);
    const meta = JSON.parse(readFileSync(metaPath, "utf8"));
    if (meta.version !== pins[pkg]) {
      throw new Error(`${pkg}: installed ${meta.version}, web/package.json pins ${pins[pkg]}: run npm ci --prefix web`);
    }
    const dir = `${pkg}@${meta.version}`;
    for (const file of files) out.push({ pkg, version: meta.version, path: `${dir}/${file}`, bytes: readFileSync(join(MODULES, pkg, file)) });
    out.push({ pkg, version: meta.version, path: `${dir}/LICENSE`, bytes: licence(pkg, meta) });
  }
  return out;
}

function manifest(files) {
  const packages = {};
  for (const f of files) {
    const p = (packages[f.pkg] ??= { version: f.version, files: {} });
    p.files[f.path] = { size: f.bytes.length, integrity: sha384(f.bytes) };
  }
  return JSON.stringify({ generatedBy: "web/vendor.mjs", packages }, null, 2) + "\n";
}

const files = plan();
const wanted = manifest(files);
if (process.argv.includes("--check")) {
  const problems = [];
  const manifestPath = join(VENDOR, "manifest.json");
  if (!existsSync(manifestPath) || readFileSync(manifestPath, "utf8") !== wanted) problems.push("manifest.json differs");
  for (const f of files) {
    const path = join(VENDOR, f.path);
    if (!existsSync(path) || !readFileSync(path).equals(f.bytes)) problems.push(`${f.path} differs from web/node_modules`);
  }
  if (problems.length) {
    console.error(problems.join("\n") + "\nrun: make vendor");
    process.exit(1);
  }
  console.log(`api/static/vendor: ${files.length} files match web/node_modules`);
} else {
  rmSync(VENDOR, { recursive: true, force: true });
  for (const f of files) {
    mkdirSync(dirname(join(VENDOR, f.path)), { recursive: true });
    writeFileSync(join(VENDOR, f.path), f.bytes);
  }
  writeFileSync(join(VENDOR, "manifest.json"), wanted);
  for (const f of files) console.log(`${String(f.bytes.length).padStart(9)}  ${f.path}`);
}
