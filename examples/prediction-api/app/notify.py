"""Tell an advisor when a student is predicted at risk."""

import logging

import requests

from app.config import settings

log = logging.getLogger(__name__)


def notify_advisor(student_id: int, risk: float) -> None:
    try:
        requests.post(settings.notify_url, json={"student": student_id, "risk": risk})
    except requests.RequestException:
        log.warning("advisor notification failed for student %s", student_id)
