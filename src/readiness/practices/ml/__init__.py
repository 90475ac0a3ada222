"""AI/ML infrastructure practices: model registry, drift detection, explanations and the
validation of prediction inputs.

Serving code is found by following calls from each HTTP route (three levels deep, by
name, within the repository) to a ``predict``-style call; training code is shared with
``ml_hygiene`` (see ``practices.training_code``). Rules read facts only; text searches
are confined to function bodies the facts located.

Importing this package registers its practices, one module per practice.
"""

from readiness.practices.ml import (  # noqa: F401  (registers the practices)
    drift_detection,
    explainability,
    model_registry,
    serving_input_validation,
)
