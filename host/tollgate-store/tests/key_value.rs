//! The plugins' key-value tables: round trips, namespace isolation against crafted keys,
//! prefix listing, and the size limits.

mod common;

use std::sync::Arc;

use common::open_store;
use tollgate_store::key_value::{MAX_KEY_BYTES, MAX_LIST_LIMIT, MAX_VALUE_BYTES};
use tollgate_store::{KeyValueStore, StoreError};

#[test]
fn set_get_overwrite_delete() {
    let (_dir, store) = open_store();
    assert_eq!(store.get("ns", "k").expect("get"), None);
    store.set("ns", "k", b"one").expect("set");
    assert_eq!(store.get("ns", "k").expect("get"), Some(b"one".to_vec()));
    store.set("ns", "k", b"two").expect("overwrite");
    assert_eq!(store.get("ns", "k").expect("get"), Some(b"two".to_vec()));
    assert!(store.delete("ns", "k").expect("delete"));
    assert!(!store.delete("ns", "k").expect("delete again"));
    assert_eq!(store.get("ns", "k").expect("get"), None);
}

#[test]
fn empty_keys_and_values_are_allowed() {
    let (_dir, store) = open_store();
    store.set("ns", "", b"").expect("set");
    assert_eq!(store.get("ns", "").expect("get"), Some(Vec::new()));
    assert_eq!(store.list_keys("ns", "", 10).expect("list"), vec![""]);
}

/// Pairs of (namespace, key) that a naive `namespace + separator + key` encoding, or a
/// length prefix spelled out in the key, would confuse with each other.
/// A (namespace, key) pair.
type Entry = (&'static str, &'static str);

const CRAFTED: &[(Entry, Entry)] = &[
    (("a", "b/c"), ("a/b", "c")),
    (("a", ":b"), ("a:", "b")),
    (("a", "b"), ("ab", "")),
    (("a", "\0b"), ("a", "b")),
    (("a", "\u{1}b"), ("ab", "")),
    (("ns", "x"), ("n", "sx")),
    (("tenant", "../other/secret"), ("other", "secret")),
    (("tenant", "\u{5}other\u{6}secret"), ("other", "secret")),
    (("a", "\u{1}b\u{1}c"), ("b", "c")),
    (("%61", "k"), ("a", "k")),
];

#[test]
fn a_key_in_one_namespace_is_never_visible_through_another() {
    let (_dir, store) = open_store();
    for &(first, second) in CRAFTED {
        for ((ns_w, key_w), (ns_r, key_r)) in [(first, second), (second, first)] {
            store.set(ns_w, key_w, b"secret").expect("set");
            assert_eq!(
                store.get(ns_r, key_r).expect("get"),
                None,
                "({ns_w:?}, {key_w:?}) read through ({ns_r:?}, {key_r:?})"
            );
            assert!(
                !store.delete(ns_r, key_r).expect("delete"),
                "({ns_w:?}, {key_w:?}) deleted through ({ns_r:?}, {key_r:?})"
            );
            if ns_r != ns_w {
                assert!(
                    store.list_keys(ns_r, "", 1000).expect("list").is_empty(),
                    "({ns_w:?}, {key_w:?}) listed through {ns_r:?}"
                );
            }
            assert_eq!(
                store.get(ns_w, key_w).expect("get"),
                Some(b"secret".to_vec())
            );
            assert!(store.delete(ns_w, key_w).expect("clean up"));
        }
    }
}

#[test]
fn the_same_key_in_two_namespaces_holds_two_values() {
    let (_dir, store) = open_store();
    store.set("a", "k", b"in a").expect("set");
    store.set("b", "k", b"in b").expect("set");
    store.set("a/", "k", b"in a/").expect("set");
    assert_eq!(store.get("a", "k").expect("get"), Some(b"in a".to_vec()));
    assert_eq!(store.get("b", "k").expect("get"), Some(b"in b".to_vec()));
    assert_eq!(store.get("a/", "k").expect("get"), Some(b"in a/".to_vec()));
    assert!(store.delete("b", "k").expect("delete"));
    assert_eq!(store.get("a", "k").expect("get"), Some(b"in a".to_vec()));
}

#[test]
fn listing_stays_inside_the_namespace() {
    let (_dir, store) = open_store();
    // Namespaces sorting right next to each other.
    store.set("a", "1", b"").expect("set");
    store.set("a", "2", b"").expect("set");
    store.set("aa", "0", b"").expect("set");
    store.set("a ", "0", b"").expect("set");
    store
        .set("", "x", b"")
        .expect_err("empty namespace is refused");
    store.set("b", "0", b"").expect("set");
    assert_eq!(store.list_keys("a", "", 100).expect("list"), vec!["1", "2"]);
    assert_eq!(store.list_keys("aa", "", 100).expect("list"), vec!["0"]);
    assert!(store.list_keys("c", "", 100).expect("list").is_empty());
}

