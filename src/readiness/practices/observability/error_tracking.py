"""obs.error-tracking: unhandled exceptions reach an error tracker."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import AntiPatternHit, Evidence
from readiness.practices.helpers import (
    call_ev,
    dedupe,
    definition_source,
    grep_ev,
    is_true,
    literal,
)
from readiness.practices.observability._search import DEPLOY_KINDS, calls_ev, class_is_used
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_TRACKER_INITS = ("rollbar.init", "bugsnag.configure", "bugsnag.Client",
                  "elasticapm.Client", "elasticapm.contrib.*", "*.ElasticAPM",
                  "ddtrace.patch_all", "ddtrace.patch", "newrelic.agent.initialize",
                  "honeybadger.honeybadger.configure", "honeybadger.*.configure",
                  "pybrake.Notifier", "raygun4py.*", "scout_apm.*", "appsignal.*.start",
                  "raven.Client", "raven.contrib.*")
_TRACKER_TEXT = (r"ddtrace-run|newrelic-admin\s+run-program|elasticapm\.contrib\.django|"
                 r"rollbar\.contrib\.django|scout_apm\.django|raven\.contrib\.django")
_TRACKER_PACKAGES = ("sentry-sdk", "rollbar", "bugsnag", "elastic-apm", "ddtrace", "newrelic",
                     "honeybadger", "raven")
_PERSIST = re.compile(r"\.objects\.create\(|\.add\(|\.insert|\.save\(|\.execute\(|"
                      r"requests\.post|httpx\.post|\.post\(")


def _sentry(facts: RepoFacts) -> tuple[list[Evidence], list[AntiPatternHit]]:
    good: list[Evidence] = []
    antis: list[AntiPatternHit] = []
    pii = facts.applies("PII")
    for module, call in facts.calls("sentry_sdk.init", "sentry_sdk.client.Client",
                                    "raven.Client"):
        ev = call_ev(facts, module, call, note="error tracker initialised")
        dsn = call.kwarg("dsn")
        if dsn is None and call.args:
            dsn = call.args[0]
        value = literal(dsn) if dsn is not None else ...
        if isinstance(value, str) and value.startswith(("http://", "https://")):
            antis.append(anti("Sentry DSN written in the code (take it from the environment)",
                              ev))
        if pii and is_true(call.kwarg("send_default_pii")):
            antis.append(anti("send_default_pii=True sends personal data to the error "
                              "tracker", ev))
        good.append(ev)
    return good, antis


def _frontend_tracker(facts: RepoFacts) -> list[Evidence]:
    return grep_ev(facts, r"[\"']@sentry/|[\"']@bugsnag/|[\"']rollbar[\"']\s*:|"
                           r"[\"']@datadog/browser-rum", ("json",), limit=3,
                    note="frontend SDK only")


def _home_grown_capture(facts: RepoFacts) -> list[Evidence]:
    """A logging handler that stores exceptions with their tracebacks somewhere durable."""
    out = []
    for module, cls in facts.subclasses("logging.Handler", "*.Handler"):
        body = definition_source(facts, module.path, cls)
        if re.search(r"exc_info|formatException|traceback", body) and _PERSIST.search(body) and \
                class_is_used(facts, module, cls):
            out.append(facts.evidence(module.path, cls.line,
                                      note="home-grown error capture handler"))
    return out


@practice(
    "obs.error-tracking", "Error tracking", priority="H", effort="L", applies="ALL",
    sources=("S1",), statuses="implemented partial missing",
    aliases=("error tracking", "sentry", "exception tracking", "apm"),
    recommendation="Initialise Sentry in the backend entry point with the DSN from the "
                   "environment: `sentry_sdk.init(dsn=os.environ.get(\"SENTRY_DSN\"))` (or "
                   "Rollbar/Bugsnag/Elastic APM/Datadog).",
)
def check_error_tracking(facts: RepoFacts) -> Outcome:
    """Unhandled exceptions are reported to an error tracker with context.

    Why it matters:
        Exceptions hidden in log files are noticed late or never; a tracker groups
        them, counts affected users, links releases and alerts on new errors.

    What counts as evidence:
        `sentry_sdk.init(...)` in backend code (DSN from the environment or
        settings), Rollbar `init`, Bugsnag `configure`, Elastic APM, Datadog
        `ddtrace` (`patch_all`, `ddtrace-run`), New Relic, Honeybadger, Airbrake.

    What makes it partial:
        An SDK only in the frontend (`@sentry/*` in package.json), an SDK
        imported but never initialised, or a home-grown handler that stores
        exceptions with tracebacks. A DSN literal in the code, or
        `send_default_pii=True` in a service holding personal data, caps the
        status at partial.

    How to satisfy:
        `sentry_sdk.init(dsn=settings.SENTRY_DSN, environment=..., traces_sample_rate=...)`
        at startup, with `SENTRY_DSN` set in the deploy configuration.
    """
    sentry, antis = _sentry(facts)
    others = calls_ev(facts, *_TRACKER_INITS, note="error tracker initialised")
    others += grep_ev(facts, _TRACKER_TEXT, ("python", *DEPLOY_KINDS), limit=3,
                       note="APM agent")
    for module, call in facts.calls("rollbar.init"):
        token = literal(call.args[0]) if call.args else literal(call.kwarg("access_token"))
        if isinstance(token, str) and len(token) >= 20:
            antis.append(anti("Rollbar access token written in the code",
                              call_ev(facts, module, call)))
    tracked = dedupe([*sentry, *others])
    if tracked:
        deploy = grep_ev(facts, r"\b(SENTRY_DSN|ROLLBAR_ACCESS_TOKEN|BUGSNAG_API_KEY|"
                                 r"ELASTIC_APM_SERVER_URL|DD_API_KEY|NEW_RELIC_LICENSE_KEY)\b",
                          ("yaml", "env", "dockerfile"), limit=2, note="set in deploy config")
        return implemented("An error tracker is initialised in the backend.",
                           [*tracked[:5], *deploy], antis)
    frontend = _frontend_tracker(facts)
    if frontend:
        return partial("Only the frontend reports errors to a tracker; the backend does not.",
                       frontend, antis)
    imported = [facts.evidence(m.path, i.line, note="imported, never initialised")
                for m, i in facts.imports("sentry_sdk", "rollbar", "bugsnag", "elasticapm",
                                          "raven", "honeybadger")][:3]
    if imported:
        return partial("An error-tracking SDK is imported but never initialised.", imported,
                       antis)
    home_grown = _home_grown_capture(facts)
    if home_grown:
        return partial("Exceptions are captured by a home-grown handler (stored with "
                       "tracebacks), not by an error tracker.", home_grown[:3], antis)
    context = [facts.evidence(r.path, r.line, note="declared, never initialised")
               for r in facts.requirement(*_TRACKER_PACKAGES)[:2]]
    return missing("No error tracker found (looked for sentry_sdk.init, Rollbar, Bugsnag, "
                   "Elastic APM, Datadog and New Relic agents).", antis, context=context)
