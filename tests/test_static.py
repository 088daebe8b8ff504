"""The pages the API serves and their vendored files (issue 4): no CDN, nothing fetched from the internet.

- GET /graphql (text/html) is strawberry's GraphiQL page with its files served from /static/vendor/, each with
  its original integrity (SRI) hash, which the browser checks; /explore likewise loads only local files;
- api/static/vendor/ matches its manifest, web/package.json's exact pins and the npm packages themselves
  (web/node_modules, installed by `make test` with `npm ci --prefix web`);
- the GraphiQL files are the ones strawberry's own template names (same package, version, path and hash).

That the pages work in a browser without internet is tests/test_explore.py's part.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
from pathlib import Path

import pytest
import strawberry

from tests.conftest import ApiClient

ROOT = Path(__file__).resolve().parent.parent
STATIC = ROOT / "api" / "static"
VENDOR = STATIC / "vendor"
WEB = ROOT / "web"

URL_ATTRS = re.compile(r"""\b(?:src|href)\s*=\s*["']([^"']+)["']""")
STRAWBERRY_TEMPLATE = Path(strawberry.__file__).parent / "static" / "graphiql.html"


def sri(data: bytes) -> str:
    return "sha384-" + base64.b64encode(hashlib.sha384(data).digest()).decode()


def base_url(api: ApiClient) -> str:
    return api.url.rsplit("/graphql", 1)[0]


def assert_local_only(html: str) -> list[str]:
    """Every src/href of the page is a path on this server; no URL with a scheme or host anywhere in it."""
    for host in ("unpkg", "jsdelivr", "cdnjs", "googleapis"):
        assert host not in html, host
    assert not re.search(r"https?://", html), re.search(r".{40}https?://.{40}", html)
    refs = URL_ATTRS.findall(html)
    assert refs
    for ref in refs:
        assert ref.startswith("/") and not ref.startswith("//"), ref
    return refs


def manifest() -> dict:
    return dict(json.loads((VENDOR / "manifest.json").read_text(encoding="utf-8")))


def test_graphiql_page_loads_only_vendored_files_with_their_integrity(api: ApiClient) -> None:
    response = api.http.get(api.url, headers={"accept": "text/html"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    html = response.text
    assert "GraphiQL.createFetcher" in html
    refs = assert_local_only(html)
    vendored = [r for r in refs if r.startswith("/static/vendor/")]
    assert len(vendored) == 7, vendored  # react, react-dom, js-cookie, graphiql js+css, explorer plugin js+css
    tags = re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.S)
    for ref in vendored:
        tag = next(t for t in tags if f'"{ref}"' in t)
        integrity = re.search(r'integrity="([^"]+)"', tag)
        assert integrity, f"{ref}: no integrity attribute"
        served = api.http.get(base_url(api) + ref)
        assert served.status_code == 200, ref
        assert sri(served.content) == integrity.group(1), f"{ref}: served bytes do not match the page's integrity"


def test_explore_page_loads_only_local_files(api: ApiClient) -> None:
    response = api.http.get(base_url(api) + "/explore")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    refs = assert_local_only(response.text)
    assert "/static/explore.js" in refs and "/static/explore.css" in refs
    assert any(r.startswith("/static/vendor/cytoscape@") for r in refs)
    for ref in refs:
        assert api.http.get(base_url(api) + ref).status_code == 200, ref
    for name in ("explore.js", "explore.css"):  # what the page's own files fetch is local too
        assert not re.search(r"https?://", (STATIC / name).read_text(encoding="utf-8")), name


def test_static_mount_serves_nothing_outside_static(api: ApiClient) -> None:
    assert api.http.get(base_url(api) + "/static/../app.py").status_code == 404
    assert api.http.get(base_url(api) + "/static/nope.js").status_code == 404


def test_vendored_files_match_their_manifest_and_the_pinned_versions() -> None:
    pins = json.loads((WEB / "package.json").read_text(encoding="utf-8"))["dependencies"]
    packages = manifest()["packages"]
    assert sorted(packages) == sorted(pins)
    for name, package in packages.items():
        assert package["version"] == pins[name], f"{name}: vendored {package['version']}, pinned {pins[name]}"
        assert f"{name}@{pins[name]}/LICENSE" in package["files"], f"{name}: no LICENSE vendored"
        for path, meta in package["files"].items():
            assert path.startswith(f"{name}@{pins[name]}/"), path
            data = (VENDOR / path).read_bytes()
            assert (len(data), sri(data)) == (meta["size"], meta["integrity"]), f"{path} differs from manifest.json"
    listed = {p for package in packages.values() for p in package["files"]} | {"manifest.json"}
    on_disk = {p.relative_to(VENDOR).as_posix() for p in VENDOR.rglob("*") if p.is_file()}
    assert on_disk == listed, "api/static/vendor holds files the manifest does not list (run make vendor)"
    lock = json.loads((WEB / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    for name, version in pins.items():
        assert lock[f"node_modules/{name}"]["version"] == version, f"{name}: package-lock.json disagrees"


def test_vendored_files_are_the_npm_packages_files() -> None:
    modules = WEB / "node_modules"
    if not modules.is_dir():
        message = "web/node_modules is not installed (npm ci --prefix web; `make test` does it)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    for name, package in manifest()["packages"].items():
        installed = json.loads((modules / name / "package.json").read_text(encoding="utf-8"))["version"]
        assert installed == package["version"], f"{name}: installed {installed}, vendored {package['version']}"
        for path in package["files"]:
            inner = path.split("/", 2 if name.startswith("@") else 1)[-1]
            source = modules / name / inner
            if inner == "LICENSE" and not source.exists():
                continue  # @graphiql/plugin-explorer ships none; vendor.mjs writes the monorepo's MIT licence
            assert (VENDOR / path).read_bytes() == source.read_bytes(), f"{path} differs: run make vendor"


def test_graphiql_files_are_the_ones_strawberrys_template_names() -> None:
    """Same package, version, path and SRI hash as strawberry's own page, which loads them from a CDN."""
    theirs = STRAWBERRY_TEMPLATE.read_text(encoding="utf-8")
    ours = (STATIC / "graphiql.html").read_text(encoding="utf-8")

    def assets(html: str, prefix: str) -> set[tuple[str, str]]:
        found = set()
        for tag in re.findall(r"<(?:script|link)\b[^>]*>", html, flags=re.S):
            url = re.search(r'(?:src|href)="([^"]+)"', tag)
            integrity = re.search(r'integrity="([^"]+)"', tag)
            if url and url.group(1).startswith(prefix):
                assert integrity, tag
                found.add((url.group(1).removeprefix(prefix), integrity.group(1)))
        return found

    expected = assets(theirs, "https://unpkg.com/")
    assert expected, "strawberry's template no longer loads from unpkg: re-read it and update api/static/graphiql.html"
    assert assets(ours, "/static/vendor/") == expected, (
        "strawberry's GraphiQL template names other files: re-pin web/package.json, `make vendor`, "
        "update api/static/graphiql.html"
    )
    for path, integrity in expected:
        assert sri((VENDOR / path).read_bytes()) == integrity, path
