"""sec.tls-verification: outbound TLS connections verify the certificate."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.facts.applicability import OUT_LIBS
from readiness.facts.python.records import Call
from readiness.model import AntiPatternHit, Evidence, Severity
from readiness.practices.helpers import all_calls, call_ev, dedupe_hits
from readiness.practices.registry import Outcome, anti, implemented, missing, practice, unknown
from readiness.practices.security._config_context import EXAMPLE_FILE

_VERIFY_OFF_KWARGS = {"verify": "False", "verify_ssl": "False", "ssl": "False",
                      "verify_certs": "False", "check_hostname": "False", "validate_certs": "False",
                      "ssl_verify": "False", "tls_verify": "False"}
_OUTBOUND_CALLS = ("requests.*", "httpx.*", "aiohttp.ClientSession", "aiohttp.request",
                   "aiohttp.ClientSession().*", "urllib.request.urlopen", "urllib3.PoolManager",
                   "http.client.HTTPSConnection", "smtplib.SMTP", "smtplib.SMTP_SSL",
                   "aiosmtplib.*", "boto3.client", "boto3.resource", "boto3.session.Session",
                   "openai.OpenAI", "openai.AsyncOpenAI", "anthropic.Anthropic",
                   "anthropic.AsyncAnthropic", "pycurl.Curl", "grpc.secure_channel",
                   "elasticsearch.Elasticsearch", "minio.Minio", "slack_sdk.WebClient",
                   "emails.*", "httplib2.Http", "google.cloud.*", "stripe.*", "twilio.rest.*",
                   "sendgrid.*", "litellm.completion", "litellm.acompletion")
_UNVERIFIED_TEXT = re.compile(r"_create_unverified_context|\bCERT_NONE\b|"
                              r"check_hostname\s*=\s*False|SSL_VERIFYPEER\s*,\s*(0|False)|"
                              r"SSL_VERIFYHOST\s*,\s*(0|False)|\.verify\s*=\s*False")
_UNVERIFIED_ENV = re.compile(r"PYTHONHTTPSVERIFY\s*[=:]\s*[\"']?0|CURL_CA_BUNDLE\s*[=:]\s*"
                             r"[\"']{2}|REQUESTS_CA_BUNDLE\s*[=:]\s*[\"']{2}|"
                             r"NODE_TLS_REJECT_UNAUTHORIZED\s*[=:]\s*[\"']?0")

_OUT_TOPS = frozenset(lib.split(".", 1)[0] for lib in OUT_LIBS) | {
    "urllib3", "botocore", "hvac", "zeep", "suds", "pycurl", "ldap3", "pymongo", "motor",
    "psycopg", "psycopg2", "asyncpg", "pymysql", "kombu", "celery", "websocket", "websockets"}
_HTTP_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request",
                         "send", "stream", "urlopen", "fetch", "sendmail", "send_message",
                         "starttls", "connect", "create", "invoke"})


_CLIENT_CLASS = re.compile(r"(Session|Client|Connection|Http|Pool\w*|Channel|Curl|Minio|"
                           r"Elasticsearch|OpenAI|Anthropic|SMTP\w*)$")


def _connects(call: Call) -> bool:
    """The call opens a connection or sends a request: an HTTP verb on a library or on a
    client it just built (``requests.Session().get``), or a client class being created.
    Not a method on a response (``requests.get().headers.get``) or a message object."""
    if "()." in call.name:
        receiver = call.receiver
        sender = _CLIENT_CLASS.search(receiver[:-2]) or (
            call.leaf == "send" and receiver.endswith("Message()"))  # emails.Message().send
        return call.leaf in _HTTP_VERBS and receiver.endswith("()") and \
            receiver.count("()") == 1 and bool(sender)
    return call.leaf in _HTTP_VERBS or bool(_CLIENT_CLASS.search(call.leaf))


def _outbound_client(call: Call) -> bool:
    """Calls that open or use a network client (where verify=False means TLS, not JWT)."""
    top = call.name.split(".", 1)[0]
    if top in ("jwt", "jose", "authlib", "itsdangerous"):
        return False
    return top in _OUT_TOPS or bool(re.search(r"(?i)(session|client|http|conn|request)",
                                              call.raw))


def _tls_antis(facts: RepoFacts) -> list[AntiPatternHit]:
    antis: list[AntiPatternHit] = []
    for module, call in all_calls(facts):
        if not _outbound_client(call):
            continue
        for key, bad in _VERIFY_OFF_KWARGS.items():
            value = call.kwarg(key)
            if key == "ssl" and "aiohttp" not in call.name:
                continue  # elsewhere ssl=False means plaintext, judged by sec.https rows
            if value is not None and value.strip() == bad:
                antis.append(anti(f"{key}=False turns off certificate verification (bandit "
                                  "B501)", call_ev(facts, module, call), Severity.FORCE_MISSING))
        for key in ("ssl_cert_reqs", "cert_reqs"):
            value = call.kwarg(key)
            if value is not None and re.search(r"(?i)CERT_NONE|[\"']none[\"']|^None$",
                                               value.strip()):
                antis.append(anti(f"{key} disables certificate verification",
                                  call_ev(facts, module, call), Severity.FORCE_MISSING))
    for hit in facts.grep(_UNVERIFIED_TEXT, kinds=("python",), limit=20):
        antis.append(anti(f"{hit.match.strip()} disables certificate verification",
                          facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    for hit in facts.grep(_UNVERIFIED_ENV, kinds=("dockerfile", "yaml", "env", "shell"),
                          limit=10):
        if facts.files[hit.path].kind == "env" and \
                EXAMPLE_FILE.search(hit.path.rsplit("/", 1)[-1]):
            continue
        antis.append(anti("certificate verification switched off through the environment",
                          facts.evidence(hit.path, hit.line), Severity.FORCE_MISSING))
    for module, call in facts.calls("urllib3.disable_warnings", "requests.packages.urllib3."
                                    "disable_warnings"):
        antis.append(anti("TLS warnings silenced; check nothing disables verification",
                          call_ev(facts, module, call), Severity.REVIEW))
    return dedupe_hits(antis)


def _smtp_reviews(facts: RepoFacts) -> list[AntiPatternHit]:
    """smtplib's starttls()/SMTP_SSL without a context do not verify the server certificate."""
    out: list[AntiPatternHit] = []
    smtp_modules = {m.path for m, _ in facts.imports("smtplib")}
    for module, call in facts.calls("*.starttls", "smtplib.SMTP_SSL"):
        if module.path not in smtp_modules or call.name.startswith("aiosmtplib"):
            continue  # aiosmtplib verifies certificates by default
        if not call.has_kwarg("context", "ssl_context") and len(call.args) < 3:
            out.append(anti("smtplib without `context=ssl.create_default_context()` does not "
                            "verify the mail server's certificate",
                            call_ev(facts, module, call), Severity.REVIEW))
    return out


