//! A real OpenID Connect issuer for JWT authorizers: signing keys made at test time
//! ([`SigningKey`], RS256 or ES256), tokens signed with them ([`TokenMinter`]), and an HTTP
//! server on loopback ([`JwksServer`]) publishing `/.well-known/openid-configuration` and
//! `/jwks.json`, whose keys a test can rotate and whose fetches it can count.
//!
//! ```no_run
//! use tollgate_tests::jwks::{JwksServer, SigningKey};
//! let key = SigningKey::rs256("key-1");
//! let issuer = JwksServer::start(&[&key]);
//! // An authorizer with `issuer: issuer.issuer()` (discovery) or `jwks_uri: issuer.jwks_uri()`.
//! let token = issuer.minter(&key).mint(serde_json::json!({"aud": "my-api", "scope": "read"}));
//! // ... send `Authorization: Bearer {token}` to the gateway ...
//! assert_eq!(issuer.jwks_fetches(), 1);
//! ```

use std::convert::Infallible;
use std::net::SocketAddr;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use bytes::Bytes;
use http::{Request, Response};
use http_body_util::Full;
use hyper::body::Incoming;
use hyper::service::service_fn;
use hyper_util::rt::{TokioExecutor, TokioIo};
use hyper_util::server::conn::auto;
use jsonwebtoken::{Algorithm, EncodingKey, Header};
use serde_json::{Value, json};

/// A private key with its `kid` and the public JWK the server publishes for it.
#[derive(Clone)]
pub struct SigningKey {
    kid: String,
    alg: Algorithm,
    encoding: EncodingKey,
    jwk: Value,
}

impl SigningKey {
    /// A fresh 2048-bit RSA key (RS256).
    pub fn rs256(kid: &str) -> SigningKey {
        use rsa::pkcs1::EncodeRsaPrivateKey;
        use rsa::traits::PublicKeyParts;
        let key = rsa::RsaPrivateKey::new(&mut rsa::rand_core::OsRng, 2048).expect("RSA key");
        let der = key.to_pkcs1_der().expect("PKCS#1 DER");
        let jwk = json!({
            "kty": "RSA", "use": "sig", "alg": "RS256", "kid": kid,
            "n": URL_SAFE_NO_PAD.encode(key.n().to_bytes_be()),
            "e": URL_SAFE_NO_PAD.encode(key.e().to_bytes_be()),
        });
        SigningKey {
            kid: kid.into(),
            alg: Algorithm::RS256,
            encoding: EncodingKey::from_rsa_der(der.as_bytes()),
            jwk,
        }
    }

    /// A fresh P-256 key (ES256).
    pub fn es256(kid: &str) -> SigningKey {
        use p256::elliptic_curve::sec1::ToEncodedPoint;
        use p256::pkcs8::EncodePrivateKey;
        let key = p256::SecretKey::random(&mut rsa::rand_core::OsRng);
        let der = key.to_pkcs8_der().expect("PKCS#8 DER");
        let point = key.public_key().to_encoded_point(false);
        let jwk = json!({
            "kty": "EC", "use": "sig", "alg": "ES256", "kid": kid, "crv": "P-256",
            "x": URL_SAFE_NO_PAD.encode(point.x().expect("x")),
            "y": URL_SAFE_NO_PAD.encode(point.y().expect("y")),
        });
        SigningKey {
            kid: kid.into(),
            alg: Algorithm::ES256,
            encoding: EncodingKey::from_ec_der(der.as_bytes()),
            jwk,
        }
    }

    pub fn kid(&self) -> &str {
        &self.kid
    }

    /// The public key as published in the JWKS.
    pub fn jwk(&self) -> &Value {
        &self.jwk
    }

    /// Signs exactly `claims` (nothing added), with this key's `alg` and `kid`.
    pub fn mint(&self, claims: Value) -> String {
        self.mint_with_kid(&self.kid, claims)
    }

    /// Signs with this key but names `kid` in the header: a forged or unknown-key token.
    pub fn mint_with_kid(&self, kid: &str, claims: Value) -> String {
        let mut header = Header::new(self.alg);
        header.kid = Some(kid.into());
        jsonwebtoken::encode(&header, &claims, &self.encoding).expect("signing a token")
    }
}

/// Tokens of one issuer, valid now: `mint` adds `iss`, `iat` (now) and `exp` (in an hour)
/// unless `claims` has them.
#[derive(Clone)]
pub struct TokenMinter {
    issuer: String,
    key: SigningKey,
}

impl TokenMinter {
    pub fn new(issuer: impl Into<String>, key: SigningKey) -> TokenMinter {
        TokenMinter {
            issuer: issuer.into(),
            key,
        }
    }

    pub fn key(&self) -> &SigningKey {
        &self.key
    }

    /// `claims` must be a JSON object.
    pub fn mint(&self, claims: Value) -> String {
        let Value::Object(mut claims) = claims else {
            panic!("claims must be a JSON object, not {claims}");
        };
        let now = SystemTime::now()
            .duration_since(UNIX_EPOCH)
            .expect("clock after 1970")
            .as_secs();
        claims.entry("iss").or_insert_with(|| json!(self.issuer));
        claims.entry("iat").or_insert_with(|| json!(now));
        claims.entry("exp").or_insert_with(|| json!(now + 3600));
        self.key.mint(Value::Object(claims))
    }
}

