"""One self-contained HTML page to look at tagged reports (``govtag view``).

``render_page(results)`` takes results of ``formats.analyse`` with the report's ``text`` added
(text offsets) and gives a page with inline CSS and JavaScript only (no external URL, works
offline). Per report: the text with each section role as a coloured band (one ``.band`` element
per section), each quantity highlighted by label (one ``.q`` element per quantity) with its value,
unit, qualifier, per, change, placeholder, status, relation and section in a tooltip on hover, a
table of the quantities by section, and the sums per section and unit over the quantities whose
``total`` is true (exact actual amounts with no rate base, change or relation; see
``govtag.rules.quantity_kind``; a percentage never is). The legend switches labels off and on, and
hides or shows targets. All report text is HTML-escaped.
"""

from __future__ import annotations

import html
from collections import defaultdict
from decimal import Decimal

from govtag.core.labels import LAYERS, QUANTITY, SECTION, VIEW_COLOURS
from govtag.rules.quantity_kind import is_total
from govtag.outputs.results import CONTEXT_FIELDS, KIND_FIELDS
from govtag.outputs.writers import Output, register_writer

ROLE_COLOURS = {role: VIEW_COLOURS[role] for role in LAYERS[SECTION]}
LABEL_COLOURS = {label: VIEW_COLOURS[label] for label in LAYERS[QUANTITY]}
NO_SECTION = "—"

CSS = """
body{font-family:"Noto Sans CJK SC","Noto Sans SC","Microsoft YaHei","PingFang SC",sans-serif;
 margin:0 auto;max-width:1100px;padding:1em 1.5em;color:#222;background:#fff;line-height:1.7}
h1{font-size:1.3em;margin:.2em 0}h2{font-size:1.15em;border-bottom:1px solid #ccc}h3{font-size:1em}
.note{color:#666;font-size:.85em;margin:.2em 0}
.legend span{display:inline-block;margin:0 .6em .3em 0;padding:0 .4em;border-radius:3px}
.legend label{margin-right:.8em;cursor:pointer}
tr[data-target]{cursor:pointer}tr[data-target]:hover td{outline:1px solid #bbb}
.text{white-space:pre-wrap;border:1px solid #ddd;padding:.8em;border-radius:4px}
.band{border-radius:2px}
%ROLES%
.q{border-bottom:2px solid;padding:0 1px;position:relative;cursor:help;font-weight:600}
%LABELS%
.q.placeholder{border-bottom-style:dashed;background:#fff3c4}
.q:hover::after,.q.show-tip::after{content:attr(data-tip);position:absolute;left:0;top:1.6em;z-index:9;
 white-space:pre;background:#333;color:#fff;font-weight:400;font-size:.85em;line-height:1.45;
 padding:.35em .6em;border-radius:4px;box-shadow:0 2px 6px rgba(0,0,0,.3)}
.q.muted,.q.target-off{border-bottom-color:transparent!important;color:inherit!important;font-weight:400}
.q[data-status="target"]{border-bottom-style:dotted}
tr.target-off{display:none}
table{border-collapse:collapse;margin:.4em 0 1em;font-size:.9em}
th,td{border:1px solid #ccc;padding:.15em .5em;text-align:left}td.num{text-align:right}
tr.not-summed td{color:#888}
nav a{margin-right:1em}
"""

SCRIPT = """
document.querySelectorAll('.legend input[data-label]').forEach(function(box){
  box.addEventListener('change',function(){
    document.querySelectorAll('.text .q[data-label="'+box.dataset.label+'"]').forEach(function(q){
      q.classList.toggle('muted',!box.checked);
    });
  });
});
document.querySelectorAll('.legend input[data-status]').forEach(function(box){
  box.addEventListener('change',function(){
    document.querySelectorAll('[data-status="'+box.dataset.status+'"]:not(input)').forEach(function(q){
      q.classList.toggle('target-off',!box.checked);
    });
  });
});
document.querySelectorAll('tr[data-target]').forEach(function(row){
  row.addEventListener('click',function(){
    var q=document.getElementById(row.dataset.target);
    if(q){q.scrollIntoView({block:'center'});q.classList.add('show-tip');
      setTimeout(function(){q.classList.remove('show-tip');},1500);}
  });
});
"""


@register_writer("html", command="view")
def _html(output: Output) -> str:
    return render_page(output.results, output.title)


def render_page(results: list[dict], title: str = "govtag view") -> str:
    """The whole HTML page for the reports (results of ``analyse`` with the report ``text``)."""
    reports = "\n".join(_report(result, number) for number, result in enumerate(results, 1))
    nav = ""
    if len(results) > 1:
        links = "".join(f'<a href="#report-{n}">{_e(r["doc_id"] or f"report {n}")}</a>'
                        for n, r in enumerate(results, 1))
        nav = f"<nav>{links}</nav>"
    return (f'<!DOCTYPE html>\n<html lang="zh"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{_e(title)}</title><style>{_css()}</style></head>\n<body>"
            f"<header><h1>{_e(title)}</h1>{_legend()}</header>{nav}\n{reports}\n"
            f"<script>{SCRIPT}</script></body></html>\n")


