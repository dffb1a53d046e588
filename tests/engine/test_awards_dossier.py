"""The dossier's part of the pure core: the `dossier:` checklist of a rule set file (checked with
the file and the award named), the path's steps from each state, and the checklist read against
the documents filed."""

from __future__ import annotations

import pytest

from scoring.awards.rule_sets import shipped_rule_sets
from scoring.engine.awards import DossierItem, RuleSetError, parse_rule_set
from scoring.engine.awards import dossier as path

BASE = """
format: award-rules/1
code: test
name: Test
effective_from: 2025-07-01
awards:
  - code: flag
    name: Cờ
    level: vca
{dossier}
"""


def parse(dossier: str):
    return parse_rule_set(BASE.format(dossier=dossier), filename="rules.yaml")


def test_a_checklist_is_read_in_order_with_its_sources_and_what_is_required():
    rule_set = parse(
        """    dossier:
      - {code: to-trinh, name: "Tờ trình", name_en: "Letter", cite: "QĐ 311"}
      - {code: bien-ban, name: "Biên bản", source: generated, document: minutes}
      - {code: xac-nhan, name: "Xác nhận", required: false}"""
    )
    assert rule_set.awards["flag"].dossier == (
        DossierItem("to-trinh", "Tờ trình", "Letter", "upload", True, "QĐ 311"),
        DossierItem("bien-ban", "Biên bản", "Biên bản", "generated", True, "", "minutes"),
        DossierItem("xac-nhan", "Xác nhận", "Xác nhận", "upload", False, ""),
    )
    assert rule_set.awards["flag"].dossier[0].label("en") == "Letter"


@pytest.mark.parametrize(
    ("dossier", "message"),
    [
        ("    dossier: {code: x}", "rules.yaml: award flag, dossier: a list of documents"),
        ("    dossier: [x]", "rules.yaml: award flag, dossier[1]: a document is a mapping"),
        (
            "    dossier: [{code: to-trinh, name: T, source: fax, document: proposal}]",
            "rules.yaml: award flag, dossier[1]: source must be one of ['upload', 'generated'], "
            "not 'fax'",
        ),
        (
            "    dossier: [{code: a, name: A}, {code: a, name: B}]",
            "rules.yaml: award flag, dossier[2]: document 'a' twice",
        ),
        (
            "    dossier: [{code: Tờ-trình, name: T}]",
            "rules.yaml: award flag, dossier[1]: code 'Tờ-trình': up to 40 lower-case letters",
        ),
        (
            "    dossier: [{code: a, name: A, required: 'yes'}]",
            "rules.yaml: award flag, dossier[1]: required is true or false",
        ),
        (
            "    dossier: [{code: a, name: A, pages: 3}]",
            "rules.yaml: award flag, dossier[1]: unknown keys ['pages']",
        ),
        ("    dossier: [{code: a}]", "rules.yaml: award flag, dossier[1]: 'name' must be"),
        # A generated item names the documents room's kind it is made as, and only it does.
        (
            "    dossier: [{code: a, name: A}, {code: bien-ban, name: B, source: generated}]",
            "rules.yaml: award flag, dossier[2]: document 'bien-ban' is generated: 'document' "
            "must name the kind it is made as, one of ['pledge', 'results', 'score_sheet', "
            "'minutes', 'proposal']",
        ),
        (
            "    dossier: [{code: bien-ban, name: B, source: generated, document: minute}]",
            "rules.yaml: award flag, dossier[1]: document 'bien-ban': 'minute' is not a kind of "
            "document the app generates; known: ['pledge', 'results', 'score_sheet', "
            "'minutes', 'proposal']",
        ),
        (
            "    dossier: [{code: to-trinh, name: T, document: proposal}]",
            "rules.yaml: award flag, dossier[1]: document 'to-trinh': 'document' is for a "
            "generated document (source: generated)",
        ),
    ],
)
def test_a_bad_checklist_is_refused_naming_the_file_the_award_and_the_entry(dossier, message):
    with pytest.raises(RuleSetError) as refused:
        parse(dossier)
    assert str(refused.value).startswith(message)