#[test]
fn listing_is_by_prefix_in_ascending_byte_order() {
    let (_dir, store) = open_store();
    let keys = [
        "user:2", "user:10", "user:1", "user;", "user", "use", "User:1", "user:é", "user:z",
    ];
    for key in keys {
        store.set("ns", key, b"").expect("set");
    }
    assert_eq!(
        store.list_keys("ns", "user:", 100).expect("list"),
        vec!["user:1", "user:10", "user:2", "user:z", "user:é"]
    );
    assert_eq!(
        store.list_keys("ns", "", 100).expect("list"),
        vec![
            "User:1", "use", "user", "user:1", "user:10", "user:2", "user:z", "user:é", "user;"
        ]
    );
    assert!(store.list_keys("ns", "zzz", 100).expect("list").is_empty());
}

#[test]
fn listing_honours_the_limit_and_caps_it() {
    let (_dir, store) = open_store();
    let count = MAX_LIST_LIMIT as usize + 5;
    for i in 0..count {
        store.set("ns", &format!("k{i:05}"), b"").expect("set");
    }
    assert!(store.list_keys("ns", "", 0).expect("list").is_empty());
    assert_eq!(
        store.list_keys("ns", "k", 3).expect("list"),
        vec!["k00000", "k00001", "k00002"]
    );
    let capped = store.list_keys("ns", "", u32::MAX).expect("list");
    assert_eq!(capped.len(), MAX_LIST_LIMIT as usize);
    assert_eq!(capped.last().map(String::as_str), Some("k00999"));
    assert_eq!(
        store.list_keys("ns", "k0100", 1000).expect("list"),
        vec!["k01000", "k01001", "k01002", "k01003", "k01004"]
    );
}

#[test]
fn keys_and_values_over_the_limits_are_too_large() {
    let (_dir, store) = open_store();
    let longest_key = "k".repeat(MAX_KEY_BYTES);
    let largest_value = vec![7u8; MAX_VALUE_BYTES];
    store
        .set("ns", &longest_key, &largest_value)
        .expect("at the limits");
    assert_eq!(
        store.get("ns", &longest_key).expect("get"),
        Some(largest_value)
    );

    let too_long_key = "k".repeat(MAX_KEY_BYTES + 1);
    let too_large_value = vec![0u8; MAX_VALUE_BYTES + 1];
    let checks: [(&str, Result<(), StoreError>); 5] = [
        ("set key", store.set("ns", &too_long_key, b"")),
        ("set value", store.set("ns", "k", &too_large_value)),
        ("get", store.get("ns", &too_long_key).map(|_| ())),
        ("delete", store.delete("ns", &too_long_key).map(|_| ())),
        ("list", store.list_keys("ns", &too_long_key, 1).map(|_| ())),
    ];
    for (what, result) in checks {
        assert!(
            matches!(result, Err(StoreError::TooLarge { .. })),
            "{what}: {result:?}"
        );
    }
    let message = store
        .set("ns", "k", &too_large_value)
        .expect_err("too large")
        .to_string();
    assert_eq!(
        message,
        "key-value value is 1048577 bytes, more than the limit of 1048576 bytes"
    );
    assert_eq!(store.get("ns", "k").expect("get"), None);
}

#[test]
fn namespaces_are_validated() {
    let (_dir, store) = open_store();
    for bad in [String::new(), "a\nb".to_owned(), "n".repeat(257)] {
        assert!(
            matches!(
                store.set(&bad, "k", b""),
                Err(StoreError::InvalidName {
                    kind: "key-value namespace",
                    ..
                })
            ),
            "{bad:?}"
        );
    }
    store
        .set(&"n".repeat(256), "k", b"")
        .expect("256 bytes is fine");
    store
        .set("stage/pets:prod ✓", "k", b"")
        .expect("any printable text");
}

#[test]
fn works_as_a_shared_trait_object_across_threads() {
    let (_dir, store) = open_store();
    let kv: Arc<dyn KeyValueStore> = Arc::new(store);
    let threads: Vec<_> = (0..4)
        .map(|t| {
            let kv = Arc::clone(&kv);
            std::thread::spawn(move || {
                for i in 0..25 {
                    kv.set("shared", &format!("t{t}-{i:02}"), &[t])
                        .expect("set");
                }
            })
        })
        .collect();
    for thread in threads {
        thread.join().expect("thread");
    }
    assert_eq!(kv.list_keys("shared", "", 1000).expect("list").len(), 100);
    assert_eq!(kv.get("shared", "t3-24").expect("get"), Some(vec![3]));
}
