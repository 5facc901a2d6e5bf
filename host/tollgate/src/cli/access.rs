//! The access-control commands: API keys (`apikey`), usage plans (`usageplan`), SigV4 access
//! keys (`accesskey`), and the throttle settings they and `stage throttle` share.

use std::path::PathBuf;

use clap::{Args, Subcommand};
use tollgate_store::{NewUsagePlan, Quota, QuotaPeriod, Throttle};

use super::target::Target;
use super::{CliError, ControlArgs, print, read_text};

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create an API key and print its value (the only time it is shown).
    Create {
        /// A unique name (letters, digits, `.`, `-`, `_`).
        name: String,
        /// The value, at least 20 characters (default: 40 random letters and digits).
        #[arg(long)]
        value: Option<String>,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// List API keys (never their values).
    List {
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Delete an API key; it leaves every usage plan.
    Delete {
        name: String,
        #[command(flatten)]
        target: ControlArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum UsagePlanCommand {
    /// Create a usage plan over API stages.
    Create {
        /// A unique name (letters, digits, `.`, `-`, `_`).
        name: String,
        /// An API stage the plan applies to, `API_ID/STAGE` (repeatable).
        #[arg(long = "api-stage", required = true, value_parser = parse_api_stage)]
        api_stages: Vec<(String, String)>,
        /// The per-key steady rate, requests per second (with --burst).
        #[arg(long, requires = "burst")]
        rate: Option<f64>,
        /// The per-key burst (with --rate).
        #[arg(long, requires = "rate")]
        burst: Option<u32>,
        /// The per-key quota: `N` with --period, or `N/DAY|WEEK|MONTH`.
        #[arg(long, value_parser = parse_quota)]
        quota: Option<(u64, Option<QuotaPeriod>)>,
        /// The quota's period: DAY, WEEK or MONTH.
        #[arg(long, requires = "quota")]
        period: Option<QuotaPeriod>,
        /// The day the period starts: WEEK 0 = Sunday ... 6; MONTH 0 = the 1st ... 27.
        #[arg(long, requires = "quota", default_value_t = 0)]
        quota_offset: u32,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Add an API key to a usage plan.
    AddKey {
        plan: String,
        /// The API key's name.
        key: String,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// List usage plans with their stages, limits and keys.
    List {
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Set or clear the per-key throttle of one method on one of the plan's stages.
    Throttle {
        plan: String,
        /// The stage, `API_ID/STAGE`.
        #[arg(long = "api-stage", value_parser = parse_api_stage)]
        api_stage: (String, String),
        /// The method, AWS's `{resourcePath}/{httpMethod}`: `/pets/GET`, `/pets/{id}/DELETE`.
        #[arg(long)]
        method: String,
        #[command(flatten)]
        setting: ThrottleSetting,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Delete a usage plan and its quota counters.
    Delete {
        name: String,
        #[command(flatten)]
        target: ControlArgs,
    },
}

#[derive(Debug, Subcommand)]
pub enum AccessKeyCommand {
    /// Create an access key; prints `{"accessKeyId", "secretAccessKey", "principal"}` (the
    /// only time the secret is shown).
    Create {
        /// The IAM user name the key belongs to.
        principal: String,
        /// The IAM identity policy (JSON) saying what the principal may invoke.
        #[arg(long)]
        policy: PathBuf,
        #[command(flatten)]
        target: ControlArgs,
    },
    /// List access keys (never their secrets).
    List {
        #[command(flatten)]
        target: ControlArgs,
    },
    /// Delete an access key.
    Delete {
        /// The access key id (`AKIA...`).
        id: String,
        #[command(flatten)]
        target: ControlArgs,
    },
}

/// A throttle to set (`--rate` and `--burst`) or `--clear`.
#[derive(Debug, Args, Clone)]
#[group(required = true, multiple = true)]
pub struct ThrottleSetting {
    /// The steady rate, requests per second (fractions allowed).
    #[arg(long, requires = "burst", conflicts_with = "clear")]
    pub rate: Option<f64>,
    /// How many requests may come at once above the rate.
    #[arg(long, requires = "rate", conflicts_with = "clear")]
    pub burst: Option<u32>,
    /// Remove the throttle instead.
    #[arg(long)]
    pub clear: bool,
}

impl ThrottleSetting {
    pub(super) fn throttle(&self) -> Option<Throttle> {
        match (self.clear, self.rate, self.burst) {
            (false, Some(rate), Some(burst)) => Some(Throttle { rate, burst }),
            _ => None,
        }
    }
}

/// `API_ID/STAGE`.
fn parse_api_stage(text: &str) -> Result<(String, String), String> {
    match text.split_once('/') {
        Some((api, stage)) if !api.is_empty() && !stage.is_empty() && !stage.contains('/') => {
            Ok((api.to_string(), stage.to_string()))
        }
        _ => Err(format!("expected API_ID/STAGE, found {text:?}")),
    }
}

/// `N` or `N/DAY|WEEK|MONTH`.
fn parse_quota(text: &str) -> Result<(u64, Option<QuotaPeriod>), String> {
    let expected = || format!("expected N/DAY|WEEK|MONTH (or N with --period), found {text:?}");
    let (limit, period) = match text.split_once('/') {
        Some((limit, period)) => (limit, Some(period.parse().map_err(|_| expected())?)),
        None => (text, None),
    };
    let limit = limit.parse().map_err(|_| expected())?;
    Ok((limit, period))
}

/// The quota of `usageplan create`: the period from `--quota N/PERIOD` or `--period`.
fn quota_of(
    quota: Option<(u64, Option<QuotaPeriod>)>,
    period: Option<QuotaPeriod>,
    offset: u32,
) -> Result<Option<Quota>, CliError> {
    let Some((limit, in_quota)) = quota else {
        return Ok(None);
    };
    let period = match (in_quota, period) {
        (Some(a), Some(b)) if a != b => {
            return Err(CliError::Usage(format!(
                "--quota {limit}/{a} and --period {b} disagree; give the period once"
            )));
        }
        (Some(period), _) | (None, Some(period)) => period,
        (None, None) => {
            return Err(CliError::Usage(format!(
                "--quota {limit} needs a period: expected N/DAY|WEEK|MONTH (e.g. --quota \
                 {limit}/DAY) or --period DAY|WEEK|MONTH"
            )));
        }
    };
    Ok(Some(Quota {
        limit,
        period,
        offset,
    }))
}

pub(super) async fn api_key(command: ApiKeyCommand) -> Result<(), CliError> {
    match command {
        ApiKeyCommand::Create {
            name,
            value,
            target,
        } => {
            let target = Target::resolve(&target)?;
            let key = target.create_api_key(&name, value.as_deref()).await?;
            // Only the value, so that scripts can capture it: `KEY=$(tollgate apikey create n)`.
            println!("{}", key["value"].as_str().unwrap_or_default());
        }
        ApiKeyCommand::List { target } => {
            let target = Target::resolve(&target)?;
            print::api_keys(&target.api_keys().await?);
        }
        ApiKeyCommand::Delete { name, target } => {
            let target = Target::resolve(&target)?;
            let key = target.delete_api_key(&name).await?;
            println!("deleted API key {}", key["name"].as_str().unwrap_or(&name));
        }
    }
    Ok(())
}

pub(super) async fn usage_plan(command: UsagePlanCommand) -> Result<(), CliError> {
    match command {
        UsagePlanCommand::Create {
            name,
            api_stages,
            rate,
            burst,
            quota,
            period,
            quota_offset,
            target,
        } => {
            let quota = quota_of(quota, period, quota_offset)?;
            let throttle = match (rate, burst) {
                (Some(rate), Some(burst)) => Some(Throttle { rate, burst }),
                _ => None,
            };
            let target = Target::resolve(&target)?;
            let plan = target
                .create_usage_plan(NewUsagePlan {
                    name,
                    api_stages,
                    throttle,
                    quota,
                })
                .await?;
            print::usage_plan(&plan);
        }
        UsagePlanCommand::AddKey { plan, key, target } => {
            let target = Target::resolve(&target)?;
            print::usage_plan(&target.add_usage_plan_key(&plan, &key).await?);
        }
        UsagePlanCommand::List { target } => {
            let target = Target::resolve(&target)?;
            let plans = target.usage_plans().await?;
            for plan in plans["items"].as_array().into_iter().flatten() {
                print::usage_plan(plan);
            }
        }
        UsagePlanCommand::Throttle {
            plan,
            api_stage: (api_id, stage),
            method,
            setting,
            target,
        } => {
            let target = Target::resolve(&target)?;
            let plan = target
                .set_usage_plan_method_throttle(&plan, &api_id, &stage, &method, setting.throttle())
                .await?;
            print::usage_plan(&plan);
        }
        UsagePlanCommand::Delete { name, target } => {
            let target = Target::resolve(&target)?;
            let plan = target.delete_usage_plan(&name).await?;
            println!(
                "deleted usage plan {}",
                plan["name"].as_str().unwrap_or(&name)
            );
        }
    }
    Ok(())
}

pub(super) async fn access_key(command: AccessKeyCommand) -> Result<(), CliError> {
    match command {
        AccessKeyCommand::Create {
            principal,
            policy,
            target,
        } => {
            let source_name = policy.display().to_string();
            let text = read_text(&policy)?;
            let document: serde_json::Value = serde_json::from_str(&text)
                .map_err(|e| CliError::Usage(format!("{source_name}: not JSON: {e}")))?;
            let target = Target::resolve(&target)?;
            let key = target
                .create_access_key(&principal, document, &source_name)
                .await?;
            let shown = serde_json::json!({
                "accessKeyId": key["accessKeyId"],
                "secretAccessKey": key["secretAccessKey"],
                "principal": key["principal"],
            });
            println!("{shown}");
        }
        AccessKeyCommand::List { target } => {
            let target = Target::resolve(&target)?;
            print::access_keys(&target.access_keys().await?);
        }
        AccessKeyCommand::Delete { id, target } => {
            let target = Target::resolve(&target)?;
            let key = target.delete_access_key(&id).await?;
            println!(
                "deleted access key {}",
                key["accessKeyId"].as_str().unwrap_or(&id)
            );
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotas_are_n_or_n_slash_period() {
        assert_eq!(parse_quota("1000"), Ok((1000, None)));
        assert_eq!(parse_quota("1000/DAY"), Ok((1000, Some(QuotaPeriod::Day))));
        assert_eq!(parse_quota("5/week"), Ok((5, Some(QuotaPeriod::Week))));
        for bad in ["", "/DAY", "1000/", "1000/YEAR", "-1", "ten/DAY", "1/2/DAY"] {
            let error = parse_quota(bad).expect_err(bad);
            assert!(error.contains("N/DAY|WEEK|MONTH"), "{bad}: {error}");
        }
        let quota = quota_of(Some((10, None)), Some(QuotaPeriod::Month), 3).unwrap();
        assert_eq!(
            quota,
            Some(Quota {
                limit: 10,
                period: QuotaPeriod::Month,
                offset: 3
            })
        );
        assert!(quota_of(Some((10, None)), None, 0).is_err());
        assert!(
            quota_of(
                Some((10, Some(QuotaPeriod::Day))),
                Some(QuotaPeriod::Week),
                0
            )
            .is_err()
        );
        assert_eq!(quota_of(None, None, 0).unwrap(), None);
    }

    #[test]
    fn api_stages_are_api_slash_stage() {
        assert_eq!(
            parse_api_stage("pets/prod"),
            Ok(("pets".to_string(), "prod".to_string()))
        );
        for bad in ["pets", "pets/", "/prod", "pets/prod/x"] {
            assert!(parse_api_stage(bad).is_err(), "{bad}");
        }
    }
}
