"""rel.retry-backoff: transient failures are retried, bounded, with backoff."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, definition_source, with_note
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_EXPONENTIAL = re.compile(r"wait_(random_)?exponential|wait_exponential_jitter|"
                          r"wait_incrementing|backoff\.(expo|fibo)|exponential_backoff|"
                          r"wait_random\(|retry_backoff\s*=\s*True|backoff_factor|"
                          r"retry_jitter|wait_full_jitter")


@practice(
    "rel.retry-backoff", "Bounded retries with backoff and jitter", priority="H", effort="L",
    applies="OUT or Q", sources=("S1", "AWS REL05-BP03"), aliases=("retry", "retries", "backoff"),
    recommendation="Retry transient failures of outbound calls with tenacity "
                   "(`wait_random_exponential`, `stop_after_attempt`) or backoff "
                   "(`backoff.expo`, `max_tries`); retry only idempotent operations.",
)
def check_retry(facts: RepoFacts) -> Outcome:
    """Transient failures are retried a bounded number of times with exponential backoff.

    Why it matters:
        Networks drop packets and dependencies restart; a retry hides the blip. A
        retry without backoff and jitter turns a dependency's hiccup into a
        synchronized storm, and one without a bound never gives up.

    What counts as evidence:
        tenacity `@retry`/`Retrying` with an exponential wait and a `stop`,
        `backoff.on_exception(backoff.expo, max_tries=...)`, stamina, urllib3
        `Retry(backoff_factor=...)`, celery `retry_backoff`, rq `Retry(interval=[...])`.

    What makes it partial:
        A fixed delay (`wait_fixed`, Prefect `retry_delay_seconds`), no jitter, transport
        retries without backoff, or a hand-rolled `sleep` loop. A `@retry` with no
        `stop` caps the status at partial.

    How to satisfy:
        Wrap calls to each dependency with tenacity:
        `@retry(wait=wait_random_exponential(max=30), stop=stop_after_attempt(5))`,
        and retry only errors that are worth retrying.
    """
    good: list[Evidence] = []
    weak: list[Evidence] = []
    antis = []
    for module, call in facts.calls("tenacity.retry", "tenacity.Retrying",
                                    "tenacity.AsyncRetrying", "stamina.retry",
                                    "backoff.on_exception", "backoff.on_predicate"):
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        ev = call_ev(facts, module, call)
        bounded = call.has_kwarg("stop", "max_tries", "max_time", "attempts", "timeout") or \
            call.name.startswith("stamina")
        if not bounded:
            antis.append(anti("retry without a stop condition retries forever", ev))
        if _EXPONENTIAL.search(text) or call.name.startswith("stamina"):
            good.append(ev)
        else:
            weak.append(with_note(ev, "fixed or no wait between attempts"))
    for module, call in facts.calls("urllib3.util.retry.Retry", "urllib3.Retry",
                                    "urllib3.util.Retry", "requests.adapters.Retry",
                                    "rq.Retry"):
        backoff = call.kwarg("backoff_factor")
        interval = call.kwarg("interval")
        ev = call_ev(facts, module, call)
        if (backoff and backoff.strip() not in ("0", "0.0")) or \
                (interval and interval.strip().startswith("[")):
            good.append(ev)
        else:
            weak.append(with_note(ev, "no backoff"))
    for module, call in facts.calls("*.task", "*.shared_task", "*.flow", "*.actor"):
        text = " ".join(v for _, v in call.kwargs)
        if call.has_kwarg("retry_backoff") and "False" not in (call.kwarg("retry_backoff") or ""):
            good.append(call_ev(facts, module, call))
        elif call.has_kwarg("retries", "max_retries", "autoretry_for", "retry_delay_seconds",
                            "default_retry_delay"):
            if "exponential_backoff" in text or "retry_jitter" in text:
                good.append(call_ev(facts, module, call))
            else:
                weak.append(call_ev(facts, module, call,
                                    note="task retries with a fixed delay"))
    for module, call in facts.calls("httpx.HTTPTransport", "httpx.AsyncHTTPTransport"):
        if call.has_kwarg("retries"):
            weak.append(call_ev(facts, module, call, note="transport retries, no backoff"))
    weak.extend(_hand_rolled_retries(facts))
    if good:
        note = f"; {len(weak)} other retry site(s) use a fixed delay" if weak else ""
        return implemented(f"Retries with exponential backoff found ({len(good)} site(s)){note}.",
                           [*good[:8], *weak[:4]], antis)
    if weak:
        return partial("Retries exist but use a fixed delay or a hand-rolled loop, without "
                       "exponential backoff and jitter.", weak[:8], antis)
    return missing("No retry policy found (looked for tenacity, backoff, stamina, urllib3 Retry, "
                   "celery/rq/Prefect task retries and retry loops).", antis)


def _hand_rolled_retries(facts: RepoFacts) -> list[Evidence]:
    out: list[Evidence] = []
    sleepers = {(m.path, c.scope): (m, c) for m, c in facts.calls("time.sleep", "asyncio.sleep")
                if c.scope}
    for (path, scope), (module, call) in sleepers.items():
        function = facts.function_at(path, scope)
        if function is None:
            continue
        body = definition_source(facts, path, function)
        if re.search(r"\b(attempt|retries|retry|tries)\b", body, re.I) and \
                re.search(r"\bexcept\b", body) and re.search(r"\b(for|while)\b", body):
            out.append(call_ev(facts, module, call, note="hand-rolled retry loop"))
    return out
