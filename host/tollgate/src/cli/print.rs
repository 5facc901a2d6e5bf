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

/// `10/s burst 20`.
fn throttle(throttle: &Value) -> String {
    let rate = throttle["rateLimit"]
        .as_f64()
        .map_or_else(|| "-".to_string(), |rate| rate.to_string());
    format!("{rate}/s burst {}", throttle["burstLimit"])
}

/// `; throttle ...; /pets/GET ...` for what is set, nothing otherwise.
fn throttles(default: &Value, methods: &Value) -> String {
    let mut out = String::new();
    if !default.is_null() {
        out.push_str(&format!("; throttle {}", throttle(default)));
    }
    for (key, setting) in methods.as_object().into_iter().flatten() {
        out.push_str(&format!("; {key} {}", throttle(setting)));
    }
    out
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
        "stage {} of API {}: deployment {} (variables {}){canary}{}",
        text(&stage["name"]),
        text(&stage["apiId"]),
        text(&stage["deploymentId"]),
        pairs(&stage["variables"]),
        throttles(&stage["throttle"], &stage["methodThrottles"])
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

/// `NAME\tID\tenabled\tCREATED` per key.
pub fn api_keys(list: &Value) {
    for key in list["items"].as_array().into_iter().flatten() {
        println!(
            "{}\t{}\t{}\t{}",
            text(&key["name"]),
            text(&key["id"]),
            enabled(&key["enabled"]),
            created(&key["createdEpochSeconds"])
        );
    }
}

fn enabled(value: &Value) -> &'static str {
    if value == true { "enabled" } else { "disabled" }
}

fn created(seconds: &Value) -> String {
    seconds
        .as_u64()
        .map(tollgate_store::format_utc)
        .unwrap_or_else(|| "-".to_string())
}

/// A plan on one line (stages, throttle, quota, keys), then one line per method throttle.
pub fn usage_plan(plan: &Value) {
    let stages: Vec<String> = plan["apiStages"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|s| format!("{}/{}", text(&s["apiId"]), text(&s["stage"])))
        .collect();
    let keys: Vec<&str> = plan["apiKeys"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|k| k["name"].as_str().or(k["id"].as_str()).unwrap_or("-"))
        .collect();
    let per_key = match &plan["throttle"] {
        Value::Null => "none".to_string(),
        setting => throttle(setting),
    };
    let quota = match &plan["quota"] {
        Value::Null => "none".to_string(),
        quota => format!(
            "{}/{} offset {}",
            quota["limit"],
            text(&quota["period"]),
            quota["offset"]
        ),
    };
    println!(
        "usage plan {} ({}): stages {}; throttle {per_key}; quota {quota}; keys {}",
        text(&plan["name"]),
        text(&plan["id"]),
        stages.join(","),
        if keys.is_empty() {
            "none".to_string()
        } else {
            keys.join(",")
        }
    );
    for stage in plan["apiStages"].as_array().into_iter().flatten() {
        for (key, setting) in stage["throttle"].as_object().into_iter().flatten() {
            println!(
                "  {}/{} {key} {}",
                text(&stage["apiId"]),
                text(&stage["stage"]),
                throttle(setting)
            );
        }
    }
}

/// One `key=value` line per plan the key is in: what scripts and people both read.
pub fn usage(usage: &Value) {
    let key = text(&usage["apiKey"]["name"]);
    let items = usage["items"].as_array().map(Vec::as_slice).unwrap_or(&[]);
    if items.is_empty() {
        println!("API key {key} is in no usage plan");
    }
    for item in items {
        let plan = text(&item["usagePlan"]);
        match &item["quota"] {
            Value::Null => println!("plan={plan} limit=none"),
            quota => println!(
                "plan={plan} limit={} period={} used={} remaining={} start={} end={}",
                quota["limit"],
                text(&quota["period"]),
                item["used"],
                item["remaining"],
                text(&item["periodStart"]),
                text(&item["periodEnd"])
            ),
        }
    }
}

/// `ID\tPRINCIPAL\tenabled\tCREATED` per key; never a secret.
pub fn access_keys(list: &Value) {
    for key in list["items"].as_array().into_iter().flatten() {
        println!(
            "{}\t{}\t{}\t{}",
            text(&key["accessKeyId"]),
            text(&key["principal"]),
            enabled(&key["enabled"]),
            created(&key["createdEpochSeconds"])
        );
    }
}
