"""ML hygiene practices: training code that does not leak, is seeded and stratifies its splits.

All three rules read the same "training code": production Python modules that import an
ML library and fit something. Notebooks (their code cells) stand in for it only when no
such module exists (catalog status rule 1). The analysis follows each training function's
calls in line order (``Call.scope`` names the enclosing function), and follows calls to
helper functions of the repository one level deep, because preprocessing is often done
in a ``load_and_preprocess()`` helper that runs before the split.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.ml_hygiene import (  # noqa: F401  (registers the practices)
    no_leakage,
    seeds,
    stratified_split,
)