def test_the_kinds_a_generated_item_may_name_are_the_ones_the_reader_is_given():
    text = "    dossier: [{code: bien-ban, name: B, source: generated, document: minutes}]"
    read = parse_rule_set(BASE.format(dossier=text), filename="r.yaml", document_kinds=("minutes",))
    assert read.awards["flag"].dossier[0].document == "minutes"
    with pytest.raises(
        RuleSetError,
        match=r"r.yaml: award flag, dossier\[1\]: document "
        r"'bien-ban': 'minutes' is not a kind .*; known: \['proposal'\]",
    ):
        parse_rule_set(BASE.format(dossier=text), filename="r.yaml", document_kinds=("proposal",))


def test_the_engines_list_of_document_kinds_is_the_documents_rooms():
    """The engine reads rule sets without Django, with its own copy of the kinds; the shipped
    ones are read against the documents room's (scoring/documents/kinds.py)."""
    from scoring.documents.kinds import KINDS
    from scoring.engine.awards import DOCUMENT_KINDS

    assert list(DOCUMENT_KINDS) == list(KINDS)


def test_without_a_checklist_an_award_asks_for_no_documents():
    assert parse("").awards["flag"].dossier == ()


def test_the_shipped_rule_sets_list_the_tabled_documents_for_the_flags():
    for rule_set in shipped_rule_sets():
        government = rule_set.awards["co-thi-dua-chinh-phu"]
        assert [i.code for i in government.dossier if i.required] == [
            "to-trinh",
            "bao-cao-thanh-tich",
            "bien-ban-hoi-dong",
        ]
        # The ministry's or province's letter and the council's minutes are not the cluster's:
        # uploaded; the cluster's own minutes, generated, may go with them.
        assert [(i.code, i.document) for i in government.dossier if i.source == "generated"] == [
            ("bien-ban", "minutes")
        ]
        # The flags of the cluster's leader, which its conference proposes: the cluster's letter
        # and its minutes are both generated from the year's data (docs/awards.md).
        for code in ("co-thi-dua-lmhtxvn", "co-thi-dua-tinh"):
            assert [(i.code, i.source, i.document) for i in rule_set.awards[code].dossier][:3] == [
                ("to-trinh", "generated", "proposal"),
                ("bao-cao-thanh-tich", "upload", ""),
                ("bien-ban", "generated", "minutes"),
            ]
        # Every other award's minutes are the cluster's minutes; its letter is uploaded.
        for kind in rule_set.awards.values():
            for item in kind.dossier:
                if item.code == "bien-ban":
                    assert (item.source, item.document) == ("generated", "minutes")
                if item.code == "to-trinh" and kind.code not in (
                    "co-thi-dua-lmhtxvn",
                    "co-thi-dua-tinh",
                ):
                    assert (item.source, item.document) == ("upload", "")


def test_each_step_leads_from_its_states_only():
    allowed = {
        (state, step)
        for step in path.STEPS
        for state in path.STATES
        if path.step_allowed(state, step)
    }
    assert allowed == {
        ("draft", "submit"),
        ("returned", "resubmit"),
        ("submitted", "return"),
        ("resubmitted", "return"),
        ("submitted", "appraise"),
        ("resubmitted", "appraise"),
        ("appraised", "decide"),
        ("decided", "revoke"),
    }
    assert path.next_state("resubmitted", "appraise") == "appraised"
    with pytest.raises(path.DossierStepError, match="decide: not from submitted"):
        path.next_state("submitted", "decide")
    assert not path.step_allowed("draft", "no-such-step")


def test_the_missing_documents_are_the_required_ones_not_filed_in_the_checklists_order():
    items = [
        DossierItem("a", "A", "A"),
        DossierItem("b", "B", "B", required=False),
        DossierItem("c", "C", "C", source="generated"),
    ]
    assert [i.code for i in path.missing_documents(items, [])] == ["a", "c"]
    assert [i.code for i in path.missing_documents(items, ["c", "x"])] == ["a"]
    assert path.missing_documents(items, {"a", "c"}) == []
