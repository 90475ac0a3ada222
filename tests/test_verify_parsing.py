"""The pieces of `readiness verify`: mojibake repair, Markdown blocks, references, mapping."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from readiness.model import ClaimedStatus
from readiness.practices.registry import Registry
from readiness.verify import read_claims
from readiness.verify.document import ListItem, TableRow, parse
from readiness.verify.mapping import PracticeMapper
from readiness.verify.mojibake import repair
from readiness.verify.references import parse_reference, references

METAS = [p.meta for p in Registry.default().all()]
SYMBOLS = "✅⚠️❌🔄🟡🔴🟠🚀📊→✨🏗️"


def _mangle(text: str, codec: str) -> str:
    """What seeds 002 and 004 went through: UTF-8 bytes decoded with the wrong codec."""
    return text.encode("utf-8").decode(codec, errors="strict")


@given(st.lists(st.sampled_from([*SYMBOLS, " ", "a", "Done", "\n", "|", "**"]), max_size=40))
def test_mac_roman_mojibake_round_trips(parts: list[str]) -> None:
    text = "".join(parts)
    fixed, _ = repair(_mangle(text, "mac_roman"))
    assert fixed == text


@given(st.text(alphabet=st.characters(whitelist_categories=("L", "N", "Zs", "Po"),
                                      max_codepoint=0x24F)))
def test_ordinary_text_is_left_alone(text: str) -> None:
    """Latin text (accents included) is left as it is."""
    assert repair(text) == (text, 0)


def test_cp1252_mojibake_is_repaired() -> None:
    assert repair("âœ… done, ðŸš€ shipped")[0] == "✅ done, 🚀 shipped"


def test_tables_with_any_column_order() -> None:
    text = ("| Evidence | Status | Practice |\n|---|---|---|\n"
            "| [`x`](app/x.py:3) | ✅ | Rate limiting |\n"
            "| - | ❌ Missing | Circuit breaker |\n")
    claims, _, _ = read_claims(text, METAS)
    assert [(c.text, c.claimed_status, c.practices) for c in claims] == [
        ("Rate limiting", ClaimedStatus.DONE, ("scale.rate-limiting",)),
        ("Circuit breaker", ClaimedStatus.MISSING, ("rel.circuit-breaker",)),
    ]
    assert claims[0].references[0].path == "app/x.py" and claims[0].references[0].line == 3


def test_nested_lists_keep_depth_parent_and_checkbox() -> None:
    doc = parse("- [x] Parent item\n  - [ ] child one\n    - grandchild\n- second\n")
    items = [b for b in doc.blocks if isinstance(b, ListItem)]
    assert [(i.inline.text, i.depth, i.checkbox, i.parent_text) for i in items] == [
        ("Parent item", 0, True, ""),
        ("child one", 1, False, "Parent item"),
        ("grandchild", 2, None, "child one"),
        ("second", 0, None, ""),
    ]
    assert [i.line for i in items] == [1, 2, 3, 4]


def test_table_rows_keep_their_line_numbers() -> None:
    doc = parse("# T\n\n| a | b |\n|---|---|\n| 1 | 2 |\n| 3 | 4 |\n")
    rows = [b for b in doc.blocks if isinstance(b, TableRow)]
    assert [(r.line, r.header) for r in rows] == [(5, ("a", "b")), (6, ("a", "b"))]


def test_reference_forms() -> None:
    forms = {
        "app/main.py": ("app/main.py", None, None),
        "app/main.py:12": ("app/main.py", 12, None),
        "app/retry.py:47-198": ("app/retry.py", 47, 198),
        "./src/x.py#L10-L20": ("src/x.py", 10, 20),
        "docs/My%20File.md": ("docs/My File.md", None, None),
    }
    for raw, expected in forms.items():
        ref = parse_reference(raw)
        assert (ref.path, ref.line, ref.end_line) == expected, raw


def test_references_skip_urls_anchors_and_code_that_is_not_a_path() -> None:
    doc = parse("See [docs](https://example.com/a.py), [top](#top), `pool_size=10`, "
                "`/api/v1/orders`, `Dockerfile`, `config.yaml` and src/app/main.py:3.\n")
    refs = references(doc.blocks[0].inline)  # type: ignore[union-attr]
    assert [r.text for r in refs] == ["Dockerfile", "config.yaml", "src/app/main.py:3"]


def test_mapping_prefers_the_longest_phrase_and_the_head_of_the_sentence() -> None:
    mapper = PracticeMapper(METAS)
    assert mapper.map("Health Check Dependencies", short=True) == ("rel.health-readiness",)
    assert mapper.map("Load testing for concurrent authentication") == ("scale.load-testing",)
    assert mapper.map("Bcrypt password hashing, JWT access/refresh tokens") == (
        "sec.password-hashing", "sec.jwt")
    assert mapper.map("Secrets Rotation", short=True) == ()  # an aspect, not the practice
    assert mapper.map("Production Readiness Assessment", short=True) == ()
    assert mapper.map("Retries w/ Exponential Backoff", short=True) == ("rel.retry-backoff",)


def test_status_words_only_count_where_they_are_a_status() -> None:
    text = ("## Notes\n\n- The team implemented a new logging format\n\n"
            "### Rate Limiting (COMPLETED)\n\nDone with slowapi.\n")
    claims, _, _ = read_claims(text, METAS)
    assert [(c.line, c.text, c.claimed_status) for c in claims] == [
        (5, "Rate Limiting", ClaimedStatus.DONE)]


PIECES = [*"#|-*[]()`:x ✅⚠️❌\n\t.a1/%<>", "‚úÖ", "**", "- [ ] ", "| --- |", "](../",
          "\n| a | ", "Status:", "(COMPLETED)", "rate limiting"]
MARKDOWNISH = st.lists(st.sampled_from(PIECES), max_size=120).map("".join)


@given(MARKDOWNISH)
def test_any_text_yields_claims_without_crashing(text: str) -> None:
    """Odd Markdown (broken tables, stray markers, nested lists) never raises."""
    claims, _, _ = read_claims(text, METAS)
    for claim in claims:
        assert claim.line >= 1 and claim.text


def test_lower_status_words_win_over_a_check_mark() -> None:
    """"✅ Partial" in a status cell and "Status: ✅ PARTIALLY ADDRESSED" are partial."""
    text = ("| Practice | Status |\n|---|---|\n| Timeouts | ✅ Partial |\n\n"
            "#### 3. Error Handling (IMPROVED ✅)\n- **Status:** ✅ **PARTIALLY ADDRESSED**\n")
    claims, _, _ = read_claims(text, METAS)
    assert [(c.text, c.claimed_status) for c in claims] == [
        ("Timeouts", ClaimedStatus.PARTIAL), ("Error Handling", ClaimedStatus.PARTIAL)]


def test_files_to_create_are_not_cited_as_evidence() -> None:
    text = ("### ✅ Input Validation (COMPLETED)\n**Files:** `app/schemas.py`\n\n"
            "**Files to create:**\n- `app/validators.py`\n")
    claims, _, _ = read_claims(text, METAS)
    assert [r.path for r in claims[0].references] == ["app/schemas.py"]


def test_a_nested_marked_item_qualifies_its_parent() -> None:
    text = "- Error tracking\n  - ⚠️ only wired in `app/main.py:3`\n"
    claims, _, _ = read_claims(text, METAS)
    assert [(c.text, c.practices) for c in claims] == [
        ("Error tracking: only wired in app/main.py:3", ("obs.error-tracking",))]


def test_headings_about_the_report_are_not_claims() -> None:
    text = "### Medium Risk ⚠️\n- something\n\n### ✅ Strengths\n- `src/data/`\n"
    claims, _, _ = read_claims(text, METAS)
    assert claims == []


def test_figures_keep_thousands_and_units() -> None:
    from readiness.verify.figures import bound, parse_value
    assert bound("<1,000ms") == ("<", 1000.0)
    assert bound("< 500us") == ("<", 0.5)
    assert bound("< 2 minutes") == ("<", 120000.0)
    assert parse_value("**1,378.7ms**") == (1378.7, "ms")
    assert parse_value("1,450 req/s") == (1450.0, "rps")
    assert parse_value("~1.5s") == (1500.0, "ms")


def test_no_and_none_beside_a_check_mark_do_not_grade_it() -> None:
    from readiness.verify.markers import cell_status
    assert cell_status("✅ No issues") == ClaimedStatus.DONE
    assert cell_status("✅ None outstanding") == ClaimedStatus.DONE
    assert cell_status("No") == ClaimedStatus.MISSING


def test_an_empty_list_item_does_not_swallow_the_next_paragraph() -> None:
    claims, _, _ = read_claims("# Review\n\n- \n\nOverall readiness: 68%\n", METAS)
    assert [(c.line, c.category, c.claimed_score) for c in claims] == [(5, "overall", 68.0)]


def test_absolute_paths_in_backticks_are_references_but_routes_are_not() -> None:
    doc = parse("- ✅ Graceful shutdown (`/etc/hostname:1`), route `/api/v1/items`\n")
    refs = references(doc.blocks[0].inline)  # type: ignore[union-attr]
    assert [(r.path, r.line) for r in refs] == [("/etc/hostname", 1)]
