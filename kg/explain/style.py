"""Colours and words shared by every picture format."""

from __future__ import annotations

# kind -> (fill, border)
KIND_COLOURS = {
    "diagnosis": ("#dbeafe", "#1d4ed8"),
    "mechanism": ("#fef3c7", "#b45309"),
    "anatomy": ("#dcfce7", "#15803d"),
    "nerve": ("#ede9fe", "#6d28d9"),
    "procedure": ("#fce7f3", "#be185d"),
    "other": ("#f3f4f6", "#4b5563"),
}
KIND_NAMES = {
    "diagnosis": "diagnosis (ICD-10-CM)",
    "mechanism": "pain mechanism",
    "anatomy": "anatomy (generator / target)",
    "nerve": "nerve or neural structure",
    "procedure": "procedure (CPT/HCPCS)",
}
VERDICT_COLOURS = {"aligned": "#15803d", "indeterminate": "#b45309", "misaligned": "#b91c1c"}
DIVERGENCE = "#dc2626"
EDGE = "#374151"
FONT = "DejaVu Sans, Helvetica, Arial, sans-serif"


def colours(kind: str) -> tuple[str, str]:
    return KIND_COLOURS.get(kind, KIND_COLOURS["other"])
