//! The gateway's throughput with mapping templates: the real (release) gateway on loopback,
//! in front of a real HTTP backend that answers a fixed JSON document, driven by 16
//! concurrent keep-alive connections, for the same HTTP integration
//!
//! - `none`: no templates, request and response passed through;
//! - `template`: a typical ~30-line request template and ~30-line response template, rendered
//!   by the gateway's native VTL engine;
//! - `wasm-mapper`: the same two templates rendered by the VTL mapper component
//!   (`plugins/vtl-mapper`, `x-tollgate-mapper`), a fresh WASM instance per call.
//!
//! Prints requests/s, p50/p99 latency and the ratios to `none`. Nothing is asserted about the
//! numbers; every answer must be a 200 with the expected body.
//!
//! ```sh
//! cargo bench -p tollgate --bench template_throughput            # 3 s per variant
//! TEMPLATE_BENCH_SECS=10 cargo bench -p tollgate --bench template_throughput
//! ```
//!
//! Without `--bench` (`cargo test -p tollgate --benches`) it is a 1-second smoke run on the
//! debug build.

use std::convert::Infallible;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http::{Request, Response};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use tollgate_tests::{Connection, Gateway, TempData, components, tollgate_binary};

const CONNECTIONS: usize = 16;

/// The method request every client sends.
const ORDER: &str = r#"{"orderId":"A-1001","customer":{"id":42,"name":"Ada \"the Countess\" Lovelace","email":"Ada@Example.COM"},"items":[{"sku":"X1","qty":2,"price":9.5},{"sku":"Y2","qty":1,"price":20},{"sku":"Z3","qty":4,"price":1.25}],"note":"leave at the door"}"#;

/// What the backend answers to every request.
const BACKEND_ANSWER: &str = r#"{"status":"accepted","orderId":"A-1001","eta":{"days":3,"window":"morning"},"charges":[{"kind":"items","amount":44},{"kind":"shipping","amount":4.5},{"kind":"tax","amount":3.1}],"warnings":[]}"#;

/// A typical request template: reshape the order, escape strings, loop over the lines, add
/// context and a stage variable.
const REQUEST_TEMPLATE: &str = r##"#set($o = $input.path('$'))
{
  "order": {
    "id": "$util.escapeJavaScript($o.orderId)",
    "customer": {
      "id": $o.customer.id,
      "name": "$util.escapeJavaScript($o.customer.name)",
      "email": "$o.customer.email.toLowerCase()"
    },
    "lines": [
#foreach($item in $o.items)
      {
        "sku": "$item.sku",
        "quantity": $item.qty,
        "unitPrice": $item.price,
        "position": $foreach.count
      }#if($foreach.hasNext),#end

#end
    ],
    "lineCount": $o.items.size(),
#if($o.note && $o.note != "")
    "note": "$util.escapeJavaScript($o.note)",
#end
    "channel": "api"
  },
  "meta": {
    "stage": "$context.stage",
    "method": "$context.httpMethod",
    "resource": "$context.resourcePath",
    "env": "$stageVariables.env"
  }
}"##;

/// A typical response template: reshape the backend's answer.
const RESPONSE_TEMPLATE: &str = r##"#set($r = $input.path('$'))
#set($total = 0)
{
  "accepted": #if($r.status == "accepted")true#{else}false#end,
  "order": "$util.escapeJavaScript($r.orderId)",
  "delivery": {
    "inDays": $r.eta.days,
    "window": "$r.eta.window",
    "text": "in $r.eta.days days, $r.eta.window"
  },
  "charges": {
#foreach($charge in $r.charges)
    "$charge.kind": $charge.amount#if($foreach.hasNext),#end

#end
  },
  "chargeKinds": [
#foreach($charge in $r.charges)
    "$charge.kind.toUpperCase()"#if($foreach.hasNext),#end

#end
  ],
  "warnings": $r.warnings.size(),
#if($r.warnings.size() > 0)
  "firstWarning": "$util.escapeJavaScript($r.warnings[0])",
#end
  "stage": "$context.stage"
}"##;

