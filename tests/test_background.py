"""A suggest run beside the page that fails on a fault of qualcode's says so on the page in one sentence,
instead of ending with nothing shown, and logs where it failed without quoting anything."""

from __future__ import annotations

import logging

import pytest
from streamlit.testing.v1 import AppTest


def page() -> None:
    import streamlit as st

    from qualcode.ui import background

    def work(task: background.Task) -> None:
        task.progress(1, 3)
        {"T1": "My name is Ann Smith"}["T2"]  # a fault of the program's, holding a passage

    if st.button("Suggest", key="go"):
        background.start("Suggesting", work)
    task = st.session_state.get(background.KEY)
    if task is not None and task.thread is not None:
        task.thread.join(timeout=30)
    background.panel(background.describe)


def test_a_run_that_fails_unexpectedly_says_so_and_logs_where_without_quoting(
    caplog: pytest.LogCaptureFixture,
) -> None:
    at = AppTest.from_function(page, default_timeout=30).run()
    with caplog.at_level(logging.ERROR, logger="qualcode.ui.background"):
        at.button(key="go").click().run()
    assert [e.value for e in at.error] == [
        "Suggesting stopped on an unexpected error (KeyError); the transcripts it finished keep their "
        "suggestions and the others are as they were."
    ]
    logged = [r.getMessage() for r in caplog.records if r.name == "qualcode.ui.background"]
    assert len(logged) == 1 and "KeyError at background.py:" in logged[0] and logged[0].endswith(" work")
    assert "Ann Smith" not in logged[0] and "T2" not in logged[0]
    assert not at.exception
