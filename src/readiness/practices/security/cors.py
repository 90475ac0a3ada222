"""sec.cors: cross-origin access is limited to an explicit list of trusted origins."""

from __future__ import annotations

import re
from dataclasses import dataclass

from readiness.facts import RepoFacts
from readiness.facts.python.records import ModuleFacts
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import call_ev, is_true, with_note
from readiness.practices.registry import (
    Outcome,
    anti,
    implemented,
    missing,
    partial,
    practice,
    unknown,
)
from readiness.practices.security._config_context import origins_wildcard
from readiness.practices.security._secret_values import unquote

_WILDCARD_REGEX = re.compile(r"^\^?(https?://)?\.[*+]\$?$|^\.\*$|^\.\+$")


@dataclass
class _CorsSite:
    evidence: Evidence
    wildcard: bool = False
    credentials: bool = False
    reflected: bool = False
    from_config: bool = False
    default_wildcard: bool = False  # origins from settings whose default is "*"
    note: str = ""


def _settings_default_wildcard(facts: RepoFacts, expression: str) -> bool:
    """True when ``settings.x`` used for origins has a class-level default containing "*"."""
    names = set(re.findall(r"\.([A-Za-z_]\w*)", expression))
    return any(assign.target in names and assign.class_name and
               re.search(r"[\"'\[,]\s*\*\s*[\"',\]]|^[\"']\*", assign.value)
               for _, assign in facts.assigns(re.compile(r"[A-Za-z_]\w*")))


def _resolve_name(module: ModuleFacts, text: str | None) -> str | None:
    """The value assigned to a bare name in the same module (``origins = [...]``)."""
    if text is None or not re.fullmatch(r"[A-Za-z_]\w*", text.strip()):
        return text
    values = [a.value for a in module.assigns if a.target == text.strip()]
    return values[-1] if len(values) == 1 else text


def _starlette_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    calls = facts.calls("*.CORSMiddleware", "*.add_middleware", "*.Middleware")
    for module, call in calls:
        if "CORSMiddleware" not in call.name and not any("CORSMiddleware" in a
                                                         for a in call.args[:1]):
            continue
        origins = _resolve_name(module, call.kwarg("allow_origins"))
        regex = unquote(_resolve_name(module, call.kwarg("allow_origin_regex")))
        site = _CorsSite(call_ev(facts, module, call))
        site.credentials = is_true(call.kwarg("allow_credentials"))
        site.wildcard = origins_wildcard(origins) or bool(
            regex is not None and _WILDCARD_REGEX.search(regex))
        site.reflected = regex is not None and bool(_WILDCARD_REGEX.search(regex))
        site.from_config = origins is not None and not origins.strip().startswith(("[", "(",
                                                                                   "\"", "'"))
        if origins is not None and re.search(r"\b(settings|config)\b", origins) and \
                _settings_default_wildcard(facts, origins):
            site.default_wildcard = True
            site.note = "the origin setting defaults to *"
        if origins is not None and re.search(r"\b(settings|config|env|os\.)", origins):
            site.from_config = True
        sites.append(site)
    return sites


def _flask_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    for module, call in facts.calls("flask_cors.CORS", "flask_cors.cross_origin"):
        text = " ".join([*call.args[1:], *(v for _, v in call.kwargs)])
        site = _CorsSite(call_ev(facts, module, call))
        has_origins = call.has_kwarg("origins", "resources") or \
            (call.name.endswith("cross_origin") and bool(call.args))
        site.wildcard = not has_origins or origins_wildcard(text)
        site.credentials = is_true(call.kwarg("supports_credentials"))
        site.from_config = bool(re.search(r"\b(settings|config|env|os\.)", text))
        sites.append(site)
    return sites


def _django_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    allow_all = facts.assigns(r"CORS_(ORIGIN_ALLOW_ALL|ALLOW_ALL_ORIGINS)")
    lists = facts.assigns(r"CORS_(ALLOWED_ORIGINS|ORIGIN_WHITELIST|ALLOWED_ORIGIN_REGEXES)")
    credentials = any(is_true(a.value) for _, a in facts.assigns(r"CORS_ALLOW_CREDENTIALS"))
    for module, assign in allow_all:
        if is_true(assign.value):
            sites.append(_CorsSite(facts.evidence(module.path, assign.line), wildcard=True,
                                   credentials=credentials))
    for module, assign in lists:
        wildcard = origins_wildcard(assign.value) or ".*" in assign.value
        sites.append(_CorsSite(facts.evidence(module.path, assign.line), wildcard=wildcard,
                               credentials=credentials,
                               from_config=assign.value_kind in ("call", "attr", "name")))
    return sites


def _header_cors(facts: RepoFacts) -> list[_CorsSite]:
    """Hand-set ``Access-Control-Allow-Origin`` headers (Python and nginx)."""
    sites: list[_CorsSite] = []
    credentials_files = {h.path for h in facts.grep(
        r"Access-Control-Allow-Credentials[\"']?\s*[\]=:,]?\s*[\"']?true", flags=re.I,
        kinds=("python", "nginx"), limit=20)}
    for hit in facts.grep(r"Access-Control-Allow-Origin", kinds=("python", "nginx"), limit=20):
        rest = hit.text.split("Access-Control-Allow-Origin", 1)[1]
        site = _CorsSite(facts.evidence(hit.path, hit.line),
                         credentials=hit.path in credentials_files)
        site.wildcard = bool(re.search(r"[\"'\s]\*[\"'\s;]|[\"']\*$|\s\*$", rest))
        site.reflected = bool(re.search(r"(?i)\$http_origin|origin[\"']?\s*\)|"
                                        r"HTTP_ORIGIN|headers\.get\(\s*[\"']origin", rest))
        if rest.strip(" \"'=:,]);") or site.wildcard:
            sites.append(site)
    return sites


