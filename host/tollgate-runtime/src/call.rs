//! One call into a guest: a fresh `Store` from the plugin's `InstancePre`, a memory limit,
//! a deadline, and the translation of whatever went wrong into a [`CallError`].

use std::time::Duration;

use bytes::Bytes;
use http_body_util::{BodyExt, Full, Limited};
use wasmtime::{ResourceLimiter, Store, Trap, UpdateDeadline};
use wasmtime_wasi_http::WasiHttpView;
use wasmtime_wasi_http::p2::bindings::http::types::Scheme;

use crate::bindings::authorizer::exports::tollgate::plugin::authorization::{
    AuthorizerRequest, AuthorizerResponse,
};
use crate::bindings::types::{HttpRequest, HttpResponse, RequestContext};
use crate::error::CallError;
use crate::state::{HostState, Invocation};
use crate::{Plugin, PluginPre};

/// The largest response body a `wasi:http` function may produce (API Gateway's payload limit).
const MAX_HTTP_RESPONSE_BYTES: usize = 10 * 1024 * 1024;

/// A guest broke its world's contract in a way only the host can see (e.g. a wasi:http
/// component that returned without setting a response).
#[derive(Debug)]
struct ContractViolation(String);

impl std::fmt::Display for ContractViolation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for ContractViolation {}

fn contract_violation(message: impl Into<String>) -> wasmtime::Error {
    wasmtime::Error::new(ContractViolation(message.into()))
}

/// Caps a guest's linear memories and tables, and remembers when it asked for more than its
/// limit so a resulting trap can be reported as memory exhaustion.
pub(crate) struct GuestLimiter {
    max_memory_bytes: usize,
    pub(crate) denied_growth: bool,
}

impl GuestLimiter {
    pub(crate) fn new(max_memory_bytes: usize) -> Self {
        GuestLimiter {
            max_memory_bytes,
            denied_growth: false,
        }
    }
}

impl ResourceLimiter for GuestLimiter {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        let allowed = desired <= self.max_memory_bytes;
        if !allowed {
            self.denied_growth = true;
        }
        Ok(allowed)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        Ok(desired <= 1_000_000)
    }
}

impl Plugin {
    fn new_store(&self, invocation: Invocation) -> Store<HostState> {
        let config = &self.runtime.config;
        let tick = config.epoch_tick.as_nanos().max(1);
        // A couple of ticks of slack: the async timeout is the deadline users see; this is the
        // backstop that stops a guest even if nobody polls the timeout.
        let ticks = (invocation.timeout.as_nanos() / tick) as u64 + 2;
        let state = HostState::new(
            invocation,
            GuestLimiter::new(config.max_memory_bytes),
            ticks,
        );
        let mut store = Store::new(&self.runtime.engine, state);
        store.limiter(|state| &mut state.limiter);
        store.set_epoch_deadline(1);
        store.epoch_deadline_callback(|mut context| {
            let state = context.data_mut();
            if state.ticks_left == 0 {
                return Ok(UpdateDeadline::Interrupt);
            }
            state.ticks_left -= 1;
            // Yield at every tick so a computing guest never starves other requests.
            Ok(UpdateDeadline::Yield(1))
        });
        store
    }

    fn classify(
        &self,
        error: wasmtime::Error,
        store: &Store<HostState>,
        timeout: Duration,
    ) -> CallError {
        if store.data().limiter.denied_growth {
            return CallError::MemoryExhausted {
                limit_bytes: self.runtime.config.max_memory_bytes,
            };
        }
        if let Some(violation) = error.downcast_ref::<ContractViolation>() {
            return CallError::Contract(violation.0.clone());
        }
        match error.downcast_ref::<Trap>() {
            Some(Trap::Interrupt) => CallError::Timeout(timeout),
            // Traps, and failures of host functions the guest called, fail the guest's call.
            _ => CallError::Trap(format!("{error:#}")),
        }
    }

    /// Runs `body` against a fresh store under the call's deadline and a pool slot.
    async fn with_store<R>(
        &self,
        invocation: Invocation,
        body: impl AsyncFnOnce(&mut Store<HostState>) -> wasmtime::Result<R>,
    ) -> Result<R, CallError> {
        let timeout = invocation.timeout;
        let started = tokio::time::Instant::now();
        // Waiting for a free instance slot counts against the call's deadline.
        let _slot = match tokio::time::timeout(timeout, self.runtime.slots.acquire()).await {
            Err(_elapsed) => return Err(CallError::Timeout(timeout)),
            Ok(Err(closed)) => return Err(CallError::Instantiate(closed.to_string())),
            Ok(Ok(slot)) => slot,
        };
        let remaining = timeout.saturating_sub(started.elapsed());
        let mut store = self.new_store(invocation);
        let outcome = tokio::time::timeout(remaining, body(&mut store)).await;
        match outcome {
            Err(_elapsed) => Err(CallError::Timeout(timeout)),
            Ok(Ok(value)) => Ok(value),
            Ok(Err(error)) => Err(self.classify(error, &store, timeout)),
        }
    }

