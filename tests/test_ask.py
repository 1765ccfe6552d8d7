"""`painkg ask`: questions in prose, entity resolution, mislabel detection, CLI contract.

Every case runs the real graph (session fixture ``kg``); the lexicon is loaded once for it.
"""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from kg.question import ask
from kg.question.errors import AmbiguousQuestionError, UnrecognisedQuestionError
from kg.question.text import content_set, words
from kg.cli import main
from kg.errors import InputError, NonBillableCodeError, UnknownCodeError

PUBLISHED = (
    "Is the Intracept System (Intracept Procedure) medically necessary for diagnosis of M54.51 "
    "(Lumbar Vertebra Intervertebral Disc Disorders with Radiculopathy)?"
)

# question, procedure code, diagnosis codes, verdict, mislabel: None (no warning) or the code
# the warning suggests ("" = a warning without suggestion).
CASES = [
    # codes with or without dots, any case; names, acronyms, brands
    ("Is BVNA medically necessary for m5451?", "64628", ["M54.51"], "aligned", None),
    ("Is CPT 64628 medically necessary for ICD-10 M54.51?", "64628", ["M54.51"], "aligned", None),
    ("Is 64628 aligned with M51.16?", "64628", ["M51.16"], "misaligned", None),
    ("Is the Intracept Intraosseous Nerve Ablation System medically necessary for M54.51?",
     "64628", ["M54.51"], "aligned", None),
    ("Is BVNA necessary for mild low back pain M54.51?", "64628", ["M54.51"], "aligned", None),
    ("Is MILD medically necessary for M48.062?", "G0276", ["M48.062"], "aligned", None),
    ("Is mild® medically necessary for M48.062?", "G0276", ["M48.062"], "aligned", None),
    ("Is ACDF medically necessary for M50.121?", "22551", ["M50.121"], "aligned", None),
    ("Is a discectomy medically necessary for M51.16?", "63030", ["M51.16"], "aligned", None),
    ("Is hemilaminectomy medically necessary for M51.16?", "63030", ["M51.16"], "aligned", None),
    ("Is foraminotomy medically necessary for M51.17?", "63030", ["M51.17"], "aligned", None),
    ("Is a spinal cord stimulator trial medically necessary for M96.1?", "63650", ["M96.1"], "aligned", None),
    ("Is an SCS generator medically necessary for G89.4?", "63685", ["G89.4"], "misaligned", None),
    ("Is lumbar RFA medically necessary for M47.816?", "64635", ["M47.816"], "aligned", None),
    ("Is a rhizotomy at L4-5 necessary for M47.816?", "64635", ["M47.816"], "aligned", None),
    # regions and levels choose among region-specific codes
    ("Is a TFESI at L4-5 medically necessary for lumbar radiculopathy (M54.16)?",
     "64483", ["M54.16"], "aligned", None),
    ("Is a transforaminal epidural at C5-6 medically necessary for M50.121?",
     "64479", ["M50.121"], "aligned", None),
    ("Is a thoracic transforaminal epidural medically necessary for M54.14?",
     "64479", ["M54.14"], "aligned", None),
    ("TFESI for M54.12", "64479", ["M54.12"], "aligned", None),
    ("Is kyphoplasty medically necessary for M80.08XA at L1?", "22514", ["M80.08XA"], "aligned", None),
    ("Is kyphoplasty of T8 necessary for M80.08XA?", "22513", ["M80.08XA"], "aligned", None),
    ("Is Kyphon balloon kyphoplasty at L2 medically necessary for M80.08XA?",
     "22514", ["M80.08XA"], "aligned", None),
    ("Is a cervical medial branch block medically necessary for M47.812 (cervical spondylosis)?",
     "64490", ["M47.812"], "aligned", None),
    ("Is an interlaminar epidural at L4-5 with imaging guidance medically necessary for M54.16?",
     "62323", ["M54.16"], "aligned", None),
    ("Is an interlaminar epidural at L4-5 without imaging medically necessary for M54.16?",
     "62322", ["M54.16"], "aligned", None),
    ("Is open SI joint fusion medically necessary for M46.1?", "27280", ["M46.1"], "aligned", None),
    # several diagnoses
    ("Is a lumbar TFESI medically necessary for M54.16 and M51.16?",
     "64483", ["M54.16", "M51.16"], "aligned", None),
    # code-free: the diagnosis by its title
    ("Is BVNA medically necessary for vertebrogenic low back pain?", "64628", ["M54.51"], "aligned", None),
    ("Is a TFESI at L4-5 medically necessary for lumbar radiculopathy?", "64483", ["M54.16"], "aligned", None),
    ("Is minimally invasive SI joint fusion medically necessary for sacroiliitis?",
     "27279", ["M46.1"], "aligned", None),
    ("Is a spinal cord stimulator trial medically necessary for post-laminectomy syndrome?",
     "63650", ["M96.1"], "aligned", None),
    ("Is a mild procedure medically necessary for lumbar spinal stenosis with neurogenic claudication?",
     "G0276", ["M48.062"], "aligned", None),
    # correct glosses in other words or order: no warning
    ("Is basivertebral nerve ablation appropriate for M54.51 - low back pain, vertebrogenic?",
     "64628", ["M54.51"], "aligned", None),
    ("Is Intracept medically necessary for vertebrogenic pain (M54.51)?", "64628", ["M54.51"], "aligned", None),
    ("Is TFESI medically necessary for M54.16 (sciatica, lumbar)?", "64483", ["M54.16"], "aligned", None),
    ("Is TFESI medically necessary for M51.16 (herniated lumbar disc with radiculopathy)?",
     "64483", ["M51.16"], "aligned", None),
    ("Is a laminectomy medically necessary for M48.062 (spinal stenosis, lumbar region with "
     "neurogenic claudication)?", "63047", ["M48.062"], "aligned", None),
    ("Is a medial branch block medically necessary for M47.816 (lumbar spondylosis without "
     "myelopathy or radiculopathy)?", "64493", ["M47.816"], "aligned", None),
    # mislabelled glosses
    ("Is BVNA medically necessary for M54.51 (cervical radiculopathy)?", "64628", ["M54.51"], "aligned", "M54.12"),
    ("Is Intracept medically necessary for M54.16 (Vertebrogenic low back pain)?",
     "64628", ["M54.16"], "misaligned", "M54.51"),
    ("Is TFESI medically necessary for M54.16 (cervical radiculopathy)?", "64483", ["M54.16"], "aligned", "M54.12"),
    ("Is a medial branch block medically necessary for M47.816 (lumbar spondylosis with radiculopathy)?",
     "64493", ["M47.816"], "aligned", "M47.26"),
    ("Is TFESI medically necessary for M51.26 (lumbar disc herniation with radiculopathy)?",
     "64483", ["M51.26"], "misaligned", "M51.16"),
    ("Is BVNA medically necessary for M54.51 (discogenic low back pain)?", "64628", ["M54.51"], "aligned", "M51.360"),
    ("Is BVNA medically necessary for E11.9 (vertebrogenic low back pain)?", "64628", ["E11.9"], "misaligned", "M54.51"),
    ("Is ACDF medically necessary for M50.121 (C5-6 disc herniation with radiculopathy)?",
     "22551", ["M50.121"], "aligned", "M50.122"),
    ("Is ACDF medically necessary for M50.121 (C4-5 disc herniation with radiculopathy)?",
     "22551", ["M50.121"], "aligned", None),
    # more styles
    ("Can we do a TFESI L5-S1 for M51.17?", "64483", ["M51.17"], "aligned", None),
    ("Would payers cover an L4-L5 facet injection for M47.816?", "64493", ["M47.816"], "aligned", None),
    ("Is vertebroplasty at T12 medically necessary for M80.08XA?", "22510", ["M80.08XA"], "aligned", None),
    ("Does M54.16 support 64483?", "64483", ["M54.16"], "aligned", None),
    ("Is BVNA medically necessary for a 55-year-old patient with chronic vertebrogenic low back pain "
     "for 8 months?", "64628", ["M54.51"], "aligned", None),
]


