"""One coding session of 30 steps on the Code page, shared by the AppTest and the real-browser test.

A driver clicks (AppTest or Chromium); the session says what each step must add to the
decision log, checks it after every step, and keeps the whole expected log so the test
can compare it with the store at the end: the same decisions, in order, by the coder.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Protocol

from qualcode.store import Store

CODER = "ana"
DOCUMENT = "CM01"
CODE = "caseload_pressure"
BULK_LEVEL = 0.3  # confidences are calibrated shares: few sample suggestions reach the page's 0.8 default


class Driver(Protocol):
    def segment(self) -> int: ...
    def suggestion_ids(self) -> list[int]: ...
    def click(self, key: str) -> None: ...
    def add_code(self, segment_id: int, code_id: str, first: int, last: int, count: int) -> None: ...
    def memo(self, segment_id: int, text: str) -> None: ...
    def pick_segment(self, segment_id: int) -> None: ...
    def accept_level(self, level: float) -> None: ...
    def check(self) -> None: ...
    def settle(self) -> None: ...


class Session:
    """Runs the steps through a driver and checks the decision log after each one."""

    def __init__(self, driver: Driver, db: Path) -> None:
        self.driver, self.db = driver, db
        self.expected: list[dict[str, Any]] = []
        self.steps = 0
        self.last_added: int | None = None
        self.seen = self._log_length()

    # -- reading the store --------------------------------------------------------------------
    def _store(self) -> Store:
        return Store.open(self.db)

    def _log(self) -> list[dict[str, Any]]:
        store = self._store()
        try:
            return store.history(coder=CODER)
        finally:
            store.close()

    def _log_length(self) -> int:
        return len(self._log())

    def _sentences(self, segment_id: int) -> int:
        from qualcode import nlp

        store = self._store()
        try:
            text = next(s["text"] for s in store.segments(DOCUMENT) if s["id"] == segment_id)
        finally:
            store.close()
        return len(next(nlp.sentence_bounds([text])) or [(0, 1)])

    def _last_segment(self) -> int:
        store = self._store()
        try:
            return store.segments(DOCUMENT)[-1]["id"]
        finally:
            store.close()

    def _pending_above(self, threshold: float = 0.8) -> list[int]:
        store = self._store()
        try:
            return [
                c["id"]
                for c in store.codings(document_ids=[DOCUMENT], statuses=["pending"])
                if (c["confidence"] or 0) >= threshold
            ]
        finally:
            store.close()

    def _step(self, expected: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Count the step, check the page shows no error and the log grew by exactly `expected`."""
        self.steps += 1
        log = self._log()
        deadline = time.time() + 20  # a browser's click reaches the store a moment after it is made
        while len(log) < self.seen + len(expected) and time.time() < deadline:
            time.sleep(0.1)
            log = self._log()
        self.driver.settle()  # the page has finished showing the step before it is checked or used again
        self.driver.check()
        new = log[self.seen :]
        self.seen = len(log)
        assert len(new) == len(expected), (self.steps, [(r["action"], r["coding_id"]) for r in new], expected)
        for row, wanted in zip(new, expected):
            assert row["coder"] == CODER
            assert {k: row[k] for k in wanted} == wanted, (self.steps, row, wanted)
        self.expected += expected
        return new

    # -- the steps ------------------------------------------------------------------------------
    def go_to_busy_segment(self) -> None:
        store = self._store()
        try:
            pending = store.codings(document_ids=[DOCUMENT], statuses=["pending"])
        finally:
            store.close()
        counts: dict[int, int] = {}
        for coding in pending:
            counts[coding["segment_id"]] = counts.get(coding["segment_id"], 0) + 1
        busy = min((s for s, n in counts.items() if n >= 2), default=min(counts))
        self.driver.pick_segment(busy)
        assert self.driver.segment() == busy
        self._step([])

    def accept(self) -> None:
        top = self.driver.suggestion_ids()[0]
        self.driver.click(f"accept_{top}")
        self._step([{"action": "accept", "coding_id": top}])

    def reject(self) -> None:
        top = self.driver.suggestion_ids()[0]
        self.driver.click(f"reject_{top}")
        self._step([{"action": "reject", "coding_id": top}])

    def add(self) -> None:
        segment = self.driver.segment()
        count = self._sentences(segment)
        first, last = (2, min(3, count)) if count >= 2 else (1, 1)
        self.driver.add_code(segment, CODE, first, last, count)
        self.last_added = self._step([{"action": "add"}])[0]["coding_id"]

    def remove(self) -> None:
        self.driver.click(f"remove_{self.last_added}")
        self._step([{"action": "remove", "coding_id": self.last_added}])

    def memo(self) -> None:
        self.driver.memo(self.driver.segment(), f"memo number {self.steps + 1}")
        self._step([{"action": "memo"}])

    def decide_or_add(self) -> None:
        if self.driver.suggestion_ids():
            self.accept()
        else:
            self.add()

    def undo(self) -> None:
        log = self._log()
        last = [r for r in log if r["action"] != "undo" and r["id"] not in {u["undoes"] for u in log}][-1]
        batch = [r for r in log if r["batch"] == last["batch"]]
        self.driver.click("undo")
        self._step([{"action": "undo", "undoes": r["id"]} for r in reversed(batch)])

    def bulk_accept(self) -> None:
        self.driver.accept_level(BULK_LEVEL)
        above = self._pending_above(BULK_LEVEL)
        self.driver.click("accept_all")
        self._step([{"action": "accept", "coding_id": i} for i in above])

    def move(self, key: str) -> None:
        before = self.driver.segment()
        self.driver.click(key)
        if key == "next":  # Next moves on, unless the coder is already on the transcript's last segment
            deadline = time.time() + 20  # a browser shows the new place a moment after the click
            while self.driver.segment() == before and before != self._last_segment() and time.time() < deadline:
                time.sleep(0.2)
            assert self.driver.segment() != before or before == self._last_segment()
        self._step([])

    def run(self) -> None:
        """The 30 steps: decisions, moves, memos, a bulk accept and undos, in a coder's order."""
        self.go_to_busy_segment()  # 1
        self.accept()
        self.reject()
        self.add()
        self.remove()  # 2-5
        self.memo()
        self.undo()  # 6-7
        self.move("next")
        self.move("next_uncoded")  # 8-9
        self.decide_or_add()
        self.move("next_uncoded")  # 10-11
        self.decide_or_add()  # 12
        self.bulk_accept()
        self.undo()
        self.bulk_accept()  # 13-15
        self.move("next")
        self.decide_or_add()
        self.move("previous")  # 16-18
        self.memo()
        self.move("next_uncoded")  # 19-20
        self.add()
        self.undo()
        self.add()
        self.remove()  # 21-24
        self.move("next")
        self.decide_or_add()
        self.move("next_uncoded")  # 25-27
        self.add()
        self.undo()
        self.memo()  # 28-30
        assert self.steps == 30

    def assert_log(self) -> None:
        """The store's log for the coder is exactly the decisions the steps made, in order."""
        log = self._log()
        assert len(log) == len(self.expected)
        for row, wanted in zip(log, self.expected):
            assert row["coder"] == CODER and {k: row[k] for k in wanted} == wanted