#[derive(Default)]
struct State {
    keys: Mutex<Vec<Value>>,
    jwks_fetches: AtomicUsize,
    discovery_fetches: AtomicUsize,
    down: AtomicBool,
    delay: Mutex<Duration>,
}

/// The issuer's HTTP side, on a thread of its own with its own runtime, so that it serves
/// whatever the test's runtime is doing (or from a test without one). Stops when dropped.
pub struct JwksServer {
    address: SocketAddr,
    state: Arc<State>,
    shutdown: Option<tokio::sync::oneshot::Sender<()>>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl JwksServer {
    /// Starts on a free loopback port, publishing `keys`.
    pub fn start(keys: &[&SigningKey]) -> JwksServer {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("binding the issuer");
        listener.set_nonblocking(true).expect("non-blocking");
        let address = listener.local_addr().expect("issuer address");
        let state = Arc::new(State::default());
        let served = state.clone();
        let (shutdown, stop) = tokio::sync::oneshot::channel::<()>();
        let thread = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("issuer runtime");
            runtime.block_on(serve(listener, address, served, stop));
        });
        let server = JwksServer {
            address,
            state,
            shutdown: Some(shutdown),
            thread: Some(thread),
        };
        server.set_keys(keys);
        server
    }

    /// `http://ADDR`: the issuer, as its discovery document and its tokens name it.
    pub fn issuer(&self) -> String {
        format!("http://{}", self.address)
    }

    /// `{issuer}/jwks.json`.
    pub fn jwks_uri(&self) -> String {
        format!("{}/jwks.json", self.issuer())
    }

    /// A minter of this issuer's tokens signed with `key` (published or not).
    pub fn minter(&self, key: &SigningKey) -> TokenMinter {
        TokenMinter::new(self.issuer(), key.clone())
    }

    /// Replaces the published keys.
    pub fn set_keys(&self, keys: &[&SigningKey]) {
        *self.state.keys.lock().expect("keys") = keys.iter().map(|k| k.jwk.clone()).collect();
    }

    /// Publishes `key` beside the others (replacing one with the same `kid`).
    pub fn publish(&self, key: &SigningKey) {
        let mut keys = self.state.keys.lock().expect("keys");
        keys.retain(|k| k["kid"] != key.kid.as_str());
        keys.push(key.jwk.clone());
    }

    /// Stops publishing the key `kid`.
    pub fn retire(&self, kid: &str) {
        self.state
            .keys
            .lock()
            .expect("keys")
            .retain(|k| k["kid"] != kid);
    }

    /// While down, every path answers 503 (still counted as a fetch).
    pub fn set_down(&self, down: bool) {
        self.state.down.store(down, Ordering::SeqCst);
    }

    /// Every answer waits this long first (a slow or hung issuer).
    pub fn set_delay(&self, delay: Duration) {
        *self.state.delay.lock().expect("delay") = delay;
    }

    /// Requests for `/jwks.json` so far, answered or not.
    pub fn jwks_fetches(&self) -> usize {
        self.state.jwks_fetches.load(Ordering::SeqCst)
    }

    /// Requests for the discovery document so far, answered or not.
    pub fn discovery_fetches(&self) -> usize {
        self.state.discovery_fetches.load(Ordering::SeqCst)
    }
}

impl Drop for JwksServer {
    fn drop(&mut self) {
        if let Some(shutdown) = self.shutdown.take() {
            let _ = shutdown.send(());
        }
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

async fn serve(
    listener: std::net::TcpListener,
    address: SocketAddr,
    state: Arc<State>,
    mut stop: tokio::sync::oneshot::Receiver<()>,
) {
    let listener = tokio::net::TcpListener::from_std(listener).expect("tokio listener");
    loop {
        let stream = tokio::select! {
            _ = &mut stop => return,
            accepted = listener.accept() => match accepted {
                Ok((stream, _)) => stream,
                Err(_) => continue,
            },
        };
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |request| answer(request, address, state.clone()));
            let _ = auto::Builder::new(TokioExecutor::new())
                .serve_connection(TokioIo::new(stream), service)
                .await;
        });
    }
}

async fn answer(
    request: Request<Incoming>,
    address: SocketAddr,
    state: Arc<State>,
) -> Result<Response<Full<Bytes>>, Infallible> {
    let issuer = format!("http://{address}");
    let body = match request.uri().path() {
        "/.well-known/openid-configuration" => {
            state.discovery_fetches.fetch_add(1, Ordering::SeqCst);
            Some(json!({
                "issuer": issuer,
                "jwks_uri": format!("{issuer}/jwks.json"),
                "id_token_signing_alg_values_supported": ["RS256", "ES256"],
            }))
        }
        "/jwks.json" => {
            state.jwks_fetches.fetch_add(1, Ordering::SeqCst);
            Some(json!({"keys": *state.keys.lock().expect("keys")}))
        }
        _ => None,
    };
    let delay = *state.delay.lock().expect("delay");
    tokio::time::sleep(delay).await;
    let status = match &body {
        _ if state.down.load(Ordering::SeqCst) => 503,
        Some(_) => 200,
        None => 404,
    };
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    Ok(Response::builder()
        .status(status)
        .header("content-type", "application/json")
        .body(Full::new(Bytes::from(body)))
        .expect("response"))
}
