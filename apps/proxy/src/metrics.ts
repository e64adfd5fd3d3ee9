// Prometheus metrics, on a registry of the server's own (tests run several proxies in one process).
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

export type Metrics = ReturnType<typeof createMetrics>;

export function createMetrics(gauges: { queueDepth: () => number; spooledEvents: () => number }) {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "mai_proxy_" });
  const buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];
  return {
    registry,
    requests: new Counter({ name: "mai_proxy_requests_total", help: "Requests by route and status.", labelNames: ["route", "status"], registers: [registry] }),
    latency: new Histogram({ name: "mai_proxy_request_duration_seconds", help: "Time to the last byte.", labelNames: ["route", "streamed"], buckets, registers: [registry] }),
    ttfb: new Histogram({ name: "mai_proxy_time_to_first_byte_seconds", help: "Time to the first upstream byte.", labelNames: ["route", "streamed"], buckets, registers: [registry] }),
    upstreamErrors: new Counter({ name: "mai_proxy_upstream_errors_total", help: "Upstream failures by status (0 = no answer).", labelNames: ["status"], registers: [registry] }),
    limitRefusals: new Counter({ name: "mai_proxy_limit_refusals_total", help: "Requests refused because the monthly limit is spent.", registers: [registry] }),
    usageEvents: new Counter({ name: "mai_proxy_usage_events_total", help: "Usage events produced, by status.", labelNames: ["status"], registers: [registry] }),
    queueDepth: new Gauge({ name: "mai_proxy_usage_queue_depth", help: "Usage events waiting to be sent to the API.", registers: [registry], collect() { this.set(gauges.queueDepth()); } }),
    spooled: new Gauge({ name: "mai_proxy_usage_spooled_events", help: "Usage events on disk awaiting replay.", registers: [registry], collect() { this.set(gauges.spooledEvents()); } }),
  };
}
