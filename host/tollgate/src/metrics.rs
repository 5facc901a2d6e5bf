//! Step 13's metrics: API Gateway's metric names (`Count`, `4XXError`, `5XXError`,
//! `Latency`, `IntegrationLatency`) per API, stage, method, resource and canary side, served
//! in Prometheus's text format on the admin listener at `/metrics`. Prometheus names cannot
//! start with a digit, so every name carries the `apigateway_` prefix.

use std::sync::OnceLock;

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

    /// The metrics of one set of dimensions, looked up once: recording through the handles
    /// hashes and allocates nothing.
    pub fn for_dimensions(&self, dimensions: &Dimensions) -> MethodMetrics {
        MethodMetrics {
            count: self.count.get_or_create(dimensions).clone(),
            client_errors: self.client_errors.get_or_create(dimensions).clone(),
            server_errors: self.server_errors.get_or_create(dimensions).clone(),
            latency: self.latency.get_or_create(dimensions).clone(),
            integration_latency: self.integration_latency.get_or_create(dimensions).clone(),
        }
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Handles on the metrics of one API, stage, method, resource and canary side (they share
/// their counts with the registry's families).
#[derive(Clone)]
pub struct MethodMetrics {
    count: Counter,
    client_errors: Counter,
    server_errors: Counter,
    latency: Histogram,
    integration_latency: Histogram,
}

impl MethodMetrics {
    /// Records one answered request.
    pub fn record(&self, status: u16, latency_ms: f64) {
        self.count.inc();
        match status {
            400..=499 => {
                self.client_errors.inc();
            }
            500..=599 => {
                self.server_errors.inc();
            }
            _ => {}
        }
        self.latency.observe(latency_ms);
    }

    /// Records how long an integration took.
    pub fn record_integration(&self, latency_ms: f64) {
        self.integration_latency.observe(latency_ms);
    }
}

/// The metric handles of one routed method of a stage, per request method (an `ANY` method
/// serves several), resolved on the first request of each: the request path then records
/// without building label sets or looking them up.
#[derive(Default)]
pub struct RouteMetrics {
    by_method: [OnceLock<MethodMetrics>; 7],
}

impl RouteMetrics {
    /// The handles for `method`, resolved with `dimensions` the first time; `None` for a
    /// method outside HTTP's common seven, which the caller looks up each time.
    pub fn get(
        &self,
        metrics: &Metrics,
        method: &http::Method,
        dimensions: impl FnOnce() -> Dimensions,
    ) -> Option<&MethodMetrics> {
        let index = [
            http::Method::GET,
            http::Method::POST,
            http::Method::PUT,
            http::Method::DELETE,
            http::Method::PATCH,
            http::Method::HEAD,
            http::Method::OPTIONS,
        ]
        .iter()
        .position(|known| known == method)?;
        Some(self.by_method[index].get_or_init(|| metrics.for_dimensions(&dimensions())))
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
