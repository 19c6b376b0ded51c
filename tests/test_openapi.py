"""The OpenAPI description at ``/api/openapi.json``: it matches the code, and schemathesis
finds no 5xx and no response outside it when run against the live ``haberara serve``."""

from __future__ import annotations

import dataclasses
import datetime
import re
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode

from search import Completion, RelatedArticle
from search.searching.results import SearchHit, SearchPage, StoredArticle
from web.openapi import OPENAPI
from web.params import SEARCH_PARAMETERS, SUGGEST_PARAMETERS

#: Examples per operation; the four operations take 10-30 s together on 2 busy cores.
MAX_EXAMPLES = 150


def spec_parameters(path: str) -> dict[str, dict[str, Any]]:
    return {p["name"]: p for p in OPENAPI["paths"][path]["get"]["parameters"]}


def schema_keys(name: str) -> list[str]:
    return list(OPENAPI["components"]["schemas"][name]["properties"])


# --- the description matches the code -------------------------------------------------------


def test_served_description_is_the_module_one(client):
    response = client.get("/api/openapi.json")
    assert response.status_code == 200
    assert response.get_json() == OPENAPI
    assert OPENAPI["openapi"].startswith("3.")


def test_search_parameters_are_the_ones_the_api_reads():
    assert list(spec_parameters("/api/search")) == list(SEARCH_PARAMETERS)


def test_suggest_parameters_are_the_ones_the_api_reads():
    assert list(spec_parameters("/api/suggest")) == list(SUGGEST_PARAMETERS)


@pytest.mark.parametrize(
    ("schema", "cls", "added"),
    [
        ("SearchPage", SearchPage, ["next_url"]),
        ("SearchHit", SearchHit, []),
        ("Article", StoredArticle, ["related"]),
    ],
)
def test_response_keys_are_the_serialized_fields(schema, cls, added):
    """The library's fields, then what the web adds (links and related articles)."""
    assert schema_keys(schema) == [field.name for field in dataclasses.fields(cls)] + added


def test_related_and_completion_keys_are_the_library_fields():
    article = OPENAPI["components"]["schemas"]["Article"]["properties"]["related"]["items"]
    assert list(article["properties"]) == [f.name for f in dataclasses.fields(RelatedArticle)]
    completions = OPENAPI["components"]["schemas"]["Completions"]["properties"]["completions"]
    assert list(completions["items"]["properties"]) == [
        f.name for f in dataclasses.fields(Completion)
    ]


def test_health_keys_are_the_served_ones(client):
    assert schema_keys("Health") == list(client.get("/healthz").get_json())


def _boundaries(name: str, schema: dict[str, Any]) -> list[tuple[str, bool]]:
    """``(value, accepted)`` pairs at the edges of one parameter's declared schema."""
    if "anyOf" in schema:  # a value, or "" for the default
        value, empty = schema["anyOf"]
        assert empty["const"] == ""
        return [("", True), (" ", False), *_boundaries(name, value)]
    if schema["type"] == "integer":
        low, high = schema["minimum"], schema["maximum"]
        return [(str(low), True), (str(high), True), (str(low - 1), False), (str(high + 1), False)]
    if "enum" in schema:
        return [(value, True) for value in schema["enum"]] + [("other", False)]
    if schema.get("format") == "date":
        return [("2025-09-12", True), ("2025-02-30", False), ("20250912", False)]
    if name == "q":
        longest = schema["maxLength"]
        return [("a" * longest, True), ("a" * (longest + 1), False), (" ", False), ("x", True)]
    return [("spor", True), ("", True)]  # category: any text


@pytest.mark.parametrize("name", SEARCH_PARAMETERS)
def test_api_accepts_exactly_what_the_description_declares(client, name):
    declared = spec_parameters("/api/search")[name]["schema"]
    for value, accepted in _boundaries(name, declared):
        params = {"q": "toplantı", name: value}
        response = client.get("/api/search", query_string=params)
        assert response.status_code == (200 if accepted else 400), (name, value)
        if not accepted:
            assert response.get_json()["error"]["parameter"] == name


def test_blank_pattern_is_pythons_isspace():
    """``q`` must hold a character ``str.strip`` keeps; the pattern says so in ECMA syntax."""
    pattern = re.compile(spec_parameters("/api/search")["q"]["schema"]["pattern"])
    disagree = [n for n in range(0x110000) if bool(pattern.search(chr(n))) == chr(n).isspace()]
    assert disagree == []


