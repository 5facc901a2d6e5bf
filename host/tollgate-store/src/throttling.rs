//! Throttle settings, AWS's way: a steady rate in requests per second plus a burst, set on a
//! stage (its default and per method, AWS's stage `methodSettings`) and on usage plans. The
//! store only keeps the settings; the token buckets live in the gateway's memory.

use serde::{Deserialize, Serialize};

use crate::{Stage, Store, StoreError};

/// A token bucket's settings (AWS's `ThrottleSettings`).
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct Throttle {
    /// The steady rate, in requests per second; may be fractional (0.5 = one every 2 s).
    pub rate: f64,
    /// How many requests may arrive at once above the steady rate.
    pub burst: u32,
}

impl Throttle {
    /// Checks that the rate is a finite number, zero or more (zero with a zero burst refuses
    /// every request, as in AWS).
    pub fn check(&self) -> Result<(), StoreError> {
        if !self.rate.is_finite() || self.rate < 0.0 {
            return Err(StoreError::Invalid {
                what: "throttle rate",
                reason: format!(
                    "{} is not a number of requests per second (0 or more)",
                    self.rate
                ),
            });
        }
        Ok(())
    }
}

/// The HTTP methods a method key may name; `ANY` is API Gateway's catch-all method and `*`
/// the wildcard of `*/*`.
const METHODS: &[&str] = &[
    "GET", "POST", "PUT", "DELETE", "PATCH", "HEAD", "OPTIONS", "ANY", "*",
];

/// The shape of a method key, for error messages.
const METHOD_KEY_SHAPE: &str =
    "{resourcePath}/{httpMethod}, e.g. /pets/GET or /pets/{id}/DELETE (or */* for every method)";

/// Checks AWS's `{resourcePath}/{httpMethod}` key of a method setting and returns it in its
/// canonical form: the method in upper case, the root resource as `//GET` (`/GET` is read
/// as the root too), `*/*` for every method.
pub fn method_key(key: &str) -> Result<String, StoreError> {
    let invalid = || StoreError::InvalidName {
        kind: "method key",
        name: key.to_owned(),
        expected: METHOD_KEY_SHAPE,
    };
    let (path, method) = key.rsplit_once('/').ok_or_else(invalid)?;
    let method = method.to_ascii_uppercase();
    if !METHODS.contains(&method.as_str()) {
        return Err(invalid());
    }
    if path == "*" {
        return if method == "*" {
            Ok("*/*".to_owned())
        } else {
            Err(invalid())
        };
    }
    if method == "*" {
        return Err(invalid());
    }
    let path = if path.is_empty() { "/" } else { path };
    let well_formed = path.starts_with('/')
        && (path == "/" || (!path.ends_with('/') && !path.contains("//")))
        && !path.chars().any(|c| c.is_whitespace() || c.is_control());
    if !well_formed || path.len() > 1024 {
        return Err(invalid());
    }
    Ok(format!("{path}/{method}"))
}

impl Store {
    /// Sets (or, with `None`, removes) a stage's throttle: the stage default when
    /// `method_key` is `None`, else the setting of one method (AWS's
    /// `{resourcePath}/{httpMethod}`, see [`method_key`]). Returns the stage as stored; bumps
    /// the generation so a running gateway applies it.
    pub fn set_stage_throttle(
        &self,
        api_id: &str,
        stage: &str,
        method_key: Option<&str>,
        throttle: Option<Throttle>,
    ) -> Result<Stage, StoreError> {
        if let Some(throttle) = &throttle {
            throttle.check()?;
        }
        let method_key = method_key.map(self::method_key).transpose()?;
        self.update_stage(api_id, stage, |stage| {
            match (method_key, throttle) {
                (None, throttle) => stage.throttle = throttle,
                (Some(key), Some(throttle)) => {
                    stage.method_throttles.insert(key, throttle);
                }
                (Some(key), None) => {
                    stage.method_throttles.remove(&key);
                }
            }
            Ok(())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_keys_follow_aws() {
        assert_eq!(method_key("/pets/GET").ok().as_deref(), Some("/pets/GET"));
        assert_eq!(
            method_key("/pets/{id}/delete").ok().as_deref(),
            Some("/pets/{id}/DELETE")
        );
        assert_eq!(
            method_key("/{proxy+}/ANY").ok().as_deref(),
            Some("/{proxy+}/ANY")
        );
        assert_eq!(method_key("//GET").ok().as_deref(), Some("//GET"));
        assert_eq!(method_key("/GET").ok().as_deref(), Some("//GET"));
        assert_eq!(method_key("*/*").ok().as_deref(), Some("*/*"));
        for bad in [
            "",
            "GET",
            "/pets",
            "/pets/FETCH",
            "pets/GET",
            "/pets//GET",
            "/pets/ /GET",
            "*/GET",
            "/pets/*",
            "/pets//",
            "/pets/",
        ] {
            assert!(method_key(bad).is_err(), "{bad:?} was accepted");
        }
        let error = method_key("/pets").expect_err("no method");
        assert!(error.to_string().contains("/pets/GET"), "{error}");
    }

    #[test]
    fn rates_are_finite_and_not_negative() {
        for rate in [0.0, 0.5, 10.0, 1e6] {
            assert!(Throttle { rate, burst: 0 }.check().is_ok());
        }
        for rate in [-1.0, f64::NAN, f64::INFINITY] {
            assert!(Throttle { rate, burst: 5 }.check().is_err());
        }
    }
}
