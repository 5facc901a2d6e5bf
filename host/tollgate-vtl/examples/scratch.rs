use std::collections::BTreeMap;
fn main() {
    let args: Vec<String> = std::env::args().collect();
    let template = std::fs::read_to_string(&args[1]).unwrap();
    let body = args.get(2).cloned().unwrap_or_default();
    let ctx = serde_json::json!({"stage":"dev","requestId":"r1","httpMethod":"POST","resourcePath":"/pets","identity":{"sourceIp":"192.0.2.1","userAgent":"curl"}});
    let sv = BTreeMap::new();
    let q = vec![("name".to_string(), "toqoz".to_string())];
    let h = vec![("Accept".to_string(), "*/*".to_string())];
    let p = vec![("id".to_string(), "abc".to_string())];
    match tollgate_vtl::Template::compile(&template) {
        Err(e) => println!("COMPILE ERROR {e}"),
        Ok(t) => match t.render(&tollgate_vtl::RenderInput {
            body: &body,
            path_params: &p,
            query_params: &q,
            headers: &h,
            context: &ctx,
            stage_variables: &sv,
        }) {
            Ok(o) => println!("{:?}", o),
            Err(e) => println!("RENDER ERROR {e}"),
        },
    }
}
