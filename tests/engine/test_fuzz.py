"""Hostile input never escapes as anything but our own errors, and never runs code."""

from __future__ import annotations

import builtins
import contextlib
from unittest import mock

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scoring.engine import FormulaError, SchemeError, compile_formula, parse_scheme

NAMES = ("a", "b", "coops_operating")
TOKENS = [
    "a",
    "b",
    "coops_operating",
    "x",
    "1",
    "0",
    "2.5",
    "1e3",
    "1e999",
    "+",
    "-",
    "*",
    "/",
    "**",
    "(",
    ")",
    ",",
    "<",
    "<=",
    "==",
    "!=",
    ">",
    ">=",
    "=",
    "and",
    "or",
    "not",
    "if",
    "min",
    "max",
    "abs",
    "round",
    "prev",
    "'",
    '"',
    ".",
    "[",
    "]",
    "__import__",
    "lambda",
    ":",
    "os",
    "system",
    "__class__",
    " ",
]


def attempt(text: str) -> None:
    try:
        with no_code_execution():
            formula = compile_formula(text, names=NAMES)
    except FormulaError as exc:
        assert 0 <= exc.position <= len(text) + 1
        return
    with no_code_execution():
        values = formula.evaluate_columns(
            {"a": [1.0, 0.0, None], "b": [0.0, 2.0, 3.0]}, 3, {"a": [1.0, None, 2.0]}
        )
    assert len(values) == 3
    assert all(v is None or isinstance(v, float) for v in values)


def _refuse(*_args, **_kwargs):
    raise AssertionError("user text reached eval/exec")


@contextlib.contextmanager
def no_code_execution():
    # Only around our own calls: hypothesis itself uses exec while it generates examples.
    with mock.patch.object(builtins, "eval", _refuse), mock.patch.object(builtins, "exec", _refuse):
        yield


@settings(
    max_examples=400, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(max_size=120))
def test_random_text_only_ever_raises_formula_error(text):
    attempt(text)


@settings(
    max_examples=600, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.lists(st.sampled_from(TOKENS), max_size=40))
def test_random_token_soups_only_ever_raise_formula_error(tokens):
    attempt(" ".join(tokens))
    attempt("".join(tokens))


def test_python_injection_is_refused_as_a_formula():
    for text in (
        "__import__('os').system('id')",
        "().__class__.__bases__",
        "a.__class__",
        "[x for x in a]",
        "lambda: 0",
    ):
        with pytest.raises(FormulaError):
            compile_formula(text, names=NAMES)


SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=12),
    st.sampled_from(["emulation-scheme/1", "a / b", "higher", "bands", "manual", "percent"]),
)
KEYS = st.sampled_from(
    [
        "format",
        "name",
        "scale",
        "data_elements",
        "criteria",
        "classification",
        "tie_break",
        "code",
        "group",
        "measure",
        "target",
        "points",
        "rule",
        "kind",
        "type",
        "bands",
        "min_ratio",
        "band",
        "min_each",
        "x",
    ]
)
DOCS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(KEYS, inner, max_size=6),
    max_leaves=30,
)


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(DOCS)
def test_random_documents_only_ever_raise_scheme_error(document):
    import json

    import yaml

    for text in (yaml.safe_dump(document, allow_unicode=True), json.dumps(document)):
        try:
            with no_code_execution():
                parse_scheme(text, filename="fuzz.yaml")
        except SchemeError as exc:
            assert str(exc).startswith("fuzz.yaml")


@settings(
    max_examples=300, deadline=None, database=None, suppress_health_check=[HealthCheck.too_slow]
)
@given(st.text(alphabet=st.sampled_from(list("{}[]:,-&*!|>'\"#\n a1.?%@`")), max_size=80))
def test_random_yamlish_text_only_ever_raises_scheme_error(text):
    try:
        with no_code_execution():
            parse_scheme(text, filename="fuzz.yaml")
    except SchemeError:
        pass


def test_a_plausible_scheme_with_fuzzed_fields_still_validates():
    base = {
        "format": "emulation-scheme/1",
        "name": "x",
        "scale": 100,
        "data_elements": [{"code": "a", "name": "a", "type": "integer"}],
        "criteria": [
            {"code": "1", "group": "g", "name": "n", "measure": "a", "target": 1, "points": 1}
        ],
    }
    import json

    scheme, warnings = parse_scheme(json.dumps(base), filename="ok.json")
    assert (scheme.criteria[0].measure, warnings) == ("a", [])
