//! Functions: the `function` world, API Gateway's `AWS_PROXY` (Lambda-proxy) integration.
//!
//! Implement [`Function`] over typed [`ProxyEvent`]/[`ProxyResponse`] values and export it
//! with [`export_function!`](crate::export_function), or implement [`RawFunction`] over the
//! exact JSON and export it with [`export_raw_function!`](crate::export_raw_function).

use crate::proxy::{ProxyEvent, ProxyResponse};

/// A function answering Lambda-proxy events with typed values.
///
/// An `Err` is a function error (Lambda's `errorMessage`): behind an `AWS_PROXY` integration
/// the client gets a 502; behind an `AWS` integration the message is matched against the
/// integration responses' selection patterns. A panic traps the component: the client gets
/// a 502, and the panic message goes to the gateway's log as an `error` record.
pub trait Function {
    /// Handles one event.
    fn handle(event: ProxyEvent) -> Result<ProxyResponse, String>;
}

/// A function over the exact JSON of the Lambda-proxy event and response, for plugins that
/// need to see or produce JSON the typed [`Function`] would not (the gateway answers 502 to
/// anything that is not a valid Lambda-proxy response).
pub trait RawFunction {
    /// Handles the JSON of one event and returns the JSON of the response.
    fn handle(event: String) -> Result<String, String>;
}

/// Runs a typed [`Function`] over the raw JSON of the `handler` interface.
#[doc(hidden)]
pub fn handle_with<F: Function>(event: String) -> Result<String, String> {
    let event = ProxyEvent::from_json(&event)
        .map_err(|e| format!("tollgate-sdk: cannot parse the Lambda-proxy event: {e}"))?;
    F::handle(event).map(|response| response.to_json())
}

/// Exports a [`Function`] as the component's `tollgate:plugin/handler` (world `function`).
///
/// Call it once, at the top level of the plugin crate (a `cdylib`):
///
/// ```no_run
/// use tollgate_sdk::{Function, ProxyEvent, ProxyResponse};
///
/// struct Hello;
///
/// impl Function for Hello {
///     fn handle(event: ProxyEvent) -> Result<ProxyResponse, String> {
///         let name = event.query("name").unwrap_or("world");
///         Ok(ProxyResponse::text(200, format!("hello, {name}")))
///     }
/// }
///
/// tollgate_sdk::export_function!(Hello);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! export_function {
    ($ty:ty) => {
        // Checks `$ty` on every target; the export itself exists only in WebAssembly (a
        // native cdylib cannot link symbols named like `tollgate:plugin/handler@0.1.0#handle`).
        const _: fn(
            ::std::string::String,
        ) -> ::std::result::Result<::std::string::String, ::std::string::String> =
            $crate::function::handle_with::<$ty>;
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct TollgateFunctionExport;
            impl $crate::bindings::function::exports::tollgate::plugin::handler::Guest
                for TollgateFunctionExport
            {
                fn handle(
                    event: ::std::string::String,
                ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                    $crate::panic::install_hook();
                    $crate::function::handle_with::<$ty>(event)
                }
            }
            $crate::bindings::function::export_function_world!(
                TollgateFunctionExport with_types_in $crate::bindings::function
            );
        };
    };
}

/// Exports a [`RawFunction`] as the component's `tollgate:plugin/handler` (world `function`).
///
/// ```no_run
/// use tollgate_sdk::RawFunction;
///
/// struct Echo;
///
/// impl RawFunction for Echo {
///     fn handle(event: String) -> Result<String, String> {
///         let body = tollgate_sdk::serde_json::to_string(&event).map_err(|e| e.to_string())?;
///         Ok(format!(r#"{{"statusCode":200,"body":{body}}}"#))
///     }
/// }
///
/// tollgate_sdk::export_raw_function!(Echo);
/// # fn main() {}
/// ```
#[macro_export]
macro_rules! export_raw_function {
    ($ty:ty) => {
        // Checks `$ty` on every target; the export itself exists only in WebAssembly.
        const _: fn(
            ::std::string::String,
        ) -> ::std::result::Result<::std::string::String, ::std::string::String> =
            <$ty as $crate::RawFunction>::handle;
        #[cfg(target_arch = "wasm32")]
        const _: () = {
            struct TollgateRawFunctionExport;
            impl $crate::bindings::function::exports::tollgate::plugin::handler::Guest
                for TollgateRawFunctionExport
            {
                fn handle(
                    event: ::std::string::String,
                ) -> ::std::result::Result<::std::string::String, ::std::string::String> {
                    $crate::panic::install_hook();
                    <$ty as $crate::RawFunction>::handle(event)
                }
            }
            $crate::bindings::function::export_function_world!(
                TollgateRawFunctionExport with_types_in $crate::bindings::function
            );
        };
    };
}