/// Indents every line of `text` by `spaces` (for a YAML block scalar).
fn indent(text: &str, spaces: usize) -> String {
    let pad = " ".repeat(spaces);
    text.lines()
        .map(|line| {
            if line.is_empty() {
                String::new()
            } else {
                format!("{pad}{line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

fn definition() -> String {
    let request = indent(REQUEST_TEMPLATE, 14);
    let response = indent(RESPONSE_TEMPLATE, 18);
    let mapper_request = indent(REQUEST_TEMPLATE, 12);
    let mapper_response = indent(RESPONSE_TEMPLATE, 12);
    format!(
        r#"openapi: 3.0.1
info: {{ title: template-throughput, version: "1" }}
paths:
  /none:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${{stageVariables.backend}}/orders"
        responses: {{ default: {{ statusCode: "200" }} }}
  /template:
    post:
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${{stageVariables.backend}}/orders"
        requestTemplates:
          application/json: |-
{request}
        responses:
          default:
            statusCode: "200"
            responseTemplates:
              application/json: |-
{response}
  /wasm:
    post:
      x-tollgate-mapper:
        uri: "mapper:vtl"
        config:
          request-template: |-
{mapper_request}
          response-template: |-
{mapper_response}
      x-amazon-apigateway-integration:
        type: http
        httpMethod: POST
        uri: "http://${{stageVariables.backend}}/orders"
        responses: {{ default: {{ statusCode: "200" }} }}
"#
    )
}

/// A real backend answering [`BACKEND_ANSWER`] to everything; it keeps the last body it
/// received, for the check that both template paths send the same bytes.
struct Backend {
    address: std::net::SocketAddr,
    last_body: Arc<Mutex<Bytes>>,
    task: tokio::task::JoinHandle<()>,
}

async fn answer(
    request: Request<Incoming>,
    last_body: Arc<Mutex<Bytes>>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let body = request
        .into_body()
        .collect()
        .await
        .map(|b| b.to_bytes())
        .unwrap_or_default();
    *last_body.lock().expect("last body") = body;
    Ok(Response::builder()
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from_static(BACKEND_ANSWER.as_bytes())))
        .expect("response"))
}

impl Backend {
    async fn start() -> Backend {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
            .await
            .expect("binding the backend");
        let address = listener.local_addr().expect("backend address");
        let last_body = Arc::new(Mutex::new(Bytes::new()));
        let shared = last_body.clone();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    continue;
                };
                let _ = stream.set_nodelay(true);
                let shared = shared.clone();
                tokio::spawn(async move {
                    let _ = auto::Builder::new(TokioExecutor::new())
                        .serve_connection(
                            TokioIo::new(stream),
                            service_fn(move |request| answer(request, shared.clone())),
                        )
                        .await;
                });
            }
        });
        Backend {
            address,
            last_body,
            task,
        }
    }

    fn last_body(&self) -> Bytes {
        self.last_body.lock().expect("last body").clone()
    }
}

impl Drop for Backend {
    fn drop(&mut self) {
        self.task.abort();
    }
}

struct Measured {
    requests: usize,
    failures: usize,
    elapsed: Duration,
    latencies: Vec<Duration>,
}

impl Measured {
    fn per_second(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64()
    }

    fn percentile(&self, fraction: f64) -> Duration {
        let mut sorted = self.latencies.clone();
        sorted.sort();
        if sorted.is_empty() {
            return Duration::ZERO;
        }
        let rank = ((sorted.len() as f64 * fraction).ceil() as usize).clamp(1, sorted.len());
        sorted[rank - 1]
    }
}

/// `CONNECTIONS` keep-alive connections sending `POST path` back to back for `duration`.
async fn load(
    address: std::net::SocketAddr,
    path: &'static str,
    expected: Arc<String>,
    duration: Duration,
) -> Measured {
    let started = Instant::now();
    let deadline = started + duration;
    let mut tasks = Vec::with_capacity(CONNECTIONS);
    for _ in 0..CONNECTIONS {
        let expected = expected.clone();
        tasks.push(tokio::spawn(async move {
            let mut connection = Connection::open(address).await;
            let mut latencies = Vec::new();
            let mut failures = 0;
            while Instant::now() < deadline {
                let sent = Instant::now();
                let result = connection
                    .request(
                        "POST",
                        path,
                        &[("content-type", "application/json")],
                        Bytes::from_static(ORDER.as_bytes()),
                    )
                    .await;
                latencies.push(sent.elapsed());
                match result {
                    Ok(answer) if answer.status == 200 && answer.body == expected.as_bytes() => {}
                    Ok(answer) => {
                        failures += 1;
                        if failures == 1 {
                            eprintln!("{path}: unexpected {} {}", answer.status, answer.text());
                        }
                    }
                    Err(error) => {
                        eprintln!("{path}: {error}");
                        failures += 1;
                        break;
                    }
                }
            }
            (latencies, failures)
        }));
    }
    let mut latencies = Vec::new();
    let mut failures = 0;
    for task in tasks {
        let (mut more, failed) = task.await.expect("a load connection panicked");
        latencies.append(&mut more);
        failures += failed;
    }
    Measured {
        requests: latencies.len(),
        failures,
        elapsed: started.elapsed(),
        latencies,
    }
}

fn millis(duration: Duration) -> String {
    format!("{:.3}", duration.as_secs_f64() * 1000.0)
}

