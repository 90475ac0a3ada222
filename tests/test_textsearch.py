"""The literal prefilter in front of text search never hides a real match."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from readiness.facts.textsearch import may_match, required_literals, search

WORDS = ["timeout", "retry", "SECRET", "password", "pwd", "select", "from", "k8s", "ſecret"]
ATOMS = st.sampled_from([*(re.escape(w) for w in WORDS), r"\w+", r"\s*", r"\d", r".", r"[ab]",
                         r"(?:x|y)", r"colou?r", r"\b", "^", "$"])


@st.composite
def patterns(draw: st.DrawFn) -> str:
    parts = draw(st.lists(ATOMS, min_size=1, max_size=5))
    pattern = "".join(parts)
    if draw(st.booleans()):
        other = "".join(draw(st.lists(ATOMS, min_size=1, max_size=3)))
        pattern = f"(?:{pattern}|{other})"
    return pattern


TEXT = st.lists(st.sampled_from(list("abcdeKkſsSxyz019 _.\n") + WORDS), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(patterns(), TEXT, st.booleans())
def test_prefilter_never_rules_out_a_match(pattern: str, text: str, ignore_case: bool) -> None:
    regex = re.compile(pattern, re.I if ignore_case else 0)
    literals, folded = required_literals(regex)
    if regex.search(text):
        assert may_match(text, None, literals, folded)
        assert search(regex, text) is not None


def test_case_folding_beyond_lower() -> None:
    regex = re.compile("secret", re.I)
    assert regex.search("ſecret = 1")
    assert search(regex, "ſecret = 1") is not None


def test_literals_are_extracted_through_factored_alternations() -> None:
    literals, _ = required_literals(re.compile(r"\.(password|passwd|pwd)\s*=="))
    assert literals is not None and {"password", "passwd", "pwd"} <= {
        lit.lstrip(".") for lit in literals}
