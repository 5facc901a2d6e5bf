//! API keys, usage plans and their quota counters, stage throttles and SigV4 access keys:
//! what is stored, what is refused, what moves the generation, and what survives a reopen.

mod common;

use common::open_store;
use serde_json::json;
use tollgate_store::{
    NewDeployment, NewUsagePlan, Quota, QuotaPeriod, Store, StoreError, Throttle, UsageIncrement,
    hash_api_key,
};

/// A store with API `pets` serving stages `prod` and `dev`, and API `shop` with `prod`.
fn store_with_stages() -> (tempfile::TempDir, Store) {
    let (dir, store) = open_store();
    for (api, stages) in [("pets", &["prod", "dev"][..]), ("shop", &["prod"][..])] {
        store.put_api(api, &json!({})).expect("put");
        let deployment = store
            .create_deployment(api, NewDeployment::new(json!({})))
            .expect("deploy");
        for stage in stages {
            store
                .point_stage(api, stage, &deployment.id, None)
                .expect("stage");
        }
    }
    (dir, store)
}

fn plan(name: &str, stages: &[(&str, &str)]) -> NewUsagePlan {
    NewUsagePlan {
        name: name.to_owned(),
        api_stages: stages
            .iter()
            .map(|(a, s)| ((*a).to_owned(), (*s).to_owned()))
            .collect(),
        throttle: Some(Throttle {
            rate: 10.0,
            burst: 20,
        }),
        quota: Some(Quota {
            limit: 1000,
            period: QuotaPeriod::Month,
            offset: 0,
        }),
    }
}

