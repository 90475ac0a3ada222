"""Map a claim's words to practice ids.

The vocabulary is the practices' own metadata: the title, the aliases a report may
use, and the id's words (``rel.circuit-breaker`` -> "circuit breaker"). Matching is
on whole normalised tokens (lower case, simple plural folding), longest phrase
first, so "health check dependencies" is not read as "health check". A lone
generic word ("pool", "settings", "validation") does not map a long sentence; a
short name cell or heading may still match a title closely enough (difflib), which
catches "Retries w/ Exponential Backoff".
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from readiness.model import PracticeMeta

# Single words too generic to map a sentence on their own.
WEAK = frozenset({
    "pool", "log", "logs", "logging", "auth", "flag", "flags", "setting", "settings",
    "configuration", "requirement", "requirements", "monitoring", "cache", "seed", "retry",
    "validation", "injection", "readiness", "versioning", "worker", "workers", "test",
    "tests", "testing", "role", "roles", "permission", "permissions", "restore",
    "drift", "eval", "span", "spans", "breaker", "lifespan", "credentials", "pickle",
    "deprecation", "stratify", "metric", "metrics", "timeout", "pydantic", "sca",
    "sast", "bandit", "apm", "instrumentation", "explanations", "paging",
    "secret", "secrets", "login",
})

# Words that make a name about one aspect of a practice rather than the practice:
# "Secrets Rotation" is not "secrets management", "Connection Pool Monitoring" is not pooling.
ASPECTS = frozenset({
    "rotation", "monitoring", "dashboard", "aggregation", "alerting", "alert", "compliance",
    "documentation", "doc", "rollback", "sharding", "replica", "optimization", "tuning",
    "audit", "review", "training",
})

# Words a name may add around a generic word and still be about it ("Caching Strategy").
FILLER = frozenset({
    "strategy", "system", "layer", "setup", "support", "pattern", "policy", "policie",
    "implementation", "mechanism", "framework", "integration", "handling", "protection",
    "management", "config", "configuration", "check", "basic", "proper", "comprehensive",
    "advanced", "robust", "automated", "automatic", "the", "and", "of", "a",
})

# Phrases that mention a practice word without being about it.
NOISE = ("production readiness", "readiness assessment", "readiness report",
         "readiness status", "readiness review", "readiness analysis")

_PREPOSITIONS = frozenset({"for", "with", "via", "using", "in", "on", "per", "across",
                           "under", "through", "from", "to", "by"})

_TOKEN = re.compile(r"[a-z0-9][a-z0-9+#.]*")


def _fold(word: str) -> str:
    word = word.strip(".")
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 4 and word.endswith(("xes", "ches", "shes", "sses")):
        return word[:-2]
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def tokens(text: str) -> list[str]:
    lowered = text.lower()
    for noise in NOISE:
        lowered = lowered.replace(noise, " ")
    lowered = lowered.replace("-", " ").replace("_", " ").replace("/", " ")
    return [_fold(token) for token in _TOKEN.findall(lowered)]


@dataclass(frozen=True, slots=True)
class _Phrase:
    words: tuple[str, ...]
    practice: str
    title: bool  # the practice title itself (or its id words)


class PracticeMapper:
    """Finds the practices a piece of report text talks about."""

    def __init__(self, metas: Iterable[PracticeMeta]) -> None:
        self._phrases: list[_Phrase] = []
        self._titles: dict[str, str] = {}
        for meta in metas:
            tail = meta.id.split(".", 1)[1].replace("-", " ")
            names = [(meta.title, True), (tail, True)]
            names += [(alias, False) for alias in meta.aliases]
            for name, is_title in names:
                words = tuple(tokens(name))
                if words:
                    self._phrases.append(_Phrase(words, meta.id, is_title))
            self._titles[" ".join(tokens(meta.title))] = meta.id
            for alias in meta.aliases:
                self._titles.setdefault(" ".join(tokens(alias)), meta.id)
        self._phrases.sort(key=lambda phrase: -len(phrase.words))
        self._by_first: dict[str, list[_Phrase]] = {}
        for phrase in self._phrases:  # longest first within each bucket, as sorted above
            self._by_first.setdefault(phrase.words[0], []).append(phrase)
        self._memo: dict[tuple[str, bool], tuple[str, ...]] = {}

    def map(self, text: str, *, short: bool = False) -> tuple[str, ...]:
        """Practice ids the text is about, best first; ``short`` for a name cell or heading.

        Only the words before the first preposition count when they match anything:
        "Load testing for concurrent authentication" is about load testing.
        """
        key = (text, short)
        cached = self._memo.get(key)
        if cached is None:
            cached = self._memo[key] = self._map(text, short)
        return cached

    def _map(self, text: str, short: bool) -> tuple[str, ...]:
        words = tokens(text)
        for cut, word in enumerate(words):
            if cut and word in _PREPOSITIONS:
                head = self._match(words[:cut], short, text)
                if head:
                    return head
                break
        return self._match(words, short, text)

    def _match(self, words: list[str], short: bool, text: str) -> tuple[str, ...]:
        if not words:
            return ()
        taken = [False] * len(words)
        found: dict[str, int] = {}
        present = set(words)
        candidates = sorted({id(p): p for word in present
                             for p in self._by_first.get(word, ())}.values(),
                            key=lambda phrase: (-len(phrase.words), phrase.words))
        first_seen: dict[str, int] = {}
        for phrase in candidates:
            size = len(phrase.words)
            if size == 1 and phrase.words[0] in WEAK and not (
                    short and all(w in FILLER or w == phrase.words[0] for w in words)):
                continue
            for start in range(len(words) - size + 1):
                if tuple(words[start:start + size]) != phrase.words:
                    continue
                if any(taken[start:start + size]) and phrase.practice not in found:
                    continue
                for position in range(start, start + size):
                    taken[position] = True
                found[phrase.practice] = max(found.get(phrase.practice, 0), size)
                first_seen[phrase.practice] = min(first_seen.get(phrase.practice, start), start)
        if not found and short:
            joined = " ".join(words)
            near = [title for title in self._titles
                    if abs(len(title) - len(joined)) <= max(4, len(joined) // 4)]
            close = difflib.get_close_matches(joined, near, n=1, cutoff=0.9)
            if close:
                return (self._titles[close[0]],)
        if short and found:
            covered = {w for p in self._phrases if p.practice in found for w in p.words}
            if any(w in ASPECTS and w not in covered for w in words):
                return ()
        if any(size >= 2 for size in found.values()):
            found = {practice: size for practice, size in found.items()
                     if size >= 2 or not self._weak_only(practice, words)}
        # the longest match first; equally long ones in the order the text names them
        return tuple(sorted(found, key=lambda practice: (-found[practice],
                                                         first_seen[practice], practice)))

    def _weak_only(self, practice: str, words: list[str]) -> bool:
        """True when the practice matched the text only through generic single words."""
        return all(len(p.words) == 1 and p.words[0] in WEAK
                   for p in self._phrases
                   if p.practice == practice and _contains(words, p.words))


def _contains(words: list[str], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(tuple(words[start:start + size]) == phrase
               for start in range(len(words) - size + 1))


def first_mapping(mapper: PracticeMapper, texts: Sequence[tuple[str, bool]]) -> tuple[str, ...]:
    """The mapping of the first text that maps (name cell before evidence cell, ...)."""
    for text, short in texts:
        practices = mapper.map(text, short=short)
        if practices:
            return practices
    return ()
