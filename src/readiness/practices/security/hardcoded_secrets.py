"""sec.hardcoded-secrets: secrets come from the environment, not the repository."""

from __future__ import annotations

from readiness.facts import RepoFacts
from readiness.practices.helpers import dedupe, dedupe_hits
from readiness.practices.registry import Outcome, implemented, missing, na, partial, practice
from readiness.practices.security._secrets_in_files import (
    scan_dockerfiles,
    scan_env_files,
    scan_secret_infrastructure,
    scan_text_patterns,
    scan_yaml,
)
from readiness.practices.security._secrets_scan import (
    SecretScan,
    scan_config_items,
    scan_environ_subscripts,
    scan_python_calls,
    scan_python_literals,
)


@practice(
    "sec.hardcoded-secrets", "No secrets in repo", priority="C", effort="L", applies="ALL",
    sources=("S1", "S0", "12F-III", "T10 A02", "T10 A07", "ASVS V13"),
    aliases=("hardcoded secrets", "hard-coded secrets", "secrets management", "secret key",
             "credentials", "api keys", "secrets in environment",
             "secret management", "secrets"),
    recommendation="Read every secret from the environment or a secret manager with no "
                   "literal fallback (fail at startup when it is missing), keep `.env` out of "
                   "git, and rotate any credential that was ever committed.",
)
def check_hardcoded_secrets(facts: RepoFacts) -> Outcome:
    """Secrets come from the environment or a secret store; none is written in the repo.

    Why it matters:
        A key, password or token committed to git is readable by everyone with the
        repository (and its history forever), ends up in images and logs, and cannot
        be rotated without a code change. Default fallbacks are secrets too: the
        deployment that forgets the variable runs with a key the world knows.

    What counts as evidence:
        `os.environ[...]`/`getenv` reads of secret variables without a literal
        fallback, settings-class secret fields without defaults, pydantic
        `SecretStr`, `${VAR}` interpolation in compose files, Kubernetes
        `secretKeyRef`/ExternalSecret/SealedSecret, secret-manager clients (Vault
        hvac, AWS/GCP/Azure), and `.env` listed in `.gitignore`.

    What makes it partial:
        A literal fallback (`getenv("SECRET_KEY", "dev")`, a settings-class default,
        `${VAR:-literal}` in compose, a build `ARG` default) caps the status.
        Literal secrets in code or settings, literal passwords passed to calls or
        hashed for seeded accounts, passwords in connection URLs, AWS keys, API
        tokens, private-key blocks or files, a committed `.env`, secrets in compose
        or Kubernetes manifests, and `ENV *SECRET*=` in a Dockerfile force missing.
        Example files (`.env.example`), docs and tests are not judged.

    How to satisfy:
        `SECRET_KEY = os.environ["SECRET_KEY"]` (or a pydantic settings field with no
        default), `${SECRET_KEY:?}` in compose, `secretKeyRef` in Kubernetes, and
        rotate anything that was committed.
    """
    scan = SecretScan([], [], [], [])
    scan_python_literals(facts, scan)
    scan_python_calls(facts, scan)
    scan_environ_subscripts(facts, scan)
    scan_config_items(facts, scan)
    scan_env_files(facts, scan)
    scan_dockerfiles(facts, scan)
    scan_yaml(facts, scan)
    scan_text_patterns(facts, scan)
    scan_secret_infrastructure(facts, scan)
    good = dedupe(scan.good)
    scan.forced = dedupe_hits(scan.forced)
    antis = dedupe_hits([*scan.forced, *scan.capped, *scan.review])
    if scan.forced:
        return missing(f"{len(scan.forced)} secret(s) are written in the repository.", antis)
    if scan.capped:
        return partial(f"Secrets are read from configuration, but {len(scan.capped)} literal "
                       "fallback(s) or default(s) stay in the repository and apply whenever "
                       "configuration does not replace them.",
                       dedupe([*(a.evidence for a in scan.capped[:4]), *good[:4]]), antis)
    reads = [e for e in good if e.note != ".env is gitignored"]
    if reads:
        return implemented(f"Secrets are read from the environment or a secret store "
                           f"({len(reads)} site(s)); no literal secret found.", good[:8])
    if good:
        return implemented("No secret is written in the repository, and local .env files are "
                           "kept out of git.", good[:8])
    return na("The repository neither reads nor defines any secret (no secret-named setting, "
              "variable, manifest entry or credential pattern).")