    fn wrong_world(&self, expected: &'static str) -> CallError {
        CallError::WrongWorld {
            expected,
            actual: self.kind().describe(),
        }
    }

    /// Calls a `function`'s `handle` with a Lambda-proxy event. The inner result is the
    /// guest's own answer: the response JSON, or its function error message.
    pub async fn handle_event(
        &self,
        invocation: Invocation,
        event: &str,
    ) -> Result<Result<String, String>, CallError> {
        let PluginPre::Function(pre) = &self.pre else {
            return Err(self.wrong_world("function"));
        };
        self.with_store(invocation, async |store| {
            let function = pre.instantiate_async(&mut *store).await?;
            function
                .tollgate_plugin_handler()
                .call_handle(&mut *store, event)
                .await
        })
        .await
    }

    /// Serves one HTTP request with a standard `wasi:http/proxy` component.
    pub async fn serve_http(
        &self,
        invocation: Invocation,
        request: http::Request<Bytes>,
    ) -> Result<http::Response<Bytes>, CallError> {
        let PluginPre::WasiHttp(pre) = &self.pre else {
            return Err(self.wrong_world("wasi:http proxy"));
        };
        self.with_store(invocation, async |store| {
            let (sender, receiver) = tokio::sync::oneshot::channel();
            let request = request.map(Full::new);
            let request = store
                .data_mut()
                .http()
                .new_incoming_request(Scheme::Http, request)?;
            let outparam = store.data_mut().http().new_response_outparam(sender)?;
            let proxy = pre.instantiate_async(&mut *store).await?;
            let call =
                proxy
                    .wasi_http_incoming_handler()
                    .call_handle(&mut *store, request, outparam);
            // The guest may stream its body after setting the response, so the body is read
            // while the call runs, not after.
            let response = async move {
                let response = receiver
                    .await
                    .map_err(|_| contract_violation("the component never set a response"))?
                    .map_err(|code| {
                        contract_violation(format!("the component answered with error {code:?}"))
                    })?;
                let (parts, body) = response.into_parts();
                let body = Limited::new(body, MAX_HTTP_RESPONSE_BYTES)
                    .collect()
                    .await
                    .map_err(|e| {
                        contract_violation(format!("reading the component's response body: {e}"))
                    })?
                    .to_bytes();
                Ok::<_, wasmtime::Error>(http::Response::from_parts(parts, body))
            };
            tokio::pin!(call, response);
            let mut call_done = false;
            loop {
                tokio::select! {
                    finished = &mut call, if !call_done => {
                        finished?;
                        call_done = true;
                    }
                    answered = &mut response => return answered,
                }
            }
        })
        .await
    }

    /// Calls a `mapper`'s `map-request`.
    pub async fn map_request(
        &self,
        invocation: Invocation,
        request: HttpRequest,
        context: RequestContext,
    ) -> Result<Result<HttpRequest, String>, CallError> {
        let PluginPre::Mapper(pre) = &self.pre else {
            return Err(self.wrong_world("mapper"));
        };
        self.with_store(invocation, async |store| {
            let mapper = pre.instantiate_async(&mut *store).await?;
            mapper
                .tollgate_plugin_mapping()
                .call_map_request(&mut *store, &request, &context)
                .await
        })
        .await
    }

    /// Calls a `mapper`'s `map-response`.
    pub async fn map_response(
        &self,
        invocation: Invocation,
        response: HttpResponse,
        context: RequestContext,
    ) -> Result<Result<HttpResponse, String>, CallError> {
        let PluginPre::Mapper(pre) = &self.pre else {
            return Err(self.wrong_world("mapper"));
        };
        self.with_store(invocation, async |store| {
            let mapper = pre.instantiate_async(&mut *store).await?;
            mapper
                .tollgate_plugin_mapping()
                .call_map_response(&mut *store, &response, &context)
                .await
        })
        .await
    }

    /// Calls an `authorizer`'s `authorize`.
    pub async fn authorize(
        &self,
        invocation: Invocation,
        request: AuthorizerRequest,
    ) -> Result<Result<AuthorizerResponse, String>, CallError> {
        let PluginPre::Authorizer(pre) = &self.pre else {
            return Err(self.wrong_world("authorizer"));
        };
        self.with_store(invocation, async |store| {
            let authorizer = pre.instantiate_async(&mut *store).await?;
            authorizer
                .tollgate_plugin_authorization()
                .call_authorize(&mut *store, &request)
                .await
        })
        .await
    }
}