def _css() -> str:
    roles = "".join(f'[data-role="{role}"]{{background:{colour}}}' for role, colour in ROLE_COLOURS.items())
    labels = "".join(f'.q[data-label="{label}"]{{border-bottom-color:{colour};color:{colour}}}'
                     for label, colour in LABEL_COLOURS.items())
    return CSS.replace("%ROLES%", roles).replace("%LABELS%", labels)


def _legend() -> str:
    roles = "".join(f'<span class="role" data-role="{role}">{role}</span>' for role in LAYERS[SECTION])
    labels = "".join(f'<label><input type="checkbox" checked data-label="{label}">'
                     f'<span class="q" data-label="{label}" data-tip="{label}">{label}</span></label>'
                     for label in LAYERS[QUANTITY])
    targets = ('<label><input type="checkbox" checked data-status="target" id="show-targets">'
               "targets (goals, plans, forecasts)</label>")
    return f'<div class="legend">{roles} {labels} {targets}</div>'


def _report(result: dict, number: int) -> str:
    doc_id = result["doc_id"] or f"report {number}"
    quantities = result["quantities"]
    return (f'<article class="report" id="report-{number}" data-doc-id="{_e(result["doc_id"])}" '
            f'data-sections="{len(result["sections"])}" data-quantities="{len(quantities)}">'
            f"<h2>{_e(doc_id)}</h2>"
            f'<div class="text">{_marked_text(result, number)}</div>'
            f"<h3>Quantities by section</h3>{_quantity_table(quantities, number)}"
            f"<h3>Sums of totals, per unit</h3>"
            f'<p class="note">Only totals are added up: exact actual amounts (qualifier exact, no per, '
            f"no change, not a template blank, status actual, no relation; rows in grey are left out); "
            f"percentages are never added.</p>"
            f"{_sums_table(quantities)}</article>")


def _marked_text(result: dict, number: int) -> str:
    """The text with one ``.band`` per section and one ``.q`` per quantity inside it."""
    text, quantities = result["text"], result["quantities"]
    pieces, position = [], 0
    for index, (start, end, role) in enumerate(_bands(result["sections"], quantities)):
        pieces.append(_with_quantities(text, position, start, quantities, number))
        inner = _with_quantities(text, start, end, quantities, number)
        pieces.append(f'<span class="band" data-role="{_e(role)}" id="r{number}-s{index}">{inner}</span>')
        position = end
    pieces.append(_with_quantities(text, position, len(text), quantities, number))
    return "".join(pieces)


def _bands(sections: list[dict], quantities: list[dict]) -> list[tuple[int, int, str]]:
    """Section ranges widened so that no quantity is cut by a band's edge, kept apart."""
    bands, previous_end = [], 0
    for section in sorted(sections, key=lambda s: s["start"]):
        start, end = section["start"], section["end"]
        for quantity in quantities:
            if quantity["start"] < start < quantity["end"]:
                start = quantity["start"]
            if quantity["start"] < end < quantity["end"]:
                end = quantity["end"]
        start = max(start, previous_end)
        if end > start:
            bands.append((start, end, section["role"]))
            previous_end = end
    return bands


def _with_quantities(text: str, start: int, end: int, quantities: list[dict], number: int) -> str:
    pieces, position = [], start
    for index, quantity in enumerate(quantities):
        if start <= quantity["start"] and quantity["end"] <= end and quantity["start"] >= position:
            pieces.append(_e(text[position:quantity["start"]]))
            pieces.append(_quantity_span(text, quantity, f"r{number}-q{index}"))
            position = quantity["end"]
    pieces.append(_e(text[position:end]))
    return "".join(pieces)


def _quantity_span(text: str, quantity: dict, element_id: str) -> str:
    extra = " placeholder" if quantity.get("placeholder") else ""
    return (f'<span class="q{extra}" id="{element_id}" data-label="{_e(quantity["label"])}" '
            f'data-value="{_e(_plain(quantity.get("value")))}" data-unit="{_e(quantity.get("unit") or "")}" '
            f'data-qualifier="{_e(quantity.get("qualifier") or "")}" data-per="{_e(quantity.get("per") or "")}" '
            f'data-change="{_e(quantity.get("change") or "")}" data-status="{_e(quantity.get("status") or "")}" '
            f'data-relation="{_e(quantity.get("relation") or "")}" data-total="{_e(_yes(quantity.get("total")))}" '
            f'data-tip="{_e(tooltip(quantity))}">'
            f'{_e(text[quantity["start"]:quantity["end"]])}</span>')


