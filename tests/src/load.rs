//! Timed request bursts for the throttling and quota tests: every answer with the instants it
//! was sent and received, and the token-bucket accounting that judges a limiter from them.
//!
//! A bucket of `rate` tokens a second and room for `burst`, full when the first request comes,
//! can admit at most `burst + rate × (last decision − first decision)` requests. The gateway
//! decides each request between the instant it was sent and the instant its answer arrived,
//! so the client's clock bounds the decisions from both sides: every decision lies within
//! [first sent, last received] (the outer window), and the decisions span at least
//! [first received, last sent] (the inner window). Under continuous demand a correct bucket
//! admits between `burst + rate × inner` and `burst + rate × outer` requests, whatever the
//! machine's load — a slow machine widens both windows, it does not move the verdict.

use std::net::SocketAddr;
use std::time::{Duration, Instant};

use bytes::Bytes;

use crate::client::Connection;

/// One answer and when it was sent and received.
#[derive(Debug, Clone)]
pub struct Timed {
    pub sent: Instant,
    pub received: Instant,
    pub status: u16,
    pub body: Bytes,
}

impl Timed {
    /// The body as text.
    pub fn text(&self) -> String {
        String::from_utf8_lossy(&self.body).into_owned()
    }
}

/// Owned copies of request headers, to move into tasks.
fn owned(headers: &[(&str, &str)]) -> Vec<(String, String)> {
    headers
        .iter()
        .map(|(n, v)| (n.to_string(), v.to_string()))
        .collect()
}

