//! `Principal` / `NotPrincipal`: who a statement of a resource policy is about.

use serde_json::Value;

use crate::error::{Pointer, PolicyError, describe, string_or_list};
use crate::wildcard::arn_fields;

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principals {
    /// `"*"` or `{"AWS": "*"}`: everyone, anonymous callers included.
    Anyone,
    Listed(Vec<Principal>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Principal {
    /// `"123456789012"` or `arn:aws:iam::123456789012:root`: any principal of that account.
    Account(String),
    /// A user, role or session ARN.
    Arn(String),
}

impl Principals {
    pub(crate) fn parse(value: &Value, at: &Pointer) -> Result<Principals, PolicyError> {
        match value {
            Value::String(s) if s == "*" => Ok(Principals::Anyone),
            Value::Object(types) if !types.is_empty() => {
                let mut listed = Vec::new();
                let mut anyone = false;
                for (kind, ids) in types {
                    let at = at.key(kind);
                    if kind != "AWS" {
                        return Err(at.error(format!(
                            "principals of type {kind:?} cannot be evaluated here; only \"AWS\" principals can"
                        )));
                    }
                    for (id, at) in string_or_list(ids, &at, "principal")? {
                        match Principal::parse(id, &at)? {
                            None => anyone = true,
                            Some(principal) => listed.push(principal),
                        }
                    }
                }
                Ok(if anyone {
                    Principals::Anyone
                } else {
                    Principals::Listed(listed)
                })
            }
            other => Err(at.error(format!(
                "expected \"*\" or an object such as {{\"AWS\": \"arn:aws:iam::123456789012:root\"}}, found {}",
                describe(other)
            ))),
        }
    }

    /// Whether `caller` (an ARN; `None` for an anonymous caller) is one of these.
    pub(crate) fn contains(&self, caller: Option<&str>) -> bool {
        match self {
            Principals::Anyone => true,
            Principals::Listed(listed) => {
                caller.is_some_and(|caller| listed.iter().any(|p| p.matches(caller)))
            }
        }
    }
}

impl Principal {
    /// `None` for `"*"`.
    fn parse(id: &str, at: &Pointer) -> Result<Option<Principal>, PolicyError> {
        if id == "*" {
            return Ok(None);
        }
        if is_account_id(id) {
            return Ok(Some(Principal::Account(id.to_owned())));
        }
        let expected = "expected \"*\", a 12-digit account id or an IAM ARN";
        let Some([prefix, _, service, _, account, resource]) = arn_fields(id) else {
            return Err(at.error(format!("{expected}, found {id:?}")));
        };
        if prefix != "arn" || !is_account_id(account) || resource.is_empty() {
            return Err(at.error(format!("{expected}, found {id:?}")));
        }
        if id.contains(['*', '?']) {
            // IAM refuses wildcards in principals too; a pattern here would be a policy that
            // means something other than what its author thinks.
            return Err(at.error(format!(
                "wildcards are not allowed in a principal ARN (use \"*\", or a condition on aws:PrincipalArn), found {id:?}"
            )));
        }
        Ok(Some(if service == "iam" && resource == "root" {
            Principal::Account(account.to_owned())
        } else {
            Principal::Arn(id.to_owned())
        }))
    }

    fn matches(&self, caller: &str) -> bool {
        let Some(
            [
                _,
                caller_partition,
                caller_service,
                _,
                caller_account,
                caller_resource,
            ],
        ) = arn_fields(caller)
        else {
            return false;
        };
        match self {
            Principal::Account(account) => caller_account == account,
            Principal::Arn(arn) if arn == caller => true,
            Principal::Arn(arn) => {
                // A role principal also covers the sessions of that role, whose ARN is
                // `arn:aws:sts::ACCOUNT:assumed-role/ROLE-NAME/SESSION` (the role's path dropped).
                let Some([_, partition, service, _, account, resource]) = arn_fields(arn) else {
                    return false;
                };
                let Some(role_path) = resource.strip_prefix("role/") else {
                    return false;
                };
                let role_name = role_path.rsplit('/').next().unwrap_or(role_path);
                service == "iam"
                    && caller_service == "sts"
                    && partition == caller_partition
                    && account == caller_account
                    && caller_resource
                        .strip_prefix("assumed-role/")
                        .and_then(|rest| rest.split_once('/'))
                        .is_some_and(|(name, _session)| name == role_name)
            }
        }
    }
}

fn is_account_id(s: &str) -> bool {
    s.len() == 12 && s.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Principals, PolicyError> {
        Principals::parse(&value, &Pointer::root().key("Principal"))
    }

    const ALICE: &str = "arn:aws:iam::123456789012:user/alice";

    #[test]
    fn star_forms_cover_everyone_including_anonymous() {
        for value in [
            json!("*"),
            json!({"AWS": "*"}),
            json!({"AWS": [ALICE, "*"]}),
        ] {
            let principals = parse(value.clone()).unwrap();
            assert!(principals.contains(None), "{value}");
            assert!(principals.contains(Some(ALICE)), "{value}");
        }
    }

    #[test]
    fn an_account_covers_every_principal_of_that_account_and_no_anonymous_caller() {
        for value in [
            json!({"AWS": "123456789012"}),
            json!({"AWS": "arn:aws:iam::123456789012:root"}),
        ] {
            let principals = parse(value.clone()).unwrap();
            assert!(principals.contains(Some(ALICE)), "{value}");
            assert!(
                principals.contains(Some("arn:aws:sts::123456789012:assumed-role/dev/s1")),
                "{value}"
            );
            assert!(
                !principals.contains(Some("arn:aws:iam::999999999999:user/alice")),
                "{value}"
            );
            assert!(!principals.contains(None), "{value}");
        }
    }

    #[test]
    fn a_user_arn_covers_only_that_user() {
        let principals = parse(json!({"AWS": [ALICE]})).unwrap();
        assert!(principals.contains(Some(ALICE)));
        assert!(!principals.contains(Some("arn:aws:iam::123456789012:user/bob")));
        assert!(!principals.contains(None));
    }

    #[test]
    fn a_role_arn_covers_its_sessions() {
        let principals = parse(json!({"AWS": "arn:aws:iam::123456789012:role/team/dev"})).unwrap();
        assert!(principals.contains(Some("arn:aws:iam::123456789012:role/team/dev")));
        assert!(principals.contains(Some("arn:aws:sts::123456789012:assumed-role/dev/alice")));
        assert!(!principals.contains(Some("arn:aws:sts::123456789012:assumed-role/ops/alice")));
        assert!(!principals.contains(Some("arn:aws:sts::999999999999:assumed-role/dev/alice")));
    }

    #[test]
    fn refusals_say_where_and_what() {
        let cases = [
            (
                json!("alice"),
                "/Principal",
                "expected \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}, found \"alice\"",
            ),
            (
                json!({}),
                "/Principal",
                "expected \"*\" or an object such as {\"AWS\": \"arn:aws:iam::123456789012:root\"}, found an object",
            ),
            (
                json!({"Service": "lambda.amazonaws.com"}),
                "/Principal/Service",
                "principals of type \"Service\" cannot be evaluated here; only \"AWS\" principals can",
            ),
            (
                json!({"AWS": ["*", "bob"]}),
                "/Principal/AWS/1",
                "expected \"*\", a 12-digit account id or an IAM ARN, found \"bob\"",
            ),
            (
                json!({"AWS": "arn:aws:iam::12345:user/bob"}),
                "/Principal/AWS",
                "expected \"*\", a 12-digit account id or an IAM ARN, found \"arn:aws:iam::12345:user/bob\"",
            ),
            (
                json!({"AWS": "arn:aws:iam::123456789012:user/*"}),
                "/Principal/AWS",
                "wildcards are not allowed in a principal ARN (use \"*\", or a condition on aws:PrincipalArn), found \"arn:aws:iam::123456789012:user/*\"",
            ),
            (
                json!({"AWS": []}),
                "/Principal/AWS",
                "expected at least one principal, found an empty list",
            ),
            (
                json!({"AWS": [7]}),
                "/Principal/AWS/0",
                "expected a principal (a string), found the number 7",
            ),
        ];
        for (value, pointer, message) in cases {
            let err = parse(value.clone()).unwrap_err();
            assert_eq!(
                (err.pointer.as_str(), err.message.as_str()),
                (pointer, message),
                "{value}"
            );
        }
    }
}
