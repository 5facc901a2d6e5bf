//! Components, functions, APIs, deployments, stages, the generation counter, persistence and
//! the schema guard of the embedded store.

mod common;

use std::collections::{BTreeMap, BTreeSet};

use common::{component, open_store};
use serde_json::json;
use tollgate_store::{ContentHash, KeyValueStore, NewDeployment, Stage, Store, StoreError};

fn assert_send_sync_clone<T: Send + Sync + Clone + 'static>() {}

#[test]
fn store_is_send_sync_and_clone() {
    assert_send_sync_clone::<Store>();
}

#[test]
fn open_creates_the_data_directory_and_the_database_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let data_dir = dir.path().join("nested").join("data");
    let store = Store::open(&data_dir).expect("open");
    assert_eq!(store.data_dir(), data_dir.as_path());
    assert_eq!(store.database_path(), data_dir.join("tollgate.redb"));
    assert!(data_dir.join("tollgate.redb").is_file());
}

#[test]
fn open_in_a_path_that_is_a_file_is_an_io_error_naming_it() {
    let dir = tempfile::tempdir().expect("tempdir");
    let file = dir.path().join("not-a-dir");
    std::fs::write(&file, b"x").expect("write");
    let error = Store::open(&file).expect_err("a file is no data directory");
    assert!(matches!(error, StoreError::Io { .. }), "{error:?}");
    assert!(error.to_string().contains("not-a-dir"), "{error}");
}

#[test]
fn a_second_open_in_the_same_process_is_locked_and_names_the_path() {
    let (dir, _store) = open_store();
    let error = Store::open(dir.path()).expect_err("second open");
    match &error {
        StoreError::Locked { path } => assert_eq!(path, &dir.path().join("tollgate.redb")),
        other => panic!("expected Locked, got {other:?}"),
    }
    assert!(
        error
            .to_string()
            .contains(&dir.path().join("tollgate.redb").display().to_string())
    );
    // Another thread is refused the same way.
    let path = dir.path().to_path_buf();
    let from_thread = std::thread::spawn(move || Store::open(&path).err())
        .join()
        .expect("thread");
    assert!(matches!(from_thread, Some(StoreError::Locked { .. })));
}

#[test]
fn dropping_every_clone_releases_the_lock() {
    let (dir, store) = open_store();
    let clone = store.clone();
    drop(store);
    assert!(matches!(
        Store::open(dir.path()),
        Err(StoreError::Locked { .. })
    ));
    drop(clone);
    Store::open(dir.path()).expect("reopen after the last clone is gone");
}

// ----- components -----

#[test]
fn components_are_stored_under_their_sha256_and_storing_is_idempotent() {
    let (_dir, store) = open_store();
    let wasm = b"\0asm\x0d\0\x01\0 pretend component";
    let hash = store.put_component(wasm).expect("put");
    assert_eq!(hash, ContentHash::of(wasm));
    assert_eq!(hash.as_str().len(), 64);
    assert_eq!(store.put_component(wasm).expect("put again"), hash);
    assert_eq!(store.component(&hash).expect("get"), Some(wasm.to_vec()));
    assert!(store.has_component(&hash).expect("has"));
    assert_eq!(store.components().expect("list"), vec![hash]);
}

#[test]
fn an_unknown_component_is_none() {
    let (_dir, store) = open_store();
    let hash = ContentHash::of(b"never stored");
    assert_eq!(store.component(&hash).expect("get"), None);
    assert!(!store.has_component(&hash).expect("has"));
}

#[test]
fn components_lists_every_hash_in_order() {
    let (_dir, store) = open_store();
    let mut hashes: Vec<ContentHash> = (0..5)
        .map(|i| component(&store, format!("component {i}").as_bytes()))
        .collect();
    hashes.sort();
    assert_eq!(store.components().expect("list"), hashes);
}

#[test]
fn an_empty_component_is_stored_too() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"");
    assert_eq!(store.component(&hash).expect("get"), Some(Vec::new()));
}

// ----- functions -----

