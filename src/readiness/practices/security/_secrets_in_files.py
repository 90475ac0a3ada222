"""The secret scan of the other files: .env, Dockerfiles, YAML, credential patterns."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.classify import is_ci_config, is_compose
from readiness.facts.dockerfile import Instruction
from readiness.facts.yaml_facts import YMap
from readiness.practices.helpers import call_ev, with_note
from readiness.practices.security._config_context import (
    EXAMPLE_FILE,
    dev_compose,
    dev_context,
    is_settings_class,
    yaml_pairs,
)
from readiness.practices.security._secret_values import (
    KNOWN_TOKEN,
    PLACEHOLDER_TOKEN,
    TEMPLATED,
    fallback_literal,
    placeholder_credentials,
    secret_name,
    secret_value,
)
from readiness.practices.security._secrets_scan import SecretScan, python_code_line

_DSN = re.compile(r"\b([a-z][a-z0-9+.\-]*)://([^\s:/@'\"]+):([^\s@'\"/]+)@[\w.\-\[\]]+")
_ENV_LINE = re.compile(r"^\s*(export\s+)?([A-Za-z_][A-Za-z0-9_.\-]*)\s*[=:]\s*(.*?)\s*$")

_SECRET_STORES = ("hvac", "boto3", "google.cloud.secretmanager", "azure.keyvault",
                  "infisical", "doppler_sdk", "keyring")


def scan_env_files(facts: RepoFacts, scan: SecretScan) -> None:
    """Secrets set in committed .env files (example and template files are skipped)."""
    for path, item in facts.files.items():
        if item.kind != "env" or not item.production or \
                EXAMPLE_FILE.search(path.rsplit("/", 1)[-1]):
            continue
        for number, line in enumerate(facts.lines(path), start=1):
            match = _ENV_LINE.match(line)
            if not match or line.lstrip().startswith("#"):
                continue
            key, value = match.group(2), match.group(3).strip().strip("'\"")
            if not secret_name(key) or not secret_value(value, key):
                continue
            name = path.rsplit("/", 1)[-1]
            if dev_context(name.replace(".env", "env")):
                scan.cap(f"committed {name} sets {key} for a development/test environment",
                         facts.evidence(path, number))
            else:
                scan.force(f"committed {name} file sets {key}", facts.evidence(path, number))


def scan_dockerfiles(facts: RepoFacts, scan: SecretScan) -> None:
    """``ENV`` and ``ARG`` instructions that give a secret a literal value."""
    for dockerfile in facts.dockerfiles():
        for instruction in dockerfile.instructions:
            if instruction.keyword not in ("ENV", "ARG"):
                continue
            for key, value in _docker_pairs(instruction):
                if not secret_name(key) or value is None or not secret_value(value, key):
                    continue
                ev = facts.evidence(dockerfile.path, instruction.line)
                if instruction.keyword == "ENV":
                    scan.force(f"ENV {key} bakes a secret into the image", ev)
                else:
                    scan.cap(f"ARG {key} has a literal default (build args stay in the image "
                             "history)", ev)


def _docker_pairs(instruction: Instruction) -> list[tuple[str, str | None]]:
    args = instruction.args.strip()
    if "=" not in args.split(" ", 1)[0]:
        key, _, value = args.partition(" ")
        return [(key, value.strip().strip("'\"") or None)]
    pairs = re.findall(r"([A-Za-z_][A-Za-z0-9_]*)=(\"[^\"]*\"|'[^']*'|\S*)", args)
    return [(k, v.strip("'\"") or None) for k, v in pairs]


def scan_yaml(facts: RepoFacts, scan: SecretScan) -> None:
    """Kubernetes Secret manifests with values, and secret-named YAML keys with literal values
    or literal fallbacks (CI files and examples are skipped)."""
    for path, doc in facts.yaml():
        if is_ci_config(path) or path.startswith(".github/") or \
                path.endswith(".pre-commit-config.yaml") or \
                EXAMPLE_FILE.search(path.rsplit("/", 1)[-1]):
            continue
        dev = is_compose(path) and dev_compose(facts, path)
        if isinstance(doc, YMap) and doc.get("kind") == "Secret":
            for key in ("data", "stringData"):
                values = doc.get(key)
                if isinstance(values, YMap) and any(
                        isinstance(v, str) and v and not TEMPLATED.search(v)
                        for v in values.values()):
                    scan.force("Kubernetes Secret manifest with committed values",
                               facts.evidence(path, doc.line_of(key)))
        for key, value, line in yaml_pairs(doc):
            _judge_yaml_value(facts, scan, path, key, value, line, dev)


def _judge_yaml_value(facts: RepoFacts, scan: SecretScan, path: str, key: str, value: str,
                      line: int, dev: bool) -> None:
    if not secret_name(key):
        return
    ev = facts.evidence(path, line)
    fallback = fallback_literal(value)
    if fallback is not None and not TEMPLATED.search(fallback):
        scan.cap(f"{key} falls back to a literal in {path.rsplit('/', 1)[-1]}", ev)
    elif TEMPLATED.search(value):
        scan.good.append(with_note(ev, f"{key} injected from the environment"))
    elif secret_value(value, key):
        if dev:
            scan.cap(f"literal {key} in a development compose file", ev)
        else:
            scan.force(f"literal {key} committed in {path.rsplit('/', 1)[-1]}", ev)


def scan_text_patterns(facts: RepoFacts, scan: SecretScan) -> None:
    """Credential material in any file: known token formats, private keys and key files,
    connection URLs with a password."""
    kinds = ("python", "yaml", "env", "dockerfile", "toml", "json", "ini", "shell", "terraform",
             "text", "nginx", "js")
    for hit in facts.grep(KNOWN_TOKEN, kinds=kinds, limit=20):
        if facts.files[hit.path].kind == "env" and \
                EXAMPLE_FILE.search(hit.path.rsplit("/", 1)[-1]):
            continue
        if PLACEHOLDER_TOKEN.search(hit.match) or not python_code_line(facts, hit.path,
                                                                         hit.line):
            continue
        scan.force("credential material committed (access key, API token or private key)",
                   facts.evidence(hit.path, hit.line))
    for path in facts.glob("id_rsa", "id_dsa", "id_ecdsa", "id_ed25519", "*.p12", "*.pfx"):
        scan.force("private key file committed", facts.evidence(path, 1, snippet=path))
    for hit in facts.grep(_DSN, kinds=kinds, limit=50):
        _judge_dsn(facts, scan, hit.path, hit.line, hit.match, hit.text)


def _judge_dsn(facts: RepoFacts, scan: SecretScan, path: str, line: int, dsn: str,
               text: str) -> None:
    match = _DSN.search(dsn)
    if match is None or text.lstrip().startswith("#") or \
            not python_code_line(facts, path, line) or \
            re.search(r"\b(help|description|example|examples|placeholder)\s*=", text):
        return
    password = match.group(3)
    item = facts.files.get(path)
    if item is None or (item.kind == "env" and EXAMPLE_FILE.search(path.rsplit("/", 1)[-1])):
        return
    if item.kind == "env":
        return  # committed .env files are judged line by line already
    if TEMPLATED.search(password) or set(password) <= {"*", "x", "X"} or \
            password.startswith(("$", "%", "{")) or is_ci_config(path) or \
            placeholder_credentials(match.group(1), match.group(2), password):
        return
    ev = facts.evidence(path, line)
    if _dsn_is_fallback(facts, path, line) or dev_context(path):
        scan.cap("connection URL with a literal password used as a default", ev)
    else:
        scan.force("connection URL with a literal password", ev)


def _dsn_is_fallback(facts: RepoFacts, path: str, line: int) -> bool:
    module = facts.module(path)
    if module is None:
        return is_compose(path) and "${" in facts.line(path, line)
    for assign in module.assigns:
        if assign.line == line and assign.class_name and \
                is_settings_class(facts, path, assign.class_name):
            return True
    return any(c.line <= line <= c.end_line and len(c.args) >= 2 and
               c.leaf in ("getenv", "get", "env", "config", "setdefault")
               for c in module.calls)


def scan_secret_infrastructure(facts: RepoFacts, scan: SecretScan) -> None:
    """Signs that secrets are handled properly: secret stores and references, ``SecretStr``,
    a gitignored .env."""
    for hit in facts.grep(r"secretKeyRef|secretRef:|kind:\s*(ExternalSecret|SealedSecret)|"
                          r"vault\.hashicorp|aws_secretsmanager|secretsmanager",
                          kinds=("yaml", "terraform"), limit=10):
        scan.good.append(facts.evidence(hit.path, hit.line, note="secret store or reference"))
    for module, call in facts.calls("*.SecretStr"):
        scan.good.append(call_ev(facts, module, call, note="SecretStr"))
    for module, imp in facts.imports(*_SECRET_STORES):
        if imp.top != "boto3" or "secretsmanager" in (facts.text(module.path) or ""):
            scan.good.append(facts.evidence(module.path, imp.line, note="secret manager client"))
    for hit in facts.grep(r"^\s*/?\.env\s*$|^\s*/?\.env\*?\s*$|^\s*\*\.env\s*$",
                          paths=facts.glob(".gitignore"), flags=re.M, limit=3):
        scan.good.append(facts.evidence(hit.path, hit.line, note=".env is gitignored"))
