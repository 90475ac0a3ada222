"""Server hygiene: a production server, no debug mode, no open admin, HTTPS enforced.

The ``Server`` header names the HTTP server actually answering (often the proxy in
front); a development server there (Werkzeug, wsgiref, Django runserver) is a fail.
"""

from __future__ import annotations

import re

from readiness.model import ProbeCheck, ProbeResult
from readiness.probes.context import Context, Recorder
from readiness.probes.errorpages import debug_leak

DEV_SERVERS = re.compile(r"werkzeug|wsgiserver|simplehttp|basehttp|development server"
                         r"|django|php/.*development", re.I)
PROD_SERVERS = re.compile(r"uvicorn|gunicorn|hypercorn|daphne|granian|waitress|cheroot|"
                          r"nginx|envoy|caddy|apache|cloudflare|openresty|traefik|haproxy|"
                          r"awselb|google frontend|gws|istio|microsoft-iis|h2o|litespeed|"
                          r"bjoern|meinheld|tornado|aiohttp|sanic|unit", re.I)
ADMIN_PATHS = ("/admin", "/admin/", "/console", "/debug", "/actuator")


def probe_server(ctx: Context) -> ProbeResult:
    rec = Recorder(ctx, "server")
    root = ctx.found.root
    answers = [a for a in (root, *ctx.found.health.values()) if a is not None and a.status]
    checks: list[ProbeCheck] = []
    notes: list[str] = []
    server = next((a.header("server") for a in answers if a.header("server")), None)
    measured: dict[str, object] = {"server": server, "docs": list(ctx.found.docs)}
    first = answers[0] if answers else None
    if server is None:
        checks.append(ctx.check("scale.production-server", "inconclusive",
                                "no Server header: the HTTP server cannot be identified",
                                first))
    elif DEV_SERVERS.search(server):
        checks.append(ctx.check("scale.production-server", "fail",
                                f"a development server answers: Server: {server}", first,
                                observed=f"Server: {server}"))
    elif PROD_SERVERS.search(server):
        checks.append(ctx.check("scale.production-server", "pass",
                                f"a production HTTP server answers: Server: {server}", first,
                                observed=f"Server: {server}"))
    else:
        checks.append(ctx.check("scale.production-server", "inconclusive",
                                f"unknown server: {server}", first,
                                observed=f"Server: {server}"))
    if ctx.found.docs:
        notes.append("API docs reachable without credentials: " + ", ".join(ctx.found.docs)
                      + " (fine for a public API; otherwise restrict them)")
    admin_open: list[str] = []
    admin_debug: list[str] = []
    for path in ADMIN_PATHS:
        answer = ctx.http.get(path, follow=False)
        if answer.status == 200:
            admin_open.append(path)
            if debug_leak(answer):
                admin_debug.append(answer.url)
    measured["admin_open"] = admin_open
    if admin_open:
        checks.append(ctx.check("sec.secure-config", "fail",
                                "admin/debug paths answer 200 without credentials: "
                                + ", ".join(admin_open), url=ctx.origin.url(admin_open[0])))
    if admin_debug:
        checks.append(ctx.check("sec.secure-config", "fail",
                                "debug output is served (debug mode on): " + admin_debug[0],
                                url=admin_debug[0]))
    if ctx.origin.scheme == "https" and ctx.origin.port == 443:
        plain = ctx.http.request("GET", f"http://{ctx.origin.host}/", follow=False,
                                 plain_http_port=True)
        location = plain.header("location") or ""
        measured["http_redirect"] = {"status": plain.status, "location": location}
        if plain.status in (301, 302, 307, 308) and location.startswith("https://"):
            checks.append(ctx.check("sec.secure-config", "pass",
                                    "plain HTTP redirects to HTTPS", plain))
        elif plain.status is None:
            notes.append(f"port 80 does not answer ({plain.error})")
        else:
            checks.append(ctx.check("sec.secure-config", "fail",
                                    "plain HTTP is served without a redirect to HTTPS", plain))
    return rec.finish(measured=measured, checks=checks, notes=notes)
