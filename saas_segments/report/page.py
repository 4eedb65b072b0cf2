"""The report page: one self-contained HTML file, charts embedded as base64 PNG data URIs."""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

STYLE = """
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 2rem auto; max-width: 1100px;
       padding: 0 1rem; color: #222; }
h1 { margin-bottom: 0.2rem; }
.meta { color: #555; margin-top: 0; }
section { margin: 2rem 0; }
figure { margin: 0.5rem 0; }
figure img { max-width: 100%; height: auto; border: 1px solid #eee; }
figcaption, .note { color: #555; font-size: 0.9rem; }
.note { background: #fff8e1; border-left: 4px solid #ccb974; padding: 0.5rem 0.8rem; }
table { border-collapse: collapse; font-size: 0.85rem; margin-top: 0.5rem; }
th, td { border: 1px solid #ddd; padding: 0.25rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; }
table.quality { width: 100%; }
table.quality td:last-child { width: 40%; overflow-wrap: anywhere; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.pass, td.published { background: #e3f2e5; }
td.warn { background: #fbf3d5; }
td.fail, td.blocked { background: #f8dcdc; }
"""


@dataclass(frozen=True)
class Table:
    """An HTML table: header and rows of cell texts; ``classes`` names columns whose value is also the cell's class."""

    header: Sequence[str]
    rows: Sequence[Sequence[object]]
    numeric: frozenset[str] = frozenset()
    classes: frozenset[str] = frozenset()
    css_class: str = ""

    def html(self) -> str:
        head = "".join(f"<th>{escape(name)}</th>" for name in self.header)
        body = []
        for row in self.rows:
            cells = []
            for name, value in zip(self.header, row):
                text = "" if value is None else str(value)
                kinds = (["num"] if name in self.numeric else []) + ([text] if name in self.classes else [])
                attribute = f' class="{escape(" ".join(kinds))}"' if kinds else ""
                cells.append(f"<td{attribute}>{escape(text)}</td>")
            body.append(f"<tr>{''.join(cells)}</tr>")
        attribute = f' class="{escape(self.css_class)}"' if self.css_class else ""
        return f"<table{attribute}><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


@dataclass(frozen=True)
class Section:
    """One part of the report: a chart (PNG bytes and its file name), a caption, a note, tables."""

    title: str
    caption: str = ""
    chart: bytes | None = None
    chart_file: str = ""
    note: str = ""
    tables: Sequence[Table] = ()
    collapsed_table_title: str = ""

    def html(self) -> str:
        parts = [f"<h2>{escape(self.title)}</h2>"]
        if self.note:
            parts.append(f'<p class="note">{escape(self.note)}</p>')
        if self.chart is not None:
            data = base64.b64encode(self.chart).decode("ascii")
            parts.append(
                f'<figure><img src="data:image/png;base64,{data}" alt="{escape(self.title)}" '
                f'data-file="{escape(self.chart_file)}"><figcaption>{escape(self.caption)}</figcaption></figure>'
            )
        tables = "".join(table.html() for table in self.tables)
        if tables and self.collapsed_table_title:
            tables = f"<details><summary>{escape(self.collapsed_table_title)}</summary>{tables}</details>"
        parts.append(tables)
        return f"<section>{''.join(parts)}</section>"


def render(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The whole page."""
    body = "".join(section.html() for section in sections)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{escape(title)}</title><style>{STYLE}</style></head>"
        f'<body><h1>{escape(title)}</h1><p class="meta">{escape(subtitle)}</p>{body}</body></html>\n'
    )
