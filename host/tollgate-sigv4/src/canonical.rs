//! The canonical request and string-to-sign, as SigV4 defines them for services other than S3.

use http::HeaderMap;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, percent_decode_str, utf8_percent_encode};
use sha2::{Digest, Sha256};

/// Everything but SigV4's unreserved characters (`A-Z a-z 0-9 - _ . ~`) is encoded, with
/// upper-case hex.
const UNRESERVED: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// In a path, `/` separates segments and stays.
const PATH_UNRESERVED: &AsciiSet = &UNRESERVED.remove(b'/');

pub(crate) const ALGORITHM: &str = "AWS4-HMAC-SHA256";
pub(crate) const UNSIGNED_PAYLOAD: &str = "UNSIGNED-PAYLOAD";

/// The canonical URI: the path as sent (still percent-encoded) with its dot segments and
/// repeated slashes removed as botocore's `remove_dot_segments` does for non-S3 services, then
/// URI-encoded again, so `%20` becomes `%2520`.
pub(crate) fn canonical_uri(path: &str) -> String {
    utf8_percent_encode(&normalize_path(path), PATH_UNRESERVED).to_string()
}

fn normalize_path(path: &str) -> String {
    if path.is_empty() {
        return "/".to_owned();
    }
    let mut segments: Vec<&str> = Vec::new();
    for segment in path.split('/') {
        match segment {
            "" | "." => {}
            ".." => {
                segments.pop();
            }
            other => segments.push(other),
        }
    }
    let leading = if path.starts_with('/') { "/" } else { "" };
    let trailing = if path.ends_with('/') && !segments.is_empty() {
        "/"
    } else {
        ""
    };
    format!("{leading}{}{trailing}", segments.join("/"))
}

/// One `name=value` of the query string, percent-decoded (`+` stays a plus: SigV4 does not
/// use form encoding).
pub(crate) struct QueryParameter {
    pub(crate) name: Vec<u8>,
    pub(crate) value: Vec<u8>,
}

pub(crate) fn parse_query(query: Option<&str>) -> Vec<QueryParameter> {
    let Some(query) = query else {
        return Vec::new();
    };
    query
        .split('&')
        .filter(|pair| !pair.is_empty())
        .map(|pair| {
            let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
            QueryParameter {
                name: percent_decode_str(name).collect(),
                value: percent_decode_str(value).collect(),
            }
        })
        .collect()
}

fn encode(bytes: &[u8]) -> String {
    percent_encoding::percent_encode(bytes, UNRESERVED).to_string()
}

/// Every parameter decoded and encoded again the SigV4 way, sorted by name then value; the
/// presigned form leaves out `X-Amz-Signature`, which cannot sign itself.
pub(crate) fn canonical_query(parameters: &[QueryParameter], presigned: bool) -> String {
    let mut pairs: Vec<(String, String)> = parameters
        .iter()
        .filter(|parameter| !(presigned && parameter.name == b"X-Amz-Signature"))
        .map(|parameter| (encode(&parameter.name), encode(&parameter.value)))
        .collect();
    pairs.sort();
    let mut canonical = String::new();
    for (index, (name, value)) in pairs.iter().enumerate() {
        if index > 0 {
            canonical.push('&');
        }
        canonical.push_str(name);
        canonical.push('=');
        canonical.push_str(value);
    }
    canonical
}

/// `name:value\n` for each signed header, in the order `SignedHeaders` lists them: each value
/// trimmed with inner runs of whitespace collapsed to one space, repeated headers joined with
/// commas in the order received. A signed header the request lacks has an empty value.
pub(crate) fn canonical_headers(headers: &HeaderMap, signed_headers: &[String]) -> String {
    let mut canonical = String::new();
    for name in signed_headers {
        let lower = name.to_ascii_lowercase();
        canonical.push_str(&lower);
        canonical.push(':');
        for (index, value) in headers.get_all(lower.as_str()).iter().enumerate() {
            if index > 0 {
                canonical.push(',');
            }
            let value = String::from_utf8_lossy(value.as_bytes());
            let mut words = value.split_ascii_whitespace();
            if let Some(first) = words.next() {
                canonical.push_str(first);
                for word in words {
                    canonical.push(' ');
                    canonical.push_str(word);
                }
            }
        }
        canonical.push('\n');
    }
    canonical
}