fn database_bytes(store: &Store) -> Vec<u8> {
    std::fs::read(store.database_path()).expect("read the database file")
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

// ----- API keys -----

#[test]
fn a_generated_key_is_40_alphanumerics_and_only_its_hash_is_stored() {
    let (_dir, store) = open_store();
    let (key, value) = store.create_api_key("partner", None).expect("create");
    assert_eq!(value.len(), 40);
    assert!(value.bytes().all(|b| b.is_ascii_alphanumeric()), "{value}");
    assert_eq!(key.name, "partner");
    assert!(key.enabled);
    assert!(key.created > 1_600_000_000);
    assert_eq!(key.id.len(), 10);
    assert_eq!(key.value_hash, hash_api_key(&value));
    assert_eq!(store.api_key("partner").expect("by name"), key);
    assert_eq!(store.api_keys().expect("list"), vec![key]);
    assert!(!contains(&database_bytes(&store), value.as_bytes()));

    let (_, other) = store.create_api_key("other", None).expect("create");
    assert_ne!(other, value);
}

#[test]
fn a_given_value_is_used_and_must_be_20_characters() {
    let (_dir, store) = open_store();
    let value = "my-own-api-key-value-0001";
    let (key, returned) = store.create_api_key("mine", Some(value)).expect("create");
    assert_eq!(returned, value);
    assert_eq!(key.value_hash, hash_api_key(value));
    assert!(!contains(&database_bytes(&store), value.as_bytes()));

    let short = store
        .create_api_key("short", Some("too-short"))
        .expect_err("short value");
    assert!(
        matches!(
            short,
            StoreError::Invalid {
                what: "API key value",
                ..
            }
        ),
        "{short:?}"
    );
    assert!(short.to_string().contains("20"), "{short}");
    assert!(matches!(
        store.api_key("short"),
        Err(StoreError::NotFound { .. })
    ));
}

#[test]
fn names_and_values_are_unique() {
    let (_dir, store) = open_store();
    let (_, value) = store.create_api_key("a", None).expect("create");
    let taken = store.create_api_key("a", None).expect_err("name taken");
    assert!(taken.is_conflict(), "{taken:?}");
    assert_eq!(taken.to_string(), "an API key named a already exists");
    let same_value = store
        .create_api_key("b", Some(&value))
        .expect_err("value taken");
    assert!(same_value.is_conflict(), "{same_value:?}");
    assert_eq!(store.api_keys().expect("list").len(), 1);
    let bad_name = store.create_api_key("has space", None).expect_err("name");
    assert!(
        matches!(bad_name, StoreError::InvalidName { .. }),
        "{bad_name:?}"
    );
}

#[test]
fn deleting_a_key_takes_it_out_of_plans_and_drops_its_counters() {
    let (_dir, store) = store_with_stages();
    let (key, value) = store.create_api_key("k", None).expect("create");
    let (kept, _) = store.create_api_key("kept", None).expect("create");
    let gold = store
        .create_usage_plan(plan("gold", &[("pets", "prod")]))
        .expect("plan");
    store.add_usage_plan_key("gold", "k").expect("add");
    store.add_usage_plan_key("gold", "kept").expect("add");
    store
        .add_usage(&[
            UsageIncrement {
                plan_id: gold.id.clone(),
                key_id: key.id.clone(),
                period_start: 100,
                count: 5,
            },
            UsageIncrement {
                plan_id: gold.id.clone(),
                key_id: kept.id.clone(),
                period_start: 100,
                count: 7,
            },
        ])
        .expect("usage");

    store.delete_api_key("k").expect("delete");
    assert!(store.api_key("k").expect_err("gone").is_not_found());
    assert_eq!(
        store.usage_plan("gold").expect("plan").key_ids,
        vec![kept.id.clone()]
    );
    assert_eq!(store.usage(&gold.id, &key.id, 100).expect("usage"), 0);
    assert_eq!(store.usage(&gold.id, &kept.id, 100).expect("usage"), 7);
    // The name and the value are free again.
    store.create_api_key("k", Some(&value)).expect("recreate");
    assert!(
        store
            .delete_api_key("nope")
            .expect_err("unknown")
            .is_not_found()
    );
}

// ----- usage plans -----

#[test]
fn a_plan_names_existing_stages_and_a_unique_name() {
    let (_dir, store) = store_with_stages();
    let gold = store
        .create_usage_plan(plan("gold", &[("pets", "prod"), ("shop", "prod")]))
        .expect("plan");
    assert_eq!(gold.name, "gold");
    assert_eq!(gold.id.len(), 10);
    assert_eq!(gold.api_stages.len(), 2);
    assert_eq!(
        gold.throttle,
        Some(Throttle {
            rate: 10.0,
            burst: 20
        })
    );
    assert!(gold.key_ids.is_empty());
    assert_eq!(store.usage_plan("gold").expect("read"), gold);
    assert_eq!(store.usage_plans().expect("list"), vec![gold]);

    let missing = store
        .create_usage_plan(plan("silver", &[("pets", "staging")]))
        .expect_err("no such stage");
    assert!(missing.is_not_found(), "{missing:?}");
    assert!(missing.to_string().contains("staging"), "{missing}");
    assert!(missing.to_string().contains("pets"), "{missing}");

    let taken = store
        .create_usage_plan(plan("gold", &[("pets", "dev")]))
        .expect_err("name taken");
    assert!(taken.is_conflict(), "{taken:?}");

    let twice = store
        .create_usage_plan(plan("twice", &[("pets", "dev"), ("pets", "dev")]))
        .expect_err("stage twice");
    assert!(matches!(twice, StoreError::Invalid { .. }), "{twice:?}");

    let mut bad_quota = plan("bad", &[("pets", "dev")]);
    bad_quota.quota = Some(Quota {
        limit: 1,
        period: QuotaPeriod::Week,
        offset: 7,
    });
    let error = store.create_usage_plan(bad_quota).expect_err("offset");
    assert!(error.to_string().contains("0 to 6"), "{error}");

    let mut bad_rate = plan("bad", &[("pets", "dev")]);
    bad_rate.throttle = Some(Throttle {
        rate: -1.0,
        burst: 1,
    });
    assert!(store.create_usage_plan(bad_rate).is_err());
    assert_eq!(store.usage_plans().expect("list").len(), 1);
}

#[test]
fn a_key_is_in_at_most_one_plan_per_stage() {
    let (_dir, store) = store_with_stages();
    store.create_api_key("k", None).expect("key");
    store
        .create_usage_plan(plan("gold", &[("pets", "prod")]))
        .expect("plan");
    store
        .create_usage_plan(plan("silver", &[("pets", "prod"), ("pets", "dev")]))
        .expect("plan");
    store
        .create_usage_plan(plan("shop", &[("shop", "prod")]))
        .expect("plan");

    let gold = store.add_usage_plan_key("gold", "k").expect("add");
    assert_eq!(gold.key_ids, vec![store.api_key("k").expect("key").id]);
    let again = store.add_usage_plan_key("gold", "k").expect_err("twice");
    assert!(again.is_conflict(), "{again:?}");
    let shared = store
        .add_usage_plan_key("silver", "k")
        .expect_err("shared stage");
    assert!(shared.is_conflict(), "{shared:?}");
    assert!(shared.to_string().contains("pets/prod"), "{shared}");
    store
        .add_usage_plan_key("shop", "k")
        .expect("another stage");

    assert!(
        store
            .add_usage_plan_key("nope", "k")
            .expect_err("plan")
            .is_not_found()
    );
    assert!(
        store
            .add_usage_plan_key("gold", "nope")
            .expect_err("key")
            .is_not_found()
    );
}

#[test]
fn method_throttles_are_set_and_cleared_per_plan_stage() {
    let (_dir, store) = store_with_stages();
    store
        .create_usage_plan(plan("gold", &[("pets", "prod")]))
        .expect("plan");
    let slow = Throttle {
        rate: 0.5,
        burst: 1,
    };
    let gold = store
        .set_usage_plan_method_throttle("gold", "pets", "prod", "/pets/{id}/get", Some(slow))
        .expect("set");
    assert_eq!(
        gold.api_stages[0].method_throttles.get("/pets/{id}/GET"),
        Some(&slow)
    );
    let gold = store
        .set_usage_plan_method_throttle("gold", "pets", "prod", "/pets/{id}/GET", None)
        .expect("clear");
    assert!(gold.api_stages[0].method_throttles.is_empty());
    assert_eq!(store.usage_plan("gold").expect("read"), gold);

    let uncovered = store
        .set_usage_plan_method_throttle("gold", "pets", "dev", "/pets/GET", Some(slow))
        .expect_err("stage not in plan");
    assert!(uncovered.is_not_found(), "{uncovered:?}");
    let bad_key = store
        .set_usage_plan_method_throttle("gold", "pets", "prod", "/pets", Some(slow))
        .expect_err("no method");
    assert!(
        matches!(bad_key, StoreError::InvalidName { .. }),
        "{bad_key:?}"
    );
}

#[test]
fn deleting_a_plan_drops_its_counters() {
    let (_dir, store) = store_with_stages();
    let (key, _) = store.create_api_key("k", None).expect("key");
    let gold = store
        .create_usage_plan(plan("gold", &[("pets", "prod")]))
        .expect("plan");
    let other = store
        .create_usage_plan(plan("other", &[("pets", "dev")]))
        .expect("plan");
    let bump = |plan_id: &str| UsageIncrement {
        plan_id: plan_id.to_owned(),
        key_id: key.id.clone(),
        period_start: 0,
        count: 3,
    };
    store
        .add_usage(&[bump(&gold.id), bump(&other.id)])
        .expect("usage");
    store.delete_usage_plan("gold").expect("delete");
    assert!(store.usage_plan("gold").expect_err("gone").is_not_found());
    assert_eq!(store.usage(&gold.id, &key.id, 0).expect("usage"), 0);
    assert_eq!(store.usage(&other.id, &key.id, 0).expect("usage"), 3);
    // A late batch for the deleted plan does not bring its counter back.
    store.add_usage(&[bump(&gold.id)]).expect("late batch");
    assert_eq!(store.usage(&gold.id, &key.id, 0).expect("usage"), 0);
    assert!(
        store
            .delete_usage_plan("gold")
            .expect_err("again")
            .is_not_found()
    );
}

// ----- quota counters -----

#[test]
fn counters_add_up_in_one_transaction_and_across_reopens() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (plan_id, key_id) = {
        let store = Store::open(dir.path()).expect("open");
        store.put_api("pets", &json!({})).expect("put");
        let d = store
            .create_deployment("pets", NewDeployment::new(json!({})))
            .expect("deploy");
        store
            .point_stage("pets", "prod", &d.id, None)
            .expect("stage");
        let (key, _) = store.create_api_key("k", None).expect("key");
        let gold = store
            .create_usage_plan(plan("gold", &[("pets", "prod")]))
            .expect("plan");
        let increment = |start, count| UsageIncrement {
            plan_id: gold.id.clone(),
            key_id: key.id.clone(),
            period_start: start,
            count,
        };
        store
            .add_usage(&[increment(1000, 2), increment(1000, 3), increment(2000, 1)])
            .expect("batch");
        store.add_usage(&[increment(1000, 10)]).expect("batch");
        store.add_usage(&[]).expect("empty batch");
        assert_eq!(store.usage(&gold.id, &key.id, 1000).expect("usage"), 15);
        (gold.id, key.id)
    };
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(store.usage(&plan_id, &key_id, 1000).expect("usage"), 15);
    assert_eq!(store.usage(&plan_id, &key_id, 2000).expect("usage"), 1);
    assert_eq!(store.usage(&plan_id, &key_id, 3000).expect("usage"), 0);
    store
        .add_usage(&[UsageIncrement {
            plan_id: plan_id.clone(),
            key_id: key_id.clone(),
            period_start: 1000,
            count: 5,
        }])
        .expect("after reopen");
    assert_eq!(store.usage(&plan_id, &key_id, 1000).expect("usage"), 20);
}