fn borrowed(headers: &[(String, String)]) -> Vec<(&str, &str)> {
    headers
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

async fn timed_get(connection: &mut Connection, path: &str, headers: &[(&str, &str)]) -> Timed {
    let sent = Instant::now();
    let answer = connection
        .request("GET", path, headers, Bytes::new())
        .await
        .unwrap_or_else(|e| panic!("GET {path}: {e}"));
    Timed {
        sent,
        received: Instant::now(),
        status: answer.status,
        body: answer.body,
    }
}

/// Sends `count` `GET path` requests one after another on one keep-alive connection.
pub async fn sequential(
    address: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    count: usize,
) -> Vec<Timed> {
    let mut connection = Connection::open(address).await;
    let mut answers = Vec::with_capacity(count);
    for _ in 0..count {
        answers.push(timed_get(&mut connection, path, headers).await);
    }
    answers
}

/// Sends `total` `GET path` requests at once over `connections` keep-alive connections
/// (opened first, then released together), spread evenly; every answer, in no particular
/// order.
pub async fn concurrent(
    address: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    connections: usize,
    total: usize,
) -> Vec<Timed> {
    let connections = connections.max(1);
    let start = std::sync::Arc::new(tokio::sync::Barrier::new(connections));
    let mut tasks = Vec::new();
    for index in 0..connections {
        let count = total / connections + usize::from(index < total % connections);
        let (path, headers, start) = (path.to_string(), owned(headers), start.clone());
        let mut connection = Connection::open(address).await;
        tasks.push(tokio::spawn(async move {
            let headers = borrowed(&headers);
            start.wait().await;
            let mut answers = Vec::with_capacity(count);
            for _ in 0..count {
                answers.push(timed_get(&mut connection, &path, &headers).await);
            }
            answers
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("a request task panicked"));
    }
    all
}

/// Keeps `connections` keep-alive connections sending `GET path` for `duration`, each waiting
/// `pause` between its requests (demand stays far above any rate under test while the
/// client leaves the machine some room); every answer.
pub async fn sustained(
    address: SocketAddr,
    path: &str,
    headers: &[(&str, &str)],
    connections: usize,
    duration: Duration,
    pause: Duration,
) -> Vec<Timed> {
    let until = Instant::now() + duration;
    let mut tasks = Vec::new();
    for _ in 0..connections.max(1) {
        let (path, headers) = (path.to_string(), owned(headers));
        let mut connection = Connection::open(address).await;
        tasks.push(tokio::spawn(async move {
            let headers = borrowed(&headers);
            let mut answers = Vec::new();
            while Instant::now() < until {
                answers.push(timed_get(&mut connection, &path, &headers).await);
                tokio::time::sleep(pause).await;
            }
            answers
        }));
    }
    let mut all = Vec::new();
    for task in tasks {
        all.extend(task.await.expect("a request task panicked"));
    }
    all
}

/// How many answers were admitted (200 with `body`) and refused (exactly `refusal`), with
/// their 429 body; panics on any other answer.
pub fn tally(answers: &[Timed], admitted_body: &str, refusal: (u16, &str)) -> (usize, usize) {
    let mut admitted = 0;
    let mut refused = 0;
    for answer in answers {
        match (answer.status, answer.text()) {
            (200, body) if body == admitted_body => admitted += 1,
            (status, body) if status == refusal.0 && body == refusal.1 => refused += 1,
            (status, body) => panic!(
                "an answer is neither 200 {admitted_body} nor {} {}: {status} {body}",
                refusal.0, refusal.1
            ),
        }
    }
    (admitted, refused)
}

/// The throttling refusal: 429 `{"message":"Too Many Requests"}`.
pub const TOO_MANY_REQUESTS: (u16, &str) = (429, r#"{"message":"Too Many Requests"}"#);

/// The decision windows of a set of answers (see the module docs), in seconds.
#[derive(Debug, Clone, Copy)]
pub struct Windows {
    /// First sent to last received: every decision lies within it.
    pub outer: f64,
    /// First received to last sent: the decisions span at least this.
    pub inner: f64,
    /// The longest pause between two consecutive sends.
    pub longest_gap: f64,
}

/// The windows of `answers` (panics when there are none).
pub fn windows(answers: &[Timed]) -> Windows {
    assert!(!answers.is_empty(), "no answers");
    let first_sent = answers.iter().map(|a| a.sent).min().expect("answers");
    let last_sent = answers.iter().map(|a| a.sent).max().expect("answers");
    let first_received = answers.iter().map(|a| a.received).min().expect("answers");
    let last_received = answers.iter().map(|a| a.received).max().expect("answers");
    let mut sends: Vec<Instant> = answers.iter().map(|a| a.sent).collect();
    sends.sort();
    Windows {
        outer: last_received.duration_since(first_sent).as_secs_f64(),
        inner: last_sent
            .saturating_duration_since(first_received)
            .as_secs_f64(),
        longest_gap: sends
            .windows(2)
            .map(|w| w[1].duration_since(w[0]).as_secs_f64())
            .fold(0.0, f64::max),
    }
}

/// Requests sent one after another (by [`sequential`]) to a bucket of `rate`/s and `burst`
/// that was full before the first: the first `burst` are admitted, and no more than the
/// bucket could refill during the outer window (`rate × outer`, rounded down) after them. With
/// a rate far below one request per run (0.01/s) this is exactly `burst`. Returns the
/// admitted count.
pub fn assert_burst(
    what: &str,
    answers: &[Timed],
    admitted_body: &str,
    rate: f64,
    burst: u32,
) -> usize {
    let (admitted, refused) = tally(answers, admitted_body, TOO_MANY_REQUESTS);
    let statuses: Vec<u16> = answers.iter().map(|a| a.status).collect();
    let full = (burst as usize).min(answers.len());
    assert!(
        statuses[..full].iter().all(|s| *s == 200),
        "{what}: the first {full} requests must be admitted (burst {burst}): {statuses:?}"
    );
    let refill = (rate * windows(answers).outer).floor() as usize;
    assert!(
        admitted <= burst as usize + refill,
        "{what}: {admitted} admitted, {refused} refused; burst {burst} and rate {rate}/s allow \
         at most {} here: {statuses:?}",
        burst as usize + refill
    );
    admitted
}

/// The bounds a bucket of `rate`/s and `burst`, full at the first of `answers` and under
/// continuous demand throughout, must keep (see the module docs); `tolerance` widens the
/// rate term (0.1 = within 10 %). Panics with the numbers when the admitted count is outside.
/// Returns the admitted count.
pub fn assert_bucket(
    what: &str,
    answers: &[Timed],
    admitted_body: &str,
    rate: f64,
    burst: u32,
    tolerance: f64,
) -> usize {
    let (admitted, refused) = tally(answers, admitted_body, TOO_MANY_REQUESTS);
    let Windows {
        outer,
        inner,
        longest_gap,
    } = windows(answers);
    let most = f64::from(burst) + rate * outer * (1.0 + tolerance) + 1.0;
    let least = f64::from(burst) + rate * inner * (1.0 - tolerance) - 1.0;
    // A bucket left without requests for burst/rate seconds fills up and wastes tokens; only
    // a stalled client leaves such a pause, and then the lower bound says nothing.
    let continuous = longest_gap < f64::from(burst) / rate;
    let report = format!(
        "{what}: {admitted} admitted, {refused} refused; rate {rate}/s, burst {burst}; \
         decisions within {outer:.3} s (outer) and spanning at least {inner:.3} s (inner): \
         admitted must be within [{least:.1}, {most:.1}] (rate above the burst over the outer \
         window: {:.2}/s); longest pause in demand {longest_gap:.3} s{}",
        (admitted as f64 - f64::from(burst)) / outer,
        if continuous {
            ""
        } else {
            " (the client stalled: lower bound not checked)"
        }
    );
    assert!(admitted as f64 <= most, "too many admitted. {report}");
    if continuous {
        assert!(admitted as f64 >= least, "too few admitted. {report}");
    }
    eprintln!("{report}");
    admitted
}
