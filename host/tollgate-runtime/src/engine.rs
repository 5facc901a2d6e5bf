//! The process's one `wasmtime::Engine`: pooling allocator, epoch interruption, and the
//! thread that advances the epoch. Configuration lives here and nowhere else.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use wasmtime::{Config, Enabled, Engine, InstanceAllocationStrategy, PoolingAllocationConfig};

use crate::error::LoadError;

/// Limits and sizes of the runtime.
#[derive(Debug, Clone)]
pub struct RuntimeConfig {
    /// Where compiled components are kept (`DATA_DIR/compiled`).
    pub cache_dir: std::path::PathBuf,
    /// The most linear memory one guest call may use, in bytes.
    pub max_memory_bytes: usize,
    /// How many guest calls may run at once; more wait for a free slot.
    pub max_concurrent_calls: u32,
    /// How often the epoch advances: the granularity of deadlines and of yielding to other
    /// requests while a guest computes.
    pub epoch_tick: Duration,
}

impl RuntimeConfig {
    /// Defaults that suit a gateway: 128 MiB of memory per call, 256 calls at once, 5 ms ticks.
    pub fn new(cache_dir: impl Into<std::path::PathBuf>) -> Self {
        RuntimeConfig {
            cache_dir: cache_dir.into(),
            max_memory_bytes: 128 << 20,
            max_concurrent_calls: 256,
            epoch_tick: Duration::from_millis(5),
        }
    }
}

/// How much of each pooled memory is reset in place rather than released to the kernel.
const KEEP_RESIDENT_BYTES: usize = 2 << 20;

pub(crate) fn build_engine(config: &RuntimeConfig) -> Result<Engine, LoadError> {
    let mut pool = PoolingAllocationConfig::default();
    let slots = config.max_concurrent_calls;
    pool.total_component_instances(slots)
        // A Rust component has a handful of core instances (its module plus adapter shims);
        // other toolchains use more.
        .total_core_instances(slots.saturating_mul(16))
        .total_memories(slots.saturating_mul(2))
        .total_tables(slots.saturating_mul(16))
        .total_stacks(slots)
        .max_memory_size(config.max_memory_bytes)
        // Resetting a slot with memset keeps its pages resident; returning them with madvise
        // costs page faults on the next call and TLB shootdowns across threads, which
        // profiling showed to be most of a fresh call's time.
        .linear_memory_keep_resident(KEEP_RESIDENT_BYTES)
        .table_keep_resident(KEEP_RESIDENT_BYTES / 16)
        .async_stack_keep_resident(KEEP_RESIDENT_BYTES / 8)
        .pagemap_scan(Enabled::Auto)
        // Return what must be returned in batches: fewer madvise calls, fewer shootdowns.
        .decommit_batch_size(64);

    let mut wasm = Config::new();
    wasm.wasm_component_model(true)
        .epoch_interruption(true)
        .allocation_strategy(InstanceAllocationStrategy::Pooling(pool));
    Engine::new(&wasm).map_err(|e| LoadError::Engine(format!("{e:#}")))
}

/// Advances the engine's epoch every tick until dropped.
pub(crate) struct EpochTicker {
    stop: Arc<AtomicBool>,
}

impl EpochTicker {
    pub(crate) fn start(engine: Engine, tick: Duration) -> EpochTicker {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        std::thread::Builder::new()
            .name("tollgate-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(tick);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread at startup");
        EpochTicker { stop }
    }
}

impl Drop for EpochTicker {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
    }
}
