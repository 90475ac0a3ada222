"""ml.drift-detection: live inputs are compared with the training distribution."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe, definition_source, func_ev
from readiness.practices.ml._serving_paths import serving_functions
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

_DRIFT_LIBS = ("evidently.*", "alibi_detect.*", "nannyml.*", "whylogs.*", "deepchecks.*",
               "frouros.*", "river.drift.*")
_DRIFT_TESTS = ("scipy.stats.ks_2samp", "scipy.stats.wasserstein_distance",
                "scipy.spatial.distance.jensenshannon", "scipy.stats.anderson_ksamp",
                "scipy.stats.cramervonmises_2samp")
_PSI_NAME = re.compile(r"(?i)(^|_)psi($|_)|population_stability")
_REFERENCE = re.compile(r"(?i)(reference|baseline)[\w\-]*\.(json|parquet|csv|pkl|npz|joblib)|"
                        r"(reference|baseline)_(stats|data|profile|distribution)|"
                        r"build_\w*baseline|save_reference|drift_baseline")
_SCHEDULE = re.compile(r"(?i)\bcron\b|beat_schedule|add_job\(|schedule\.every|IntervalSchedule|"
                       r"CronSchedule|schedule_interval|\bschedule\s*[=:]|kind:\s*CronJob|"
                       r"\binterval\s*=")
_NOTIFY = re.compile(r"(?i)slack|pagerduty|opsgenie|\bsns\b|send_(mail|email|alert|"
                     r"notification)|notify\w*\(|webhook")


def _drift_computations(facts: RepoFacts) -> list[Evidence]:
    out = [call_ev(facts, m, c) for m, c in facts.calls(*_DRIFT_LIBS, *_DRIFT_TESTS)]
    called = {c.leaf for m in facts.modules() for c in m.calls}
    for module, function in facts.functions():
        if _PSI_NAME.search(function.name) and function.name in called and \
                "log(" in definition_source(facts, module.path, function):
            out.append(func_ev(facts, module, function, note="population stability index"))
    return dedupe(out)


def _drift_files(facts: RepoFacts) -> list[str]:
    return [h.path for h in facts.grep(r"(?i)drift", kinds=("python", "yaml", "shell", "text"),
                                       limit=400)]


def _drift_automation(facts: RepoFacts, files: set[str]) -> list[Evidence]:
    """A schedule in a file that is about drift, or drift computed on the prediction path."""
    out = [facts.evidence(h.path, h.line, note="scheduled")
           for h in facts.grep(_SCHEDULE, kinds=("python", "yaml", "shell", "text"),
                               paths=sorted(files), limit=20)
           if not h.text.startswith(("#", '"', "'"))][:5]
    serving = {(m.path, f.qualname) for m, f in serving_functions(facts)}
    for module, function in facts.functions():
        if (module.path, function.qualname) in serving and \
                re.search(r"(?i)drift", definition_source(facts, module.path, function)):
            out.append(func_ev(facts, module, function, note="runs on the prediction path"))
            break
    return out


def _drift_alerts(facts: RepoFacts, files: set[str]) -> list[Evidence]:
    out = [call_ev(facts, m, c, note="drift metric")
           for m, c in facts.calls("prometheus_client.Gauge", "prometheus_client.Counter",
                                   "prometheus_client.Histogram")
           if c.args and "drift" in c.args[0].lower()]
    for hit in facts.grep(r"(?i)alert", kinds=("yaml",), paths=sorted(files), limit=3):
        out.append(facts.evidence(hit.path, hit.line, note="alert rule"))
    for hit in facts.grep(_NOTIFY, kinds=("python",), paths=sorted(files), limit=3):
        out.append(facts.evidence(hit.path, hit.line, note="notification"))
    return out


@practice(
    "ml.drift-detection", "Drift monitoring", priority="H", effort="M", applies="MLS",
    sources=("S1", "S4", "S2", "MLTS Mon2", "MLTS Mon7"),
    aliases=("drift", "drift detection", "data drift", "concept drift"),
    recommendation="Store a reference profile of the training data, compare live inputs "
                   "against it on a schedule (evidently `DataDriftPreset`, alibi-detect "
                   "`KSDrift`, PSI/`ks_2samp`) and alert when drift crosses a threshold.",
)
def check_drift_detection(facts: RepoFacts) -> Outcome:
    """Live inputs are compared with the training distribution, automatically, with alerts.

    Why it matters:
        Models decay silently when the world changes: the service keeps answering with
        confidence while accuracy falls. Drift on inputs is the earliest signal, and it
        helps only if someone is told.

    What counts as evidence:
        Drift computed in production code (evidently, alibi-detect, nannyml, whylogs,
        deepchecks, `ks_2samp`/Wasserstein/Jensen-Shannon, a PSI function that is
        called), against a stored reference (a saved baseline or reference
        statistics), run automatically (a schedule in a drift file, or on the
        prediction path) and alerting (a drift metric, an alert rule or a
        notification).

    What makes it partial:
        Drift computed but run by hand, without a stored reference, or without an
        alert.

    How to satisfy:
        Save `reference.parquet` at training time, run an evidently report from a
        CronJob or Airflow task, export the drift share as a Prometheus gauge and alert
        on it.
    """
    computations = _drift_computations(facts)
    if not computations:
        return missing("No drift computation found (looked for evidently, alibi-detect, "
                       "nannyml, whylogs, deepchecks, ks_2samp and PSI functions); accuracy "
                       "thresholds on offline metrics are not drift detection.")
    files = set(_drift_files(facts))
    reference = [facts.evidence(h.path, h.line, note="stored reference")
                 for h in facts.grep(_REFERENCE, kinds=("python",), limit=3)]
    automation = _drift_automation(facts, files)
    alerts = _drift_alerts(facts, files)
    evidence = [*computations[:4], *reference[:2], *automation[:2], *alerts[:2]]
    lacking = [name for name, found in (("a stored reference", reference),
                                        ("a schedule", automation), ("alerting", alerts))
               if not found]
    if not lacking:
        return implemented("Drift is computed against a stored reference, automatically, "
                           "with alerting.", evidence)
    return partial(f"Drift is computed, but without {' or '.join(lacking)}.", evidence)