#[test]
fn publishing_numbers_versions_from_one() {
    let (_dir, store) = open_store();
    let first = component(&store, b"v1");
    let second = component(&store, b"v2");
    let v1 = store
        .publish_function("crud", &first, Some("first"))
        .expect("publish 1");
    let v2 = store
        .publish_function("crud", &second, None)
        .expect("publish 2");
    assert_eq!((v1.version, v1.hash.clone()), (1, first));
    assert_eq!(v1.description.as_deref(), Some("first"));
    assert_eq!(v1.name, "crud");
    assert_eq!(v1.reference(), "crud:1");
    assert_eq!((v2.version, v2.hash.clone()), (2, second));
    assert_eq!(
        store.function_versions("crud").expect("versions"),
        vec![v1, v2]
    );
}

#[test]
fn publishing_the_latest_hash_again_returns_that_version_unchanged() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"code");
    let v1 = store
        .publish_function("crud", &hash, Some("one"))
        .expect("publish");
    let generation = store.generation().expect("generation");
    let again = store
        .publish_function("crud", &hash, Some("a different description"))
        .expect("publish again");
    assert_eq!(again, v1);
    assert_eq!(store.function_versions("crud").expect("versions").len(), 1);
    assert_eq!(store.generation().expect("generation"), generation);
}

#[test]
fn publishing_an_older_hash_after_a_newer_one_makes_a_new_version() {
    let (_dir, store) = open_store();
    let a = component(&store, b"a");
    let b = component(&store, b"b");
    store.publish_function("f", &a, None).expect("1");
    store.publish_function("f", &b, None).expect("2");
    let v3 = store.publish_function("f", &a, None).expect("3");
    assert_eq!((v3.version, v3.hash), (3, a));
}

#[test]
fn publishing_needs_a_stored_component() {
    let (_dir, store) = open_store();
    let missing = ContentHash::of(b"not stored");
    let error = store
        .publish_function("crud", &missing, None)
        .expect_err("missing component");
    assert!(
        matches!(&error, StoreError::NotFound { kind: "component", name } if name == missing.as_str()),
        "{error:?}"
    );
    assert!(store.functions().expect("functions").is_empty());
}

#[test]
fn function_names_are_validated_like_lambda() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"x");
    for bad in ["", "has space", "colon:in", &"x".repeat(65), "slash/no"] {
        let error = store
            .publish_function(bad, &hash, None)
            .expect_err("invalid name");
        assert!(
            matches!(
                error,
                StoreError::InvalidName {
                    kind: "function name",
                    ..
                }
            ),
            "{bad:?}: {error:?}"
        );
    }
    store
        .publish_function(&"x".repeat(64), &hash, None)
        .expect("64 characters is fine");
}

#[test]
fn functions_lists_names_in_order_and_versions_do_not_mix() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"x");
    for name in ["zeta", "alpha", "alpha-2", "Beta"] {
        store.publish_function(name, &hash, None).expect("publish");
    }
    assert_eq!(
        store.functions().expect("functions"),
        vec!["Beta", "alpha", "alpha-2", "zeta"]
    );
    assert_eq!(store.function_versions("alpha").expect("v").len(), 1);
    assert!(store.function_versions("nope").expect("v").is_empty());
}

#[test]
fn aliases_and_qualifiers_resolve_like_lambda() {
    let (_dir, store) = open_store();
    let a = component(&store, b"a");
    let b = component(&store, b"b");
    let v1 = store.publish_function("crud", &a, None).expect("1");
    let v2 = store.publish_function("crud", &b, None).expect("2");
    store.set_function_alias("crud", "prod", 1).expect("alias");

    let resolve = |q: Option<&str>| store.resolve_function("crud", q).expect("resolve");
    assert_eq!(resolve(None), Some(v2.clone()));
    assert_eq!(resolve(Some("$LATEST")), Some(v2.clone()));
    assert_eq!(resolve(Some("1")), Some(v1.clone()));
    assert_eq!(resolve(Some("2")), Some(v2.clone()));
    assert_eq!(resolve(Some("3")), None);
    assert_eq!(resolve(Some("0")), None);
    assert_eq!(resolve(Some("99999999999999999999")), None);
    assert_eq!(resolve(Some("prod")), Some(v1));
    assert_eq!(resolve(Some("staging")), None);

    // Moving the alias moves what it resolves to.
    store.set_function_alias("crud", "prod", 2).expect("move");
    assert_eq!(resolve(Some("prod")), Some(v2));

    assert_eq!(
        store.resolve_function("other", None).expect("resolve"),
        None
    );
    assert_eq!(
        store
            .resolve_function("other", Some("prod"))
            .expect("resolve"),
        None
    );
    assert!(matches!(
        store.resolve_function("crud", Some("not valid")),
        Err(StoreError::InvalidName {
            kind: "function alias",
            ..
        })
    ));
    assert!(matches!(
        store.resolve_function("crud", Some("")),
        Err(StoreError::InvalidName { .. })
    ));
}