// ----- stage throttles -----

#[test]
fn stage_throttles_default_and_per_method() {
    let dir = tempfile::tempdir().expect("tempdir");
    {
        let store = Store::open(dir.path()).expect("open");
        store.put_api("pets", &json!({})).expect("put");
        let d = store
            .create_deployment("pets", NewDeployment::new(json!({})))
            .expect("deploy");
        store
            .point_stage("pets", "prod", &d.id, None)
            .expect("stage");
        let stage_wide = Throttle {
            rate: 100.0,
            burst: 200,
        };
        let stage = store
            .set_stage_throttle("pets", "prod", None, Some(stage_wide))
            .expect("stage throttle");
        assert_eq!(stage.throttle, Some(stage_wide));
        let stage = store
            .set_stage_throttle(
                "pets",
                "prod",
                Some("/pets/get"),
                Some(Throttle {
                    rate: 1.5,
                    burst: 3,
                }),
            )
            .expect("method throttle");
        assert_eq!(stage.method_throttles["/pets/GET"].burst, 3);
        store
            .set_stage_throttle("pets", "prod", Some("*/*"), Some(stage_wide))
            .expect("every method");
        let stage = store
            .set_stage_throttle("pets", "prod", Some("*/*"), None)
            .expect("clear");
        assert_eq!(stage.method_throttles.len(), 1);

        let unknown = store
            .set_stage_throttle("pets", "nope", None, Some(stage_wide))
            .expect_err("no such stage");
        assert!(unknown.is_not_found(), "{unknown:?}");
        let bad = store
            .set_stage_throttle("pets", "prod", Some("pets"), Some(stage_wide))
            .expect_err("bad key");
        assert!(matches!(bad, StoreError::InvalidName { .. }), "{bad:?}");
    }
    let store = Store::open(dir.path()).expect("reopen");
    let stage = store.stage("pets", "prod").expect("read").expect("exists");
    assert_eq!(stage.throttle.map(|t| t.burst), Some(200));
    assert_eq!(stage.method_throttles["/pets/GET"].rate, 1.5);
    let cleared = store
        .set_stage_throttle("pets", "prod", None, None)
        .expect("clear the default");
    assert_eq!(cleared.throttle, None);
}