async fn run() {
    let bench = std::env::args().any(|a| a == "--bench");
    let seconds: f64 = std::env::var("TEMPLATE_BENCH_SECS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(if bench { 3.0 } else { 1.0 });
    let duration = Duration::from_secs_f64(seconds);
    let warmup = Duration::from_secs_f64((seconds / 4.0).min(1.0));

    let backend = Backend::start().await;
    let data = TempData::new();
    let gateway = Gateway::start_with_env(
        &["serve", "--data-dir", data.path().to_str().unwrap()],
        &[("TOLLGATE_LOG", "warn")],
    );
    gateway.cli_ok(&["plugin", "publish", "vtl", components::VTL_MAPPER]);
    let file = data.write("throughput.yaml", &definition());
    gateway.cli_ok(&[
        "deploy",
        file.to_str().unwrap(),
        "--stage",
        "bench",
        "--var",
        &format!("backend={}", backend.address),
        "--var",
        "env=benchmark",
    ]);

    // One request per variant: what each answers, and that both template paths send the
    // backend the same bytes and answer the same body.
    let mut connection = Connection::open(gateway.address).await;
    let mut probe = async |path: &str| {
        let answer = connection
            .request(
                "POST",
                path,
                &[("content-type", "application/json")],
                Bytes::from_static(ORDER.as_bytes()),
            )
            .await
            .unwrap_or_else(|e| panic!("{path}: {e}"));
        assert_eq!(answer.status, 200, "{path}: {}", answer.text());
        (answer.text(), backend.last_body())
    };
    let (none_body, none_sent) = probe("/bench/none").await;
    let (template_body, template_sent) = probe("/bench/template").await;
    let (wasm_body, wasm_sent) = probe("/bench/wasm").await;
    drop(connection);
    assert_eq!(none_body, BACKEND_ANSWER);
    assert_eq!(none_sent.as_ref(), ORDER.as_bytes());
    serde_json::from_slice::<serde_json::Value>(&template_sent).unwrap_or_else(|e| {
        panic!(
            "the request template renders JSON ({e}): {}",
            String::from_utf8_lossy(&template_sent)
        )
    });
    serde_json::from_str::<serde_json::Value>(&template_body)
        .unwrap_or_else(|e| panic!("the response template renders JSON ({e}): {template_body}"));
    // The same bytes, but for `$context.resourcePath`.
    assert_eq!(
        String::from_utf8_lossy(&template_sent),
        String::from_utf8_lossy(&wasm_sent)
            .replace(r#""resource": "/wasm""#, r#""resource": "/template""#),
        "native and WASM request templates send the same bytes"
    );
    assert_eq!(
        template_body, wasm_body,
        "native and WASM response templates answer the same body"
    );

    let variants: [(&str, &'static str, String); 3] = [
        ("none (passthrough)", "/bench/none", none_body),
        ("template (native VTL)", "/bench/template", template_body),
        ("wasm-mapper (VTL component)", "/bench/wasm", wasm_body),
    ];
    let mut results = Vec::new();
    for (name, path, expected) in variants {
        let expected = Arc::new(expected);
        let _ = load(gateway.address, path, expected.clone(), warmup).await;
        let measured = load(gateway.address, path, expected, duration).await;
        assert_eq!(measured.failures, 0, "{name}: failed requests");
        results.push((name, measured));
    }

    let none_rate = results[0].1.per_second();
    println!();
    println!(
        "template_throughput: {CONNECTIONS} keep-alive connections, {seconds} s per variant, {} ({})",
        tollgate_binary().display(),
        if bench { "bench" } else { "smoke run" }
    );
    println!(
        "request template {} lines, response template {} lines; request {} B, backend answer {} B",
        REQUEST_TEMPLATE.lines().count(),
        RESPONSE_TEMPLATE.lines().count(),
        ORDER.len(),
        BACKEND_ANSWER.len()
    );
    println!(
        "| {:<28} | {:>9} | {:>10} | {:>8} | {:>8} | {:>9} |",
        "variant", "requests", "requests/s", "p50 ms", "p99 ms", "vs none"
    );
    println!(
        "| {:-<28} | {:->9} | {:->10} | {:->8} | {:->8} | {:->9} |",
        "", "", "", "", "", ""
    );
    for (name, measured) in &results {
        println!(
            "| {:<28} | {:>9} | {:>10.0} | {:>8} | {:>8} | {:>9.3} |",
            name,
            measured.requests,
            measured.per_second(),
            millis(measured.percentile(0.50)),
            millis(measured.percentile(0.99)),
            measured.per_second() / none_rate
        );
    }
    println!(
        "ratios: template/none = {:.3}, wasm-mapper/none = {:.3}, wasm-mapper/template = {:.3}",
        results[1].1.per_second() / none_rate,
        results[2].1.per_second() / none_rate,
        results[2].1.per_second() / results[1].1.per_second()
    );
}

fn main() {
    tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("tokio runtime")
        .block_on(run());
}