#[test]
fn an_alias_must_point_at_an_existing_version_and_have_a_valid_name() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"x");
    store
        .publish_function("crud", &hash, None)
        .expect("publish");
    let error = store
        .set_function_alias("crud", "prod", 2)
        .expect_err("no version 2");
    assert!(
        matches!(&error, StoreError::NotFound { kind: "function version", name } if name == "crud:2"),
        "{error:?}"
    );
    assert!(matches!(
        store.set_function_alias("missing", "prod", 1),
        Err(StoreError::NotFound { .. })
    ));
    for bad in ["123", "$LATEST", "", "a b"] {
        assert!(
            matches!(
                store.set_function_alias("crud", bad, 1),
                Err(StoreError::InvalidName {
                    kind: "function alias",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
}

#[test]
fn aliases_are_listed_per_function_and_can_be_deleted() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"x");
    for name in ["a", "ab", "b"] {
        store.publish_function(name, &hash, None).expect("publish");
    }
    store.set_function_alias("a", "prod", 1).expect("alias");
    store.set_function_alias("a", "dev", 1).expect("alias");
    store.set_function_alias("ab", "prod", 1).expect("alias");
    store.set_function_alias("b", "x", 1).expect("alias");

    let of_a: Vec<String> = store
        .function_aliases("a")
        .expect("aliases")
        .into_iter()
        .map(|alias| {
            assert_eq!(alias.function, "a");
            assert_eq!(alias.version, 1);
            alias.alias
        })
        .collect();
    assert_eq!(of_a, vec!["dev", "prod"]);
    assert_eq!(store.function_aliases("ab").expect("aliases").len(), 1);

    assert!(store.delete_function_alias("a", "prod").expect("delete"));
    assert!(
        !store
            .delete_function_alias("a", "prod")
            .expect("delete twice")
    );
    assert_eq!(
        store.resolve_function("a", Some("prod")).expect("resolve"),
        None
    );
    assert!(
        store
            .resolve_function("ab", Some("prod"))
            .expect("resolve")
            .is_some()
    );
}

// ----- APIs and deployments -----

#[test]
fn apis_are_stored_replaced_and_listed() {
    let (_dir, store) = open_store();
    assert_eq!(store.api("pets").expect("api"), None);
    store
        .put_api("pets", &json!({"openapi": "3.0.1"}))
        .expect("put");
    store.put_api("orders", &json!({"v": 1})).expect("put");
    store
        .put_api("pets", &json!({"openapi": "3.0.3"}))
        .expect("replace");
    assert_eq!(
        store.api("pets").expect("api"),
        Some(json!({"openapi": "3.0.3"}))
    );
    assert_eq!(store.apis().expect("apis"), vec!["orders", "pets"]);
    assert!(matches!(
        store.put_api("Pets", &json!({})),
        Err(StoreError::InvalidName { kind: "API id", .. })
    ));
}

#[test]
fn a_deployment_snapshots_the_document_and_component_hashes() {
    let (_dir, store) = open_store();
    let hash = component(&store, b"crud");
    store.put_api("pets", &json!({"v": 1})).expect("put");
    let deployment = store
        .create_deployment(
            "pets",
            NewDeployment {
                document: json!({"v": 1}),
                component_hashes: BTreeMap::from([("crud:1".to_owned(), hash.clone())]),
                description: Some("first".to_owned()),
                variables: BTreeMap::from([("alias".to_owned(), "v1".to_owned())]),
            },
        )
        .expect("deploy");
    assert_eq!(deployment.api_id, "pets");
    assert_eq!(deployment.id.len(), 10);
    assert!(
        deployment
            .id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
    );
    // Editing the API afterwards changes nothing in the deployment.
    store.put_api("pets", &json!({"v": 2})).expect("edit");
    let read = store
        .deployment(&deployment.id)
        .expect("read")
        .expect("exists");
    assert_eq!(read, deployment);
    assert_eq!(read.document, json!({"v": 1}));
    assert_eq!(read.component_hashes.get("crud:1"), Some(&hash));
    assert_eq!(read.description.as_deref(), Some("first"));
    assert_eq!(store.deployment("nosuchid").expect("read"), None);
}

#[test]
fn a_deployment_needs_its_api_and_its_components() {
    let (_dir, store) = open_store();
    let error = store
        .create_deployment("pets", NewDeployment::new(json!({})))
        .expect_err("no API");
    assert!(
        matches!(error, StoreError::NotFound { kind: "API", .. }),
        "{error:?}"
    );

    store.put_api("pets", &json!({})).expect("put");
    let missing = ContentHash::of(b"missing");
    let mut new = NewDeployment::new(json!({}));
    new.component_hashes.insert("crud:1".to_owned(), missing);
    let error = store
        .create_deployment("pets", new)
        .expect_err("missing component");
    assert!(
        matches!(&error, StoreError::NotFound { kind: "component", name } if name.contains("crud:1")),
        "{error:?}"
    );
    assert!(store.deployments("pets").expect("list").is_empty());
}

#[test]
fn deployments_are_listed_newest_first_per_api_with_unique_ids() {
    let (_dir, store) = open_store();
    store.put_api("a", &json!({})).expect("put");
    store.put_api("b", &json!({})).expect("put");
    let mut ids_of_a = Vec::new();
    let mut all_ids = BTreeSet::new();
    for i in 0..30 {
        let a = store
            .create_deployment("a", NewDeployment::new(json!({ "n": i })))
            .expect("deploy a");
        let b = store
            .create_deployment("b", NewDeployment::new(json!({ "n": i })))
            .expect("deploy b");
        ids_of_a.push(a.id.clone());
        all_ids.insert(a.id);
        all_ids.insert(b.id);
    }
    assert_eq!(all_ids.len(), 60, "deployment ids are unique");
    let listed: Vec<String> = store
        .deployments("a")
        .expect("list")
        .into_iter()
        .map(|d| {
            assert_eq!(d.api_id, "a");
            d.id
        })
        .collect();
    ids_of_a.reverse();
    assert_eq!(listed, ids_of_a);
    assert!(store.deployments("c").expect("list").is_empty());
}

#[test]
fn deleting_an_api_removes_its_deployments_and_stages_only() {
    let (_dir, store) = open_store();
    store.put_api("a", &json!({})).expect("put");
    store.put_api("ab", &json!({})).expect("put");
    let da = store
        .create_deployment("a", NewDeployment::new(json!({})))
        .expect("deploy");
    let dab = store
        .create_deployment("ab", NewDeployment::new(json!({})))
        .expect("deploy");
    store.point_stage("a", "prod", &da.id, None).expect("stage");
    store
        .point_stage("ab", "prod", &dab.id, None)
        .expect("stage");

    assert!(store.delete_api("a").expect("delete"));
    assert!(!store.delete_api("a").expect("delete again"));
    assert_eq!(store.api("a").expect("api"), None);
    assert!(store.deployments("a").expect("list").is_empty());
    assert_eq!(store.deployment(&da.id).expect("read"), None);
    assert_eq!(store.stage("a", "prod").expect("stage"), None);

    assert_eq!(store.apis().expect("apis"), vec!["ab"]);
    assert_eq!(store.deployments("ab").expect("list").len(), 1);
    assert!(store.stage("ab", "prod").expect("stage").is_some());
}

// ----- stages -----

fn deploy(store: &Store, api_id: &str) -> String {
    if store.api(api_id).expect("api").is_none() {
        store.put_api(api_id, &json!({})).expect("put");
    }
    store
        .create_deployment(api_id, NewDeployment::new(json!({})))
        .expect("deploy")
        .id
}

#[test]
fn point_stage_creates_then_records_history() {
    let (_dir, store) = open_store();
    let d1 = deploy(&store, "pets");
    let d2 = deploy(&store, "pets");
    let d3 = deploy(&store, "pets");

    let vars = BTreeMap::from([("alias".to_owned(), "prod".to_owned())]);
    let created = store
        .point_stage("pets", "prod", &d1, Some(vars.clone()))
        .expect("create");
    assert_eq!(created.name, "prod");
    assert_eq!(created.deployment_id, d1);
    assert!(created.history.is_empty());
    assert_eq!(created.variables, vars);

    store.point_stage("pets", "prod", &d2, None).expect("d2");
    // Pointing at the deployment it already serves adds no history.
    store
        .point_stage("pets", "prod", &d2, None)
        .expect("d2 again");
    let stage = store.point_stage("pets", "prod", &d3, None).expect("d3");
    assert_eq!(stage.deployment_id, d3);
    assert_eq!(stage.history, vec![d1.clone(), d2.clone()]);
    assert_eq!(stage.variables, vars, "None keeps the variables");

    let replaced = BTreeMap::from([("alias".to_owned(), "dev".to_owned())]);
    let stage = store
        .point_stage("pets", "prod", &d3, Some(replaced.clone()))
        .expect("vars");
    assert_eq!(stage.variables, replaced);
    assert_eq!(store.stage("pets", "prod").expect("read"), Some(stage));
}

#[test]
fn a_stage_can_only_point_at_a_deployment_of_its_own_api() {
    let (_dir, store) = open_store();
    let of_pets = deploy(&store, "pets");
    deploy(&store, "orders");
    for error in [
        store
            .point_stage("orders", "prod", &of_pets, None)
            .expect_err("other API's deployment"),
        store
            .point_stage("orders", "prod", "nosuchid", None)
            .expect_err("missing deployment"),
        store
            .put_stage("orders", Stage::new("prod", of_pets.clone()))
            .expect_err("other API's deployment"),
    ] {
        assert!(
            matches!(
                error,
                StoreError::NotFound {
                    kind: "deployment",
                    ..
                }
            ),
            "{error:?}"
        );
    }
    assert_eq!(store.stage("orders", "prod").expect("read"), None);
}

#[test]
fn put_stage_stores_the_stage_as_given_and_stamps_it() {
    let (_dir, store) = open_store();
    let d1 = deploy(&store, "pets");
    let mut stage = Stage::new("v1", d1.clone());
    stage
        .variables
        .insert("url".to_owned(), "http://backend".to_owned());
    stage.kv_namespace = Some("pets-v1".to_owned());
    stage.description = Some("version one".to_owned());
    stage.history = vec!["older".to_owned()];
    store.put_stage("pets", stage.clone()).expect("put");
    let read = store.stage("pets", "v1").expect("read").expect("exists");
    assert!(read.updated_epoch_millis > 0);
    stage.updated_epoch_millis = read.updated_epoch_millis;
    assert_eq!(read, stage);

    assert!(matches!(
        store.put_stage("pets", Stage::new("bad/name", d1.clone())),
        Err(StoreError::InvalidName {
            kind: "stage name",
            ..
        })
    ));
    let mut bad_namespace = Stage::new("v2", d1);
    bad_namespace.kv_namespace = Some(String::new());
    assert!(matches!(
        store.put_stage("pets", bad_namespace),
        Err(StoreError::InvalidName {
            kind: "key-value namespace",
            ..
        })
    ));
}

#[test]
fn stage_history_is_capped() {
    let (_dir, store) = open_store();
    let ids: Vec<String> = (0..tollgate_store::STAGE_HISTORY_LIMIT + 3)
        .map(|_| deploy(&store, "pets"))
        .collect();
    let mut last = None;
    for id in &ids {
        last = Some(store.point_stage("pets", "prod", id, None).expect("point"));
    }
    let stage = last.expect("pointed");
    assert_eq!(stage.history.len(), tollgate_store::STAGE_HISTORY_LIMIT);
    // The newest previous deployment is last; the oldest ones were dropped.
    assert_eq!(stage.history.last(), ids.get(ids.len() - 2));
    assert_eq!(stage.history.first(), ids.get(2));
}

#[test]
fn stages_are_listed_across_and_per_api_and_can_be_deleted() {
    let (_dir, store) = open_store();
    let a = deploy(&store, "a");
    let ab = deploy(&store, "ab");
    store.point_stage("ab", "prod", &ab, None).expect("stage");
    store.point_stage("a", "prod", &a, None).expect("stage");
    store.point_stage("a", "dev", &a, None).expect("stage");

    let all: Vec<(String, String)> = store
        .stages()
        .expect("stages")
        .into_iter()
        .map(|(api, stage)| (api, stage.name))
        .collect();
    let expected = [("a", "dev"), ("a", "prod"), ("ab", "prod")]
        .map(|(api, name)| (api.to_owned(), name.to_owned()));
    assert_eq!(all, expected);
    let of_a: Vec<String> = store
        .api_stages("a")
        .expect("stages")
        .into_iter()
        .map(|s| s.name)
        .collect();
    assert_eq!(of_a, vec!["dev", "prod"]);

    assert!(store.delete_stage("a", "dev").expect("delete"));
    assert!(!store.delete_stage("a", "dev").expect("delete again"));
    assert_eq!(store.api_stages("a").expect("stages").len(), 1);
}

// ----- generation -----

#[test]
fn generation_moves_with_every_definition_write_and_nothing_else() {
    let (_dir, store) = open_store();
    let mut last = store.generation().expect("generation");
    let mut assert_bumped = |what: &str, store: &Store| {
        let now = store.generation().expect("generation");
        assert!(now > last, "{what} bumps the generation");
        last = now;
    };
    let hash = component(&store, b"x");
    let other = component(&store, b"y");

    store.put_api("pets", &json!({})).expect("put");
    assert_bumped("put_api", &store);
    let d = store
        .create_deployment("pets", NewDeployment::new(json!({})))
        .expect("deploy");
    assert_bumped("create_deployment", &store);
    store
        .point_stage("pets", "prod", &d.id, None)
        .expect("point");
    assert_bumped("point_stage", &store);
    store
        .put_stage("pets", Stage::new("dev", d.id.clone()))
        .expect("put_stage");
    assert_bumped("put_stage", &store);
    store.delete_stage("pets", "dev").expect("delete_stage");
    assert_bumped("delete_stage", &store);
    store.publish_function("f", &hash, None).expect("publish");
    assert_bumped("publish_function", &store);
    store.publish_function("f", &other, None).expect("publish");
    assert_bumped("publish_function", &store);
    store.set_function_alias("f", "prod", 1).expect("alias");
    assert_bumped("set_function_alias", &store);
    store.delete_function_alias("f", "prod").expect("alias");
    assert_bumped("delete_function_alias", &store);
    store.delete_api("pets").expect("delete_api");
    assert_bumped("delete_api", &store);

    let before = store.generation().expect("generation");
    component(&store, b"z");
    store.set("ns", "k", b"v").expect("kv set");
    store.delete("ns", "k").expect("kv delete");
    store.api("pets").expect("read");
    store.functions().expect("read");
    store
        .publish_function("f", &other, None)
        .expect("unchanged publish");
    assert!(
        !store
            .delete_stage("pets", "none")
            .expect("nothing to delete")
    );
    assert_eq!(store.generation().expect("generation"), before);
}

// ----- persistence -----

#[test]
fn everything_survives_a_reopen() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (hash, deployment, generation) = {
        let store = Store::open(dir.path()).expect("open");
        let hash = component(&store, b"wasm bytes");
        store
            .publish_function("crud", &hash, Some("d"))
            .expect("publish");
        store.set_function_alias("crud", "prod", 1).expect("alias");
        store.put_api("pets", &json!({"paths": {}})).expect("put");
        let mut new = NewDeployment::new(json!({"paths": {}}));
        new.component_hashes
            .insert("crud:prod".to_owned(), hash.clone());
        let deployment = store.create_deployment("pets", new).expect("deploy");
        store
            .point_stage(
                "pets",
                "prod",
                &deployment.id,
                Some(BTreeMap::from([("k".to_owned(), "v".to_owned())])),
            )
            .expect("stage");
        store.set("orders", "order#1", b"{}").expect("kv");
        (hash, deployment, store.generation().expect("generation"))
    };

    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(
        store.component(&hash).expect("component"),
        Some(b"wasm bytes".to_vec())
    );
    let resolved = store
        .resolve_function("crud", Some("prod"))
        .expect("resolve")
        .expect("exists");
    assert_eq!((resolved.version, resolved.hash), (1, hash));
    assert_eq!(store.api("pets").expect("api"), Some(json!({"paths": {}})));
    assert_eq!(
        store.deployments("pets").expect("list"),
        vec![deployment.clone()]
    );
    let stage = store.stage("pets", "prod").expect("stage").expect("exists");
    assert_eq!(stage.deployment_id, deployment.id);
    assert_eq!(stage.variables.get("k").map(String::as_str), Some("v"));
    assert_eq!(
        store.get("orders", "order#1").expect("kv"),
        Some(b"{}".to_vec())
    );
    assert_eq!(store.generation().expect("generation"), generation);

    // New deployments after a reopen still get fresh ids.
    let next = store
        .create_deployment("pets", NewDeployment::new(json!({})))
        .expect("deploy");
    assert_ne!(next.id, deployment.id);
    assert_eq!(
        store.deployments("pets").expect("list").first(),
        Some(&next)
    );
}

// ----- schema and corruption -----

const META: redb::TableDefinition<&str, u64> = redb::TableDefinition::new("meta");
const APIS: redb::TableDefinition<&str, &[u8]> = redb::TableDefinition::new("apis");

#[test]
fn a_new_database_records_the_current_schema_version() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("open"));
    let db = redb::Database::open(dir.path().join("tollgate.redb")).expect("redb open");
    let tx = redb::ReadableDatabase::begin_read(&db).expect("read");
    let meta = tx.open_table(META).expect("meta");
    let version = meta.get("schema_version").expect("get").map(|v| v.value());
    assert_eq!(version, Some(Store::schema_version()));
    assert_eq!(Store::schema_version(), 2);
}

