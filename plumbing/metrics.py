"""Prometheus metrics every service exposes on `GET /metrics`.

Each `ServiceMetrics` owns its own `CollectorRegistry`: tests build many apps in one
process, and registering the same metric name twice on the global registry fails.
Create one per service in the composition root and hand it to `create_app`, the relay
and the consumers.

Labels:
- `http_requests_total{method, route, status}`, `http_request_duration_seconds{method,
  route}`: `route` is the route template (`/v1/leerlingen/{leerlingId}`), never the raw
  path, so ids do not explode the series count.
- `events_stored_total{event_type}`: events appended to the service's own store.
- `events_published_total{topic}`: records the relay got acknowledged by the broker.
- `relay_position{topic}`: the last notification id the relay has published.
- `consumer_lag{topic, partition, group}`: high watermark minus next offset to read.
- `dlq_messages_total{topic}`: messages sent to the dead-letter topic, by source topic.
"""

from __future__ import annotations

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    Info,
    generate_latest,
)
from prometheus_client.exposition import CONTENT_TYPE_LATEST

__all__ = ["CONTENT_TYPE_LATEST", "ServiceMetrics"]

# Request latency buckets in seconds: a local API answers in milliseconds; the upper
# buckets catch a stuck store or broker.
_LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


class ServiceMetrics:
    """The registry and the shared metrics of one service."""

    def __init__(
        self, service: str, version: str = "", registry: CollectorRegistry | None = None
    ) -> None:
        self.service = service
        self.registry = registry if registry is not None else CollectorRegistry()
        r = self.registry

        self.info = Info("service", "Service name and version.", registry=r)
        self.info.info({"service": service, "version": version})

        self.http_requests_total = Counter(
            "http_requests_total",
            "HTTP requests answered, by method, route template and status.",
            ["method", "route", "status"],
            registry=r,
        )
        self.http_request_duration_seconds = Histogram(
            "http_request_duration_seconds",
            "HTTP request latency in seconds, by method and route template.",
            ["method", "route"],
            buckets=_LATENCY_BUCKETS,
            registry=r,
        )
        self.events_stored_total = Counter(
            "events_stored_total",
            "Domain events appended to this service's event store.",
            ["event_type"],
            registry=r,
        )
        self.events_published_total = Counter(
            "events_published_total",
            "Events published to Kafka and acknowledged by the broker.",
            ["topic"],
            registry=r,
        )
        self.relay_position = Gauge(
            "relay_position",
            "Last notification id of the event store published by the relay.",
            ["topic"],
            registry=r,
        )
        self.consumer_lag = Gauge(
            "consumer_lag",
            "Records not yet consumed: high watermark minus the next offset.",
            ["topic", "partition", "group"],
            registry=r,
        )
        self.dlq_messages_total = Counter(
            "dlq_messages_total",
            "Messages that could not be applied and went to the dead-letter topic.",
            ["topic"],
            registry=r,
        )

    def exposition(self) -> bytes:
        """The registry in the Prometheus text format."""
        return generate_latest(self.registry)
