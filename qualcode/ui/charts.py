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


THEME_MARK = "▸ "  # a theme's row label starts with it (and is bold); its codes' rows are indented under it
CODE_INDENT = "    "


def row_label(label: str, depth: int, level: str) -> str:
    """A row's label on the chart: at code level themes are marked and codes indented under them."""
    if level != "code":
        return label
    return THEME_MARK + label if depth == 0 else CODE_INDENT * depth + label


def chart_frame(frequencies: pd.DataFrame, by: str, measure: str, level: str = "theme") -> pd.DataFrame:
    """The frequency table with a `group` column, the value and text each cell shows (one measure), and axis labels."""
    frame = frequencies.rename(columns={by: "group"}).copy()
    frame["text"] = frame["n_of_m"] if measure == "participants" else frame["segments"].astype(str)
    totals = frame["participants_total"].where(frame["participants_total"] > 0, 1)
    frame["value"] = frame["participants"] / totals if measure == "participants" else frame["segments"].astype(float)
    frame["row"] = [row_label(label, depth, level) for label, depth in zip(frame["label"], frame["depth"])]
    frame["group_axis"] = frame["group"].map(lambda group: wrap(group, 10))
    frame["label_axis"] = frame["label"].map(lambda label: wrap(label, 18))
    return frame


def _selection() -> alt.Parameter:
    return alt.selection_point(name=SELECTION, fields=["group", "code_id"], on="click")


def _tooltip(by: str) -> list[alt.Tooltip]:
    return [
        alt.Tooltip("label:N", title="theme"),
        alt.Tooltip("group:N", title=by),
        alt.Tooltip("n_of_m:N", title="participants"),
        alt.Tooltip("segments:Q", title="coded segments"),
    ]


def row_order(frame: pd.DataFrame, codebook_order: list[str], level: str) -> list[str]:
    """Rows top to bottom: themes in codebook order; at code level each theme's codes under it, most raised first."""
    if level != "code":
        return list(
            dict.fromkeys(
                frame.set_index("code_id").loc[[c for c in codebook_order if c in set(frame["code_id"])], "row"]
            )
        )
    weight = frame.groupby("code_id")["value"].sum()
    rows = frame.drop_duplicates("code_id").set_index("code_id")
    themes = [c for c in codebook_order if c in rows.index and rows.loc[c, "depth"] == 0]
    order: list[str] = []
    for theme in themes:
        order.append(rows.loc[theme, "row"])
        members = [c for c in rows.index if rows.loc[c, "theme_id"] == theme and c != theme]
        members.sort(key=lambda c: (-weight.get(c, 0), codebook_order.index(c) if c in codebook_order else 0))
        order += [rows.loc[c, "row"] for c in members]
    order += [rows.loc[c, "row"] for c in rows.index if rows.loc[c, "row"] not in order]
    return order


def heatmap(frame: pd.DataFrame, by: str, order: list[str], measure: str) -> alt.LayerChart:
    """Themes (and their codes) down, groups across; colour and text are the same measure (share who raised it, or segments)."""
    selection = _selection()
    top = float(frame["value"].max() or 1)
    base = alt.Chart(frame).encode(
        x=alt.X(
            "group_axis:N",
            title=by.replace("_", " ").capitalize(),
            axis=alt.Axis(
                labelAngle=0, labelLimit=200, labelExpr="split(datum.value, '|')", labelPadding=6, labelOverlap=False
            ),
        ),
        y=alt.Y(
            "row:N",
            title=None,
            sort=order,
            axis=alt.Axis(
                labelLimit=360,
                labelFontWeight=alt.expr(f"indexof(datum.label, '{THEME_MARK.strip()}') == 0 ? 'bold' : 'normal'"),
            ),
        ),
    )
    legend = "share who raised it" if measure == "participants" else "coded segments"
    cells = (
        base.mark_rect(stroke="white")
        .encode(
            color=alt.Color(
                "value:Q",
                title=legend,
                scale=alt.Scale(scheme="blues", domainMin=0),
                legend=alt.Legend(format=".0%" if measure == "participants" else "d"),
            ),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
            tooltip=_tooltip(by),
        )
        .add_params(selection)
    )
    text = base.mark_text(fontSize=12).encode(
        text="text:N",
        color=alt.condition(alt.datum.value > top * 0.55, alt.value("white"), alt.value("#222")),
    )
    return (cells + text).properties(height=max(160, (44 if len(order) <= 12 else 24) * len(order)))


def grouped_bars(frame: pd.DataFrame, by: str, order: list[str], measure: str, level: str = "theme") -> alt.Chart:
    """One group of bars per theme, one bar per group (role); at code level one stacked bar per code, rows as in the heatmap."""
    selection = _selection()
    y_title = "participants who raised it" if measure == "participants" else "coded segments"
    y_field = "participants:Q" if measure == "participants" else "segments:Q"
    if level == "code":
        return (
            alt.Chart(frame)
            .mark_bar()
            .encode(
                y=alt.Y(
                    "row:N",
                    title=None,
                    sort=order,
                    axis=alt.Axis(
                        labelLimit=360,
                        labelFontWeight=alt.expr(
                            f"indexof(datum.label, '{THEME_MARK.strip()}') == 0 ? 'bold' : 'normal'"
                        ),
                    ),
                ),
                x=alt.X(y_field, title=y_title, stack="zero"),
                color=alt.Color("group:N", title=by),
                opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
                tooltip=_tooltip(by),
            )
            .add_params(selection)
            .properties(height=max(200, 22 * len(order)))
        )
    return (
        alt.Chart(frame)
        .mark_bar()
        .encode(
            x=alt.X(
                "label_axis:N",
                title=None,
                sort=[wrap(label, 18) for label in order],
                axis=alt.Axis(labelAngle=0, labelLimit=200, labelExpr="split(datum.value, '|')", labelOverlap=False),
            ),
            xOffset=alt.XOffset("group:N"),
            y=alt.Y(y_field, title=y_title),
            color=alt.Color("group:N", title=by),
            opacity=alt.condition(selection, alt.value(1.0), alt.value(0.45)),
            tooltip=_tooltip(by),
        )
        .add_params(selection)
        .properties(height=360)
    )


def picked(event: object) -> dict[str, str] | None:
    """The cell a chart selection points at ({'group': ..., 'code_id': ...}), if any."""
    selection = getattr(event, "selection", None) or (event.get("selection") if isinstance(event, dict) else None) or {}
    points = selection.get(SELECTION) or []
    if points and "group" in points[0] and "code_id" in points[0]:
        return {"group": points[0]["group"], "code_id": points[0]["code_id"]}
    return None
