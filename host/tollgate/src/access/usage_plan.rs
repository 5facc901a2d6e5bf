//! Step 4: API keys and usage plans. A method that requires a key is refused (403
//! `Forbidden`) without an enabled key that belongs to a usage plan of the stage; the plan's
//! per-key throttle is checked with the other buckets (`throttling.rs`), and its quota here.
//!
//! Quotas never lose a count: each key's count for the current period is kept in memory
//! (loaded from the store when a period starts or the gateway restarts), checked and raised
//! under a lock so that concurrent requests never exceed the limit, and the request goes on
//! only once a journal thread has committed the increment to the store (many requests'
//! increments share one commit). A `kill -9` can lose a count only of a request that had not
//! yet been let through.

use std::collections::HashMap;
use std::sync::Arc;
use std::sync::mpsc;

use dashmap::DashMap;
use tokio::sync::{Mutex, oneshot};
use tollgate_store::{Quota, Store, UsageIncrement, UsagePlan};

use crate::gateway_response::GatewayError;

/// The most increments one commit takes.
const JOURNAL_BATCH: usize = 4096;

/// One key's count in one plan.
struct Counter {
    period_start: u64,
    used: u64,
    /// Whether `used` was read from the store for `period_start`.
    loaded: bool,
}

struct Pending {
    increment: UsageIncrement,
    committed: oneshot::Sender<Result<(), String>>,
}

/// The quota counts of every key, and the journal that makes them durable.
pub struct QuotaLedger {
    store: Store,
    counters: DashMap<(String, String), Arc<Mutex<Counter>>>,
    journal: mpsc::Sender<Pending>,
}

impl QuotaLedger {
    /// A ledger over `store`, with its journal thread.
    pub fn new(store: Store) -> QuotaLedger {
        let (journal, entries) = mpsc::channel::<Pending>();
        let journal_store = store.clone();
        std::thread::Builder::new()
            .name("tollgate-quota-journal".to_string())
            .spawn(move || run_journal(&journal_store, &entries))
            .expect("the quota journal thread starts");
        QuotaLedger {
            store,
            counters: DashMap::new(),
            journal,
        }
    }

    /// Counts one request of `key_id` against `plan`'s quota: 429 `Limit Exceeded` when the
    /// period's quota is used up; otherwise returns once the count is committed.
    pub async fn consume(
        &self,
        plan: &UsagePlan,
        quota: &Quota,
        key_id: &str,
        now_unix: u64,
    ) -> Result<(), GatewayError> {
        let period_start = tollgate_store::quota_period_start(quota, now_unix);
        let counter = self
            .counters
            .entry((plan.id.clone(), key_id.to_string()))
            .or_insert_with(|| {
                Arc::new(Mutex::new(Counter {
                    period_start,
                    used: 0,
                    loaded: false,
                }))
            })
            .clone();
        {
            let mut count = counter.lock().await;
            if count.period_start != period_start || !count.loaded {
                let store = self.store.clone();
                let (plan_id, key) = (plan.id.clone(), key_id.to_string());
                let used =
                    tokio::task::spawn_blocking(move || store.usage(&plan_id, &key, period_start))
                        .await
                        .map_err(|e| internal(e.to_string()))?
                        .map_err(|e| internal(e.to_string()))?;
                *count = Counter {
                    period_start,
                    used,
                    loaded: true,
                };
            }
            if count.used >= quota.limit {
                return Err(GatewayError::QuotaExceeded);
            }
            count.used += 1;
        }
        let (committed, done) = oneshot::channel();
        let pending = Pending {
            increment: UsageIncrement {
                plan_id: plan.id.clone(),
                key_id: key_id.to_string(),
                period_start,
                count: 1,
            },
            committed,
        };
        let outcome = match self.journal.send(pending) {
            Ok(()) => done
                .await
                .unwrap_or_else(|_| Err("the quota journal stopped".to_string())),
            Err(_) => Err("the quota journal stopped".to_string()),
        };
        if let Err(reason) = outcome {
            // Not committed: the request does not go on, so it does not count either.
            let mut count = counter.lock().await;
            if count.period_start == period_start {
                count.used = count.used.saturating_sub(1);
            }
            return Err(internal(format!("quota count not recorded: {reason}")));
        }
        Ok(())
    }
}

fn internal(reason: String) -> GatewayError {
    GatewayError::Internal { reason }
}

/// Commits increments in batches: one blocking receive, then whatever else is waiting.
fn run_journal(store: &Store, entries: &mpsc::Receiver<Pending>) {
    while let Ok(first) = entries.recv() {
        let mut batch = vec![first];
        while batch.len() < JOURNAL_BATCH {
            match entries.try_recv() {
                Ok(next) => batch.push(next),
                Err(_) => break,
            }
        }
        let mut merged: HashMap<(String, String, u64), u64> = HashMap::new();
        for pending in &batch {
            let increment = &pending.increment;
            *merged
                .entry((
                    increment.plan_id.clone(),
                    increment.key_id.clone(),
                    increment.period_start,
                ))
                .or_default() += increment.count;
        }
        let increments: Vec<UsageIncrement> = merged
            .into_iter()
            .map(|((plan_id, key_id, period_start), count)| UsageIncrement {
                plan_id,
                key_id,
                period_start,
                count,
            })
            .collect();
        let outcome = store.add_usage(&increments).map_err(|e| e.to_string());
        for pending in batch {
            let _ = pending.committed.send(outcome.clone());
        }
    }
}
