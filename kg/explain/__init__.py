"""Pictures of the reasoning behind a check: DOT, SVG, PNG and an offline HTML page.

``explain(procedure, diagnosis)`` runs :func:`kg.checking.check` and draws its paths;
``render(diagram, fmt)`` turns a :class:`~kg.explain.model.Diagram` into one format.
SVG, HTML and DOT are pure Python; PNG uses matplotlib (the ``explain`` extra).
"""

from __future__ import annotations

from collections.abc import Sequence

from kg.explain.model import Diagram, build_diagram, entity_kinds
from kg.graph import PainKG

FORMATS = ("svg", "png", "html", "dot")
BINARY_FORMATS = ("png",)


def diagram_for(procedure: str, diagnoses: str | Sequence[str], kg: PainKG | None = None) -> Diagram:
    from kg.checking import check

    kg = kg or PainKG.default()
    codes = [diagnoses] if isinstance(diagnoses, str) else list(diagnoses)
    result = check(procedure, codes, kg=kg)
    return build_diagram(result, entity_kinds(kg))


def render(diagram: Diagram, fmt: str) -> str | bytes:
    if fmt == "dot":
        from kg.explain.dot import render_dot

        return render_dot(diagram)
    if fmt == "svg":
        from kg.explain.svg import render_svg

        return render_svg(diagram)
    if fmt == "html":
        from kg.explain.html import render_html

        return render_html(diagram)
    if fmt == "png":
        from kg.explain.png import render_png

        return render_png(diagram)
    raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


def explain(
    procedure: str, diagnoses: str | Sequence[str], fmt: str = "svg", kg: PainKG | None = None
) -> str | bytes:
    """The picture of ``check(procedure, diagnoses)`` in ``fmt`` (bytes for PNG, text otherwise)."""
    return render(diagram_for(procedure, diagnoses, kg), fmt)


__all__ = ["FORMATS", "Diagram", "build_diagram", "diagram_for", "entity_kinds", "explain", "render"]
