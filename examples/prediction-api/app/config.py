"""Settings read from the environment."""

import os

from pydantic_settings import BaseSettings


class Settings(BaseSettings):
    database_url: str = "postgresql://app:app@localhost:5432/students"
    api_key: str = ""
    notify_url: str = "http://notify.internal/api/messages"
    model_path: str = "models/risk_model.joblib"
    environment: str = "development"
    rate_limit_per_minute: int = 60


settings = Settings()

# Falls back to a literal when the variable is unset: fine on a laptop, a leak in production.
SECRET_KEY = os.getenv("SECRET_KEY", "dev-secret-key-please-change")