pub(crate) struct CanonicalRequest<'a> {
    pub(crate) method: &'a str,
    pub(crate) uri: &'a str,
    pub(crate) query: &'a str,
    pub(crate) headers: &'a str,
    pub(crate) signed_headers: &'a str,
    pub(crate) payload_hash: &'a str,
}

impl CanonicalRequest<'_> {
    pub(crate) fn text(&self) -> String {
        format!(
            "{}\n{}\n{}\n{}\n{}\n{}",
            self.method, self.uri, self.query, self.headers, self.signed_headers, self.payload_hash
        )
    }
}

pub(crate) fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

pub(crate) fn string_to_sign(request_time: &str, scope: &str, canonical_request: &str) -> String {
    format!(
        "{ALGORITHM}\n{request_time}\n{scope}\n{}",
        sha256_hex(canonical_request.as_bytes())
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_normalized_like_botocore() {
        // Expected values are botocore's `remove_dot_segments` on the same input.
        for (path, normalized) in [
            ("", "/"),
            ("/", "/"),
            ("//", "/"),
            ("/./", "/"),
            ("/example/..", "/"),
            ("/example1/example2/../..", "/"),
            ("/./example", "/example"),
            ("//example//", "/example/"),
            ("/a/b/../c/./d/", "/a/c/d/"),
            ("/a/%2E%2E/b", "/a/%2E%2E/b"),
            ("/../a", "/a"),
        ] {
            assert_eq!(normalize_path(path), normalized, "{path}");
        }
    }

    #[test]
    fn the_path_is_encoded_a_second_time() {
        assert_eq!(canonical_uri("/prod/pets/a%20b"), "/prod/pets/a%2520b");
        assert_eq!(canonical_uri("/example space/"), "/example%20space/");
        assert_eq!(canonical_uri("/ሴ"), "/%E1%88%B4");
        assert_eq!(canonical_uri("/-._~AZaz09"), "/-._~AZaz09");
        assert_eq!(canonical_uri("/a+b=c:d"), "/a%2Bb%3Dc%3Ad");
    }

    #[test]
    fn query_is_reencoded_and_sorted_by_name_then_value() {
        let parameters = parse_query(Some("b=2&a=%7e&b=1&flag&sp=a%20b&plus=1+1&&empty="));
        assert_eq!(
            canonical_query(&parameters, false),
            "a=~&b=1&b=2&empty=&flag=&plus=1%2B1&sp=a%20b"
        );
        assert_eq!(canonical_query(&parse_query(None), false), "");
    }

    #[test]
    fn presigned_query_leaves_out_only_the_signature() {
        let parameters = parse_query(Some("X-Amz-Signature=abc&X-Amz-Date=1&x=y"));
        assert_eq!(canonical_query(&parameters, true), "X-Amz-Date=1&x=y");
        assert_eq!(
            canonical_query(&parameters, false),
            "X-Amz-Date=1&X-Amz-Signature=abc&x=y"
        );
    }

    #[test]
    fn headers_are_trimmed_collapsed_and_joined() {
        let mut headers = HeaderMap::new();
        headers.append("my-header", "  a   b\tc ".parse().unwrap());
        headers.append("my-header", "second".parse().unwrap());
        headers.append("host", "example.com".parse().unwrap());
        let signed = [
            "host".to_owned(),
            "My-Header".to_owned(),
            "absent".to_owned(),
        ];
        assert_eq!(
            canonical_headers(&headers, &signed),
            "host:example.com\nmy-header:a b c,second\nabsent:\n"
        );
    }
}
