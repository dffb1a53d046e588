from __future__ import annotations

import json
import time

import pytest

from scoring.engine import SchemeError, dump_scheme, parse_scheme, scheme_to_dict

MINIMAL = """
format: emulation-scheme/1
name: Cụm thử
scale: 100
data_elements:
  - {code: coops_operating, name: HTX đang hoạt động, definition: tại 31/12, type: integer, min: 0}
  - {code: coops_effective, name: HTX hiệu quả, definition: từ trung bình, type: integer, min: 0, max_element: coops_operating}
criteria:
  - code: "1"
    group: "Nội dung 1"
    name: Thành lập HTX
    measure: coops_operating
    target: 20
    points: 15
  - code: "2"
    group: "Nội dung 2"
    name: Tỷ lệ HTX hiệu quả
    measure: coops_effective / coops_operating * 100
    target: 60
    points: 15
    rule: bands
    unit: "%"
    bands: [{min_ratio: 0.5, points: 7}, {min_ratio: 1, points: 15}]
"""


def parse(text: str, filename: str = "scheme-2021.yaml"):
    return parse_scheme(text, filename=filename)


def broken(replace: str, by: str) -> str:
    assert replace in MINIMAL
    return MINIMAL.replace(replace, by, 1)


def test_it_reads_a_minimal_scheme_with_defaults():
    scheme, warnings = parse(MINIMAL)
    assert warnings == []
    assert scheme.name == "Cụm thử"
    assert scheme.groups == ("Nội dung 1", "Nội dung 2")
    first, second = scheme.criteria
    assert (first.direction, first.kind, first.rule, first.knockout, first.unit) == (
        "higher",
        "regular",
        "proportional",
        False,
        None,
    )
    assert first.definition == ""
    # Bands are kept highest first whatever the file order.
    assert second.params["bands"] == (
        {"min_ratio": 1.0, "points": 15.0},
        {"min_ratio": 0.5, "points": 7.0},
    )
    assert scheme.data_elements[1].max_element == "coops_operating"


def test_it_reads_the_same_scheme_from_json():
    from_yaml, _ = parse(MINIMAL)
    import yaml

    as_json = json.dumps(yaml.safe_load(MINIMAL), ensure_ascii=False)
    from_json, _ = parse_scheme(as_json.encode("utf-8"), filename="s.json")
    assert from_json == from_yaml


def test_dump_round_trips_to_an_equal_scheme():
    scheme, _ = parse(MINIMAL)
    text = dump_scheme(scheme)
    again, warnings = parse(text)
    assert again == scheme
    assert warnings == []
    assert "Cụm thử" in text  # allow_unicode: no \\u escapes
    assert list(scheme_to_dict(scheme)) == ["format", "name", "scale", "data_elements", "criteria"]


def test_unknown_keys_are_accepted_with_warnings():
    text = broken("scale: 100", "scale: 100\nowner: An Giang") + "    colour: red\n"
    scheme, warnings = parse(text)
    assert scheme.scale == 100.0
    assert warnings == [
        "scheme-2021.yaml: unknown key 'owner' ignored",
        "scheme-2021.yaml: criteria[1] (code '2'): unknown key 'colour' ignored",
    ]