#[test]
fn a_database_from_a_newer_schema_is_refused_clearly() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("open"));
    {
        let db = redb::Database::open(dir.path().join("tollgate.redb")).expect("redb open");
        let tx = db.begin_write().expect("write");
        tx.open_table(META)
            .expect("meta")
            .insert("schema_version", 99)
            .expect("insert");
        tx.commit().expect("commit");
    }
    let error = Store::open(dir.path()).expect_err("newer schema");
    assert!(
        matches!(
            error,
            StoreError::SchemaTooNew {
                found: 99,
                supported: 2,
                ..
            }
        ),
        "{error:?}"
    );
    let message = error.to_string();
    assert!(message.contains("schema version 99"), "{message}");
    assert!(message.contains("tollgate.redb"), "{message}");
}

#[test]
fn a_stored_record_that_does_not_parse_is_corrupt_naming_table_and_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    drop(Store::open(dir.path()).expect("open"));
    {
        let db = redb::Database::open(dir.path().join("tollgate.redb")).expect("redb open");
        let tx = db.begin_write().expect("write");
        tx.open_table(APIS)
            .expect("apis")
            .insert("pets", b"{not json".as_slice())
            .expect("insert");
        tx.commit().expect("commit");
    }
    let store = Store::open(dir.path()).expect("open");
    let error = store.api("pets").expect_err("corrupt");
    assert!(
        matches!(&error, StoreError::Corrupt { table: "apis", key, .. } if key == "pets"),
        "{error:?}"
    );
    assert!(error.to_string().contains("`apis`"), "{error}");
}

