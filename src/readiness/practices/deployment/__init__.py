"""Delivery and container practices: CI that runs the tests, runtime feature flags, lean
images, health probes wired to real routes, non-root containers.

CI configuration is read as parsed YAML (GitHub Actions, GitLab CI, CircleCI,
Azure, Bitbucket, Travis, Drone/Woodpecker) or as text (Jenkinsfile). Commands
are followed one or two steps into the repository (a `make test` target, a
`scripts/test.sh`) because many pipelines call the test runner indirectly.
The container rules read parsed Dockerfiles (stages and instructions), docker
compose services and Kubernetes workloads.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.deployment import (  # noqa: F401  (registers the practices)
    ci,
    container_hardening,
    docker_build,
    feature_flags,
    health_probes,
)
