//! The `Condition` element: operators, keys and values, evaluated as IAM does.
//!
//! Within a statement every operator and every key must hold (AND); the values listed for one
//! key are alternatives (OR), except under a negated operator (`StringNotEquals`,
//! `NotIpAddress`...), which holds when the request value matches none of them. A key the
//! request does not have makes a positive operator false and a negated one true; `...IfExists`
//! makes any operator true then; `ForAllValues:` is true and `ForAnyValue:` false then.

use std::borrow::Cow;
use std::net::IpAddr;

use serde_json::{Map, Value};

use crate::RequestFacts;
use crate::error::{Pointer, PolicyError, describe};
use crate::wildcard::{self, arn_matches};

#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Condition {
    operator: Operator,
    /// Lower-cased: IAM condition keys are case-insensitive.
    key: String,
    values: Values,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Operator {
    set: Option<SetQualifier>,
    test: Test,
    negated: bool,
    if_exists: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SetQualifier {
    ForAnyValue,
    ForAllValues,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Test {
    StringEquals,
    StringEqualsIgnoreCase,
    StringLike,
    Numeric(Comparison),
    Bool,
    IpAddress,
    /// `ArnEquals` and `ArnLike` are the same test in IAM: both take wildcards.
    Arn,
    Null,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Comparison {
    Equals,
    LessThan,
    LessThanEquals,
    GreaterThan,
    GreaterThanEquals,
}

#[derive(Debug, Clone, PartialEq)]
enum Values {
    Strings(Vec<String>),
    Numbers(Vec<f64>),
    Bools(Vec<bool>),
    Networks(Vec<Network>),
}

/// Parses a statement's `Condition` object. `policy_variables` is true for policy version
/// 2012-10-17, where `${...}` in a value is a policy variable.
pub(crate) fn parse_conditions(
    value: &Value,
    at: &Pointer,
    policy_variables: bool,
) -> Result<Vec<Condition>, PolicyError> {
    let Value::Object(operators) = value else {
        return Err(at.error(format!(
            "expected an object of condition operators, found {}",
            describe(value)
        )));
    };
    let mut conditions = Vec::new();
    for (name, keys) in operators {
        let at = at.key(name);
        let operator = Operator::parse(name, &at)?;
        let Value::Object(keys) = keys else {
            return Err(at.error(format!(
                "expected an object of condition keys and their values, found {}",
                describe(keys)
            )));
        };
        parse_keys(operator, name, keys, &at, policy_variables, &mut conditions)?;
    }
    Ok(conditions)
}

fn parse_keys(
    operator: Operator,
    operator_name: &str,
    keys: &Map<String, Value>,
    at: &Pointer,
    policy_variables: bool,
    out: &mut Vec<Condition>,
) -> Result<(), PolicyError> {
    for (key, values) in keys {
        let at = at.key(key);
        let lower = key.to_ascii_lowercase();
        let is_ip_key = matches!(lower.as_str(), "aws:sourceip" | "aws:vpcsourceip");
        match operator.test {
            Test::IpAddress if !is_ip_key => {
                return Err(at.error(format!(
                    "{operator_name} applies to aws:SourceIp or aws:VpcSourceIp, not {key}"
                )));
            }
            Test::IpAddress | Test::Null => {}
            _ if is_ip_key => {
                // IAM compares these keys as addresses; a string test on them would compare
                // text such as "10.0.0.1" with "10.0.0.0/8" and quietly never match.
                return Err(at.error(format!(
                    "{key} is an IP address: use IpAddress or NotIpAddress, not {operator_name}"
                )));
            }
            _ => {}
        }
        let items = value_list(values, &at)?;
        let values = match operator.test {
            Test::StringEquals | Test::StringEqualsIgnoreCase | Test::StringLike | Test::Arn => {
                Values::Strings(
                    items
                        .into_iter()
                        .map(|(item, at)| string_value(item, &at, policy_variables))
                        .collect::<Result<_, _>>()?,
                )
            }
            Test::Numeric(_) => Values::Numbers(
                items
                    .into_iter()
                    .map(|(item, at)| number_value(item, &at))
                    .collect::<Result<_, _>>()?,
            ),
            Test::Bool | Test::Null => Values::Bools(
                items
                    .into_iter()
                    .map(|(item, at)| bool_value(item, &at))
                    .collect::<Result<_, _>>()?,
            ),
            Test::IpAddress => Values::Networks(
                items
                    .into_iter()
                    .map(|(item, at)| match item {
                        Value::String(s) => Network::parse(s).ok_or_else(|| {
                            at.error(format!("expected an IP address or CIDR block, found {s:?}"))
                        }),
                        other => Err(at.error(format!(
                            "expected an IP address or CIDR block, found {}",
                            describe(other)
                        ))),
                    })
                    .collect::<Result<_, _>>()?,
            ),
        };
        out.push(Condition {
            operator,
            key: lower,
            values,
        });
    }
    Ok(())
}

/// A condition's value: one scalar or a non-empty list of them.
fn value_list<'v>(
    value: &'v Value,
    at: &Pointer,
) -> Result<Vec<(&'v Value, Pointer)>, PolicyError> {
    match value {
        Value::Array(items) if items.is_empty() => {
            Err(at.error("expected at least one value, found an empty list"))
        }
        Value::Array(items) => Ok(items
            .iter()
            .enumerate()
            .map(|(i, item)| (item, at.index(i)))
            .collect()),
        other => Ok(vec![(other, at.clone())]),
    }
}

fn string_value(item: &Value, at: &Pointer, policy_variables: bool) -> Result<String, PolicyError> {
    let s = match item {
        Value::String(s) => s.clone(),
        // IAM accepts `"aws:MultiFactorAuthAge": 3600` as well as `"3600"`.
        Value::Number(n) => n.to_string(),
        Value::Bool(b) => b.to_string(),
        other => {
            return Err(at.error(format!(
                "expected a string, number or boolean, found {}",
                describe(other)
            )));
        }
    };
    if policy_variables && s.contains("${") {
        return Err(at.error(format!(
            "policy variables (${{...}}) are not supported, found {s:?}"
        )));
    }
    Ok(s)
}

fn number_value(item: &Value, at: &Pointer) -> Result<f64, PolicyError> {
    let number = match item {
        Value::Number(n) => n.as_f64(),
        Value::String(s) => s.trim().parse::<f64>().ok().filter(|n| n.is_finite()),
        _ => None,
    };
    number.ok_or_else(|| at.error(format!("expected a number, found {}", describe(item))))
}

fn bool_value(item: &Value, at: &Pointer) -> Result<bool, PolicyError> {
    match item {
        Value::Bool(b) => Ok(*b),
        Value::String(s) if s.eq_ignore_ascii_case("true") => Ok(true),
        Value::String(s) if s.eq_ignore_ascii_case("false") => Ok(false),
        other => Err(at.error(format!("expected true or false, found {}", describe(other)))),
    }
}

impl Operator {
    fn parse(name: &str, at: &Pointer) -> Result<Operator, PolicyError> {
        let (set, rest) = if let Some(rest) = name.strip_prefix("ForAnyValue:") {
            (Some(SetQualifier::ForAnyValue), rest)
        } else if let Some(rest) = name.strip_prefix("ForAllValues:") {
            (Some(SetQualifier::ForAllValues), rest)
        } else {
            (None, name)
        };
        let (base, if_exists) = match rest.strip_suffix("IfExists") {
            Some(base) => (base, true),
            None => (rest, false),
        };
        let (test, negated) = match base {
            "StringEquals" => (Test::StringEquals, false),
            "StringNotEquals" => (Test::StringEquals, true),
            "StringEqualsIgnoreCase" => (Test::StringEqualsIgnoreCase, false),
            "StringNotEqualsIgnoreCase" => (Test::StringEqualsIgnoreCase, true),
            "StringLike" => (Test::StringLike, false),
            "StringNotLike" => (Test::StringLike, true),
            "NumericEquals" => (Test::Numeric(Comparison::Equals), false),
            "NumericNotEquals" => (Test::Numeric(Comparison::Equals), true),
            "NumericLessThan" => (Test::Numeric(Comparison::LessThan), false),
            "NumericLessThanEquals" => (Test::Numeric(Comparison::LessThanEquals), false),
            "NumericGreaterThan" => (Test::Numeric(Comparison::GreaterThan), false),
            "NumericGreaterThanEquals" => (Test::Numeric(Comparison::GreaterThanEquals), false),
            "Bool" => (Test::Bool, false),
            "IpAddress" => (Test::IpAddress, false),
            "NotIpAddress" => (Test::IpAddress, true),
            "ArnEquals" | "ArnLike" => (Test::Arn, false),
            "ArnNotEquals" | "ArnNotLike" => (Test::Arn, true),
            "Null" => (Test::Null, false),
            _ if base.starts_with("Date") || base.starts_with("Binary") => {
                return Err(at.error(format!("condition operator {name:?} is not supported here")));
            }
            _ => return Err(at.error(format!("unknown condition operator {name:?}"))),
        };
        if test == Test::Null && (if_exists || set.is_some()) {
            return Err(at.error(format!(
                "Null takes neither IfExists nor ForAnyValue:/ForAllValues:, found {name:?}"
            )));
        }
        Ok(Operator {
            set,
            test,
            negated,
            if_exists,
        })
    }
}

impl Condition {
    pub(crate) fn holds(&self, facts: &RequestFacts<'_>) -> bool {
        let request = request_values(facts, &self.key);
        if self.operator.test == Test::Null {
            // `"Null": {"k": "true"}` holds when k is absent; several values are alternatives.
            let Values::Bools(expected) = &self.values else {
                return false;
            };
            return expected.contains(&request.is_empty());
        }
        if request.is_empty() {
            return self.operator.if_exists
                || match self.operator.set {
                    Some(SetQualifier::ForAllValues) => true,
                    Some(SetQualifier::ForAnyValue) => false,
                    None => self.operator.negated,
                };
        }
        let negated = self.operator.negated;
        match self.operator.set {
            Some(SetQualifier::ForAnyValue) => request.iter().any(|v| self.matches(v) != negated),
            Some(SetQualifier::ForAllValues) => request.iter().all(|v| self.matches(v) != negated),
            // Negation is applied to the whole list of values: `StringNotEquals` with two values
            // holds when the request value is neither, as IAM documents.
            None => request.iter().any(|v| self.matches(v)) != negated,
        }
    }

    /// Whether one request value matches any of the policy's values (before negation).
    fn matches(&self, request: &str) -> bool {
        match (&self.operator.test, &self.values) {
            (Test::StringEquals, Values::Strings(values)) => values.iter().any(|v| v == request),
            (Test::StringEqualsIgnoreCase, Values::Strings(values)) => {
                let request = request.to_lowercase();
                values.iter().any(|v| v.to_lowercase() == request)
            }
            (Test::StringLike, Values::Strings(values)) => {
                values.iter().any(|v| wildcard::matches(v, request))
            }
            (Test::Arn, Values::Strings(values)) => values.iter().any(|v| arn_matches(v, request)),
            (Test::Numeric(comparison), Values::Numbers(values)) => {
                let Ok(request) = request.trim().parse::<f64>() else {
                    return false;
                };
                values.iter().any(|&v| match comparison {
                    Comparison::Equals => request == v,
                    Comparison::LessThan => request < v,
                    Comparison::LessThanEquals => request <= v,
                    Comparison::GreaterThan => request > v,
                    Comparison::GreaterThanEquals => request >= v,
                })
            }
            (Test::Bool, Values::Bools(values)) => {
                let request = if request.eq_ignore_ascii_case("true") {
                    true
                } else if request.eq_ignore_ascii_case("false") {
                    false
                } else {
                    return false;
                };
                values.contains(&request)
            }
            (Test::IpAddress, Values::Networks(values)) => match request.parse::<IpAddr>() {
                Ok(ip) => values.iter().any(|n| n.contains(ip)),
                Err(_) => false,
            },
            // The parser pairs every test with its kind of values.
            _ => false,
        }
    }
}

/// The request's values for a lower-cased key: `aws:sourceip` from `source_ip`, every other
/// key from `condition_values` (compared case-insensitively, each entry one value).
fn request_values<'a>(facts: &RequestFacts<'a>, key: &str) -> Vec<Cow<'a, str>> {
    if key == "aws:sourceip" {
        return vec![Cow::Owned(facts.source_ip.to_canonical().to_string())];
    }
    facts
        .condition_values
        .iter()
        .filter(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| Cow::Borrowed(*v))
        .collect()
}

