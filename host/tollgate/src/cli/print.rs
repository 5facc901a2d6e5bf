//! What control commands print: one readable line per thing, the same whether the command
//! ran locally or through a gateway.

use serde_json::Value;

fn text(value: &Value) -> &str {
    value.as_str().unwrap_or("-")
}

fn pairs(value: &Value) -> String {
    let pairs: Vec<String> = value
        .as_object()
        .into_iter()
        .flatten()
        .map(|(k, v)| format!("{k}={}", text(v)))
        .collect();
    if pairs.is_empty() {
        "none".to_string()
    } else {
        pairs.join(",")
    }
}

pub fn deployed(source_name: &str, answer: &Value) {
    let stage = &answer["stage"];
    if answer["unchanged"] == true {
        println!(
            "stage {} of API {} already serves {source_name}",
            text(&stage["name"]),
            text(&stage["apiId"])
        );
    } else {
        println!(
            "deployed {source_name} to stage {} of API {} as deployment {}",
            text(&stage["name"]),
            text(&stage["apiId"]),
            text(&answer["deployment"]["id"])
        );
    }
}

pub fn stage(stage: &Value) {
    let canary = match &stage["canary"] {
        Value::Null => String::new(),
        canary => format!(
            "; canary {} at {}% (variables {})",
            text(&canary["deploymentId"]),
            canary["percent"],
            pairs(&canary["variables"])
        ),
    };
    println!(
        "stage {} of API {}: deployment {} (variables {}){canary}",
        text(&stage["name"]),
        text(&stage["apiId"]),
        text(&stage["deploymentId"]),
        pairs(&stage["variables"])
    );
}

pub fn deployments(list: &Value, current: Option<&Value>) {
    let serving = current.map(|stage| text(&stage["deploymentId"]).to_string());
    for deployment in list["items"].as_array().into_iter().flatten() {
        let id = text(&deployment["id"]);
        let marker = if serving.as_deref() == Some(id) {
            "*"
        } else {
            " "
        };
        println!(
            "{marker} {id}\t{}\t{}",
            deployment["createdEpochMillis"],
            deployment["description"].as_str().unwrap_or("")
        );
    }
}

pub fn version(version: &Value) {
    println!(
        "function {} version {} ({})",
        text(&version["name"]),
        version["version"],
        text(&version["hash"])
    );
}

pub fn alias(alias: &Value) {
    println!(
        "alias {}:{} -> version {}",
        text(&alias["function"]),
        text(&alias["alias"]),
        alias["version"]
    );
}

pub fn functions(list: &Value) {
    for function in list["items"].as_array().into_iter().flatten() {
        let name = text(&function["name"]);
        for version in function["versions"].as_array().into_iter().flatten() {
            println!("{name}:{}\t{}", version["version"], text(&version["hash"]));
        }
        for alias in function["aliases"].as_array().into_iter().flatten() {
            println!(
                "{name}:{}\t-> version {}",
                text(&alias["alias"]),
                alias["version"]
            );
        }
    }
}
