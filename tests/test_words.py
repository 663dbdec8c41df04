"""Counts read as a researcher would write them."""

from qualcode.words import count


def test_one_is_singular_and_every_other_number_plural() -> None:
    assert count(1, "coding") == "1 coding"
    assert [count(n, "suggestion") for n in (0, 2, 1500)] == ["0 suggestions", "2 suggestions", "1,500 suggestions"]
    assert count(2, "person", "people") == "2 people"
