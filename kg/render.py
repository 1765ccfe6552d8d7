"""Human-readable text for painkg answers."""

from __future__ import annotations

from kg.model import CheckResult, PathStep

ARROW = {True: "→", False: "←"}


def chain(path: list[PathStep]) -> str:
    """Render edges as one chain: A → p → B ← q — C, following shared nodes."""
    if not path:
        return ""
    first = path[0]
    parts = [first.subject_label, f"—{first.predicate_label}→", first.object_label]
    current = first.object
    for step in path[1:]:
        if step.subject == current:
            parts += [f"—{step.predicate_label}→", step.object_label]
            current = step.object
        elif step.object == current:
            parts += [f"←{step.predicate_label}—", step.subject_label]
            current = step.subject
        else:
            parts += ["·", step.subject_label, f"—{step.predicate_label}→", step.object_label]
            current = step.object
    return " ".join(parts)


def check_text(result: CheckResult) -> str:
    lines = []
    proc = result.procedure
    lines.append(f"Procedure  {proc['code']}  {proc['label']}")
    for dx in result.diagnoses:
        billable = "billable" if dx.billable else "not billable"
        lines.append(f"Diagnosis  {dx.code}  {dx.title}  ({billable}; {dx.verdict})")
    lines.append("")
    lines.append(f"Verdict    {result.verdict.upper()}")
    lines.append(f"Necessity  {result.necessity}")
    lines.append("")
    lines.append("Why")
    for reason in result.reasons:
        lines.append(f"  - {reason}")
    if result.paths:
        lines.append("")
        lines.append("Reasoning paths")
        for kind, path in zip(result.path_kinds, result.paths):
            lines.append(f"  [{kind['kind']}] {chain(path)}")
    if result.warnings:
        lines.append("")
        lines.append("Warnings")
        for warning in result.warnings:
            lines.append(f"  ! {warning}")
    if result.contraindications:
        lines.append("")
        lines.append("Contraindications present")
        for ci in result.contraindications:
            lines.append(f"  x {ci['diagnosis']} ({ci['trigger']}): {ci['text']} [{ci['source']}]")
    if result.criteria and result.necessity == "criteria-apply":
        lines.append("")
        lines.append("Criteria to document")
        for i, crit in enumerate(result.criteria, 1):
            lines.append(f"  {i}. {crit['text']} [{crit['source']}]")
    if result.coverage:
        lines.append("")
        lines.append("Coverage")
        for cov in result.coverage:
            mark = "*" if cov["primary"] else " "
            lines.append(f"  {mark} {cov['scope']}: {cov['status']} [{cov['source']}]")
    if result.citations:
        lines.append("")
        lines.append("Citations")
        for c in result.citations:
            lines.append(f"  [{c['id']}] {c['label']}")
    return "\n".join(lines)