def _outbound_sites(facts: RepoFacts) -> list[Evidence]:
    sites: list[Evidence] = []
    seen_files: dict[str, int] = {}
    for module, call in facts.calls(*_OUTBOUND_CALLS):
        if re.search(r"\.(exceptions|codes|status_codes|utils|adapters|auth)\b|"
                     r"Error$|Exception$|Timeout$", call.name):
            continue
        if not _connects(call):
            continue
        if seen_files.get(module.path, 0) >= 2:
            continue
        seen_files[module.path] = seen_files.get(module.path, 0) + 1
        note = "custom CA bundle" if call.kwarg("verify") not in (None, "True") else \
            "default certificate verification"
        sites.append(call_ev(facts, module, call, note=note))
    for module, call in facts.calls("ssl.create_default_context"):
        sites.append(call_ev(facts, module, call, note="verifying SSL context"))
    return sites


@practice(
    "sec.tls-verification", "Outbound TLS verification", priority="H", effort="L",
    applies="OUT", sources=("T10 A02", "T10 A07", "ASVS V12"),
    statuses="implemented missing na",
    aliases=("tls verification", "certificate verification", "ssl verification", "verify=False"),
    recommendation="Keep certificate verification on for every outbound call; point "
                   "`verify=` at a CA bundle for private CAs instead of turning it off.",
)
def check_tls_verification(facts: RepoFacts) -> Outcome:
    """Outbound TLS connections verify the server's certificate.

    Why it matters:
        With verification off, anyone on the network path can impersonate the API,
        database or mail server and read or change everything sent to it, including
        credentials.

    What counts as evidence:
        Outbound client calls (requests, httpx, aiohttp, urllib, SMTP, cloud and LLM
        SDKs, pycurl...) that keep the library's default verification, `verify=`
        pointing at a CA bundle, `ssl.create_default_context()`.

    What makes it partial:
        Nothing: the row has no partial. `verify=False`, `ssl=False`,
        `_create_unverified_context`, `CERT_NONE`, `check_hostname=False`, pycurl
        `SSL_VERIFYPEER 0` and `PYTHONHTTPSVERIFY=0` force missing. smtplib
        `starttls()` without a context and silenced urllib3 warnings are reported for
        review.

    How to satisfy:
        Remove `verify=False`; for an internal CA use `verify="/etc/ssl/private-ca.pem"`
        or `ssl.create_default_context(cafile=...)`.
    """
    antis = [*_tls_antis(facts), *_smtp_reviews(facts)]
    sites = _outbound_sites(facts)
    forced = [a for a in antis if a.severity == Severity.FORCE_MISSING.value]
    if forced:
        return missing(f"Certificate verification is turned off in {len(forced)} place(s).",
                       antis)
    if not sites:
        return unknown("Outbound client libraries are imported, but no outbound call site was "
                       "recognised to confirm how they verify certificates.")
    files = len({e.path for e in sites})
    return implemented(f"Outbound calls in {files} file(s) keep the default certificate "
                       "verification; nothing turns it off.", sites[:6], antis)
