"""The embedded engine's parameters (graph/dialect.py `falkordb_query`): the project writes FalkorDB's `CYPHER`
header itself, faster than the client does. The first tests are pure: the text must be the client's own, byte for
byte, for any value. The last runs on both engines: any value written as a parameter comes back as it was."""

from __future__ import annotations

import enum
from typing import Any

import pytest
from falkordb import Graph
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph import dialect
from graph.errors import InvalidInput
from graph.store import GraphStore

# Names like the loader's row keys, and names the client refuses (empty, a backtick) or quotes as it prints them.
_names = st.one_of(st.sampled_from(["uscc", "pid", "props", "name", "`x", "", "a b", "名"]), st.text(max_size=6))
# Strings with what needs escaping (quotes, backslashes, line breaks), escapes the engine does not read (\u), and
# any other character but U+0000, which the engine cannot hold (refused: the test after the next).
_strings = st.one_of(st.text(st.characters(exclude_characters="\x00")), st.text(alphabet='\\"\'`\n\t\r{}$u0123 名'))
_scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False, allow_infinity=False),
                     _strings)
_values = st.recursive(_scalars, lambda inner: st.one_of(st.lists(inner, max_size=4), st.tuples(inner, inner),
                                                         st.dictionaries(_names, inner, max_size=4)), max_leaves=12)


def _client_text(query: str, params: dict[str, Any] | None) -> str:
    """What the FalkorDB client itself would send for `graph.query(query, params)`."""
    return Graph._build_params_header(Graph.__new__(Graph), params) + query


@settings(max_examples=400, deadline=None)
@given(st.dictionaries(_names, _values, max_size=4))
def test_the_header_is_the_clients_own_text(params: dict[str, Any]) -> None:
    try:
        expected: str | type[ValueError] = _client_text("RETURN 1", params)
    except ValueError:
        expected = ValueError
    if expected is ValueError:
        with pytest.raises(ValueError):
            dialect.falkordb_query("RETURN 1", params)
    else:
        assert dialect.falkordb_query("RETURN 1", params) == expected


class _Status(enum.Enum):  # an enumeration prints otherwise than it compares: the client's text is kept
    ACTIVE = "ACTIVE"


class _Kind(str, enum.Enum):  # noqa: UP042 - a mixin prints as "_Kind.PERSON", a StrEnum would not
    PERSON = "PERSON"


def test_values_the_fast_path_does_not_know_are_written_as_the_client_writes_them() -> None:
    params = {"rows": [{"kind": _Kind.PERSON, "status": _Status.ACTIVE, "raw": b"bytes", _Kind.PERSON: 1}],
              "none": None}
    assert dialect.falkordb_query("RETURN $rows", params) == _client_text("RETURN $rows", params)
    assert dialect.falkordb_query("RETURN 1", None) == "RETURN 1"
    assert dialect.falkordb_query("RETURN 1", {}) == _client_text("RETURN 1", {})


@pytest.mark.parametrize("params", [
    {"text": "a\x00b"},
    {"rows": [{"name": "ok", "note": ["fine", "\x00"]}]},
    {"rows": [("x", {"deep": {"deeper": "tail\x00"}})]},
])
def test_a_nul_character_is_refused_before_the_engine_sees_it(params: dict[str, Any]) -> None:
    # The client would send it and the engine reject the statement as a syntax error at the NUL; the caller gets
    # the reason instead.
    with pytest.raises(InvalidInput, match=r"NUL character \(U\+0000\)"):
        dialect.falkordb_query("RETURN 1", params)


# Free text as the loaders and the API keep it: no control characters but tab and line feed (graph/model.py
# text_fault).
_free_text = _strings.map(lambda text: "".join(ch for ch in text if ch >= " " or ch in "\t\n"))
_stored = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-(2**62), 2**62), _free_text),
                       lambda inner: st.lists(inner, max_size=3), max_leaves=6)


# The store is shared by the examples: they only read.
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.lists(_stored, max_size=3), text=_free_text)
def test_any_parameter_comes_back_as_it_was(store: GraphStore, value: list[Any], text: str) -> None:
    # A map and a list of any depth, and a string with every kind of character free text may hold, through the
    # engine and back.
    rows = store.read("UNWIND $rows AS row RETURN row.value AS value, row.text AS text",
                      {"rows": [{"value": value, "text": text}]})
    assert rows == [{"value": value, "text": text}]
