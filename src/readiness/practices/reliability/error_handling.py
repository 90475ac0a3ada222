"""rel.error-handling: errors reach clients in one structured, sanitised shape."""

from __future__ import annotations

import re

from readiness.facts import RepoFacts
from readiness.model import Evidence
from readiness.practices.helpers import call_ev, dedupe
from readiness.practices.registry import Outcome, anti, implemented, missing, partial, practice

_LEAK = re.compile(r"\bstr\(\s*(e|exc|err|error|ex|exception)\s*\)|"
                   r"\{\s*(e|exc|err|error|ex|exception)\s*(!r|!s)?\s*\}|"
                   r"format_exc\(|repr\(\s*(e|exc|err|error|ex|exception)\s*\)|"
                   r"traceback\.format|\.args\[0\]")
_RESPONDERS = ("*.HTTPException", "*.JSONResponse", "flask.jsonify", "*.Response",
               "flask.make_response", "flask.abort", "*.JsonResponse", "*.HttpResponse",
               "*.json_response", "*.ORJSONResponse", "*.PlainTextResponse",
               "*.HTTPInternalServerError")


@practice(
    "rel.error-handling", "Structured, sanitised error responses", priority="H", effort="L",
    applies="HTTP", sources=("S0", "ASVS V16", "T10 A05"),
    aliases=("error handling", "exception handling", "exception hierarchy"),
    recommendation="Register exception handlers that map your exception hierarchy to one "
                   "error schema (e.g. RFC 7807) and never return `str(e)` or tracebacks.",
)
def check_error_handling(facts: RepoFacts) -> Outcome:
    """Errors reach clients in one structured shape, without internal details.

    Why it matters:
        Unhandled exceptions become bare 500s with inconsistent bodies; exception
        text and tracebacks in responses leak internals (paths, SQL, secrets) to
        attackers.

    What counts as evidence:
        Registered handlers (`@app.exception_handler`, `add_exception_handler`,
        Flask `errorhandler`/`register_error_handler`, Django `handler500`, DRF
        `EXCEPTION_HANDLER`) together with an application exception hierarchy.

    What makes it partial:
        Only the framework's defaults (`HTTPException`), handlers without an
        exception hierarchy, or a hierarchy without handlers. `str(e)`,
        `format_exc()` or `{e}` in a response caps the status at partial.

    How to satisfy:
        Define `class AppError(Exception)` subclasses, register one handler that
        logs the exception and returns `{"error": {"code", "message"}}`.
    """
    handlers: list[Evidence] = []
    for module, call in facts.calls("*.exception_handler", "*.add_exception_handler",
                                    "*.errorhandler", "*.register_error_handler",
                                    "*.app_errorhandler", "*.error_handler"):
        handlers.append(call_ev(facts, module, call))
    for module, function in facts.functions():
        for decorator in function.decorators:
            if not decorator.is_call and decorator.raw.endswith(("errorhandler",
                                                                 "exception_handler")):
                handlers.append(facts.evidence(module.path, decorator.line))
    for module, assign in facts.assigns(r"handler(500|404|403|400)"):
        handlers.append(facts.evidence(module.path, assign.line))
    for hit in facts.grep(r"[\"']EXCEPTION_HANDLER[\"']", kinds=("python",), limit=3):
        handlers.append(facts.evidence(hit.path, hit.line))
    hierarchy = [facts.evidence(m.path, c.line) for m, c in facts.subclasses(
        "Exception", "BaseException", "*.HTTPException", "RuntimeError", "ValueError",
        "*Error", "*Exception")
        if re.search(r"(Error|Exception)$", c.name)]
    http_errors = [call_ev(facts, m, c) for m, c in facts.calls("*.HTTPException", "flask.abort",
                                                                "*.abort")]
    leaks = []
    for module, call in facts.calls(*_RESPONDERS):
        text = " ".join(call.args) + " " + " ".join(v for _, v in call.kwargs)
        if _LEAK.search(text):
            leaks.append(anti("exception text returned to the client",
                              call_ev(facts, module, call)))
    handlers = dedupe(handlers)
    if handlers and hierarchy:
        return implemented(f"{len(handlers)} exception handler(s) and {len(hierarchy)} "
                           "application exception class(es).",
                           [*handlers[:4], *hierarchy[:3]], leaks)
    if handlers:
        return partial("Exception handlers are registered but there is no application "
                       "exception hierarchy.", handlers[:5], leaks)
    if hierarchy:
        return partial("Application exceptions exist but no handler maps them to responses.",
                       hierarchy[:5], leaks)
    if http_errors:
        return partial("Only the framework's default error responses (HTTPException/abort); "
                       "no registered handlers or exception hierarchy.", http_errors[:5], leaks)
    return missing("No exception handlers, exception hierarchy or HTTP error responses found.",
                   leaks)