def tooltip(quantity: dict) -> str:
    """The lines shown on hover: label and value, then each field that says something."""
    lines = [f'{quantity["label"]}  {_value_text(quantity)}']
    lines.append(f'qualifier: {quantity.get("qualifier") or "exact"}')
    for key in (*CONTEXT_FIELDS, *KIND_FIELDS):
        if key != "qualifier" and quantity.get(key):
            lines.append(f"{key}: {quantity[key]}")
    lines.append(f'total: {_yes(quantity.get("total")) or "no"}')
    if quantity.get("placeholder"):
        lines.append("placeholder: template blank, no value")
    if quantity.get("section"):
        lines.append(f'section: {quantity["section"]}')
    return "\n".join(lines)


def _value_text(quantity: dict) -> str:
    return f'{_value_number(quantity)} {quantity.get("unit") or ""}'.strip()


def _value_number(quantity: dict) -> str:
    """The value, a range low–high, or ? when there is none (a blank, 几十个)."""
    if quantity.get("value") is not None:
        return _number(quantity["value"])
    if quantity.get("low") is not None and quantity.get("high") is not None:
        return f'{_number(quantity["low"])}–{_number(quantity["high"])}'
    return "?"


def _quantity_table(quantities: list[dict], number: int) -> str:
    if not quantities:
        return "<p>No quantities.</p>"
    head = ("<tr><th>section</th><th>label</th><th>text</th><th>value</th><th>unit</th>"
            + "".join(f"<th>{key}</th>" for key in CONTEXT_FIELDS) + "<th>placeholder</th>"
            + "".join(f"<th>{key}</th>" for key in KIND_FIELDS) + "<th>total</th></tr>")
    rows = []
    for index, quantity in sorted(enumerate(quantities), key=lambda item: _section_order(item[1])):
        summed = "" if quantity.get("total") else ' class="not-summed"'
        rows.append(f'<tr{summed} data-target="r{number}-q{index}" data-status="{_e(quantity.get("status") or "")}">'
                    f'{_role_cell(quantity.get("section"))}'
                    + "".join(f"<td>{_e(cell)}</td>" for cell in (quantity["label"], quantity["text"]))
                    + f'<td class="num">{_e(_value_number(quantity))}</td>'
                    + "".join(f"<td>{_e(_plain(quantity.get(key)))}</td>"
                              for key in ("unit", *CONTEXT_FIELDS))
                    + f'<td>{_yes(quantity.get("placeholder"))}</td>'
                    + "".join(f"<td>{_e(_plain(quantity.get(key)))}</td>" for key in KIND_FIELDS)
                    + f'<td>{_yes(quantity.get("total"))}</td></tr>')
    return f'<table class="quantities">{head}{"".join(rows)}</table>'


def _role_cell(role: str | None) -> str:
    return f'<td data-role="{_e(role)}">{_e(role)}</td>' if role in ROLE_COLOURS else f"<td>{NO_SECTION}</td>"


def _section_order(quantity: dict) -> tuple[int, int]:
    roles = LAYERS[SECTION]
    section = quantity.get("section")
    return (roles.index(section) if section in roles else len(roles), quantity["start"])


def sums_by_section(quantities: list[dict]) -> dict[tuple[str, str], tuple[Decimal, int]]:
    """``{(section, unit): (sum, count)}`` over the quantities whose ``total`` is true (checked
    again with ``quantity_kind.is_total``, so a hand-edited result cannot add a percentage)."""
    sums: dict[tuple[str, str], list] = defaultdict(lambda: [Decimal(0), 0])
    for quantity in quantities:
        if quantity.get("total") and is_total(quantity):
            entry = sums[(quantity.get("section") or NO_SECTION, quantity.get("unit") or "")]
            entry[0] += Decimal(repr(quantity["value"]))
            entry[1] += 1
    return {key: (total, count) for key, (total, count) in sums.items()}


def _sums_table(quantities: list[dict]) -> str:
    sums = sums_by_section(quantities)
    if not sums:
        return "<p>No totals to sum.</p>"
    order = {role: i for i, role in enumerate(LAYERS[SECTION])}
    rows = "".join(f'<tr>{_role_cell(section)}<td>{_e(unit)}</td><td class="num">{_e(_number(total))}</td>'
                   f'<td class="num">{count}</td></tr>'
                   for (section, unit), (total, count) in sorted(sums.items(), key=lambda i: (order.get(i[0][0], 9), i[0][1])))
    return (f'<table class="sums"><tr><th>section</th><th>unit</th><th>sum</th><th>quantities</th></tr>'
            f"{rows}</table>")


def _number(value) -> str:
    """12,345 / 6.8 / 1,234,567.5: thousands grouped, no float artefacts."""
    number = value if isinstance(value, Decimal) else Decimal(repr(value))
    return f"{number.normalize():,f}"


def _yes(flag) -> str:
    return "yes" if flag else ""


def _plain(value) -> str:
    return "" if value is None else str(value)


def _e(text) -> str:
    return html.escape(str(text), quote=True)
