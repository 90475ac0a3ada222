"""Latency distributions in an HDR histogram (microsecond resolution, 3 digits).

HDR histograms keep every percentile to a fixed relative precision in constant
memory, whatever the number of samples, and merge across workers; a list of floats
would grow with the load and a running mean would hide the tail.
"""

from __future__ import annotations

from collections import Counter

from hdrh.histogram import HdrHistogram

from readiness.probes.thresholds import Threshold

LOWEST_US = 1
HIGHEST_US = 3_600_000_000  # one hour: anything slower is clamped (and was a timeout anyway)


class Latencies:
    """Recorded latencies plus the request outcome counts that thresholds need."""

    def __init__(self) -> None:
        self.histogram = HdrHistogram(LOWEST_US, HIGHEST_US, 3)
        self.statuses: Counter[str] = Counter()  # "200", "503", "error: reset", ...
        self.errors = 0

    def record(self, latency_ms: float, status: int | None, error: str | None = None) -> None:
        """Record one request; a failure is a transport error or a status >= 400."""
        micros = int(min(max(latency_ms * 1000.0, LOWEST_US), HIGHEST_US))
        self.histogram.record_value(micros)
        if status is None:
            self.statuses[f"error: {error or 'unknown'}"] += 1
            self.errors += 1
        else:
            self.statuses[str(status)] += 1
            if status >= 400:
                self.errors += 1

    @property
    def count(self) -> int:
        return int(self.histogram.get_total_count())

    def percentile_ms(self, pct: float) -> float | None:
        if not self.count:
            return None
        return float(self.histogram.get_value_at_percentile(pct)) / 1000.0

    def value(self, threshold: Threshold) -> float | None:
        """The measured value a threshold compares with (None when nothing was recorded)."""
        if not self.count:
            return None
        if threshold.kind == "rate":
            return self.errors / self.count
        if threshold.kind == "percentile":
            assert threshold.percentile is not None
            return self.percentile_ms(threshold.percentile)
        if threshold.kind == "avg":
            return float(self.histogram.get_mean_value()) / 1000.0
        if threshold.kind == "min":
            return float(self.histogram.get_min_value()) / 1000.0
        return float(self.histogram.get_max_value()) / 1000.0

    def summary(self) -> dict[str, object]:
        """The measured keys every latency result carries."""
        if not self.count:
            return {"count": 0, "errors": self.errors, "status_codes": dict(self.statuses)}
        hist = self.histogram
        data: dict[str, object] = {"count": self.count}
        for pct in (50, 90, 95, 99):
            data[f"p{pct}_ms"] = round(self.percentile_ms(pct) or 0.0, 3)
        data["max_ms"] = round(hist.get_max_value() / 1000.0, 3)
        data["min_ms"] = round(hist.get_min_value() / 1000.0, 3)
        data["avg_ms"] = round(hist.get_mean_value() / 1000.0, 3)
        data["errors"] = self.errors
        data["error_rate"] = round(self.errors / self.count, 5)
        data["status_codes"] = dict(sorted(self.statuses.items()))
        return data