def test_required_parameters_are_required(client):
    assert spec_parameters("/api/search")["q"]["required"] is True
    assert client.get("/api/search").get_json()["error"]["parameter"] == "q"


# --- schemathesis against the real server process ------------------------------------------
#
# ``schemathesis.pytest.from_fixture`` fails under pytest 9.2 (it sets ``item._nodeid``,
# which pytest no longer has), so each operation's cases come from ``as_strategy`` under a
# plain hypothesis ``@given``: the same generation and the same checks.


def _dates_reversed(case: schemathesis.Case) -> bool:
    """``from`` after ``to``: valid for the schema, rejected by the API (a cross-field rule)."""
    query = case.query or {}
    try:
        start = datetime.date.fromisoformat(str(query["from"]))
        end = datetime.date.fromisoformat(str(query["to"]))
    except (KeyError, ValueError):
        return False
    return start > end


def _sent_as_empty(case: schemathesis.Case) -> bool:
    """Some parameter goes out empty (``per_page=``) or not at all, which the API takes as
    left out, as a form's empty field, or goes out as one value where a list was declared
    (``category=false``, a category named so): the request is valid however the value was
    meant. Schemathesis counts it invalid when it generated null, an empty list, an
    object (sent as its keys), or a boolean, number or lone string where a list was
    declared: on the wire these are the same as valid ones."""
    params = case.as_transport_kwargs(base_url="http://localhost").get("params") or {}
    prepared = requests.Request("GET", "http://localhost/", params=params).prepare()
    sent = parse_qsl(urlsplit(prepared.url).query, keep_blank_values=True)
    generated = case.query or {}
    declared = case.operation.definition.raw.get("parameters", [])
    lists = {p["name"] for p in declared if p.get("schema", {}).get("type") == "array"}
    dropped = set(generated) - {name for name, _ in sent}
    lone = any(not isinstance(generated[name], list) for name in lists & set(generated))
    return any(value == "" for _, value in sent) or bool(dropped) or lone


def _required(operation) -> set[str]:
    """The names of the operation's required parameters."""
    parameters = operation.definition.raw.get("parameters", [])
    return {parameter["name"] for parameter in parameters if parameter.get("required")}


#: Values that find something in the fixture index, so hits and articles are validated too
#: (random text finds nothing).
KNOWN = {
    "/api/search": {"query": {"q": "toplantı"}},
    "/api/articles/{id}": {"path_parameters": {"id": "2025/09/biskek-zirvesi"}},
    "/api/suggest": {"query": {"q": "bisk"}},
}


def _cases(operation) -> st.SearchStrategy[schemathesis.Case]:
    """Valid cases (some with a value that finds something) and cases the API must reject."""
    positive = operation.as_strategy(GenerationMode.POSITIVE)
    if not operation.definition.raw.get("parameters"):
        return positive
    found = operation.as_strategy(GenerationMode.POSITIVE, **KNOWN[operation.path])
    return st.one_of(positive, found, operation.as_strategy(GenerationMode.NEGATIVE))


@pytest.mark.parametrize("path", list(OPENAPI["paths"]))
def test_live_server_conforms_to_its_description(live_server: str, path: str):
    """No 5xx; status, content type, headers and body as described; bad input rejected."""
    schema = schemathesis.openapi.from_url(f"{live_server}/api/openapi.json", timeout=10)
    operation = schema[path]["GET"]
    session = requests.Session()
    seen: list[int] = []

    @settings(
        max_examples=MAX_EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=_cases(operation))
    def conforms(case: schemathesis.Case) -> None:
        if _dates_reversed(case):
            response = case.call(session=session, timeout=10)
            assert response.status_code == 400  # naming "from", or another bad parameter
            named = response.json()["error"]["parameter"]
            missing = _required(operation) - set(case.query or {})
            assert named in case.query or named in missing  # (q, when it was left out)
        elif _sent_as_empty(case):
            response = case.call(session=session, timeout=10)
            assert response.status_code in (200, 400)  # 400 for another, truly bad value
            if response.status_code == 400:  # it names a documented parameter (q if missing)
                named = {parameter["name"] for parameter in operation.definition.raw["parameters"]}
                assert response.json()["error"]["parameter"] in named
        else:
            response = case.call_and_validate(session=session, timeout=10)
        seen.append(response.status_code)

    with session:
        conforms()
    assert 200 in seen and max(seen) < 500
    assert requests.get(f"{live_server}/healthz", timeout=10).status_code == 200