// ----- generation -----

#[test]
fn every_write_but_usage_counters_moves_the_generation() {
    let (_dir, store) = store_with_stages();
    let mut last = store.generation().expect("generation");
    let mut assert_bumped = |what: &str, store: &Store| {
        let now = store.generation().expect("generation");
        assert!(now > last, "{what} bumps the generation");
        last = now;
    };
    let (key, _) = store.create_api_key("k", None).expect("key");
    assert_bumped("create_api_key", &store);
    let gold = store
        .create_usage_plan(plan("gold", &[("pets", "prod")]))
        .expect("plan");
    assert_bumped("create_usage_plan", &store);
    store.add_usage_plan_key("gold", "k").expect("add");
    assert_bumped("add_usage_plan_key", &store);
    store
        .set_usage_plan_method_throttle(
            "gold",
            "pets",
            "prod",
            "/pets/GET",
            Some(Throttle {
                rate: 1.0,
                burst: 1,
            }),
        )
        .expect("method throttle");
    assert_bumped("set_usage_plan_method_throttle", &store);
    store
        .set_stage_throttle(
            "pets",
            "prod",
            None,
            Some(Throttle {
                rate: 1.0,
                burst: 1,
            }),
        )
        .expect("stage throttle");
    assert_bumped("set_stage_throttle", &store);
    let (access, _) = store
        .create_access_key("alice", json!({"Statement": []}))
        .expect("access key");
    assert_bumped("create_access_key", &store);
    store.delete_access_key(&access.id).expect("delete");
    assert_bumped("delete_access_key", &store);

    let before = store.generation().expect("generation");
    store
        .add_usage(&[UsageIncrement {
            plan_id: gold.id.clone(),
            key_id: key.id.clone(),
            period_start: 0,
            count: 1,
        }])
        .expect("usage");
    store.api_keys().expect("read");
    store.usage_plans().expect("read");
    store.access_key_secrets().expect("read");
    assert_eq!(store.generation().expect("generation"), before);

    store.delete_usage_plan("gold").expect("delete");
    assert_bumped("delete_usage_plan", &store);
    store.delete_api_key("k").expect("delete");
    assert_bumped("delete_api_key", &store);
}

