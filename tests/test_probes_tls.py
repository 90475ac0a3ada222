"""A TLS target: certificates are verified by default; HSTS and Secure cookies are required."""

from __future__ import annotations

from readiness.probes import ProbeOptions, run_probes
from tests.probe_servers.harness import secure_tls_server

__all__ = ["secure_tls_server"]


def test_self_signed_certificate_is_refused_by_default(secure_tls_server: str) -> None:
    """With verification on (the default) a self-signed certificate stops the run with a
    TLS error in the discovery result instead of being trusted silently."""
    run = run_probes(secure_tls_server, ProbeOptions(probes=("headers",)))
    assert run.results[0].error is not None
    assert "TLS" in run.results[0].error
    assert "certificate" in run.results[0].error.lower()


def test_https_requires_hsts_and_secure_cookies(secure_tls_server: str) -> None:
    """Over https (verification off for the test certificate) the service sends HSTS and
    a Secure cookie, so headers and cookies pass; HSTS is listed among what was seen."""
    options = ProbeOptions(verify_tls=False, probes=("headers", "cookies"))
    run = run_probes(secure_tls_server, options)
    verdicts = {(c.practice, c.verdict) for c in run.checks}
    assert ("sec.security-headers", "pass") in verdicts
    assert ("sec.security-headers", "fail") not in verdicts
    assert ("sec.cookies-csrf", "pass") in verdicts
    headers = next(r for r in run.results if r.probe == "headers").measured["headers"]
    assert all("strict-transport-security" in seen for seen in headers.values())  # type: ignore[union-attr]
