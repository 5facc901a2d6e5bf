//! Integration URIs: the function forms of `aws` / `aws_proxy` integrations and the URL
//! templates of `http` / `http_proxy` integrations.
//!
//! Function URIs come in two spellings that resolve to the same target, so that a definition
//! exported from AWS imports unmodified:
//! - Tollgate's own `function:NAME` and `function:NAME:QUALIFIER`;
//! - AWS's Lambda form
//!   `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION/invocations`, where
//!   FUNCTION is a Lambda function ARN (`arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]`),
//!   a partial ARN (`ACCOUNT:function:NAME[:QUALIFIER]`) or a bare `NAME[:QUALIFIER]`.
//!
//! QUALIFIER is a version number, an alias or `$LATEST`. NAME and QUALIFIER may contain
//! `${stageVariables.x}` references, resolved per stage.
//!
//! Component URIs name a WASM component of another world the same way: `mapper:NAME[:QUALIFIER]`
//! (`x-tollgate-mapper`) and `authorizer:NAME[:QUALIFIER]` (an authorizer's `authorizerUri`,
//! which may also be AWS's Lambda form above). Their NAME is plain; only QUALIFIER may hold
//! `${stageVariables.x}`.

use super::expression::is_stage_variable_name;

pub(crate) const FUNCTION_URI_EXPECTED: &str = "a function URI: function:NAME, \
     function:NAME:QUALIFIER, or arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/\
     arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]/invocations";

pub(crate) const MAPPER_URI_EXPECTED: &str = "a mapper URI: mapper:NAME or mapper:NAME:QUALIFIER";

pub(crate) const AUTHORIZER_URI_EXPECTED: &str = "an authorizer URI: authorizer:NAME, \
     authorizer:NAME:QUALIFIER, or arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/\
     arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]/invocations";

pub(crate) const URL_EXPECTED: &str = "an http:// or https:// URL (with optional {param} \
     placeholders and ${stageVariables.NAME} references)";

/// Why a URI is not a function URI.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FunctionUriError {
    /// An AWS service integration URI (`arn:aws:apigateway:REGION:SERVICE:...`) other than
    /// Lambda: a feature not supported yet.
    ServiceIntegration(String),
    /// Not a function URI at all; the text says what is wrong.
    Invalid(String),
}

/// A resolved function URI: the function name and its optional qualifier.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct FunctionRef {
    pub(crate) name: String,
    pub(crate) qualifier: Option<String>,
}

pub(crate) fn parse_function_uri(uri: &str) -> Result<FunctionRef, FunctionUriError> {
    if let Some(rest) = uri.strip_prefix("function:") {
        return name_and_qualifier(rest);
    }
    if let Some(rest) = uri.strip_prefix("arn:") {
        let mut fields = rest.splitn(5, ':');
        let partition = fields.next().unwrap_or_default();
        let service = fields.next().unwrap_or_default();
        let region = fields.next().unwrap_or_default();
        let subservice = fields.next().unwrap_or_default();
        let path = fields.next().unwrap_or_default();
        if partition.starts_with("aws") && service == "apigateway" && !region.is_empty() {
            if subservice != "lambda" {
                return Err(FunctionUriError::ServiceIntegration(format!(
                    "AWS service integrations (`{subservice}`); only Lambda-style function URIs are"
                )));
            }
            let function = path
                .strip_prefix("path/2015-03-31/functions/")
                .and_then(|f| f.strip_suffix("/invocations"))
                .ok_or_else(|| {
                    FunctionUriError::Invalid(
                        "a Lambda URI reads lambda:path/2015-03-31/functions/FUNCTION/invocations"
                            .to_owned(),
                    )
                })?;
            return function_arn(function);
        }
    }
    Err(FunctionUriError::Invalid(String::new()))
}

