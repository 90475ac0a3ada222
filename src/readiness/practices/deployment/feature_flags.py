"""deploy.feature-flags: features can be switched on and off at runtime."""

from __future__ import annotations

from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.deployment._flag_index import build_flag_index
from readiness.practices.deployment._flag_reads import decision_points, one_per_flag_first
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, implemented, missing, partial, practice


@dataclass(frozen=True)
class _FlagService:
    name: str
    modules: tuple[str, ...]  # import prefixes
    evaluations: tuple[str, ...]  # calls that read a flag
    flags_only: bool = True  # False when the SDK also does other things (analytics)


_FLAG_SERVICES = (
    _FlagService("Unleash", ("UnleashClient",), ("*.is_enabled", "*.get_variant")),
    _FlagService("Flagsmith", ("flagsmith",), ("*.get_environment_flags",
                                               "*.get_identity_flags", "*.is_feature_enabled",
                                               "*.get_feature_value")),
    _FlagService("LaunchDarkly", ("ldclient",), ("*.variation", "*.variation_detail")),
    _FlagService("OpenFeature", ("openfeature",), ("*.get_boolean_value", "*.get_string_value",
                                                   "*.get_boolean_details",
                                                   "*.get_object_value")),
    _FlagService("django-waffle", ("waffle",), ("waffle.flag_is_active",
                                                "waffle.switch_is_active",
                                                "waffle.sample_is_active",
                                                "waffle.decorators.*", "waffle.mixins.*")),
    _FlagService("GrowthBook", ("growthbook",), ("*.is_on", "*.get_feature_value",
                                                 "*.eval_feature")),
    _FlagService("ConfigCat", ("configcatclient",), ("*.get_value", "*.get_value_details")),
    _FlagService("Split", ("splitio",), ("*.get_treatment", "*.get_treatments")),
    _FlagService("PostHog", ("posthog",), ("*.feature_enabled", "*.get_feature_flag",
                                           "*.is_feature_enabled"), flags_only=False),
    _FlagService("django-flags", ("flags.state", "flags.decorators", "flags.sources"),
                 ("flags.state.flag_enabled", "flags.state.flag_state",
                  "flags.decorators.*")),
)
_FLAG_FUNCTIONS = ("*.is_feature_enabled", "*.feature_enabled", "*.flag_enabled",
                   "*.flag_is_active", "*.is_flag_enabled", "*.is_feature_active",
                   "*.feature_is_enabled")


def _flag_services(facts: RepoFacts) -> tuple[list[Evidence], list[Evidence], list[str]]:
    """(service evaluations, service imported but never evaluated, service names)."""
    evaluated: list[Evidence] = []
    configured: list[Evidence] = []
    services: list[str] = []
    for service in _FLAG_SERVICES:
        imported = facts.imports(*service.modules)
        if not imported:
            continue
        importers = {m.path for m, _ in imported}
        checks = [call_ev(facts, m, c, note=f"{service.name} flag evaluated")
                  for m, c in facts.calls(*service.evaluations)
                  if m.path in importers or c.name.startswith(service.modules)]
        if checks:
            evaluated += checks[:3]
            services.append(service.name)
        elif service.flags_only:
            configured += [facts.evidence(m.path, i.line, note=f"{service.name} imported")
                           for m, i in imported[:2]]
    waffle = [facts.evidence(h.path, h.line, note="django-waffle installed")
              for h in facts.grep(r"[\"']waffle[\"']\s*,", kinds=("python",), limit=1)]
    if waffle and "django-waffle" not in services:
        configured += waffle
    return evaluated, configured, services


def _home_grown_flags(facts: RepoFacts) -> list[Evidence]:
    """Calls to a flag-evaluation function defined in the repository (DB or config flags)."""
    out = []
    for module, call in facts.calls(*_FLAG_FUNCTIONS):
        if facts.find_functions(call.leaf):
            out.append(call_ev(facts, module, call, note="flag evaluated"))
    return out


@practice(
    "deploy.feature-flags", "Runtime feature flags", priority="M", effort="M", applies="ALL",
    statuses="implemented partial missing",
    sources=("S1", "S4"), aliases=("feature flags", "feature toggles", "flags", "kill switch"),
    recommendation="Put risky features behind flags read at the decision point: env/settings "
                   "booleans (`FEATURE_X_ENABLED`) for simple switches, or a flag service "
                   "(Unleash, Flagsmith, OpenFeature, django-waffle) for gradual rollout.",
)
def check_feature_flags(facts: RepoFacts) -> Outcome:
    """Features can be switched on and off at runtime without a code change.

    Why it matters:
        A flag lets a risky change ship dark, roll out gradually and be turned
        off in seconds when it misbehaves, instead of a rollback deploy. A flag
        that is defined but never consulted gives false confidence (S4).

    What counts as evidence:
        A flag service whose flags are evaluated (Unleash `is_enabled`,
        Flagsmith, LaunchDarkly `variation`, OpenFeature, django-waffle
        `flag_is_active`, GrowthBook, PostHog); a flag function of the
        repository called at decision points; or flag settings - named like
        `X_ENABLED`, `ENABLE_X`, `FEATURE_X`, boolean `USE_X` - defined in
        settings classes, settings modules, the environment or a config store
        and read in an `if`/`while`/ternary/decorator.

    What makes it partial:
        Flags defined (settings field, `.env`, compose, env read) but never read
        at a decision point; a flag service set up but never evaluated; only
        derived toggles (properties computed from other settings, such as "email
        is configured"). Framework booleans (`USE_TZ`, `WTF_CSRF_ENABLED`,
        `SESSION_*`, `DEBUG`) are not counted as feature flags.

    How to satisfy:
        `FEATURE_NEW_CHECKOUT_ENABLED: bool = False` in settings, read as
        `if settings.FEATURE_NEW_CHECKOUT_ENABLED:` where the behaviour forks, or
        a flag service client evaluated per request with a safe default.
    """
    evaluated, configured, services = _flag_services(facts)
    if evaluated:
        return implemented(f"Flags from {', '.join(services)} are evaluated in code.",
                           evaluated[:5])
    home_grown = _home_grown_flags(facts)
    index = facts.memo("deploy.flag_index", lambda: build_flag_index(facts))
    decisions, derived_decisions = decision_points(facts, index)
    if home_grown or decisions:
        definitions = list(dict.fromkeys(index.names.values()))
        decisions = one_per_flag_first(decisions)
        flags = sorted({e.note.removeprefix("decision on ") for e in decisions})
        named = f" ({', '.join(flags[:4])})" if flags else ""
        return implemented(f"Runtime flags are read at {len(decisions) + len(home_grown)} "
                           f"decision point(s){named}.",
                           dedupe([*home_grown[:3], *decisions[:5], *definitions[:2]]))
    defined = dedupe([*index.names.values(), *index.aliases.values()])
    if configured:
        return partial("A feature-flag service is set up but no flag is ever evaluated.",
                       configured[:3])
    if defined:
        return partial("Flags are defined but never read at a decision point (dead config).",
                       defined[:5])
    if derived_decisions:
        return partial("Only derived toggles (computed from other settings) gate behaviour; "
                       "there are no independent feature flags.",
                       [*derived_decisions[:3], *list(index.derived.values())[:2]])
    if index.files_only:
        return partial("Flag variables appear in config files but the code never reads them.",
                       index.files_only[:5])
    return missing("No feature flags found (looked for flag services, flag settings such as "
                   "X_ENABLED/ENABLE_X/FEATURE_X and their use at decision points).")
