"""The app's entry: shared sidebar (store, coder), then the page chosen in the navigation.

`streamlit run app.py -- --db PATH` (or $QUALCODE_DB) picks the store.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from qualcode.credentials import hide_password
from qualcode.ui import state

HERE = Path(__file__).parent
# The menu: (file beside this module, title, icon, url path). A page is a script that calls the
# core package and draws; to add one, write page_NAME.py here and list it. A listed page whose
# file is absent (such as page_agreement.py until it is written) is left out of the menu.
PAGES = (
    ("page_code.py", "Code", ":material/edit_note:", "code"),
    ("page_dashboard.py", "Themes by role", ":material/grid_view:", "themes"),
    ("page_report.py", "Code report", ":material/summarize:", "report"),
    ("page_search.py", "Search", ":material/search:", "search"),
    ("page_framework.py", "Framework matrix", ":material/table_view:", "framework"),
    ("page_cooccurrence.py", "Co-occurrence", ":material/hub:", "cooccurrence"),
    ("page_saturation.py", "Saturation", ":material/show_chart:", "saturation"),
    ("page_memos.py", "Memos", ":material/sticky_note_2:", "memos"),
    ("page_agreement.py", "Agreement", ":material/handshake:", "agreement"),
    ("page_codebook.py", "Codebook", ":material/account_tree:", "codebook"),
    ("page_import.py", "Import", ":material/upload_file:", "import"),
    ("page_identifiers.py", "Names to mask", ":material/visibility_off:", "identifiers"),
)
DEFAULT = "themes"


def pages() -> dict[str, st.Page]:
    """The app's pages by url path, in menu order; every page has its own address, and "/" opens the default one."""
    found = {
        url: st.Page(HERE / file, title=title, icon=icon, url_path=url)
        for file, title, icon, url in PAGES
        if (HERE / file).exists()
    }
    found["home"] = st.Page(
        lambda: st.switch_page(found[DEFAULT]),
        title=found[DEFAULT].title,
        url_path="home",
        default=True,
        visibility="hidden",
    )  # the default page is served at "/" only, so it forwards
    return found


def sidebar() -> None:
    """Store location, the coder's name (asked once, kept for the session) and blind coding."""
    with st.sidebar:
        st.text_input(
            "Coder",
            key="coder",
            placeholder="your name or initials",
            help="Stamped on every decision you make in this session.",
        )
        st.toggle(
            "Blind coding",
            key="blind",
            help="See only your own codings and the suggestions open to you; switch off to compare.",
        )
        st.session_state.setdefault("masked_view", True)
        st.toggle(
            "Masked view",
            key="masked_view",
            help="Hide the names on the project's identifiers list on screen, as every download does.",
        )
        st.caption(f"Store: `{hide_password(state.store_location())}`")


def run() -> None:
    """Draw the shared sidebar and run the selected page."""
    st.set_page_config(page_title="qualcode", page_icon=":material/format_quote:", layout="wide")
    navigation = st.navigation(list(pages().values()))
    sidebar()
    navigation.run()


if __name__ == "__main__":
    run()