def _ingress_cors(facts: RepoFacts) -> list[_CorsSite]:
    """nginx-ingress ``cors-allow-origin`` annotations."""
    sites: list[_CorsSite] = []
    credentials = {h.path for h in facts.grep(r"cors-allow-credentials[\"']?\s*:\s*[\"']?true",
                                              kinds=("yaml",), limit=10)}
    for hit in facts.grep(r"cors-allow-origin[\"']?\s*:\s*(.*)$", kinds=("yaml",), flags=re.M,
                          limit=10):
        value = hit.match.split(":", 1)[1]
        sites.append(_CorsSite(facts.evidence(hit.path, hit.line),
                               wildcard=bool(re.search(r"^\s*[\"']?\*", value)),
                               credentials=hit.path in credentials))
    return sites


def _streamlit_cors(facts: RepoFacts) -> list[_CorsSite]:
    sites: list[_CorsSite] = []
    for hit in facts.grep(r"^\s*enableCORS\s*=\s*(false|true)", kinds=("toml",), flags=re.M,
                          limit=5):
        if "false" in hit.text:
            sites.append(_CorsSite(facts.evidence(hit.path, hit.line), wildcard=True,
                                   note="Streamlit's CORS protection is turned off"))
        else:
            sites.append(_CorsSite(facts.evidence(hit.path, hit.line)))
    return sites


@practice(
    "sec.cors", "Restrictive CORS", priority="H", effort="L", applies="HTTP and CORS",
    sources=("S0", "T10 A05", "ASVS V3"),
    aliases=("cors", "cross-origin", "allowed origins", "cross origin resource sharing"),
    recommendation="List the allowed origins explicitly (read from the environment, e.g. "
                   "`CORSMiddleware(allow_origins=settings.CORS_ORIGINS)`); never combine "
                   "`*` or a catch-all regex with credentials, and never echo the Origin "
                   "header back.",
)
def check_cors(facts: RepoFacts) -> Outcome:
    """Cross-origin access is limited to an explicit list of trusted origins.

    Why it matters:
        CORS decides which other web sites may call the API from a user's browser.
        `*` lets any site read the responses; `*` or an echoed Origin together with
        credentials lets any site act as the logged-in user.

    What counts as evidence:
        `CORSMiddleware(allow_origins=...)` with an explicit list or a list read from
        settings/the environment, flask-cors `origins=`, django-cors-headers
        `CORS_ALLOWED_ORIGINS`, hand-set `Access-Control-Allow-Origin` headers naming
        an origin, Streamlit `enableCORS = true`.

    What makes it partial:
        An allow-all policy without credentials (`allow_origins=["*"]`, `CORS(app)`
        with no origins, `CORS_ALLOW_ALL_ORIGINS`, a `*` header, Streamlit
        `enableCORS = false`, an origin setting that defaults to `*`). Allow-all,
        a catch-all `allow_origin_regex` or an echoed Origin combined with
        credentials forces missing.

    How to satisfy:
        `app.add_middleware(CORSMiddleware, allow_origins=settings.CORS_ORIGINS,
        allow_credentials=True)` with `CORS_ORIGINS` set per environment.
    """
    sites = [*_starlette_cors(facts), *_flask_cors(facts), *_django_cors(facts),
             *_header_cors(facts), *_ingress_cors(facts), *_streamlit_cors(facts)]
    if not sites:
        return unknown("CORS is mentioned (e.g. django-cors-headers installed), but no origin "
                       "setting, middleware arguments or header value could be read.")
    antis: list[AntiPatternHit] = []
    open_sites: list[Evidence] = []
    good: list[Evidence] = []
    for site in sites:
        if (site.wildcard or site.reflected) and site.credentials:
            antis.append(anti("any origin is allowed together with credentials: any web site "
                              "can act as the signed-in user", site.evidence,
                              Severity.FORCE_MISSING))
        elif site.reflected:
            antis.append(anti("the request's Origin is echoed back (any origin is allowed)",
                              site.evidence, Severity.FORCE_MISSING))
        elif site.wildcard or site.default_wildcard:
            open_sites.append(with_note(site.evidence, site.note or "any origin allowed"))
        else:
            good.append(with_note(site.evidence, "origins from configuration" if site.from_config
                               else "explicit origin list"))
    if antis:
        return missing("CORS allows any origin with credentials or reflects the Origin "
                       "header.", antis)
    if open_sites:
        defaulted = all(s.default_wildcard and not s.wildcard for s in sites if
                        s.wildcard or s.default_wildcard)
        return partial("CORS origins default to `*` unless the environment overrides them."
                       if defaulted else "CORS allows any origin (no credentials): any web "
                       "site can read the responses.", [*open_sites[:4], *good[:2]])
    return implemented("CORS is limited to explicit origins"
                       + (" read from configuration." if any(s.from_config for s in sites)
                          else "."), good[:5])
