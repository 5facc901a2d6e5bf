//! Reading the signature's parts from the `Authorization` header or the presigned query
//! string, with AWS's checks for missing and malformed parts.

use std::collections::HashMap;

use http::HeaderMap;
use http::header::{AUTHORIZATION, DATE};

use crate::canonical::QueryParameter;
use crate::error::{MissingHeaderPart, SigV4Error};

/// Where the signature came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Form {
    Header,
    Presigned,
}

/// The signature's parts, as the request carries them.
pub(crate) struct Authorization {
    pub(crate) form: Form,
    pub(crate) algorithm: String,
    pub(crate) credential: String,
    pub(crate) signed_headers: String,
    pub(crate) signature: String,
    /// The signing time as sent, and whether it came from the `Date` header (which may be an
    /// HTTP date rather than ISO 8601 basic format).
    pub(crate) date: String,
    pub(crate) date_from_date_header: bool,
    /// `X-Amz-Expires`, presigned form only, unparsed.
    pub(crate) expires: Option<String>,
}

const X_AMZ_DATE: &str = "x-amz-date";

/// Finds the signature, or says why there is none usable: AWS's order is both forms at once,
/// then neither, then missing parts.
pub(crate) fn read(
    headers: &HeaderMap,
    query: &[QueryParameter],
) -> Result<Authorization, SigV4Error> {
    let header = headers.get(AUTHORIZATION);
    let presigned = query
        .iter()
        .any(|parameter| parameter.name == b"X-Amz-Algorithm");
    match (header, presigned) {
        (Some(_), true) => Err(SigV4Error::both_header_and_query()),
        (None, false) => Err(SigV4Error::missing_authentication_token()),
        (Some(header), false) => read_header(&String::from_utf8_lossy(header.as_bytes()), headers),
        (None, true) => read_query(query),
    }
}

// API Gateway takes any `Authorization` header as an attempt at SigV4 (a JWT is answered with
// "requires 'Credential' parameter...", not "Missing Authentication Token"), so the algorithm
// is only checked later, after the date and the signed headers.
fn read_header(header: &str, headers: &HeaderMap) -> Result<Authorization, SigV4Error> {
    let trimmed = header.trim();
    let (algorithm, rest) = trimmed
        .split_once(|c: char| c.is_ascii_whitespace())
        .unwrap_or((trimmed, ""));
    let mut parameters: HashMap<&str, &str> = HashMap::new();
    for part in rest
        .split(|c: char| c == ',' || c.is_ascii_whitespace())
        .filter(|part| !part.is_empty())
    {
        let Some((name, value)) = part.split_once('=') else {
            return Err(SigV4Error::not_key_value_pair(part, header));
        };
        parameters.insert(name, value);
    }

    let mut missing = Vec::new();
    for name in ["Credential", "Signature", "SignedHeaders"] {
        // Present is enough here: an empty SignedHeaders is reported later, as a missing host.
        if !parameters.contains_key(name) {
            missing.push(MissingHeaderPart::Parameter(name));
        }
    }
    let date = headers
        .get(X_AMZ_DATE)
        .map(|value| (value, false))
        .or_else(|| headers.get(DATE).map(|value| (value, true)));
    if date.is_none() {
        missing.push(MissingHeaderPart::Date);
    }
    let Some((date, date_from_date_header)) = date.filter(|_| missing.is_empty()) else {
        return Err(SigV4Error::incomplete_header(&missing, header));
    };

    Ok(Authorization {
        form: Form::Header,
        algorithm: algorithm.to_owned(),
        credential: parameters["Credential"].to_owned(),
        signed_headers: parameters["SignedHeaders"].to_owned(),
        signature: parameters["Signature"].to_owned(),
        date: String::from_utf8_lossy(date.as_bytes()).trim().to_owned(),
        date_from_date_header,
        expires: None,
    })
}

fn read_query(query: &[QueryParameter]) -> Result<Authorization, SigV4Error> {
    let value = |name: &str| -> Option<String> {
        query
            .iter()
            .find(|parameter| parameter.name == name.as_bytes())
            .map(|parameter| String::from_utf8_lossy(&parameter.value).into_owned())
    };
    let required = [
        "X-Amz-Algorithm",
        "X-Amz-Credential",
        "X-Amz-Signature",
        "X-Amz-SignedHeaders",
        "X-Amz-Date",
    ];
    let missing: Vec<&str> = required
        .into_iter()
        .filter(|name| value(name).is_none_or(|value| value.is_empty()))
        .collect();
    if !missing.is_empty() {
        return Err(SigV4Error::incomplete_query(&missing));
    }
    let [algorithm, credential, signature, signed_headers, date] =
        required.map(|name| value(name).unwrap_or_default());
    Ok(Authorization {
        form: Form::Presigned,
        algorithm,
        credential,
        signed_headers,
        signature,
        date,
        date_from_date_header: false,
        expires: value("X-Amz-Expires"),
    })
}
