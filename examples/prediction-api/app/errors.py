"""Application errors, mapped to one JSON error shape by the handlers in main.py."""


class AppError(Exception):
    status_code = 400
    code = "bad_request"


class StudentNotFound(AppError):
    status_code = 404
    code = "student_not_found"


class ModelUnavailable(AppError):
    status_code = 503
    code = "model_unavailable"
