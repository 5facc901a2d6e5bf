//! Step 13's metrics: API Gateway's metric names (`Count`, `4XXError`, `5XXError`,
//! `Latency`, `IntegrationLatency`) per API, stage, method, resource and canary side, served
//! in Prometheus's text format on the admin listener at `/metrics`. Prometheus names cannot
//! start with a digit, so every name carries the `apigateway_` prefix.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// The dimensions of every metric.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Dimensions {
    pub api: String,
    pub stage: String,
    pub method: String,
    pub resource: String,
    /// `true` when the stage's canary served the request.
    pub canary: String,
}

fn latency_histogram() -> Histogram {
    // 0.25 ms to ~30 s.
    Histogram::new(exponential_buckets(0.25, 2.0, 18))
}

/// The gateway's metrics.
pub struct Metrics {
    registry: Registry,
    count: Family<Dimensions, Counter>,
    client_errors: Family<Dimensions, Counter>,
    server_errors: Family<Dimensions, Counter>,
    latency: Family<Dimensions, Histogram, fn() -> Histogram>,
    integration_latency: Family<Dimensions, Histogram, fn() -> Histogram>,
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("apigateway");
        let count = Family::<Dimensions, Counter>::default();
        let client_errors = Family::<Dimensions, Counter>::default();
        let server_errors = Family::<Dimensions, Counter>::default();
        let latency: Family<Dimensions, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        let integration_latency: Family<Dimensions, Histogram, fn() -> Histogram> =
            Family::new_with_constructor(latency_histogram);
        registry.register("Count", "Requests served", count.clone());
        registry.register(
            "4XXError",
            "Requests answered with a 4XX status",
            client_errors.clone(),
        );
        registry.register(
            "5XXError",
            "Requests answered with a 5XX status",
            server_errors.clone(),
        );
        registry.register(
            "Latency",
            "Milliseconds from receiving a request to answering it",
            latency.clone(),
        );
        registry.register(
            "IntegrationLatency",
            "Milliseconds the integration took (request sent to response received)",
            integration_latency.clone(),
        );
        Metrics {
            registry,
            count,
            client_errors,
            server_errors,
            latency,
            integration_latency,
        }
    }

    /// Records one answered request.
    pub fn record(&self, dimensions: &Dimensions, status: u16, latency_ms: f64) {
        self.count.get_or_create(dimensions).inc();
        match status {
            400..=499 => {
                self.client_errors.get_or_create(dimensions).inc();
            }
            500..=599 => {
                self.server_errors.get_or_create(dimensions).inc();
            }
            _ => {}
        }
        self.latency.get_or_create(dimensions).observe(latency_ms);
    }

    /// Records how long an integration took.
    pub fn record_integration(&self, dimensions: &Dimensions, latency_ms: f64) {
        self.integration_latency
            .get_or_create(dimensions)
            .observe(latency_ms);
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
