"""An HTML report of a screening run: counts, a bar chart (inline SVG, no script), top pairs."""

from __future__ import annotations

import html
from typing import Any

from kg.screening.summary import Summary

COLOURS = {"aligned": "#2e7d32", "indeterminate": "#f9a825", "misaligned": "#c62828", "error": "#616161"}


def bar_chart(counts: dict[str, int], title: str) -> str:
    if not counts:
        return ""
    width, bar_h, gap, label_w = 560, 22, 6, 190
    top = max(counts.values()) or 1
    height = len(counts) * (bar_h + gap) + 30
    parts = [(f'<svg role="img" aria-label="{html.escape(title)}" width="{width}" height="{height}" '
              f'xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="13">'),
             f'<text x="0" y="16" font-weight="bold">{html.escape(title)}</text>']
    for i, (name, n) in enumerate(counts.items()):
        y = 26 + i * (bar_h + gap)
        w = int((width - label_w - 80) * n / top)
        colour = COLOURS.get(name, "#1565c0")
        parts.append(f'<text x="0" y="{y + 15}">{html.escape(name)}</text>')
        parts.append(f'<rect x="{label_w}" y="{y}" width="{max(w, 1)}" height="{bar_h}" fill="{colour}"/>')
        parts.append(f'<text x="{label_w + w + 6}" y="{y + 15}">{n}</text>')
    parts.append("</svg>")
    return "\n".join(parts)


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{html.escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{html.escape(str(c))}</td>" for c in r) + "</tr>" for r in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def html_report(summary: Summary, source: str = "") -> str:
    d = summary.to_dict()
    return f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>painkg screening report</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem}}
table{{border-collapse:collapse;margin:1rem 0}}td,th{{border:1px solid #ccc;padding:.3rem .6rem;text-align:left}}</style>
</head><body>
<h1>painkg screening report</h1>
<p>{html.escape(source)}: {d['rows']} rows screened in {d['seconds']:.1f} s; {d['rows_ok']} decided,
{d['rows_with_errors']} with errors; {d['distinct_keys']} distinct procedure/diagnosis decisions composed.</p>
{bar_chart(d['verdicts'], 'Rows by verdict')}
{bar_chart(d['necessity'], 'Rows by necessity')}
{bar_chart(d['flags'], 'Rows by flag')}
<h2>Top misaligned procedure and diagnosis pairs</h2>
{_table(['pair', 'rows'], [[p['pair'], p['rows']] for p in d['top_misaligned_pairs']])}
<h2>Rows with errors (first {len(d['error_samples'])})</h2>
{_table(['row', 'error'], [[e['row'], e['error']] for e in d['error_samples']])}
</body></html>
"""
