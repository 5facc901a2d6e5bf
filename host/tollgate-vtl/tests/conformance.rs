//! The VTL conformance suite: every case in `tests/conformance/*.yaml` is a template, an
//! input and the exact output (or error) API Gateway produces, with the source the expected
//! output was taken from. One runner, all cases; a failure names the file and case.

use std::collections::BTreeMap;
use std::path::Path;

use serde::Deserialize;
use tollgate_vtl::{RenderInput, Template};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Case {
    name: String,
    /// The feature the case pins (used to count coverage).
    feature: String,
    /// Where the expected behaviour comes from: a URL or a document title and section.
    source: String,
    template: String,
    #[serde(default)]
    body: String,
    #[serde(default)]
    path: Vec<(String, String)>,
    #[serde(default)]
    query: Vec<(String, String)>,
    #[serde(default)]
    headers: Vec<(String, String)>,
    #[serde(default)]
    context: Option<serde_json::Value>,
    #[serde(default)]
    stage_variables: BTreeMap<String, String>,
    /// The exact output.
    #[serde(default)]
    expected: Option<String>,
    /// The render fails; its message contains this.
    #[serde(default)]
    render_error: Option<String>,
    /// The template does not compile; the error is at this line and column.
    #[serde(default)]
    compile_error: Option<(u32, u32)>,
    /// `$context.responseOverride` after rendering contains these entries.
    #[serde(default)]
    response_override: Option<serde_json::Value>,
    /// `$context.requestOverride` after rendering contains these entries.
    #[serde(default)]
    request_override: Option<serde_json::Value>,
}

fn default_context() -> serde_json::Value {
    serde_json::json!({
        "accountId": "123456789012",
        "apiId": "abcd1234",
        "httpMethod": "POST",
        "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/8.4.0"},
        "path": "/dev/pets",
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "requestTime": "09/Apr/2015:12:34:56 +0000",
        "requestTimeEpoch": 1428582896000i64,
        "resourceId": "efg567",
        "resourcePath": "/pets",
        "stage": "dev"
    })
}

fn contains(actual: &serde_json::Value, expected: &serde_json::Value) -> bool {
    match (actual, expected) {
        (serde_json::Value::Object(a), serde_json::Value::Object(e)) => e
            .iter()
            .all(|(k, v)| a.get(k).is_some_and(|av| contains(av, v))),
        (a, e) => a == e,
    }
}

fn run_case(file: &str, case: &Case) -> Result<(), String> {
    let label = format!("{file}: {}", case.name);
    if case.source.trim().is_empty() {
        return Err(format!("{label}: no source"));
    }
    let template = match Template::compile(&case.template) {
        Ok(t) => t,
        Err(e) => {
            return match case.compile_error {
                Some((line, column)) if (e.line, e.column) == (line, column) => Ok(()),
                Some((line, column)) => Err(format!(
                    "{label}: compile error at {}:{} ({}), expected at {line}:{column}",
                    e.line, e.column, e.message
                )),
                None => Err(format!("{label}: unexpected compile error: {e}")),
            };
        }
    };
    if let Some((line, column)) = case.compile_error {
        return Err(format!(
            "{label}: compiled, expected an error at {line}:{column}"
        ));
    }
    let context = case.context.clone().unwrap_or_else(default_context);
    let input = RenderInput {
        body: &case.body,
        path_params: &case.path,
        query_params: &case.query,
        headers: &case.headers,
        context: &context,
        stage_variables: &case.stage_variables,
    };
    match (template.render_detailed(&input), &case.render_error) {
        (Ok(rendered), None) => {
            if let Some(expected) = &case.expected
                && &rendered.output != expected
            {
                return Err(format!(
                    "{label}:\n  expected: {expected:?}\n  actual:   {:?}",
                    rendered.output
                ));
            }
            if let Some(expected) = &case.response_override
                && !contains(&rendered.response_override, expected)
            {
                return Err(format!(
                    "{label}: responseOverride {} lacks {expected}",
                    rendered.response_override
                ));
            }
            if let Some(expected) = &case.request_override
                && !contains(&rendered.request_override, expected)
            {
                return Err(format!(
                    "{label}: requestOverride {} lacks {expected}",
                    rendered.request_override
                ));
            }
            Ok(())
        }
        (Ok(rendered), Some(expected)) => Err(format!(
            "{label}: rendered {:?}, expected an error containing {expected:?}",
            rendered.output
        )),
        (Err(e), Some(expected)) if e.message.contains(expected.as_str()) => Ok(()),
        (Err(e), _) => Err(format!("{label}: render error: {e}")),
    }
}

#[test]
fn conformance_suite() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/conformance");
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .expect("tests/conformance exists")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "yaml"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut per_feature: BTreeMap<String, usize> = BTreeMap::new();
    let mut total = 0;
    for path in &files {
        let file = path
            .file_name()
            .unwrap_or_default()
            .to_string_lossy()
            .into_owned();
        let text = std::fs::read_to_string(path).expect("readable case file");
        let cases: Vec<Case> =
            serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{file} does not parse: {e}"));
        for case in &cases {
            total += 1;
            *per_feature.entry(case.feature.clone()).or_default() += 1;
            if let Err(e) = run_case(&file, case) {
                failures.push(e);
            }
        }
    }
    eprintln!("{total} conformance cases: {per_feature:?}");
    assert!(
        failures.is_empty(),
        "{} of {total} cases failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
    assert!(total >= 150, "only {total} conformance cases");
}
