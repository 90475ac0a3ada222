"""readiness: an evidence-based production readiness review of a software service."""

__version__ = "0.1.0"
CATALOG_VERSION = "2026.11"
SCORING_VERSION = "1"