/// An address block of an `IpAddress` condition; a bare address is a block of one.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Network {
    address: IpAddr,
    prefix: u8,
}

impl Network {
    fn parse(s: &str) -> Option<Network> {
        let (address, prefix) = match s.split_once('/') {
            Some((address, prefix)) => (address, Some(prefix)),
            None => (s, None),
        };
        let address: IpAddr = address.trim().parse().ok()?;
        let max = if address.is_ipv4() { 32 } else { 128 };
        let prefix = match prefix {
            Some(p) => p.trim().parse::<u8>().ok().filter(|&p| p <= max)?,
            None => max,
        };
        Some(Network { address, prefix })
    }

    fn contains(&self, ip: IpAddr) -> bool {
        // A dual-stack listener reports IPv4 callers as `::ffff:a.b.c.d`; IAM sees them as IPv4.
        match (self.address, ip.to_canonical()) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(ip) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(ip)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(ip) & mask
            }
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(value: Value) -> Result<Vec<Condition>, PolicyError> {
        parse_conditions(&value, &Pointer::root().key("Condition"), true)
    }

    fn facts<'a>(ip: &str, values: &'a [(&'a str, &'a str)]) -> RequestFacts<'a> {
        RequestFacts {
            action: "execute-api:Invoke",
            resource: "arn:aws:execute-api:us-east-1:123456789012:api/prod/GET/",
            principal: None,
            source_ip: ip.parse().unwrap(),
            condition_values: values,
        }
    }

    fn holds(condition: Value, facts: &RequestFacts<'_>) -> bool {
        parse(condition).unwrap().iter().all(|c| c.holds(facts))
    }

    #[test]
    fn ipv4_cidr_blocks_and_single_addresses() {
        let condition = json!({"IpAddress": {"aws:SourceIp": ["192.0.2.0/24", "203.0.113.7"]}});
        assert!(holds(condition.clone(), &facts("192.0.2.200", &[])));
        assert!(holds(condition.clone(), &facts("203.0.113.7", &[])));
        assert!(!holds(condition.clone(), &facts("203.0.113.8", &[])));
        assert!(!holds(condition.clone(), &facts("192.0.3.1", &[])));
        assert!(!holds(condition, &facts("2001:db8::1", &[])));
    }

    #[test]
    fn ipv4_callers_seen_through_a_dual_stack_socket_match_ipv4_blocks() {
        let condition = json!({"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}});
        assert!(holds(condition, &facts("::ffff:192.0.2.9", &[])));
    }

    #[test]
    fn ipv6_cidr_blocks() {
        let condition = json!({"IpAddress": {"aws:SourceIp": "2001:DB8:1234:5678::/64"}});
        assert!(holds(
            condition.clone(),
            &facts("2001:db8:1234:5678:abcd::1", &[])
        ));
        assert!(!holds(
            condition.clone(),
            &facts("2001:db8:1234:5679::1", &[])
        ));
        assert!(!holds(condition, &facts("192.0.2.1", &[])));
    }

    #[test]
    fn host_bits_in_a_block_are_ignored_and_zero_prefix_covers_everything() {
        assert!(holds(
            json!({"IpAddress": {"aws:SourceIp": "10.1.2.3/8"}}),
            &facts("10.200.0.1", &[])
        ));
        assert!(holds(
            json!({"IpAddress": {"aws:SourceIp": "0.0.0.0/0"}}),
            &facts("198.51.100.1", &[])
        ));
        assert!(holds(
            json!({"IpAddress": {"aws:SourceIp": "::/0"}}),
            &facts("2001:db8::1", &[])
        ));
    }

    #[test]
    fn not_ip_address_holds_when_no_block_matches() {
        let condition =
            json!({"NotIpAddress": {"aws:SourceIp": ["192.0.2.0/24", "198.51.100.0/24"]}});
        assert!(holds(condition.clone(), &facts("203.0.113.1", &[])));
        assert!(!holds(condition.clone(), &facts("192.0.2.1", &[])));
        assert!(!holds(condition, &facts("198.51.100.1", &[])));
    }

    #[test]
    fn vpc_source_ip_comes_from_the_condition_values() {
        let condition = json!({"IpAddress": {"aws:VpcSourceIp": "10.0.0.0/16"}});
        assert!(holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:vpcsourceip", "10.0.3.4")])
        ));
        assert!(!holds(condition.clone(), &facts("10.0.3.4", &[])));
        assert!(!holds(
            condition,
            &facts("1.1.1.1", &[("aws:vpcsourceip", "garbage")])
        ));
    }

    #[test]
    fn string_equals_is_exact_and_case_sensitive_with_values_ored() {
        let condition = json!({"StringEquals": {"aws:username": ["alice", "bob"]}});
        assert!(holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:username", "bob")])
        ));
        assert!(!holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:username", "Bob")])
        ));
        assert!(!holds(
            condition,
            &facts("1.1.1.1", &[("aws:username", "al*")])
        ));
    }

    #[test]
    fn condition_keys_are_case_insensitive_on_both_sides() {
        let condition = json!({"StringEquals": {"AWS:SourceVpc": "vpc-1"}});
        assert!(holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:sourcevpc", "vpc-1")])
        ));
        assert!(holds(
            condition,
            &facts("1.1.1.1", &[("aws:SourceVPC", "vpc-1")])
        ));
    }

    #[test]
    fn string_not_equals_holds_only_when_the_value_is_none_of_them() {
        let condition = json!({"StringNotEquals": {"aws:sourcevpce": ["vpce-1", "vpce-2"]}});
        assert!(holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:sourcevpce", "vpce-3")])
        ));
        assert!(!holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:sourcevpce", "vpce-2")])
        ));
        assert!(!holds(
            condition,
            &facts("1.1.1.1", &[("aws:sourcevpce", "vpce-1")])
        ));
    }

    #[test]
    fn string_like_and_not_like_take_wildcards() {
        let like = json!({"StringLike": {"aws:username": "dev-*"}});
        assert!(holds(
            like.clone(),
            &facts("1.1.1.1", &[("aws:username", "dev-alice")])
        ));
        assert!(!holds(
            like,
            &facts("1.1.1.1", &[("aws:username", "ops-alice")])
        ));
        let not_like = json!({"StringNotLike": {"aws:username": ["dev-*", "qa-?"]}});
        assert!(holds(
            not_like.clone(),
            &facts("1.1.1.1", &[("aws:username", "ops")])
        ));
        assert!(!holds(
            not_like,
            &facts("1.1.1.1", &[("aws:username", "qa-1")])
        ));
    }

    #[test]
    fn string_equals_ignore_case() {
        let condition = json!({"StringEqualsIgnoreCase": {"aws:username": "Alice"}});
        assert!(holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:username", "aLICE")])
        ));
        assert!(!holds(
            condition,
            &facts("1.1.1.1", &[("aws:username", "alicia")])
        ));
        let negated = json!({"StringNotEqualsIgnoreCase": {"aws:username": "Alice"}});
        assert!(!holds(
            negated,
            &facts("1.1.1.1", &[("aws:username", "ALICE")])
        ));
    }

    #[test]
    fn a_missing_key_fails_positive_operators_and_satisfies_negated_ones() {
        let none = facts("1.1.1.1", &[]);
        assert!(!holds(
            json!({"StringEquals": {"aws:sourcevpc": "v"}}),
            &none
        ));
        assert!(!holds(json!({"StringLike": {"aws:sourcevpc": "*"}}), &none));
        assert!(!holds(
            json!({"Bool": {"aws:securetransport": true}}),
            &none
        ));
        assert!(!holds(json!({"NumericLessThan": {"k": 1}}), &none));
        assert!(!holds(json!({"ArnLike": {"aws:principalarn": "*"}}), &none));
        assert!(holds(
            json!({"StringNotEquals": {"aws:sourcevpc": "v"}}),
            &none
        ));
        assert!(holds(
            json!({"StringNotLike": {"aws:sourcevpc": "*"}}),
            &none
        ));
        assert!(holds(
            json!({"ArnNotLike": {"aws:principalarn": "*"}}),
            &none
        ));
    }

    #[test]
    fn if_exists_holds_when_the_key_is_missing_and_tests_it_when_present() {
        let condition = json!({"StringEqualsIfExists": {"aws:sourcevpc": "vpc-1"}});
        assert!(holds(condition.clone(), &facts("1.1.1.1", &[])));
        assert!(holds(
            condition.clone(),
            &facts("1.1.1.1", &[("aws:sourcevpc", "vpc-1")])
        ));
        assert!(!holds(
            condition,
            &facts("1.1.1.1", &[("aws:sourcevpc", "vpc-2")])
        ));
        let negated = json!({"StringNotEqualsIfExists": {"aws:sourcevpc": "vpc-1"}});
        assert!(holds(negated.clone(), &facts("1.1.1.1", &[])));
        assert!(!holds(
            negated,
            &facts("1.1.1.1", &[("aws:sourcevpc", "vpc-1")])
        ));
        let ip = json!({"NotIpAddressIfExists": {"aws:VpcSourceIp": "10.0.0.0/8"}});
        assert!(holds(ip.clone(), &facts("1.1.1.1", &[])));
        assert!(!holds(
            ip,
            &facts("1.1.1.1", &[("aws:vpcsourceip", "10.1.1.1")])
        ));
    }

    #[test]
    fn operators_and_keys_are_anded() {
        let condition = json!({
            "IpAddress": {"aws:SourceIp": "192.0.2.0/24"},
            "StringEquals": {"aws:username": "alice", "aws:sourcevpc": "vpc-1"}
        });
        let all = [("aws:username", "alice"), ("aws:sourcevpc", "vpc-1")];
        assert!(holds(condition.clone(), &facts("192.0.2.1", &all)));
        assert!(!holds(condition.clone(), &facts("198.51.100.1", &all)));
        assert!(!holds(condition, &facts("192.0.2.1", &all[..1])));
    }

    #[test]
    fn an_unqualified_negated_operator_over_several_values_holds_when_none_matches() {
        let condition = json!({"StringNotEquals": {"aws:TagKeys": "env"}});
        let tags = [("aws:tagkeys", "team"), ("aws:tagkeys", "env")];
        assert!(!holds(condition.clone(), &facts("1.1.1.1", &tags)));
        assert!(holds(condition, &facts("1.1.1.1", &tags[..1])));
    }

    #[test]
    fn set_qualifiers_over_multivalued_keys() {
        let tags = [("aws:tagkeys", "team"), ("aws:tagkeys", "env")];
        let any = json!({"ForAnyValue:StringEquals": {"aws:TagKeys": ["env", "cost"]}});
        let all = json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "cost"]}});
        let all_wide = json!({"ForAllValues:StringEquals": {"aws:TagKeys": ["env", "team"]}});
        assert!(holds(any.clone(), &facts("1.1.1.1", &tags)));
        assert!(!holds(all.clone(), &facts("1.1.1.1", &tags)));
        assert!(holds(all_wide, &facts("1.1.1.1", &tags)));
        // A missing key: ForAllValues holds (vacuously), ForAnyValue does not.
        assert!(holds(all, &facts("1.1.1.1", &[])));
        assert!(!holds(any, &facts("1.1.1.1", &[])));
        let any_not = json!({"ForAnyValue:StringNotEquals": {"aws:TagKeys": "env"}});
        assert!(holds(any_not.clone(), &facts("1.1.1.1", &tags)));
        assert!(!holds(any_not, &facts("1.1.1.1", &tags[1..])));
    }

    #[test]
    fn bool_numeric_arn_and_null() {
        let secure = [("aws:securetransport", "true")];
        assert!(holds(
            json!({"Bool": {"aws:SecureTransport": "true"}}),
            &facts("1.1.1.1", &secure)
        ));
        assert!(!holds(
            json!({"Bool": {"aws:SecureTransport": false}}),
            &facts("1.1.1.1", &secure)
        ));
        let age = [("aws:multifactorauthage", "300")];
        assert!(holds(
            json!({"NumericLessThan": {"aws:MultiFactorAuthAge": 3600}}),
            &facts("1.1.1.1", &age)
        ));
        assert!(!holds(
            json!({"NumericGreaterThan": {"aws:MultiFactorAuthAge": "3600"}}),
            &facts("1.1.1.1", &age)
        ));
        assert!(holds(
            json!({"NumericNotEquals": {"aws:MultiFactorAuthAge": 1}}),
            &facts("1.1.1.1", &age)
        ));
        let arn = [("aws:principalarn", "arn:aws:iam::123456789012:role/dev")];
        assert!(holds(
            json!({"ArnLike": {"aws:PrincipalArn": "arn:aws:iam::*:role/*"}}),
            &facts("1.1.1.1", &arn)
        ));
        assert!(!holds(
            json!({"ArnEquals": {"aws:PrincipalArn": "arn:aws:iam::*:role/ops"}}),
            &facts("1.1.1.1", &arn)
        ));
        assert!(holds(
            json!({"Null": {"aws:sourcevpc": "true"}}),
            &facts("1.1.1.1", &[])
        ));
        assert!(!holds(
            json!({"Null": {"aws:sourcevpc": true}}),
            &facts("1.1.1.1", &[("aws:sourcevpc", "v")])
        ));
        assert!(holds(
            json!({"Null": {"aws:sourcevpc": false}}),
            &facts("1.1.1.1", &[("aws:sourcevpc", "v")])
        ));
    }

    #[test]
    fn refusals_say_where_and_what() {
        let cases = [
            (
                json!("x"),
                "/Condition",
                "expected an object of condition operators, found \"x\"",
            ),
            (
                json!({"StringEqualz": {"k": "v"}}),
                "/Condition/StringEqualz",
                "unknown condition operator \"StringEqualz\"",
            ),
            (
                json!({"DateLessThan": {"aws:CurrentTime": "2030-01-01T00:00:00Z"}}),
                "/Condition/DateLessThan",
                "condition operator \"DateLessThan\" is not supported here",
            ),
            (
                json!({"BinaryEquals": {"k": "AAAA"}}),
                "/Condition/BinaryEquals",
                "condition operator \"BinaryEquals\" is not supported here",
            ),
            (
                json!({"NullIfExists": {"k": true}}),
                "/Condition/NullIfExists",
                "Null takes neither IfExists nor ForAnyValue:/ForAllValues:, found \"NullIfExists\"",
            ),
            (
                json!({"ForAllValues:Null": {"k": true}}),
                "/Condition/ForAllValues:Null",
                "Null takes neither IfExists nor ForAnyValue:/ForAllValues:, found \"ForAllValues:Null\"",
            ),
            (
                json!({"StringEquals": ["k"]}),
                "/Condition/StringEquals",
                "expected an object of condition keys and their values, found a list",
            ),
            (
                json!({"IpAddress": {"aws:username": "10.0.0.0/8"}}),
                "/Condition/IpAddress/aws:username",
                "IpAddress applies to aws:SourceIp or aws:VpcSourceIp, not aws:username",
            ),
            (
                json!({"StringEquals": {"aws:SourceIp": "10.0.0.1"}}),
                "/Condition/StringEquals/aws:SourceIp",
                "aws:SourceIp is an IP address: use IpAddress or NotIpAddress, not StringEquals",
            ),
            (
                json!({"IpAddress": {"aws:SourceIp": ["10.0.0.0/8", "10.0.0.0/33"]}}),
                "/Condition/IpAddress/aws:SourceIp/1",
                "expected an IP address or CIDR block, found \"10.0.0.0/33\"",
            ),
            (
                json!({"NotIpAddress": {"aws:SourceIp": "example.com"}}),
                "/Condition/NotIpAddress/aws:SourceIp",
                "expected an IP address or CIDR block, found \"example.com\"",
            ),
            (
                json!({"IpAddress": {"aws:SourceIp": 10}}),
                "/Condition/IpAddress/aws:SourceIp",
                "expected an IP address or CIDR block, found the number 10",
            ),
            (
                json!({"StringEquals": {"aws:username": []}}),
                "/Condition/StringEquals/aws:username",
                "expected at least one value, found an empty list",
            ),
            (
                json!({"StringEquals": {"aws:username": [null]}}),
                "/Condition/StringEquals/aws:username/0",
                "expected a string, number or boolean, found null",
            ),
            (
                json!({"StringEquals": {"aws:username": "${aws:username}"}}),
                "/Condition/StringEquals/aws:username",
                "policy variables (${...}) are not supported, found \"${aws:username}\"",
            ),
            (
                json!({"NumericLessThan": {"k": "ten"}}),
                "/Condition/NumericLessThan/k",
                "expected a number, found \"ten\"",
            ),
            (
                json!({"Bool": {"aws:SecureTransport": "yes"}}),
                "/Condition/Bool/aws:SecureTransport",
                "expected true or false, found \"yes\"",
            ),
            (
                json!({"StringLike": {"aws:PrincipalTag/team": {"a": 1}}}),
                "/Condition/StringLike/aws:PrincipalTag~1team",
                "expected a string, number or boolean, found an object",
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

    #[test]
    fn without_version_2012_a_dollar_brace_is_literal() {
        let conditions = parse_conditions(
            &json!({"StringEquals": {"aws:username": "${x}"}}),
            &Pointer::root(),
            false,
        )
        .unwrap();
        assert!(conditions[0].holds(&facts("1.1.1.1", &[("aws:username", "${x}")])));
    }
}