// ----- access keys -----

fn policy() -> serde_json::Value {
    json!({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": "*"}]
    })
}

#[test]
fn an_access_key_has_an_aws_shaped_id_and_secret_that_round_trip() {
    let (dir, store) = open_store();
    let (key, secret) = store.create_access_key("alice", policy()).expect("create");
    assert!(key.id.starts_with("AKIA"), "{}", key.id);
    assert_eq!(key.id.len(), 20);
    assert!(
        key.id[4..]
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit()),
        "{}",
        key.id
    );
    assert_eq!(secret.len(), 40);
    assert!(
        secret
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'+' || b == b'/'),
        "{secret}"
    );
    assert_eq!(key.principal, "alice");
    assert_eq!(key.policy, policy());
    assert!(key.enabled);
    assert_eq!(store.access_keys().expect("list"), vec![key.clone()]);
    assert_eq!(
        store.access_key_secrets().expect("secrets"),
        vec![(key.clone(), secret.clone())]
    );

    // Not in the database in clear; the key file is 32 bytes, owner-only.
    assert!(!contains(&database_bytes(&store), secret.as_bytes()));
    let key_file = dir.path().join("secret.key");
    assert_eq!(std::fs::read(&key_file).expect("key file").len(), 32);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key_file)
            .expect("metadata")
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{mode:o}");
    }
    let stray: Vec<_> = std::fs::read_dir(dir.path())
        .expect("list")
        .filter_map(Result::ok)
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|name| name.contains("secret.key") && name != "secret.key")
        .collect();
    assert!(stray.is_empty(), "temporary key files left: {stray:?}");

    // A second key uses the same key file and decrypts too.
    let (bob, bob_secret) = store.create_access_key("bob", policy()).expect("create");
    let secrets = store.access_key_secrets().expect("secrets");
    assert_eq!(secrets.len(), 2);
    assert!(secrets.contains(&(bob.clone(), bob_secret)));

    store.delete_access_key(&key.id).expect("delete");
    assert_eq!(store.access_keys().expect("list"), vec![bob]);
    assert!(
        store
            .delete_access_key(&key.id)
            .expect_err("again")
            .is_not_found()
    );
}

