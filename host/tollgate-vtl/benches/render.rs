//! Render throughput of a typical 30-line mapping template (natively): the PetStore-style
//! response mapping plus parameters, context and `$util` calls. Run with
//! `cargo bench -p tollgate-vtl --bench render`.

use std::collections::BTreeMap;
use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use tollgate_vtl::{RenderInput, Template};

/// A typical 30-line integration-request template.
pub const TEMPLATE: &str = include_str!("template.vm");

/// The request body the template renders against.
pub const BODY: &str = r#"{"customer": {"name": "Ann O'Neil", "email": "Ann@Example.COM", "orders": 12},
 "items": [{"sku": "A-1", "quantity": 2, "price": 9.99}, {"sku": "B-2", "quantity": 1, "price": 24.5},
           {"sku": "C-3", "quantity": 5, "price": 1.25}]}"#;

fn render(c: &mut Criterion) {
    let template = Template::compile(TEMPLATE).expect("template compiles");
    let context = serde_json::json!({
        "requestId": "c6af9ac6-7b61-11e6-9a41-93e8deadbeef",
        "stage": "prod",
        "identity": {"sourceIp": "192.0.2.1", "userAgent": "curl/8"},
    });
    let stage_variables = BTreeMap::from([("alias".to_owned(), "live".to_owned())]);
    let query = vec![
        ("page".to_owned(), "2".to_owned()),
        ("q".to_owned(), "red shoes".to_owned()),
    ];
    let headers = vec![("Accept".to_owned(), "application/json".to_owned())];
    let input = RenderInput {
        body: BODY,
        path_params: &[],
        query_params: &query,
        headers: &headers,
        context: &context,
        stage_variables: &stage_variables,
    };
    let output = template.render(&input).expect("template renders");
    assert!(output.contains("\"vip\": true"));

    let mut group = c.benchmark_group("vtl");
    group.throughput(Throughput::Elements(1));
    group.bench_function("render 30-line template (native)", |b| {
        b.iter(|| black_box(template.render(black_box(&input)).expect("renders")))
    });
    group.bench_function("compile 30-line template", |b| {
        b.iter(|| black_box(Template::compile(black_box(TEMPLATE)).expect("compiles")))
    });
    group.finish();
}

criterion_group!(benches, render);
criterion_main!(benches);
