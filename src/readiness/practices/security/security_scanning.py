"""sec.security-scanning: code, dependencies, secrets, images are scanned in CI."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.yaml_facts import YList, YMap
from readiness.model import Evidence
from readiness.practices.helpers import yaml_true
from readiness.practices.registry import Outcome, implemented, missing, partial, practice

_SCANNERS: dict[str, re.Pattern[str]] = {
    "dependency audit": re.compile(
        r"(?i)\bpip-audit\b|pip_audit|gh-action-pip-audit|\bsafety\s+(check|scan)\b|"
        r"pyupio/safety|osv-scanner|dependency-review-action|snyk(?!\s+container)\b|"
        r"dependency-check|\buv\s+audit\b|Dependency-Scanning"),
    "static analysis (SAST)": re.compile(
        r"(?i)\bbandit\b|semgrep|codeql|\bzizmor\b|sonarcloud|sonarqube|sonar-scanner|"
        r"horusec|(?<![\w-])SAST\.gitlab-ci"),
    "secret scanning": re.compile(
        r"(?i)gitleaks|trufflehog|detect-secrets|ggshield|git-secrets|secretlint|"
        r"Secret-Detection"),
    "image scanning": re.compile(
        r"(?i)\btrivy\b|trivy-action|\bgrype\b|anchore/scan-action|docker\s+scout|"
        r"snyk\s+container|Container-Scanning|\bdockle\b"),
}
_NON_BLOCKING = re.compile(r"\|\|\s*(true|exit\s+0|echo|:)\b|--exit-zero|--exit-code[ =]0\b|"
                           r"exit-code:\s*[\"']?0|\bsoft_fail:\s*true|--continue-on-error|"
                           r"\bfail-on-severity:\s*none")
_RENOVATE = ("renovate.json", "renovate.json5", ".renovaterc", ".renovaterc.json",
             ".github/renovate.json", ".github/renovate.json5", ".gitlab/renovate.json")


@dataclass(frozen=True)
class _ScanHit:
    category: str
    evidence: Evidence
    blocking: bool


def _step_spans(doc: object) -> list[tuple[int, int, bool]]:
    """(first line, last line, non-blocking) of each CI step or job in a parsed workflow."""
    spans: list[tuple[int, int, bool]] = []
    if not isinstance(doc, YMap):
        return spans
    jobs = doc.get("jobs") if isinstance(doc.get("jobs"), YMap) else doc
    if not isinstance(jobs, YMap):
        return spans
    keys = list(jobs.keys())
    for position, name in enumerate(keys):
        job = jobs[name]
        if not isinstance(job, YMap):
            continue
        job_soft = yaml_true(job.get("continue-on-error")) or yaml_true(job.get("allow_failure"))
        job_end = jobs.line_of(keys[position + 1]) - 1 if position + 1 < len(keys) else 10**9
        spans.append((jobs.line_of(name), job_end, job_soft))
        steps = job.get("steps")
        if isinstance(steps, YList):
            for index, step in enumerate(steps):
                if not isinstance(step, YMap):
                    continue
                end = steps.line_of(index + 1) - 1 if index + 1 < len(steps) else job_end
                spans.append((steps.line_of(index), end,
                              job_soft or yaml_true(step.get("continue-on-error"))))
    return spans


_LABEL_LINE = re.compile(r"^\s*(-\s*)?(name|id|description|display_name)\s*:|"
                         r"^\s*[\w.\-]+\s*:\s*$")
_INSTALL_LINE = re.compile(r"\b(pip3?|pipx|uv\s+pip|uv\s+tool|poetry|apt(-get)?|brew|npm|yarn|"
                           r"go)\s+(install|add)\b|\bcurl\b|\bwget\b|\btar\s+-|sudo\s+install|"
                           r"releases/download|\bversion\s*[=:]")


def _runs_scanner(pattern: re.Pattern[str], line: str) -> bool:
    """True when a CI line runs the scanner (not a step/job label, an install or a comment);
    ``pip install bandit && bandit -r src`` runs it in its second command."""
    text = _without_comment(line)
    if not pattern.search(text) or _LABEL_LINE.search(text):
        return False
    commands = re.split(r"&&|;|\|\||\|", text)
    return any(pattern.search(c) and not _INSTALL_LINE.search(c) for c in commands)


def _without_comment(line: str) -> str:
    """A YAML/shell line without its comment (``# zizmor: ignore[...]`` is not a scan)."""
    return "" if line.lstrip().startswith("#") else re.sub(r"\s+#.*$", "", line)


def _ci_scanner_hits(facts: RepoFacts) -> list[_ScanHit]:
    hits: list[_ScanHit] = []
    ci_files = facts.ci_files()
    spans_by_file: dict[str, list[tuple[int, int, bool]]] = {}
    for path, doc in facts.ci_documents():
        spans_by_file.setdefault(path, []).extend(_step_spans(doc))
    for category, pattern in _SCANNERS.items():
        for hit in facts.grep(pattern, paths=ci_files, production=None, limit=40):
            if not _runs_scanner(pattern, hit.text):
                continue
            spans = [s for s in spans_by_file.get(hit.path, []) if s[0] <= hit.line <= s[1]]
            soft = any(s[2] for s in spans) or bool(_NON_BLOCKING.search(hit.text))
            note = f"{category}, non-blocking" if soft else category
            hits.append(_ScanHit(category, facts.evidence(hit.path, hit.line, note=note),
                                 not soft))
    return hits


def _delegated_hits(facts: RepoFacts) -> list[_ScanHit]:
    """Scanners run through make/tox/nox targets that CI invokes."""
    ci_text = "\n".join(facts.text(p) or "" for p in facts.ci_files())
    hits: list[_ScanHit] = []
    runners = (("Makefile", re.compile(r"^([\w.\-]+)\s*:", re.M), r"\bmake\b[^\n]*\b{}\b"),
               ("tox.ini", re.compile(r"^\[testenv:([\w.\-]+)\]", re.M), r"\btox\b[^\n]*{}"),
               ("noxfile.py", re.compile(r"^def\s+(\w+)\(", re.M), r"\bnox\b[^\n]*{}"))
    for name, target_pattern, invoke in runners:
        for path in facts.glob(name):
            text = facts.text(path) or ""
            for category, pattern in _SCANNERS.items():
                for match in pattern.finditer(text):
                    targets = target_pattern.findall(text[:match.start()])
                    if targets and re.search(invoke.format(re.escape(targets[-1])), ci_text):
                        line = text.count("\n", 0, match.start()) + 1
                        hits.append(_ScanHit(category, facts.evidence(
                            path, line, note=f"{category}, run by CI via {name}"), True))
                        break
    return hits


def _bot_hits(facts: RepoFacts) -> list[_ScanHit]:
    hits: list[_ScanHit] = []
    for path in facts.glob(".github/dependabot.yml", ".github/dependabot.yaml"):
        lines = [h.line for h in facts.grep(r"package-ecosystem", paths=[path], limit=1)]
        if lines:
            hits.append(_ScanHit("dependency updates", facts.evidence(
                path, lines[0], note="Dependabot"), True))
    for path in facts.glob(*_RENOVATE):
        hits.append(_ScanHit("dependency updates", facts.evidence(path, 1, snippet=path,
                                                                  note="Renovate"), True))
    return hits


def _precommit_hits(facts: RepoFacts) -> list[_ScanHit]:
    hits: list[_ScanHit] = []
    ci_text = "\n".join(facts.text(p) or "" for p in facts.ci_files())
    for path in facts.glob(".pre-commit-config.yaml", ".pre-commit-config.yml"):
        text = facts.text(path) or ""
        in_ci = bool(re.search(r"pre-commit\s+run|pre-commit/action|pre-commit-ci|prek\s+run",
                               ci_text)) or bool(re.search(r"^ci:", text, re.M))
        for category, pattern in _SCANNERS.items():
            for hit in facts.grep(pattern, paths=[path], limit=3):
                if not pattern.search(_without_comment(hit.text)):
                    continue
                note = f"{category} hook run by pre-commit in CI" if in_ci else \
                    f"{category} in pre-commit only (not enforced in CI)"
                hits.append(_ScanHit(category, facts.evidence(path, hit.line, note=note),
                                     in_ci))
                break
    return hits


def _has_ci_or_update_bot(facts: RepoFacts) -> bool:
    return facts.applies("CI") or bool(
        facts.glob(".github/dependabot.yml", ".github/dependabot.yaml", *_RENOVATE))


@practice(
    "sec.security-scanning", "SCA, SAST, secret, image scans in CI", priority="H", effort="L",
    applies="CI", when=_has_ci_or_update_bot, sources=("S2", "T10 A06", "MLTS Mon1"),
    aliases=("security scanning", "vulnerability scanning", "dependency scanning", "sast",
             "sca", "bandit", "pip-audit", "dependabot", "secret scanning"),
    recommendation="Run pip-audit (or Dependabot/Renovate), bandit or semgrep, gitleaks and, "
                   "for images, Trivy in CI as blocking jobs.",
)
def check_security_scanning(facts: RepoFacts) -> Outcome:
    """Dependencies, code, secrets and images are scanned automatically, and findings block.

    Why it matters:
        Known-vulnerable dependencies, injection-prone code, leaked keys and
        vulnerable base images are found by tools in seconds; without them they
        are found by attackers. A scan whose failures are ignored finds nothing.

    What counts as evidence:
        In CI workflows: pip-audit/safety/osv-scanner/dependency-review, bandit/
        semgrep/CodeQL/zizmor, gitleaks/trufflehog/detect-secrets, Trivy/Grype;
        GitLab security templates; scanners in make/tox/nox targets that CI runs;
        scanner hooks in pre-commit when pre-commit runs in CI; Dependabot or
        Renovate configuration.

    What makes it partial:
        Only non-blocking scans (`continue-on-error`, `|| true`, `--exit-zero`,
        `allow_failure`) or scanners only in a local pre-commit configuration.

    How to satisfy:
        Add a CI job running `pip-audit`, `bandit -r src`, and gitleaks (plus Trivy
        for images) without `|| true`, and enable Dependabot.
    """
    hits = [*_ci_scanner_hits(facts), *_delegated_hits(facts), *_bot_hits(facts),
            *_precommit_hits(facts)]
    blocking = [h for h in hits if h.blocking]
    soft = [h for h in hits if not h.blocking]
    if blocking:
        categories = sorted({h.category for h in blocking})
        tail = f"; {len(soft)} other scan(s) do not block" if soft else ""
        evidence = _one_per_category(blocking) + [h.evidence for h in soft[:2]]
        return implemented(f"Blocking security scans: {', '.join(categories)}{tail}.",
                           evidence)
    if soft:
        return partial("Security scanners exist but never fail the build (non-blocking CI "
                       "steps or local pre-commit hooks only).",
                       [h.evidence for h in soft[:6]])
    return missing("No security scanner in CI: looked for pip-audit, safety, osv-scanner, "
                   "Dependabot/Renovate, bandit, semgrep, CodeQL, zizmor, gitleaks, "
                   "trufflehog, detect-secrets, Trivy and Grype.")


def _one_per_category(hits: list[_ScanHit]) -> list[Evidence]:
    first: dict[str, list[Evidence]] = {}
    for hit in hits:
        first.setdefault(hit.category, []).append(hit.evidence)
    ordered = [items[0] for items in first.values()]
    extras = [e for items in first.values() for e in items[1:2]]
    return [*ordered, *extras][:6]
