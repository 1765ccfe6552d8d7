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
    _section(lines, "Reasoning paths",
             [f"[{kind['kind']}] {chain(path)}" for kind, path in zip(result.path_kinds, result.paths)])
    _section(lines, "Warnings", [f"! {w}" for w in result.warnings])
    _section(lines, "Contraindications present",
             [f"x {ci['diagnosis']} ({ci['trigger']}): {ci['text']} [{ci['source']}]"
              for ci in result.contraindications])
    if result.necessity == "criteria-apply":
        _section(lines, "Criteria to document",
                 [f"{i}. {crit['text']} [{crit['source']}]" for i, crit in enumerate(result.criteria, 1)])
    _section(lines, "Coverage",
             [f"{'*' if cov['primary'] else ' '} {cov['scope']}: {cov['status']} [{cov['source']}]"
              for cov in result.coverage])
    _section(lines, "Citations", [f"[{c['id']}] {c['label']}" for c in result.citations])
    return "\n".join(lines)


def _section(lines: list[str], title: str, items: list[str]) -> None:
    """A blank line, the title and the items indented by two spaces; nothing when empty."""
    if items:
        lines += ["", title, *(f"  {item}" for item in items)]
