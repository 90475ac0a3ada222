"""Security practices: authentication, password hashing, JWT, authorization, input
validation, audit trail, security headers; and, at the code level, injection,
deserialisation, secrets, CORS, debug configuration, outbound TLS verification and
security scanning in CI.

Route-level questions (is this route authenticated? does it change state?) are
answered by ``practices.web``; the access rules turn them into per-route tallies
(status rule 5) and add the anti-patterns of each catalog row.

Most code-level rows are "absence of a dangerous pattern" rules. A rule of that kind
still needs positive evidence before it may say ``implemented`` (status rule 2): it
cites what the code does instead (bound SQL parameters, safe loaders, secrets read
from the environment, outbound calls with default verification...). When the
subject of a row does not exist at all in a repository (no SQL statement, nothing
parsed, no secret read or written), the rule says ``na`` and explains why, rather
than claiming a control nobody needed.

Where a value must be understood (what is interpolated into an SQL string, what a
``pickle.load`` reads), the rules look at the ``ast`` of the module, parsed from the
text the facts hold; nothing is imported or evaluated.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.security import (  # noqa: F401  (registers the practices)
    audit_logging,
    authn,
    cookies_csrf,
    cors,
    hardcoded_secrets,
    input_validation,
    jwt,
    password_hashing,
    rbac,
    secure_config,
    security_headers,
    security_scanning,
    sql_injection,
    tls_verification,
    unsafe_deserialization,
)
