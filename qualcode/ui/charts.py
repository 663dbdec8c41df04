"""Altair charts of theme frequency by group: a heatmap and grouped bars, both selectable by cell."""

from __future__ import annotations

import altair as alt
import pandas as pd

SELECTION = "cell"


def wrap(text: str, width: int = 14) -> str:
    """Text broken into lines of about `width` characters, joined by '|' for a multi-line axis label."""
    lines: list[str] = []
    for word in str(text).split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "|".join(lines)


def chart_frame(frequencies: pd.DataFrame, by: str, measure: str) -> pd.DataFrame:
    """The frequency table with a `group` column, the text each cell shows, and wrapped axis labels."""
    frame = frequencies.rename(columns={by: "group"}).copy()
    frame["text"] = frame["n_of_m"] if measure == "participants" else frame["segments"].astype(str)
    frame["group_axis"] = frame["group"].map(lambda group: wrap(group, 10))
    frame["label_axis"] = frame["label"].map(lambda label: wrap(label, 18))
    return frame


def _selection() -> alt.Parameter:
    return alt.selection_point(name=SELECTION, fields=["group", "code_id"], on="click")


def _tooltip(by: str) -> list[alt.Tooltip]:
    return [alt.Tooltip("label:N", title="theme"), alt.Tooltip("group:N", title=by),
            alt.Tooltip("n_of_m:N", title="participants"), alt.Tooltip("segments:Q", title="coded segments")]


def heatmap(frame: pd.DataFrame, by: str, order: list[str], measure: str) -> alt.LayerChart:
    """Themes down, groups across; colour is coded segments, text the measure (n of m or segments)."""
    selection = _selection()
    top = float(frame["segments"].max() or 1)
    base = alt.Chart(frame).encode(
        x=alt.X("group_axis:N", title=by.replace("_", " ").capitalize(), axis=alt.Axis(labelAngle=0, labelLimit=200,
                                                         labelExpr="split(datum.value, '|')", labelPadding=6,
                                                         labelOverlap=False)),
        y=alt.Y("label:N", title=None, sort=order, axis=alt.Axis(labelLimit=320)),
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("segments:Q", title="coded segments", scale=alt.Scale(scheme="blues", domainMin=0)),
        opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
        tooltip=_tooltip(by),
    ).add_params(selection)
    text = base.mark_text(fontSize=12).encode(
        text="text:N",
        color=alt.condition(alt.datum.segments > top * 0.55, alt.value("white"), alt.value("#222")),
    )
    return (cells + text).properties(height=max(160, 44 * len(order)))


def grouped_bars(frame: pd.DataFrame, by: str, order: list[str], measure: str) -> alt.Chart:
    """One group of bars per theme, one bar per group (role)."""
    selection = _selection()
    y_title = "participants who raised it" if measure == "participants" else "coded segments"
    y_field = "participants:Q" if measure == "participants" else "segments:Q"
    return alt.Chart(frame).mark_bar().encode(
        x=alt.X("label_axis:N", title=None, sort=[wrap(label, 18) for label in order],
                axis=alt.Axis(labelAngle=0, labelLimit=200, labelExpr="split(datum.value, '|')", labelOverlap=False)),
        xOffset=alt.XOffset("group:N"),
        y=alt.Y(y_field, title=y_title),
        color=alt.Color("group:N", title=by),
        opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
        tooltip=_tooltip(by),
    ).add_params(selection).properties(height=360)


def picked(event: object) -> dict[str, str] | None:
    """The cell a chart selection points at ({'group': ..., 'code_id': ...}), if any."""
    selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None) or {}
    points = selection.get(SELECTION) or []
    if points and "group" in points[0] and "code_id" in points[0]:
        return {"group": points[0]["group"], "code_id": points[0]["code_id"]}
    return None
