"""Claims extracted from a hand-written readiness report, checked against an assessment."""
