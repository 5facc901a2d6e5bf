//! The seed's example end to end: Client → REST API → gateway → function → CRUD on a
//! key-value table, through the real binary and the bundled `crud` component.

use tollgate_tests::{Gateway, TempData, send};

fn up(data: &TempData) -> Gateway {
    Gateway::start(&["up", "--data-dir", data.path().to_str().unwrap()])
}

fn serve(data: &TempData) -> Gateway {
    Gateway::start(&["serve", "--data-dir", data.path().to_str().unwrap()])
}

#[tokio::test]
async fn create_read_update_delete_and_list_items() {
    let data = TempData::new();
    let gateway = up(&data);

    let created = send(
        "POST",
        &gateway.url("/dev/items"),
        &[("content-type", "application/json")],
        r#"{"name":"apple","price":3}"#,
    )
    .await;
    assert_eq!(created.status, 201, "{}", created.text());
    assert!(created.header("x-amzn-requestid").is_some());
    let item = created.json();
    let id = item["id"]
        .as_str()
        .expect("the created item has an id")
        .to_string();
    assert_eq!(item["name"], "apple");

    let read = send("GET", &gateway.url(&format!("/dev/items/{id}")), &[], "").await;
    assert_eq!(read.status, 200);
    assert_eq!(read.json()["name"], "apple");
    assert_eq!(read.header("content-type"), Some("application/json"));

    let updated = send(
        "PUT",
        &gateway.url(&format!("/dev/items/{id}")),
        &[("content-type", "application/json")],
        r#"{"name":"pear","price":4}"#,
    )
    .await;
    assert_eq!(updated.status, 200, "{}", updated.text());
    assert_eq!(updated.json()["name"], "pear");
    assert_eq!(updated.json()["id"], id.as_str());

    let second = send("POST", &gateway.url("/dev/items"), &[], r#"{"name":"fig"}"#).await;
    assert_eq!(second.status, 201);

    let listed = send("GET", &gateway.url("/dev/items"), &[], "").await;
    assert_eq!(listed.status, 200);
    let items = listed.json()["items"]
        .as_array()
        .expect("items array")
        .clone();
    assert_eq!(items.len(), 2);
    assert!(items.iter().any(|i| i["name"] == "pear"));

    let deleted = send("DELETE", &gateway.url(&format!("/dev/items/{id}")), &[], "").await;
    assert!(
        deleted.status == 204 || deleted.status == 200,
        "{}",
        deleted.status
    );

    let gone = send("GET", &gateway.url(&format!("/dev/items/{id}")), &[], "").await;
    assert_eq!(gone.status, 404);
    assert_eq!(gone.header("content-type"), Some("application/json"));
    let message = gone.json()["message"].as_str().unwrap().to_string();
    assert!(message.contains(&id), "{message}");
}

#[tokio::test]
async fn invalid_json_body_answers_400_with_a_json_message() {
    let data = TempData::new();
    let gateway = up(&data);
    let answer = send("POST", &gateway.url("/dev/items"), &[], "{not json").await;
    assert_eq!(answer.status, 400);
    assert!(answer.json()["message"].is_string());
}

#[tokio::test]
async fn items_survive_a_restart() {
    let data = TempData::new();
    let gateway = up(&data);
    let created = send(
        "POST",
        &gateway.url("/dev/items"),
        &[],
        r#"{"name":"kept"}"#,
    )
    .await;
    assert_eq!(created.status, 201);
    let id = created.json()["id"].as_str().unwrap().to_string();
    let status = gateway.terminate();
    assert!(status.success(), "clean shutdown: {status}");

    let gateway = serve(&data);
    let read = send("GET", &gateway.url(&format!("/dev/items/{id}")), &[], "").await;
    assert_eq!(read.status, 200, "{}", read.text());
    assert_eq!(read.json()["name"], "kept");
}

#[tokio::test]
async fn a_kill_9_loses_no_acknowledged_write() {
    let data = TempData::new();
    let gateway = up(&data);
    let mut ids = Vec::new();
    for n in 0..5 {
        let created = send(
            "POST",
            &gateway.url("/dev/items"),
            &[],
            format!(r#"{{"n":{n}}}"#),
        )
        .await;
        assert_eq!(created.status, 201);
        ids.push(created.json()["id"].as_str().unwrap().to_string());
    }
    gateway.kill();

    let gateway = serve(&data);
    for (n, id) in ids.iter().enumerate() {
        let read = send("GET", &gateway.url(&format!("/dev/items/{id}")), &[], "").await;
        assert_eq!(read.status, 200, "item {id} after kill -9");
        assert_eq!(read.json()["n"], n);
    }
}

#[tokio::test]
async fn a_second_start_compiles_nothing() {
    let data = TempData::new();
    let gateway = up(&data);
    drop(gateway);
    let compiled_dir = data.path().join("compiled");
    let artifacts = || {
        let mut names: Vec<_> = std::fs::read_dir(&compiled_dir)
            .expect("compiled-component cache exists")
            .map(|e| e.unwrap().file_name())
            .collect();
        names.sort();
        names
    };
    let before = artifacts();
    assert_eq!(before.len(), 1, "{before:?}");
    let modified = std::fs::metadata(compiled_dir.join(&before[0]))
        .unwrap()
        .modified()
        .unwrap();
    let gateway = serve(&data);
    let listed = send("GET", &gateway.url("/dev/items"), &[], "").await;
    assert_eq!(listed.status, 200);
    assert_eq!(artifacts(), before);
    let after = std::fs::metadata(compiled_dir.join(&before[0]))
        .unwrap()
        .modified()
        .unwrap();
    assert_eq!(modified, after, "the compiled artifact was not rewritten");
}
