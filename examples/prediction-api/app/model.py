"""The risk model: loaded once at startup from a local artefact produced by train/train.py."""

import joblib
import pandas as pd

FEATURES = ["attendance_rate", "assignments_done", "average_grade", "credits"]

_model = None


def load(path: str) -> None:
    global _model
    _model = joblib.load(path)


def is_loaded() -> bool:
    return _model is not None


def predict(rows: list[dict]) -> list[float]:
    frame = pd.DataFrame(rows).reindex(columns=FEATURES, fill_value=0)
    return [float(p[1]) for p in _model.predict_proba(frame)]