/// The FUNCTION part of AWS's Lambda URI.
fn function_arn(function: &str) -> Result<FunctionRef, FunctionUriError> {
    if let Some(rest) = function.strip_prefix("arn:") {
        // PARTITION:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]
        let fields: Vec<&str> = rest.splitn(6, ':').collect();
        match fields.as_slice() {
            [partition, "lambda", region, account, "function", tail]
                if partition.starts_with("aws") && !region.is_empty() && !account.is_empty() =>
            {
                name_and_qualifier(tail)
            }
            _ => Err(FunctionUriError::Invalid(
                "a Lambda function ARN reads arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]"
                    .to_owned(),
            )),
        }
    } else if let Some((account, tail)) = function.split_once(":function:") {
        if account.is_empty() || !account.chars().all(|c| c.is_ascii_digit()) {
            return Err(FunctionUriError::Invalid(
                "a partial function ARN reads ACCOUNT:function:NAME[:QUALIFIER]".to_owned(),
            ));
        }
        name_and_qualifier(tail)
    } else {
        name_and_qualifier(function)
    }
}

fn name_and_qualifier(text: &str) -> Result<FunctionRef, FunctionUriError> {
    let (name, qualifier) = match text.split_once(':') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (text, None),
    };
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    if !is_template_of(name, is_name_char) {
        return Err(FunctionUriError::Invalid(format!(
            "function name \"{name}\": a name is made of A-Z, a-z, 0-9, `-` and `_` \
             (and ${{stageVariables.NAME}} references)"
        )));
    }
    if let Some(qualifier) = qualifier
        && qualifier != "$LATEST"
        && !is_template_of(qualifier, is_name_char)
    {
        return Err(FunctionUriError::Invalid(format!(
            "qualifier \"{qualifier}\": a qualifier is a version number, an alias (A-Z, a-z, \
             0-9, `-`, `_`), $LATEST or a ${{stageVariables.NAME}} reference"
        )));
    }
    Ok(FunctionRef {
        name: name.to_owned(),
        qualifier: qualifier.map(str::to_owned),
    })
}

/// Parses `mapper:NAME[:QUALIFIER]`: NAME is made of A-Z, a-z, 0-9, `-` and `_`; QUALIFIER
/// is a version number, an alias or `$LATEST`, possibly with `${stageVariables.NAME}`
/// references. The error says what is wrong (empty when the URI is not a mapper URI at all).
pub(crate) fn parse_mapper_uri(uri: &str) -> Result<(String, Option<String>), String> {
    let rest = uri.strip_prefix("mapper:").ok_or_else(String::new)?;
    component_name_and_qualifier("mapper", rest)
}

/// Parses an authorizer's `authorizerUri`: `authorizer:NAME[:QUALIFIER]` (as a mapper URI), or
/// AWS's Lambda URI naming the function NAME (the plugin Tollgate runs in its place). The
/// error says what is wrong (empty when the URI is neither form).
pub(crate) fn parse_authorizer_uri(uri: &str) -> Result<(String, Option<String>), String> {
    if let Some(rest) = uri.strip_prefix("authorizer:") {
        return component_name_and_qualifier("authorizer", rest);
    }
    if !uri.starts_with("arn:") {
        return Err(String::new());
    }
    match parse_function_uri(uri) {
        // The Lambda form allows stage variables in NAME; an authorizer component's name is
        // plain, as in `authorizer:NAME`.
        Ok(function) if is_plain_name(&function.name) => Ok((function.name, function.qualifier)),
        Ok(function) => Err(format!(
            "authorizer name \"{}\": a name is made of A-Z, a-z, 0-9, `-` and `_`",
            function.name
        )),
        Err(FunctionUriError::ServiceIntegration(_)) => Err(
            "an authorizer's AWS URI is a Lambda one, arn:aws:apigateway:REGION:lambda:path/..."
                .to_owned(),
        ),
        Err(FunctionUriError::Invalid(why)) => Err(why),
    }
}

fn is_plain_name(name: &str) -> bool {
    !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_'))
}

/// `NAME[:QUALIFIER]` of a component URI (`what` names the component in errors).
fn component_name_and_qualifier(
    what: &str,
    rest: &str,
) -> Result<(String, Option<String>), String> {
    let (name, qualifier) = match rest.split_once(':') {
        Some((name, qualifier)) => (name, Some(qualifier)),
        None => (rest, None),
    };
    let is_name_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '-' | '_');
    if !is_plain_name(name) {
        return Err(format!(
            "{what} name \"{name}\": a name is made of A-Z, a-z, 0-9, `-` and `_`"
        ));
    }
    if let Some(qualifier) = qualifier
        && qualifier != "$LATEST"
        && !is_template_of(qualifier, is_name_char)
    {
        return Err(format!(
            "qualifier \"{qualifier}\": a qualifier is a version number, an alias (A-Z, a-z, \
             0-9, `-`, `_`), $LATEST or a ${{stageVariables.NAME}} reference"
        ));
    }
    Ok((name.to_owned(), qualifier.map(str::to_owned)))
}

