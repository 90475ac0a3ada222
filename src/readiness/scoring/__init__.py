"""Scoring: pure functions from findings to category scores, overall score, level, decision.

Because scores depend on findings only, an old assessment can be re-scored
without re-scanning (``score(findings, weights)``).
"""

from readiness.scoring.score import (
    category_scores,
    decide,
    level,
    overall_score,
    score,
    status_counts,
)

__all__ = ["category_scores", "decide", "level", "overall_score", "score", "status_counts"]