def test_a_parameter_the_rule_does_not_use_is_a_warning():
    _, warnings = parse(broken("points: 15\n", "points: 15\n    else_points: 3\n"))
    assert warnings == [
        "scheme-2021.yaml: criteria[0] (code '1'): else_points is ignored by rule proportional"
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            broken("coops_effective / coops", "coop_effective / coops"),
            "scheme-2021.yaml: criteria[1] (code '2'): measure: unknown name 'coop_effective' at position 0",
        ),
        (
            broken("format: emulation-scheme/1", "format: emulation-scheme/2"),
            "scheme-2021.yaml: format: must be 'emulation-scheme/1', not 'emulation-scheme/2'",
        ),
        (
            broken('code: "2"', 'code: "1"'),
            "scheme-2021.yaml: criteria[1] (code '1'): code: '1' is used twice",
        ),
        (
            broken("type: integer, min: 0}", "type: money, min: 0}"),
            "scheme-2021.yaml: data_elements[0] (code 'coops_operating'): type: must be one of integer, decimal, percent, boolean, not 'money'",
        ),
        (
            broken("points: 15\n", "points: -1\n"),
            "scheme-2021.yaml: criteria[0] (code '1'): points: must be at least 0, not -1",
        ),
        (
            broken("target: 20", "target: .nan"),
            "scheme-2021.yaml: criteria[0] (code '1'): target: must be a finite number",
        ),
        (
            broken("target: 20", "target: '20'"),
            "scheme-2021.yaml: criteria[0] (code '1'): target: must be a number, not text",
        ),
        (
            broken("scale: 100", "scale: 0"),
            "scheme-2021.yaml: scale: must be greater than 0, not 0",
        ),
        (
            broken("max_element: coops_operating", "max_element: nothing"),
            "scheme-2021.yaml: data_elements[1] (code 'coops_effective'): max_element: unknown data element 'nothing'",
        ),
        (
            broken("{min_ratio: 0.5, points: 7}", "{min_ratio: 0.5, points: 70}"),
            "scheme-2021.yaml: criteria[1] (code '2'): bands[0]: points: must be at most 15, not 70",
        ),
        (
            broken("rule: bands", "rule: magic"),
            "scheme-2021.yaml: criteria[1] (code '2'): rule: must be one of threshold, proportional, bands, relative, formula, manual, per_item, not 'magic'",
        ),
        (
            broken(
                "points: 15\n",
                "points: 15\n    rule: formula\n    points_formula: max_points * ratio.x\n",
            ),
            "scheme-2021.yaml: criteria[0] (code '1'): points_formula: attribute access is not allowed at position 18",
        ),
        (
            broken(
                "points: 15\n",
                "points: 15\n    rule: formula\n    points_formula: max_points * coops_operating\n",
            ),
            "scheme-2021.yaml: criteria[0] (code '1'): points_formula: unknown name 'coops_operating' at position 13",
        ),
        (
            broken("    measure: coops_operating\n", ""),
            "scheme-2021.yaml: criteria[0] (code '1'): measure: is required",
        ),
        (
            MINIMAL + "tie_break: [met_count, 'group:Nội dung 9']\n",
            "scheme-2021.yaml: tie_break[1]: unknown group 'Nội dung 9'",
        ),
        (
            MINIMAL + "tie_break: [criterion:7]\n",
            "scheme-2021.yaml: tie_break[0]: unknown criterion '7'",
        ),
        (
            MINIMAL + "tie_break: [luck]\n",
            "scheme-2021.yaml: tie_break[0]: must be met_count, group:<group> or criterion:<code>, not 'luck'",
        ),
        (
            broken("code: coops_operating", "code: min"),
            "scheme-2021.yaml: data_elements[0] (code 'min'): code: must be letters, digits and _",
        ),
        (
            MINIMAL + "classification: [{band: Tốt, min_each: 1.5}]\n",
            "scheme-2021.yaml: classification[0]: min_each: must be at most 1, not 1.5",
        ),
        ("- just\n- a list\n", "scheme-2021.yaml: must be a mapping of keys, not a list"),
        ("", "scheme-2021.yaml: the file is empty"),
        (
            broken("scale: 100", "scale: 100\nscale: 90"),
            "scheme-2021.yaml: line 5, column 1: duplicate key 'scale'",
        ),
        ("name: [unclosed", "scheme-2021.yaml: line 1, column 16: expected ',' or ']'"),
        (
            broken("scale: 100", "scale: !!python/object/apply:os.system ['echo hi']"),
            "scheme-2021.yaml: line 4, column 8: YAML tags are not allowed",
        ),
    ],
)
def test_it_refuses_malformed_files_naming_the_file_and_the_place(text: str, message: str):
    with pytest.raises(SchemeError) as caught:
        parse(text)
    assert str(caught.value).startswith(message)


def test_a_manual_criterion_needs_no_measure():
    text = broken("measure: coops_operating\n    target: 20\n", "rule: manual\n    target: null\n")
    scheme, _ = parse(text)
    assert scheme.criteria[0].measure == ""
    assert scheme.criteria[0].rule == "manual"


def test_billion_laughs_is_refused_quickly():
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 10):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(
            f"{cur}: &{cur} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]"
        )
    start = time.perf_counter()
    with pytest.raises(SchemeError, match="anchors are not allowed"):
        parse("\n".join(lines))
    assert time.perf_counter() - start < 0.5


def test_aliases_alone_are_refused():
    with pytest.raises(SchemeError, match="aliases are not allowed"):
        parse("name: *x\n")


def test_deep_nesting_is_refused_in_yaml_and_json():
    with pytest.raises(SchemeError, match="nested deeper than 20"):
        parse("x: " + "[" * 30 + "]" * 30)
    with pytest.raises(SchemeError, match="nested deeper than 20"):
        parse_scheme('{"x": ' + "[" * 30 + "]" * 30 + "}", filename="s.json")
    with pytest.raises(SchemeError, match="nested deeper"):
        parse_scheme('{"x": ' + "[" * 100_000 + "]" * 100_000 + "}", filename="s.json")


def test_oversized_input_is_refused():
    with pytest.raises(SchemeError, match="larger than 1,000,000 bytes"):
        parse(MINIMAL + "#" * 1_000_001)


def test_too_many_criteria_are_refused():
    items = ",".join(f'{{"code": "c{i}"}}' for i in range(2001))
    text = f'{{"format": "emulation-scheme/1", "name": "x", "scale": 1, "data_elements": [], "criteria": [{items}]}}'
    with pytest.raises(SchemeError, match="criteria: more than 2,000 items"):
        parse_scheme(text, filename="big.json")


def test_json_nan_and_duplicate_keys_are_refused():
    with pytest.raises(SchemeError, match="'NaN' is not a number"):
        parse_scheme('{"scale": NaN}', filename="s.json")
    with pytest.raises(SchemeError, match="duplicate key 'scale'"):
        parse_scheme('{"scale": 1, "scale": 2}', filename="s.json")


def test_bytes_that_are_not_utf8_are_refused():
    with pytest.raises(SchemeError, match="not UTF-8"):
        parse_scheme(b"name: \xff\xfe", filename="s.yaml")


def test_a_bom_is_accepted():
    scheme, _ = parse_scheme(b"\xef\xbb\xbf" + MINIMAL.encode("utf-8"), filename="s.yaml")
    assert scheme.name == "Cụm thử"