def test_published_example(kg):
    result = ask(PUBLISHED, kg=kg)
    assert result.procedure["code"] == "64628" and result.procedure["words"].startswith("Intracept")
    assert [d["code"] for d in result.diagnoses] == ["M54.51"]
    assert result.check.verdict == "aligned" and result.exit_code == 0
    [warning] = result.mislabels
    assert warning.code == "M54.51" and warning.suggestion == "M51.16"
    assert "radiculopathy" in warning.message and "vertebrogenic" in warning.message
    assert "Vertebrogenic low back pain" in warning.message
    text = result.text()
    assert text.startswith("WARNING:") and "did you mean M51.16?" in text.splitlines()[0]
    assert "Verdict    ALIGNED" in text


@pytest.mark.parametrize("question, procedure, diagnoses, verdict, mislabel", CASES)
def test_questions(kg, question, procedure, diagnoses, verdict, mislabel):
    result = ask(question, kg=kg)
    assert result.procedure["code"] == procedure
    assert [d["code"] for d in result.diagnoses] == diagnoses
    assert result.check.verdict == verdict
    assert result.exit_code == (0 if verdict == "aligned" else 1)
    if mislabel is None:
        assert result.mislabels == []
    else:
        assert len(result.mislabels) == 1
        assert result.mislabels[0].suggestion == (mislabel or None)
        assert result.text().startswith("WARNING:")


def test_region_choice_is_explained(kg):
    by_level = ask("Is a TFESI at L4-5 medically necessary for M54.16?", kg=kg)
    assert any("L4-5" in r and "64483" in r for r in by_level.procedure["reasons"])
    by_diagnosis = ask("TFESI for M54.12", kg=kg)
    assert any("region of M54.12" in r for r in by_diagnosis.procedure["reasons"])
    # the user's (wrong) gloss names cervical, but the procedure region follows the code
    glossed = ask("Is TFESI medically necessary for M54.16 (cervical radiculopathy)?", kg=kg)
    assert any("region of M54.16" in r for r in glossed.procedure["reasons"])


