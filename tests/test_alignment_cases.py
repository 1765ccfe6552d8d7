"""Alignment cases over every procedure family (expected values from the domain fact base §3, §5, §7)."""

from __future__ import annotations

import pytest

from kg.checking import check

A, I, M = "aligned", "indeterminate", "misaligned"
CRIT, NMN, UND = "criteria-apply", "not-medically-necessary", "undetermined"

CASES = [
    # BVN ablation: vertebrogenic only
    ("64628", ["M54.51"], A, CRIT),
    ("64629", ["M54.51"], A, CRIT),
    ("64628", ["M51.16"], M, NMN),
    ("64628", ["M54.16"], M, NMN),
    ("64628", ["M54.41"], M, NMN),
    ("64628", ["M48.062"], M, NMN),
    ("64628", ["M47.816"], M, NMN),
    ("64628", ["M54.50"], I, UND),
    ("64628", ["M54.59"], I, UND),
    ("64628", ["I10"], M, NMN),
    ("64628", ["M54.2"], M, NMN),  # cervicalgia: no vertebrogenic mechanism, cervical region
    # epidural steroid injections: radicular, claudication, post-laminectomy
    ("62323", ["M54.16"], A, CRIT),
    ("62323", ["M51.16"], A, CRIT),
    ("62323", ["M47.27"], A, CRIT),  # only through the hierarchy (M47.2)
    ("62323", ["M48.062"], A, CRIT),
    ("62323", ["M96.1"], A, CRIT),
    ("62323", ["M54.51"], M, NMN),
    ("62323", ["M51.360"], M, NMN),  # axial discogenic pain: LCD excludes axial pain
    ("62323", ["M54.50"], M, NMN),  # radicular excluded by M54.5 Excludes1 (M54.4-)
    ("64483", ["M54.17"], A, CRIT),
    ("64483", ["M51.17"], A, CRIT),
    ("64479", ["M50.123"], A, CRIT),  # C5-C6 ... through M50.1
    ("64479", ["M54.12"], A, CRIT),
    ("64479", ["M54.16"], M, NMN),  # cervical/thoracic procedure, lumbar diagnosis
    ("62321", ["M50.122"], A, CRIT),
    ("62321", ["M54.16"], M, NMN),
    ("64483", ["M50.122"], M, NMN),  # lumbar procedure, cervical diagnosis
    # facet joint injection / medial branch block / RFA
    ("64493", ["M47.816"], A, CRIT),
    ("64493", ["M47.817"], A, CRIT),
    ("64635", ["M47.816"], A, CRIT),
    ("64490", ["M47.812"], A, CRIT),
    ("64633", ["M47.812"], A, CRIT),
    ("64633", ["M47.816"], M, NMN),
    ("64493", ["M54.50"], I, UND),
    ("64493", ["M54.51"], M, NMN),
    ("64635", ["M51.16"], M, NMN),
    # sacroiliac joint
    ("27096", ["M46.1"], A, CRIT),
    ("27096", ["S33.6XXA"], A, CRIT),
    ("27096", ["M53.3"], M, NMN),  # coccyx is not the SI joint
    ("64625", ["M46.1"], A, NMN),  # SIJ RFA not covered under the SIJ LCDs
    ("27279", ["M46.1"], A, CRIT),
    ("27096", ["M54.50"], I, UND),
    # vertebral augmentation
    ("22514", ["M80.08XA"], A, CRIT),
    ("22514", ["M48.56XA"], A, CRIT),
    ("22513", ["M48.54XA"], A, CRIT),
    ("22513", ["S22.000A"], A, CRIT),
    ("22514", ["S32.000A"], A, CRIT),
    ("22514", ["S12.000A"], M, NMN),  # lumbar kyphoplasty, C1 fracture
    ("22511", ["M54.51"], M, NMN),
    # spinal cord stimulation
    ("63650", ["M96.1"], A, CRIT),
    ("63650", ["G89.28"], A, CRIT),
    ("63650", ["M54.51"], M, NMN),
    # MILD, spacers, decompression
    ("G0276", ["M48.062"], A, CRIT),
    ("22869", ["M48.062"], A, NMN),  # spacers investigational
    ("63047", ["M48.062"], A, CRIT),
    ("63030", ["M51.16"], A, CRIT),
    ("63030", ["M51.360"], M, NMN),
    # fusion
    ("22630", ["M43.16"], A, CRIT),
    ("22630", ["M54.50"], M, NMN),
    ("22551", ["M50.122"], A, CRIT),
    ("22551", ["M50.021"], A, CRIT),
    # disc procedures
    ("22857", ["M51.360"], A, CRIT),
    ("22526", ["M51.360"], A, NMN),  # thermal intradiscal: nationally non-covered
    ("62287", ["M51.360"], A, NMN),  # investigational
    ("62290", ["M51.370"], A, CRIT),
    # myofascial, coccyx
    ("20552", ["M79.18"], A, CRIT),
    ("20553", ["M62.830"], A, CRIT),
    ("64999", ["M53.3"], A, CRIT),
    # not a pain diagnosis / nociplastic
    ("64493", ["G89.4"], M, NMN),
    ("62323", ["I10"], M, NMN),
    ("64493", ["G89.29"], I, UND),
]


@pytest.mark.parametrize(("procedure", "diagnoses", "verdict", "necessity"), CASES)
def test_alignment_case(kg, procedure, diagnoses, verdict, necessity):
    result = check(procedure, diagnoses, kg)
    assert (result.verdict, result.necessity) == (verdict, necessity), result.reasons


def test_case_count():
    assert len(CASES) >= 60


# Several diagnoses: the verdict is the best over them; contraindications still block.
MULTI = [
    ("64628", ["M51.16", "M54.51"], A, CRIT),
    ("64628", ["M51.16", "M54.50"], I, UND),
    ("64628", ["I10", "M51.16"], M, NMN),
    ("64628", ["M54.51", "M80.08XA"], A, NMN),  # fracture contraindicates BVNA
    ("64628", ["M54.51", "C79.51"], A, NMN),  # malignancy red flag
    ("62323", ["M54.16", "G83.4"], A, NMN),  # cauda equina syndrome
    ("64493", ["M47.816", "M46.26"], A, NMN),  # vertebral osteomyelitis
    ("22514", ["C79.51", "M84.58XA"], A, CRIT),  # malignant fracture pair (Group 2)
]


@pytest.mark.parametrize(("procedure", "diagnoses", "verdict", "necessity"), MULTI)
def test_multi_diagnosis_case(kg, procedure, diagnoses, verdict, necessity):
    result = check(procedure, diagnoses, kg)
    assert (result.verdict, result.necessity) == (verdict, necessity), result.reasons
