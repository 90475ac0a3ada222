"""HTTP measurements of a running service (issue 3).

Every request has a timeout; every loop is bounded in count and time; only the
target's host is contacted; load and bursts need an explicit flag. Results are
``readiness.model.ProbeRun`` values that the engine merges into findings.
"""
