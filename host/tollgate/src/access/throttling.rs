//! Step 5 (and the per-key half of step 4): token buckets. Each bucket is a GCRA limiter from
//! `governor` (a token bucket with `rate` tokens a second and room for `burst`); buckets are
//! kept by what they limit (the account, a stage, a stage's method, a usage plan's key) and
//! outlive reloads, so redeploying or adding a key never refills anyone's bucket. A bucket
//! whose limits change is replaced.

use std::num::NonZeroU32;
use std::sync::Arc;
use std::time::Duration;

use dashmap::DashMap;
use governor::clock::DefaultClock;
use governor::state::{InMemoryState, NotKeyed};
use governor::{Quota, RateLimiter};

type Limiter = RateLimiter<NotKeyed, InMemoryState, DefaultClock>;

/// A rate (requests a second, may be fractional) and a burst (requests at once).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limit {
    pub rate: f64,
    pub burst: u32,
}

impl Limit {
    /// AWS's account-level default: 10,000 requests a second, burst 5,000.
    pub const ACCOUNT_DEFAULT: Limit = Limit {
        rate: 10_000.0,
        burst: 5_000,
    };

    fn quota(self) -> Option<Quota> {
        let burst = NonZeroU32::new(self.burst)?;
        if !(self.rate.is_finite() && self.rate > 0.0) {
            return None;
        }
        // One token every 1/rate seconds; a rate above a billion a second is unlimited.
        let period = Duration::from_secs_f64(1.0 / self.rate).max(Duration::from_nanos(1));
        Some(Quota::with_period(period)?.allow_burst(burst))
    }
}

impl From<&tollgate_store::Throttle> for Limit {
    fn from(throttle: &tollgate_store::Throttle) -> Self {
        Limit {
            rate: throttle.rate,
            burst: throttle.burst,
        }
    }
}

/// What a bucket limits.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum BucketKey {
    /// A stage's default (`api`, `stage`).
    Stage { api: String, stage: String },
    /// One method of a stage: `api`, `stage`, AWS's `{resourcePath}/{httpMethod}` key.
    Method {
        api: String,
        stage: String,
        method: String,
    },
    /// One API key in one usage plan; `method` set for a plan's per-method throttle.
    UsagePlanKey {
        plan: String,
        key: String,
        method: Option<String>,
    },
}

/// A limiter, or "refuse everything" for a zero rate or burst (as AWS treats 0).
enum Bucket {
    Limited(Limiter),
    Closed,
}

impl Bucket {
    fn new(limit: Limit) -> Bucket {
        match limit.quota() {
            Some(quota) => Bucket::Limited(RateLimiter::direct(quota)),
            None => Bucket::Closed,
        }
    }

    fn admit(&self) -> bool {
        match self {
            Bucket::Limited(limiter) => limiter.check().is_ok(),
            Bucket::Closed => false,
        }
    }
}

/// Every bucket of the gateway.
pub struct Throttling {
    /// The account's bucket, which every request takes from, kept out of the map.
    account_bucket: Bucket,
    buckets: DashMap<BucketKey, (Limit, Arc<Bucket>)>,
}

impl Throttling {
    /// Buckets with `account` as the account-level limit.
    pub fn new(account: Limit) -> Throttling {
        Throttling {
            account_bucket: Bucket::new(account),
            buckets: DashMap::new(),
        }
    }

    /// Takes one token from the account's bucket; `false` when it is empty.
    pub fn admit_account(&self) -> bool {
        self.account_bucket.admit()
    }

    /// Takes one token from the bucket of `key` (created, or replaced when its limit
    /// changed); `false` when the bucket is empty.
    pub fn admit(&self, key: &BucketKey, limit: Limit) -> bool {
        if let Some(entry) = self.buckets.get(key)
            && entry.0 == limit
        {
            let bucket = entry.1.clone();
            drop(entry);
            return bucket.admit();
        }
        let bucket = {
            let mut entry = self
                .buckets
                .entry(key.clone())
                .or_insert_with(|| (limit, Arc::new(Bucket::new(limit))));
            if entry.0 != limit {
                *entry = (limit, Arc::new(Bucket::new(limit)));
            }
            entry.1.clone()
        };
        bucket.admit()
    }

    /// Drops the buckets `keep` rejects (stages and plans that no longer exist).
    pub fn retain(&self, keep: impl Fn(&BucketKey) -> bool) {
        self.buckets.retain(|key, _| keep(key));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn burst_is_admitted_at_once_then_refused() {
        let throttling = Throttling::new(Limit::ACCOUNT_DEFAULT);
        let limit = Limit {
            rate: 1.0,
            burst: 5,
        };
        let key = BucketKey::Stage {
            api: "a".into(),
            stage: "s".into(),
        };
        let admitted = (0..20).filter(|_| throttling.admit(&key, limit)).count();
        assert_eq!(admitted, 5);
    }

    #[test]
    fn zero_rate_or_burst_refuses_everything() {
        let throttling = Throttling::new(Limit::ACCOUNT_DEFAULT);
        for limit in [
            Limit {
                rate: 0.0,
                burst: 10,
            },
            Limit {
                rate: 10.0,
                burst: 0,
            },
        ] {
            let key = BucketKey::Stage {
                api: "a".into(),
                stage: "s".into(),
            };
            assert!(!throttling.admit(&key, limit));
        }
    }

    #[test]
    fn a_changed_limit_replaces_the_bucket() {
        let throttling = Throttling::new(Limit::ACCOUNT_DEFAULT);
        let key = BucketKey::Stage {
            api: "a".into(),
            stage: "s".into(),
        };
        let one = Limit {
            rate: 0.001,
            burst: 1,
        };
        assert!(throttling.admit(&key, one));
        assert!(!throttling.admit(&key, one));
        let two = Limit {
            rate: 0.001,
            burst: 2,
        };
        assert!(throttling.admit(&key, two));
        assert!(throttling.admit(&key, two));
        assert!(!throttling.admit(&key, two));
    }

    #[test]
    fn fractional_rates_are_kept() {
        let limit = Limit {
            rate: 0.5,
            burst: 1,
        };
        let quota = limit.quota().expect("a valid quota");
        assert_eq!(quota.replenish_interval(), Duration::from_secs(2));
    }
}