#[test]
fn secrets_decrypt_after_a_reopen_and_not_without_their_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let (key, secret) = {
        let store = Store::open(dir.path()).expect("open");
        store.create_access_key("alice", policy()).expect("create")
    };
    let key_file = dir.path().join("secret.key");
    let original = std::fs::read(&key_file).expect("key file");
    {
        let store = Store::open(dir.path()).expect("reopen");
        assert_eq!(
            store.access_key_secrets().expect("secrets"),
            vec![(key.clone(), secret.clone())]
        );
    }

    std::fs::remove_file(&key_file).expect("remove");
    {
        let store = Store::open(dir.path()).expect("reopen");
        let missing = store.access_key_secrets().expect_err("no key file");
        assert!(
            matches!(missing, StoreError::SecretKey { .. }),
            "{missing:?}"
        );
        assert!(missing.to_string().contains("secret.key"), "{missing}");
        // Listing needs no secret.
        assert_eq!(store.access_keys().expect("list"), vec![key.clone()]);
    }

    std::fs::write(&key_file, [7u8; 32]).expect("another key");
    {
        let store = Store::open(dir.path()).expect("reopen");
        let wrong = store.access_key_secrets().expect_err("wrong key");
        assert!(
            matches!(&wrong, StoreError::Corrupt { table: "access_keys", key: id, .. } if *id == key.id),
            "{wrong:?}"
        );
    }

    std::fs::write(&key_file, b"short").expect("truncated key");
    {
        let store = Store::open(dir.path()).expect("reopen");
        let short = store.access_key_secrets().expect_err("short key");
        assert!(short.to_string().contains("5 bytes"), "{short}");
    }

    std::fs::write(&key_file, &original).expect("restore");
    let store = Store::open(dir.path()).expect("reopen");
    assert_eq!(
        store.access_key_secrets().expect("secrets"),
        vec![(key, secret)]
    );
}

#[test]
fn access_keys_need_a_principal_and_a_policy_with_statements() {
    let (dir, store) = open_store();
    let no_statement = store
        .create_access_key("alice", json!({"Version": "2012-10-17"}))
        .expect_err("no Statement");
    assert!(
        matches!(
            no_statement,
            StoreError::Invalid {
                what: "IAM policy",
                ..
            }
        ),
        "{no_statement:?}"
    );
    let not_object = store
        .create_access_key("alice", json!("allow all"))
        .expect_err("not an object");
    assert!(matches!(not_object, StoreError::Invalid { .. }));
    let bad_principal = store
        .create_access_key("alice smith", policy())
        .expect_err("principal");
    assert!(matches!(bad_principal, StoreError::InvalidName { .. }));
    assert!(store.access_keys().expect("list").is_empty());
    // Nothing refused created the key file.
    assert!(!dir.path().join("secret.key").exists());
    assert!(store.access_key_secrets().expect("none").is_empty());
}
