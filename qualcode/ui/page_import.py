"""Import page: upload transcripts or a table of units, and a participants.csv, then read the import report."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

from qualcode import project
from qualcode.ui import queries, state
from qualcode.words import count

TRANSCRIPT_TYPES = ["txt", "md", "docx", "vtt", "srt", "csv"]  # a .csv is a table of units

st.title("Import transcripts")
store = state.store()
state.flash()
st.caption(
    "Transcripts (.txt .md .docx .vtt .srt), or a table of units (.csv with a `text` column and a document "
    "column such as `document_id` or `respondent`: each document becomes a transcript, each row a turn), and a "
    "participants.csv with an `id` column and attribute columns such as `role`. Importing a file again changes "
    "nothing; a changed file needs *Replace*."
)

with st.form("import", clear_on_submit=True):
    uploads = st.file_uploader(
        "Transcripts or tables of units", type=TRANSCRIPT_TYPES, accept_multiple_files=True, key="transcripts"
    )
    meta = st.file_uploader("participants.csv (optional)", type=["csv"], key="participants")
    replace = st.checkbox("Replace transcripts whose text has changed (their codings move with their quotes)")
    submitted = st.form_submit_button("Import", type="primary")


def save_uploads(folder: Path) -> tuple[list[Path], Path | None]:
    """Write the uploaded files into `folder` under their own names."""
    paths = []
    for upload in uploads or []:
        path = folder / Path(upload.name).name
        path.write_bytes(upload.getvalue())
        paths.append(path)
    meta_path = None
    if meta is not None:
        meta_path = folder / "_participants" / Path(meta.name).name
        meta_path.parent.mkdir()
        meta_path.write_bytes(meta.getvalue())
    return paths, meta_path


def show_report(report: project.ImportReport, folder: str) -> None:
    """What was imported, left unchanged, refused (and why), skipped."""

    def clean(text: str) -> str:
        return text.replace(folder + "/_participants/", "").replace(folder + "/", "")

    left, middle, right = st.columns(3)
    left.metric("Imported", len(report.imported))
    middle.metric("Unchanged (already in the store)", len(report.unchanged))
    right.metric("Refused", len(report.refused))
    if report.imported:
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "file": clean(f.path),
                        "document": f.document_id,
                        "format": f.format,
                        "encoding": f.encoding or "",
                        "speakers": f.layout,
                        "turns": f.turns,
                        "segments": f.segments,
                        "words": f.words,
                        "replaced": f.replaced,
                    }
                    for f in report.imported
                ]
            ),
            hide_index=True,
        )
    show = {"info": st.info, "warning": st.warning, "error": st.error}
    for level, sentence in report.notes():
        show[level](clean(state.error_text(sentence)))
    st.caption(report.summary())


if submitted:
    if not uploads and meta is None:
        st.warning("Choose transcript files (or a participants.csv) to import.")
    else:
        with tempfile.TemporaryDirectory() as tmp, st.spinner("Importing…"):
            paths, meta_path = save_uploads(Path(tmp))
            report = state.write(lambda: project.import_transcripts(store, paths, meta=meta_path, replace=replace))
            if report is not None:
                show_report(report, tmp)

st.subheader("Transcripts in the store")
table = queries.documents(*state.key())
st.dataframe(
    table,
    hide_index=True,
    column_config={"progress": st.column_config.ProgressColumn("coded", format="percent", min_value=0, max_value=1)},
)


st.subheader("Speakers and their roles")
st.caption(
    "Who speaks in a transcript, and as whom. Making a speaker the interviewer takes their turns out of the "
    "segments that get coded; every coding stays on its text."
)
ROLES = ["interviewer", "participant"]  # a speaker's role; a speaker whose turns hold both is "mixed"
document_ids = [row["id"] for row in project.list_documents(store)]
if document_ids:
    chosen = st.selectbox("Transcript", document_ids, key="speakers_document")
    speakers = project.list_speakers(store, chosen)
    if speakers:
        st.dataframe(state.shown_frame(pd.DataFrame(speakers)), hide_index=True, key="speakers_table")
        row = st.columns([2, 2, 1])
        numbers = {s["speaker"]: s["number"] for s in speakers}  # a masked name is told apart by its number
        speaker = row[0].selectbox(
            "Speaker",
            list(numbers),
            key="speakers_name",
            format_func=lambda name: f"{numbers[name]} · {state.shown(name)}",
        )
        if st.session_state.get("speakers_role_of") != (chosen, speaker):  # the role shown is the one picked's own
            st.session_state["speakers_role_of"] = (chosen, speaker)
            own = next(s["role"] for s in speakers if s["speaker"] == speaker)
            st.session_state["speakers_role"] = own if own in ROLES else "participant"  # "mixed": either changes some
        role = row[1].radio("Role", ROLES, horizontal=True, key="speakers_role")
        if row[2].button("Set role", key="speakers_set"):
            change = state.write(lambda: project.set_speaker_role(store, chosen, speaker, role))
            if change is not None:
                kept = (
                    (
                        f" {count(len(change.outside), 'coding')} {'is' if len(change.outside) == 1 else 'are'} kept on text that is now interviewer speech: "
                        + ", ".join(f"#{c['id']} {c['code_id']}" for c in change.outside)
                        + "."
                    )
                    if change.outside
                    else ""
                )
                st.session_state["_flash"] = state.shown(
                    f"{change.speaker} is now {change.role} in {change.document_id}: "
                    f"{change.turns} turns changed, {change.segments} segments.{kept}"
                )
                st.rerun()
    else:
        st.info(f"{chosen} has no speaker turns.")