def test_mislabel_names_mechanism_and_region(kg):
    [m] = ask("Is BVNA medically necessary for M54.51 (cervical radiculopathy)?", kg=kg).mislabels
    assert any("radicular" in p and "vertebrogenic" in p for p in m.problems)
    assert any("cervical" in p and "lumbar" in p for p in m.problems)


def test_procedure_gloss_naming_another_procedure(kg):
    result = ask("Is 64483 (basivertebral nerve ablation) medically necessary for M54.16?", kg=kg)
    assert result.procedure["code"] == "64483" and result.check.verdict == "aligned"
    [m] = result.mislabels
    assert m.kind == "procedure" and "basivertebral nerve ablation" in m.message


def test_code_free_diagnosis_says_what_matched(kg):
    result = ask("Is BVNA medically necessary for vertebrogenic low back pain?", kg=kg)
    [dx] = result.diagnoses
    assert dx["how"] == "title match on" and dx["words"] == "vertebrogenic low back pain"


@pytest.mark.parametrize(
    "question, error, fragment",
    [
        ("Is Zorbotherapy medically necessary for M54.51?", UnrecognisedQuestionError, "no procedure recognised"),
        ("Is an ESI medically necessary for M54.16?", AmbiguousQuestionError, "can mean"),
        ("Is a spinal cord stimulator medically necessary for M96.1?", AmbiguousQuestionError, "63685"),
        ("Is kyphoplasty medically necessary for M80.08XA?", AmbiguousQuestionError, "22513"),
        ("Is BVNA or TFESI medically necessary for M54.51?", AmbiguousQuestionError, "more than one procedure"),
        ("Is 64628 or 64483 medically necessary for M54.51?", AmbiguousQuestionError, "2 procedure codes"),
        ("Is discectomy at C5-6 medically necessary for M50.121?", UnrecognisedQuestionError, "C5-6"),
        ("Is a TFESI medically necessary for low back pain?", AmbiguousQuestionError, "M54.50"),
        ("Is a lumbar medial branch block medically necessary for facet arthropathy?",
         UnrecognisedQuestionError, "facet arthropathy"),
        ("Is Intracept medically necessary for M54.5?", NonBillableCodeError, "M54.51"),
        ("Is BVNA medically necessary for M99.99?", UnknownCodeError, "M99.99"),
        ("   ", UnrecognisedQuestionError, "empty"),
        ("Is BVNA medically necessary?", UnrecognisedQuestionError, "names no diagnosis"),
        ("Is M54.51 ok?", UnrecognisedQuestionError, "no procedure recognised"),
    ],
)
def test_unresolvable_questions(kg, question, error, fragment):
    with pytest.raises(error) as info:
        ask(question, kg=kg)
    assert isinstance(info.value, InputError)
    assert fragment in str(info.value) and "\n" not in str(info.value)


def test_same_answer_every_time(kg):
    first = ask(PUBLISHED, kg=kg).to_dict()
    assert ask(PUBLISHED, kg=kg).to_dict() == first


def test_words_are_normalised():
    assert content_set("low back pain, vertebrogenic") == content_set("Vertebrogenic low back pain")
    assert content_set("sciatica") == content_set("radiculopathy") == content_set("radicular")
    assert "no-radiculopathy" in words("Spondylosis without myelopathy or radiculopathy, lumbar region", True)
    assert content_set("herniated disks") == content_set("disc herniation")


def test_synonyms_come_from_the_graph(kg):
    from kg.question.lexicon import lexicon_for

    lex = lexicon_for(kg)
    brands = {n.text for n in lex.names if n.kind == "brandName"}
    assert {"Intracept", "Kyphon", "mild®"} <= brands
    assert lexicon_for(kg) is lex  # loaded once


def test_cli_text_json_and_exit_codes():
    runner = CliRunner()
    ok = runner.invoke(main, ["ask", PUBLISHED])
    assert ok.exit_code == 0 and ok.output.startswith("WARNING:")
    data = json.loads(runner.invoke(main, ["ask", PUBLISHED, "--format", "json"]).output)
    assert data["mislabels"][0]["suggestion"] == "M51.16"
    assert data["resolution"]["procedure"]["code"] == "64628"
    assert data["check"]["verdict"] == "aligned"
    assert runner.invoke(main, ["ask", "Is", "64628", "aligned", "with", "M51.16?"]).exit_code == 1
    bad = runner.invoke(main, ["ask", "Is a spinal cord stimulator necessary for M96.1?", "--format", "json"])
    assert bad.exit_code == 2
    assert json.loads(bad.output)["error"]["code"] == "ambiguous-question"


def test_top_level_api_survives_the_package_import(kg):
    import importlib

    package = importlib.import_module("kg")
    importlib.import_module("kg.question.lexicon")  # importing the package must not hide kg.ask
    assert callable(package.ask) and package.ask.__module__ == "kg"
    result = package.ask("Is BVNA medically necessary for M54.51?", kg=kg)
    assert result.procedure["code"] == "64628" and result.check.verdict == "aligned"