#[test]
fn update_stage_changes_a_stage_in_one_checked_transaction() {
    let (_dir, store) = open_store();
    store.put_api("api", &json!({"openapi": "3.0.1"})).unwrap();
    let first = store
        .create_deployment("api", NewDeployment::new(json!({"n": 1})))
        .unwrap();
    let second = store
        .create_deployment("api", NewDeployment::new(json!({"n": 2})))
        .unwrap();
    store.point_stage("api", "prod", &first.id, None).unwrap();

    let updated = store
        .update_stage("api", "prod", |stage| {
            stage.variables.insert("alias".into(), "v2".into());
            stage.canary = Some(tollgate_store::Canary {
                deployment_id: second.id.clone(),
                percent: 12.5,
                variables: BTreeMap::from([("alias".into(), "v3".into())]),
            });
            Ok(())
        })
        .unwrap();
    assert_eq!(updated.variables["alias"], "v2");
    let stored = store.stage("api", "prod").unwrap().unwrap();
    assert_eq!(stored, updated);
    assert_eq!(stored.canary.as_ref().unwrap().percent, 12.5);

    // A canary naming an unknown deployment is refused and nothing is written.
    let refused = store.update_stage("api", "prod", |stage| {
        stage.variables.insert("alias".into(), "lost".into());
        if let Some(canary) = stage.canary.as_mut() {
            canary.deployment_id = "nope".into();
        }
        Ok(())
    });
    assert!(
        matches!(refused, Err(StoreError::NotFound { .. })),
        "{refused:?}"
    );
    assert_eq!(
        store.stage("api", "prod").unwrap().unwrap().variables["alias"],
        "v2"
    );

    // The closure may refuse too.
    let refused = store.update_stage("api", "prod", |_| {
        Err(StoreError::NotFound {
            kind: "test",
            name: "refusal".into(),
        })
    });
    assert!(refused.is_err());

    // An unknown stage is not found.
    let missing = store.update_stage("api", "nope", |_| Ok(()));
    assert!(
        matches!(missing, Err(StoreError::NotFound { .. })),
        "{missing:?}"
    );
}