/// Whether `text` is non-empty and made of characters accepted by `allowed` and
/// `${stageVariables.NAME}` references.
fn is_template_of(text: &str, allowed: impl Fn(char) -> bool) -> bool {
    let mut rest = text;
    if rest.is_empty() {
        return false;
    }
    while !rest.is_empty() {
        if let Some(after) = rest.strip_prefix("${") {
            let Some((reference, tail)) = after.split_once('}') else {
                return false;
            };
            if !reference
                .strip_prefix("stageVariables.")
                .is_some_and(is_stage_variable_name)
            {
                return false;
            }
            rest = tail;
        } else {
            let mut chars = rest.chars();
            match chars.next() {
                Some(c) if allowed(c) => rest = chars.as_str(),
                _ => return false,
            }
        }
    }
    true
}

/// Validates an HTTP integration URL template and returns the names of its `{param}`
/// placeholders, in order.
pub(crate) fn parse_http_url(uri: &str) -> Result<Vec<String>, String> {
    let lower = uri.to_ascii_lowercase();
    let after_scheme = if lower.starts_with("https://") {
        &uri["https://".len()..]
    } else if lower.starts_with("http://") {
        &uri["http://".len()..]
    } else {
        return Err("the URL must start with http:// or https://".to_owned());
    };
    let authority_end = after_scheme
        .find(['/', '?', '#'])
        .unwrap_or(after_scheme.len());
    if authority_end == 0 {
        return Err("the URL has no host".to_owned());
    }
    let mut placeholders = Vec::new();
    let mut rest = uri;
    while let Some(at) = rest.find(['{', '}', '$', ' ', '\t', '\n', '\r']) {
        let found = &rest[at..];
        if let Some(after) = found.strip_prefix("${") {
            let (reference, tail) = after
                .split_once('}')
                .ok_or_else(|| "an unterminated ${...} reference".to_owned())?;
            if !reference
                .strip_prefix("stageVariables.")
                .is_some_and(is_stage_variable_name)
            {
                return Err(format!(
                    "\"${{{reference}}}\" is not a ${{stageVariables.NAME}} reference"
                ));
            }
            rest = tail;
        } else if let Some(after) = found.strip_prefix('{') {
            let (name, tail) = after
                .split_once('}')
                .ok_or_else(|| "an unterminated {placeholder}".to_owned())?;
            if !crate::resource_path::is_valid_part(name) {
                return Err(format!(
                    "placeholder {{{name}}}: a name is made of A-Z, a-z, 0-9, `.`, `_` and `-`"
                ));
            }
            placeholders.push(name.to_owned());
            rest = tail;
        } else if let Some(after) = found.strip_prefix('$') {
            rest = after;
        } else if found.starts_with('}') {
            return Err("an unmatched `}`".to_owned());
        } else {
            return Err("the URL contains white space".to_owned());
        }
    }
    Ok(placeholders)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn function(name: &str, qualifier: Option<&str>) -> Result<FunctionRef, FunctionUriError> {
        Ok(FunctionRef {
            name: name.to_owned(),
            qualifier: qualifier.map(str::to_owned),
        })
    }

    #[test]
    fn tollgate_function_uris() {
        assert_eq!(parse_function_uri("function:crud"), function("crud", None));
        assert_eq!(
            parse_function_uri("function:crud:7"),
            function("crud", Some("7"))
        );
        assert_eq!(
            parse_function_uri("function:crud:${stageVariables.alias}"),
            function("crud", Some("${stageVariables.alias}"))
        );
        assert_eq!(
            parse_function_uri("function:crud-${stageVariables.env}:prod"),
            function("crud-${stageVariables.env}", Some("prod"))
        );
    }

    #[test]
    fn aws_lambda_uris_resolve_to_the_same_function() {
        let arn = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
                   arn:aws:lambda:us-east-1:123456789012:function:crud/invocations";
        assert_eq!(parse_function_uri(arn), function("crud", None));
        let qualified = "arn:aws:apigateway:eu-west-1:lambda:path/2015-03-31/functions/\
                         arn:aws:lambda:eu-west-1:123456789012:function:crud:${stageVariables.alias}/invocations";
        assert_eq!(
            parse_function_uri(qualified),
            function("crud", Some("${stageVariables.alias}"))
        );
        let partial = "arn:aws-cn:apigateway:cn-north-1:lambda:path/2015-03-31/functions/\
                       123456789012:function:crud:$LATEST/invocations";
        assert_eq!(
            parse_function_uri(partial),
            function("crud", Some("$LATEST"))
        );
    }

    #[test]
    fn service_integrations_are_told_apart() {
        let s3 = "arn:aws:apigateway:us-east-1:s3:path/bucket/key";
        assert!(matches!(
            parse_function_uri(s3),
            Err(FunctionUriError::ServiceIntegration(_))
        ));
    }

    #[test]
    fn malformed_function_uris() {
        for uri in [
            "crud",
            "function:",
            "function:a b",
            "function:crud:1:2",
            "function:crud:${stageVariables.a-b}",
            "function:crud:${env.x}",
            "https://example.com",
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/crud",
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:s3:::b/invocations",
        ] {
            assert!(
                matches!(parse_function_uri(uri), Err(FunctionUriError::Invalid(_))),
                "{uri} should be refused"
            );
        }
    }

    #[test]
    fn mapper_uris() {
        assert_eq!(parse_mapper_uri("mapper:vtl"), Ok(("vtl".to_owned(), None)));
        assert_eq!(
            parse_mapper_uri("mapper:soap-json:${stageVariables.alias}"),
            Ok((
                "soap-json".to_owned(),
                Some("${stageVariables.alias}".to_owned())
            ))
        );
        assert_eq!(
            parse_mapper_uri("mapper:m:$LATEST"),
            Ok(("m".to_owned(), Some("$LATEST".to_owned())))
        );
        assert_eq!(parse_mapper_uri("function:m"), Err(String::new()));
        for bad in [
            "mapper:",
            "mapper:a b",
            "mapper:${stageVariables.m}",
            "mapper:m:1:2",
            "mapper:m:",
            "mapper:m:${env.x}",
        ] {
            assert!(
                parse_mapper_uri(bad).is_err_and(|why| !why.is_empty()),
                "{bad} should be refused with a reason"
            );
        }
    }

    #[test]
    fn authorizer_uris_in_both_spellings() {
        assert_eq!(
            parse_authorizer_uri("authorizer:jwt-check:${stageVariables.alias}"),
            Ok((
                "jwt-check".to_owned(),
                Some("${stageVariables.alias}".to_owned())
            ))
        );
        let lambda = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
                      arn:aws:lambda:us-east-1:123456789012:function:token-check:3/invocations";
        assert_eq!(
            parse_authorizer_uri(lambda),
            Ok(("token-check".to_owned(), Some("3".to_owned())))
        );
        assert_eq!(
            parse_authorizer_uri("function:token-check"),
            Err(String::new())
        );
        for bad in [
            "authorizer:",
            "authorizer:a b",
            "authorizer:${stageVariables.a}",
            "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/\
             arn:aws:lambda:us-east-1:123456789012:function:a-${stageVariables.b}/invocations",
            "arn:aws:apigateway:us-east-1:s3:path/bucket/key",
        ] {
            assert!(
                parse_authorizer_uri(bad).is_err_and(|why| !why.is_empty()),
                "{bad} should be refused with a reason"
            );
        }
    }

    #[test]
    fn http_urls_with_placeholders_and_stage_variables() {
        assert_eq!(
            parse_http_url(
                "https://${stageVariables.host}/items/{id}/{proxy}?q=${stageVariables.q}"
            ),
            Ok(vec!["id".to_owned(), "proxy".to_owned()])
        );
        assert_eq!(parse_http_url("HTTP://example.com"), Ok(vec![]));
        for bad in [
            "ftp://example.com",
            "https://",
            "https:///path",
            "example.com/x",
            "https://example.com/{id",
            "https://example.com/}",
            "https://example.com/${env.x}",
            "https://example.com/a b",
            "https://example.com/{a/b}",
        ] {
            assert!(parse_http_url(bad).is_err(), "{bad} should be refused");
        }
    }
}
