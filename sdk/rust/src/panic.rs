//! Panics reported to the gateway's log.
//!
//! A panic aborts the component (a trap: the client gets a 502), and the host's trap report
//! carries a backtrace but not the panic message, which Rust prints to a stderr the gateway
//! does not keep. The export macros therefore install, once per instance, a panic hook that
//! writes the message and location as an `error` record through the `log` interface (which
//! every world imports). Natively the default hook is left alone.

/// Installs the hook; cheap after the first call. Called by the export macros.
#[doc(hidden)]
pub fn install_hook() {
    #[cfg(target_arch = "wasm32")]
    {
        static ONCE: std::sync::Once = std::sync::Once::new();
        ONCE.call_once(|| {
            std::panic::set_hook(Box::new(|info| {
                let message = info
                    .payload()
                    .downcast_ref::<&str>()
                    .copied()
                    .or_else(|| info.payload().downcast_ref::<String>().map(String::as_str))
                    .unwrap_or("(no message)");
                let location = info
                    .location()
                    .map(|l| format!("{}:{}:{}", l.file(), l.line(), l.column()))
                    .unwrap_or_default();
                crate::log::error(
                    "the plugin panicked",
                    &[("message", message), ("location", &location)],
                );
            }));
        });
    }
}
