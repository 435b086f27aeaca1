"""The worker's Prometheus metrics, served on METRICS_PORT (the docker healthcheck GETs /metrics)."""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    gc_collector,
    platform_collector,
    process_collector,
    start_http_server,
)

LABELS = ("color", "version")


class WorkerMetrics:
    def __init__(self, color: str, version: str, registry: CollectorRegistry | None = None) -> None:
        self.registry = registry or CollectorRegistry()
        if registry is None:
            process_collector.ProcessCollector(registry=self.registry)
            platform_collector.PlatformCollector(registry=self.registry)
            gc_collector.GCCollector(registry=self.registry)
        values = (color, version)
        self.processed = Counter(
            "worker_jobs_processed_total", "Jobs whose result was written", LABELS, registry=self.registry
        ).labels(*values)
        self.failed = Counter(
            "worker_jobs_failed_total", "Job attempts that raised", LABELS, registry=self.registry
        ).labels(*values)
        self.requeued = Counter(
            "worker_jobs_requeued_total", "Jobs moved back to pending from dead workers or on shutdown",
            LABELS, registry=self.registry,
        ).labels(*values)
        self.in_flight = Gauge(
            "worker_jobs_in_flight", "Jobs being processed now", LABELS, registry=self.registry
        ).labels(*values)
        self.active = Gauge(
            "worker_active", "1 when this worker's color is live and it takes jobs", LABELS, registry=self.registry
        ).labels(*values)

    def serve(self, port: int, addr: str = "0.0.0.0") -> None:
        start_http_server(port, addr=addr, registry=self.registry)
