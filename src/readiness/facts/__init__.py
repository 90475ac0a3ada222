"""Facts: one walk over the tree, one parse per file, queried by the rules.

Nothing here imports, executes or evaluates the code it reads.
"""

from readiness.facts.applicability import PREDICATES, evaluate, predicate_names
from readiness.facts.collect import collect
from readiness.facts.repo import Hit, K8sObject, RepoFacts, SourceFile, name_matches

__all__ = [
    "PREDICATES",
    "Hit",
    "K8sObject",
    "RepoFacts",
    "SourceFile",
    "collect",
    "evaluate",
    "name_matches",
    "predicate_names",
]
