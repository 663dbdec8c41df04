"""Codebook page: browse the tree with guidance and counts, edit a code, import and export YAML."""

from __future__ import annotations

import dataclasses

import streamlit as st

from qualcode.codebook import Code, parse_codebook
from qualcode.codebook.diff import diff_codebooks, summary
from qualcode.errors import QualcodeError
from qualcode.project import update_codebook
from qualcode.ui import codebook_edit as edit
from qualcode.ui import queries, state

st.title("Codebook")
store = state.store()
state.flash()
codebook = queries.codebook(*state.key())
counts = queries.code_counts(*state.key())
latest = (queries.codebook_versions(*state.key()) or [{}])[-1]
st.caption(
    f"**{codebook.name}**: version {latest.get('version', '?')} of the store's codebook, {len(codebook)} codes"
    + (f"; saved by {latest['author']}" if latest.get("author") else "")
    + (f": {latest['message']}" if latest.get("message") else "")
)


def total(code_id: str, status: str) -> int:
    """Codings of a code and everything below it with this status."""
    ids = [code_id] + [c.id for c in codebook.descendants(code_id)]
    return sum(counts.get(i, {}).get(status, 0) for i in ids)


def describe(code: Code) -> None:
    """Definition, when to use it and when not, examples and keywords."""
    st.markdown(
        f"**{code.label}** `{code.id}` · {total(code.id, 'accepted')} accepted, {total(code.id, 'pending')} pending"
    )
    if code.definition:
        st.markdown(code.definition)
    if code.include:
        st.markdown(f"*Use when:* {code.include}")
    if code.exclude:
        st.markdown(f"*Not when:* {code.exclude}")
    for example in code.examples:
        st.markdown(f"> {example}")
    if code.keywords:
        st.caption("Keywords: " + ", ".join(code.keywords))


browse, change, files = st.tabs(["Browse", "Edit a code", "Import / export YAML"])
with browse:
    search = st.text_input("Search codes", key="code_search", placeholder="label, id or definition").strip().lower()
    for theme in codebook.themes():
        members = [theme, *codebook.descendants(theme.id)]
        shown = [c for c in members if not search or search in f"{c.label} {c.id} {c.definition}".lower()]
        if not shown:
            continue
        title = f"{theme.label} · {total(theme.id, 'accepted')} accepted codings"
        with st.expander(title, expanded=bool(search)):
            for code in shown:
                describe(code)
                st.divider()

with change:
    code_id = st.selectbox("Code", codebook.ids(), format_func=lambda i: edit.tree_label(codebook, i), key="edit_code")
    code = codebook.get(code_id)
    below = {code.id, *(c.id for c in codebook.descendants(code.id))}
    parents = [None, *(i for i in codebook.ids() if i not in below)]
    with st.form(f"edit_{code.id}"):
        label = st.text_input("Label", code.label)
        parent = st.selectbox(
            "Parent",
            parents,
            index=parents.index(code.parent),
            format_func=lambda i: "(a theme: no parent)" if i is None else codebook.get(i).label,
        )
        definition = st.text_area("Definition", code.definition)
        include = st.text_area("Use when (include)", code.include)
        exclude = st.text_area("Not when (exclude)", code.exclude)
        examples = st.text_area("Examples (one per line)", "\n".join(code.examples))
        keywords = st.text_area("Keywords (one per line)", "\n".join(code.keywords))
        colour = st.color_picker("Colour", codebook.colour_of(code.id))
        message = st.text_input("What changed and why")
        saved = st.form_submit_button("Save as a new codebook version", type="primary")
    if saved and state.need_coder("save a codebook version"):
        new = dataclasses.replace(
            code,
            label=label.strip(),
            parent=parent,
            definition=definition.strip(),
            include=include.strip(),
            exclude=exclude.strip(),
            examples=edit.lines(examples),
            keywords=edit.lines(keywords),
            colour=code.colour if colour == codebook.colour_of(code.id) else colour,
        )
        if new == code:
            st.info("Nothing changed.")
        elif state.write(
            lambda: update_codebook(
                store, edit.with_code(codebook, new), state.coder(), message.strip() or f"edit {code.id}"
            ),
            f"Saved `{code.id}` in a new codebook version.",
        ):
            st.rerun()

with files:
    st.download_button(
        "Export the codebook as YAML",
        codebook.to_yaml(),
        file_name="codebook.yaml",
        mime="application/x-yaml",
        key="export_yaml",
    )
    upload = st.file_uploader("Import a codebook YAML file", type=["yaml", "yml"], key="codebook_file")
    if upload is not None:
        try:
            incoming = parse_codebook(upload.getvalue().decode("utf-8-sig"), upload.name)
        except (QualcodeError, UnicodeDecodeError) as error:
            st.error(
                state.error_text(error)
                if isinstance(error, QualcodeError)
                else f"{upload.name}: is not UTF-8 text; save it as UTF-8."
            )
        else:
            differences = diff_codebooks(codebook, incoming)
            st.write(f"**{incoming.name}**: {len(incoming)} codes; {summary(differences)}.")
            if differences:
                with st.expander("What changes"):
                    st.markdown("\n".join(f"- {change}" for change in differences))
            for difference in differences:
                if difference.kind == "removed" and sum(counts.get(difference.code_id, {}).values()):
                    st.warning(f"`{difference.code_id}` has codings but is not in the new file.")
            if st.button("Save as a new codebook version", key="import_yaml") and state.need_coder(
                "save a codebook version"
            ):
                if state.write(
                    lambda: update_codebook(store, incoming, state.coder(), f"imported {upload.name}", upload.name),
                    f"Imported {upload.name} as a new codebook version.",
                ):
                    st.rerun()