#[test]
fn stages_written_before_canaries_existed_still_read() {
    // A stage record without the `canary` field (schema 1 as first released) decodes with
    // no canary.
    let stage: Stage = serde_json::from_value(json!({
        "name": "prod",
        "deployment_id": "abc",
        "variables": {},
        "history": [],
        "updated_epoch_millis": 1
    }))
    .unwrap();
    assert!(stage.canary.is_none());
    // Nor the throttles (schema 2).
    assert!(stage.throttle.is_none());
    assert!(stage.method_throttles.is_empty());
}

#[test]
fn a_schema_1_database_is_migrated_and_keeps_its_stages() {
    let dir = tempfile::tempdir().expect("tempdir");
    let deployment_id = {
        let store = Store::open(dir.path()).expect("open");
        store.put_api("pets", &json!({})).expect("put");
        let deployment = store
            .create_deployment("pets", NewDeployment::new(json!({})))
            .expect("deploy");
        store
            .point_stage("pets", "prod", &deployment.id, None)
            .expect("stage");
        deployment.id
    };
    {
        // Make the file look like a schema-1 database: version 1 and a stage record written
        // before stages had throttles.
        const STAGES: redb::TableDefinition<(&str, &str), &[u8]> =
            redb::TableDefinition::new("stages");
        let db = redb::Database::open(dir.path().join("tollgate.redb")).expect("redb open");
        let tx = db.begin_write().expect("write");
        tx.open_table(META)
            .expect("meta")
            .insert("schema_version", 1)
            .expect("insert");
        let old = json!({"name": "prod", "deployment_id": deployment_id, "history": []});
        tx.open_table(STAGES)
            .expect("stages")
            .insert(("pets", "prod"), old.to_string().as_bytes())
            .expect("insert");
        tx.commit().expect("commit");
    }
    let store = Store::open(dir.path()).expect("open a schema-1 database");
    let stage = store.stage("pets", "prod").expect("read").expect("exists");
    assert_eq!(stage.deployment_id, deployment_id);
    assert!(stage.throttle.is_none());
    // The new tables are there and usable.
    store.create_api_key("k", None).expect("api key");
    drop(store);
    let db = redb::Database::open(dir.path().join("tollgate.redb")).expect("redb open");
    let tx = redb::ReadableDatabase::begin_read(&db).expect("read");
    let version = tx
        .open_table(META)
        .expect("meta")
        .get("schema_version")
        .expect("get")
        .map(|v| v.value());
    assert_eq!(version, Some(2));
}
