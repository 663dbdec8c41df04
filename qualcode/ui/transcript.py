"""A transcript as safe HTML: speaker turns, participant segments, coded spans in code colours.

Every piece of transcript text goes through html.escape; only markup made here is raw.
"""

from __future__ import annotations

from html import escape
from typing import Any

from qualcode.codebook import Codebook

STYLE = """<style>
.qc-turn{display:flex;gap:.8rem;margin:.35rem 0;line-height:1.6}
.qc-speaker{flex:0 0 7rem;font-weight:600;color:#555;text-align:right}
.qc-interviewer .qc-text{color:#666;font-style:italic}
.qc-seg{border-radius:4px;padding:1px 0}
.qc-current{outline:2px solid #f0b400;background:#fff8e1}
.qc-num{font-size:.7rem;color:#888;vertical-align:super;margin-right:.15rem}
.qc-chip{display:inline-block;padding:0 .45rem;margin:0 .25rem .25rem 0;border-radius:.6rem;font-size:.8rem}
</style>"""


def tint(colour: str, alpha: str = "40") -> str:
    """A code colour with transparency, as #RRGGBBAA."""
    colour = colour.lstrip("#")
    if len(colour) == 3:
        colour = "".join(ch * 2 for ch in colour)
    return f"#{colour}{alpha}"


def piece(text: str, covering: list[dict[str, Any]], codebook: Codebook) -> str:
    """One run of text with the same codings over it: tinted by accepted codes, underlined by pending ones."""
    if not covering:
        return escape(text)
    accepted = [c for c in covering if c["status"] == "accepted"]
    pending = [c for c in covering if c["status"] == "pending"]
    style = []
    if accepted:
        style.append(f"background:{tint(_colour(codebook, accepted[0]['code_id']))}")
        if len(accepted) > 1:
            style.append(f"box-shadow:inset 0 -3px 0 {_colour(codebook, accepted[1]['code_id'])}")
    if pending:
        style.append(
            f"text-decoration:underline dotted {_colour(codebook, pending[0]['code_id'])};"
            "text-decoration-thickness:2px;text-underline-offset:4px"
        )
    names = [_label(codebook, c["code_id"]) + ("" if c["status"] == "accepted" else " (suggested)") for c in covering]
    return f'<span style="{";".join(style)}" title="{escape("; ".join(names))}">{escape(text)}</span>'


def spans_html(text: str, start: int, end: int, codings: list[dict[str, Any]], codebook: Codebook) -> str:
    """Text[start:end] cut where codings begin and end, each run drawn by `piece`."""
    inside = [c for c in codings if c["start"] < end and c["end"] > start]
    cuts = sorted({start, end, *(max(start, c["start"]) for c in inside), *(min(end, c["end"]) for c in inside)})
    parts = []
    for a, b in zip(cuts, cuts[1:]):
        covering = [c for c in inside if c["start"] < b and c["end"] > a]
        parts.append(piece(text[a:b], covering, codebook))
    return "".join(parts)


def turn_html(document: dict[str, Any], turn: dict[str, Any], codebook: Codebook, current: int | None) -> str:
    """One speaker turn; participant turns show their segments numbered, the current one outlined."""
    text, codings = document["text"], document["codings"]
    segments = [s for s in document["segments"] if s["turn_position"] == turn["position"]]
    position, body = turn["start"], []
    for segment in segments:
        number = segment.get("number", "")
        body.append(spans_html(text, position, segment["start"], codings, codebook))
        classes = "qc-seg qc-current" if segment["id"] == current else "qc-seg"
        body.append(
            f'<span class="{classes}" id="seg-{segment["id"]}"><span class="qc-num">{number}</span>'
            f"{spans_html(text, segment['start'], segment['end'], codings, codebook)}</span>"
        )
        position = segment["end"]
    body.append(spans_html(text, position, turn["end"], codings, codebook))
    kind = "qc-interviewer" if turn["kind"] == "interviewer" else "qc-participant"
    return (
        f'<div class="qc-turn {kind}"><div class="qc-speaker">{escape(turn["speaker"])}</div>'
        f'<div class="qc-text">{"".join(body).replace(chr(10), "<br>")}</div></div>'
    )


def document_html(document: dict[str, Any], codebook: Codebook, current: int | None) -> str:
    """The whole transcript as turns, with the style it needs."""
    numbers = {s["id"]: i + 1 for i, s in enumerate(document["segments"])}
    numbered = dict(document, segments=[dict(s, number=numbers[s["id"]]) for s in document["segments"]])
    turns = "".join(turn_html(numbered, turn, codebook, current) for turn in document["turns"])
    return STYLE + f'<div class="qc-transcript">{turns}</div>'


def legend_html(codings: list[dict[str, Any]], codebook: Codebook) -> str:
    """Colour chips for the codes used in a transcript."""
    used = dict.fromkeys(c["code_id"] for c in codings)
    chips = [
        f'<span class="qc-chip" style="background:{tint(_colour(codebook, i), "55")}">{escape(_label(codebook, i))}</span>'
        for i in used
    ]
    return STYLE + "".join(chips)


def _colour(codebook: Codebook, code_id: str) -> str:
    return codebook.colour_of(code_id) if code_id in codebook else "#999999"


def _label(codebook: Codebook, code_id: str) -> str:
    return codebook.get(code_id).label if code_id in codebook else code_id
