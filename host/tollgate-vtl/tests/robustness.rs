//! Robustness: the parser and renderer never panic, never hang and never blow the stack,
//! whatever the template and input (a proptest over VTL-shaped and arbitrary text), and the
//! limits of a render turn pathological templates into errors.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use proptest::prelude::*;
use tollgate_vtl::{RenderInput, Template};

fn render(template: &Template, body: &str) -> Result<String, tollgate_vtl::RenderError> {
    let context = serde_json::json!({"stage": "dev", "identity": {"sourceIp": "1.2.3.4"}});
    let stage_variables = BTreeMap::from([("v".to_owned(), "1".to_owned())]);
    let query = vec![("q".to_owned(), "x".to_owned())];
    template.render(&RenderInput {
        body,
        path_params: &[],
        query_params: &query,
        headers: &[],
        context: &context,
        stage_variables: &stage_variables,
    })
}

/// Fragments that exercise every lexical state of the VTL lexer.
const FRAGMENTS: &[&str] = &[
    "$",
    "#",
    "\\",
    "$!",
    "${",
    "}",
    "{",
    "(",
    ")",
    "[",
    "]",
    ",",
    ".",
    "..",
    ":",
    "=",
    "\"",
    "'",
    " ",
    "\n",
    "\t",
    "\r\n",
    "##",
    "#*",
    "*#",
    "#**",
    "#[[",
    "]]#",
    "#set(",
    "#if(",
    "#elseif(",
    "#else",
    "#end",
    "#foreach(",
    "#break",
    "#stop",
    "#define(",
    "#macro(",
    "#{end}",
    "in",
    "$a",
    "$b.c",
    "$a.b()",
    "$input.json('$')",
    "$input.path('$.a')",
    "$input.params()",
    "$util.escapeJavaScript(",
    "$util.parseJson(",
    "$foreach.hasNext",
    "$velocityCount",
    "1",
    "-2",
    "3.5",
    "[1..3]",
    "{'k':'v'}",
    "true",
    "false",
    "==",
    "!=",
    "&&",
    "||",
    "!",
    "<",
    ">",
    "+",
    "-",
    "*",
    "/",
    "%",
    "and",
    "or",
    "not",
    "eq",
    "x",
    "é",
    "😀",
    "#set($a = $a + $a)",
    "#foreach($i in [1..1000])",
    "$a.substring(",
    "$a.replaceAll('(a*)*b', 'x')",
];

fn vtl_like() -> impl Strategy<Value = String> {
    prop::collection::vec(prop::sample::select(FRAGMENTS), 0..60).prop_map(|parts| parts.concat())
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    #[test]
    fn vtl_shaped_templates_never_panic(source in vtl_like(), body in "\\PC{0,40}") {
        let started = Instant::now();
        if let Ok(template) = Template::compile(&source) {
            let _ = render(&template, &body);
            let _ = render(&template, r#"{"a": [1, {"b": "c"}], "s": "x"}"#);
        }
        prop_assert!(started.elapsed() < Duration::from_secs(5), "took {:?}", started.elapsed());
    }

    #[test]
    fn arbitrary_text_never_panics(source in "\\PC{0,200}") {
        if let Ok(template) = Template::compile(&source) {
            let _ = render(&template, "");
        }
    }
}

#[test]
fn deep_nesting_is_a_compile_error_not_a_stack_overflow() {
    let deep_if = "#if(true)".repeat(10_000) + &"#end".repeat(10_000);
    assert!(Template::compile(&deep_if).is_err());
    let deep_parens = format!("#set($a = {}1{})", "(".repeat(10_000), ")".repeat(10_000));
    assert!(Template::compile(&deep_parens).is_err());
    let deep_strings = format!(
        "#set($a = {}$b{})",
        "\"$a.b(".repeat(500),
        ")\"".repeat(500)
    );
    let _ = Template::compile(&deep_strings);
}

#[test]
fn nested_loops_stop_at_the_work_limit() {
    let template = Template::compile(
        "#foreach($a in [1..1000])#foreach($b in [1..1000])#foreach($c in [1..1000])x#end#end#end",
    )
    .unwrap();
    let started = Instant::now();
    let error = render(&template, "").unwrap_err();
    assert!(error.message.contains("exceeded"), "{error}");
    assert!(started.elapsed() < Duration::from_secs(10));
}

#[test]
fn exponential_strings_stop_at_the_size_limit() {
    let template = Template::compile(
        "#set($s = \"xx\")#foreach($i in [1..100])#set($s = \"$s$s\")#end$s.length()",
    )
    .unwrap();
    let error = render(&template, "").unwrap_err();
    assert!(error.message.contains("exceeds"), "{error}");
}

#[test]
fn recursive_macros_and_blocks_stop_at_the_depth_limit() {
    let template = Template::compile("#macro(r $n)#r($n)#end#r(1)").unwrap();
    let error = render(&template, "").unwrap_err();
    assert!(error.message.contains("depth"), "{error}");
    let template = Template::compile("#define($b)$b#end$b").unwrap();
    let error = render(&template, "").unwrap_err();
    assert!(error.message.contains("recursion"), "{error}");
}

#[test]
fn a_foreach_stops_after_api_gateways_1000_iterations() {
    let template = Template::compile("#foreach($i in [1..5000])#set($last = $i)#end$last").unwrap();
    assert_eq!(render(&template, "").unwrap(), "1000");
}

#[test]
fn huge_ranges_are_refused() {
    let template = Template::compile("#foreach($i in [1..2000000000])#end").unwrap();
    assert!(render(&template, "").is_err());
}

#[test]
fn compile_errors_report_line_and_column() {
    for (source, line, column) in [
        ("#if($a)\nno end", 2, 7),
        ("line one\n#set($x = )", 2, 11),
        ("ok\n  #foreach($i $list)\n#end", 2, 15),
        ("$a.b(+)", 1, 6),
        ("#macro()#end", 1, 1),
        ("text #end", 1, 6),
        ("#set($a = \"$b.c(\")", 1, 18),
    ] {
        let error = Template::compile(source).expect_err(source);
        assert_eq!(
            (error.line, error.column),
            (line, column),
            "{source:?}: {error}"
        );
        assert!(
            error
                .to_string()
                .starts_with(&format!("line {line}, column {column}: "))
        );
    }
}

#[test]
fn render_errors_report_line_and_column() {
    let template = Template::compile("ok\n  $input.body.substring(99)").unwrap();
    let error = render(&template, "short").unwrap_err();
    assert_eq!((error.line, error.column), (2, 15), "{error}");
    assert!(error.to_string().starts_with("line 2, column 15: "));
    let template = Template::compile("{\"a\": $input.json('$.a')}").unwrap();
    let error = render(&template, "{not json").unwrap_err();
    assert!(error.is_body_parse_error(), "{error}");
}
