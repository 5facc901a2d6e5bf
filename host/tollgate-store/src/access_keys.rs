//! SigV4 access keys for `AWS_IAM` methods: an IAM-style key id and secret, the principal
//! (user) they belong to and the IAM policy that says what the principal may invoke.
//!
//! The secret cannot be hashed like an API key's value: the gateway needs it to compute the
//! request's HMAC. It is stored encrypted with XChaCha20-Poly1305 under a 256-bit key kept
//! outside the database, in `DATA_DIR/secret.key` (mode 0600), with the key id as associated
//! data so a ciphertext cannot be moved to another record. A copy of the database alone does
//! not reveal any secret.

use std::io::Write;
use std::path::Path;

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::tables::ACCESS_KEYS;
use crate::{Context, Store, StoreError, names, now_unix_seconds, random};

/// The file in the data directory that holds the key encrypting access-key secrets.
pub const SECRET_KEY_FILE_NAME: &str = "secret.key";

const SECRET_KEY_LEN: usize = 32;
const NONCE_LEN: usize = 24;
/// AWS's secret access keys are 40 characters.
const SECRET_LEN: usize = 40;

/// A SigV4 access key, without its secret.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AccessKey {
    /// `AKIA` and 16 uppercase letters and digits, as AWS's.
    pub id: String,
    /// The IAM user the key belongs to (`alice`).
    pub principal: String,
    /// The IAM policy document of the principal.
    pub policy: Value,
    /// A disabled key's signatures are refused.
    pub enabled: bool,
    /// When it was created, in unix seconds.
    pub created: u64,
}

/// An access key as stored: the key and its encrypted secret.
#[derive(Serialize, Deserialize)]
struct StoredAccessKey {
    #[serde(flatten)]
    key: AccessKey,
    /// Hex of the XChaCha20 nonce.
    secret_nonce: String,
    /// Hex of the ciphertext and Poly1305 tag.
    secret_ciphertext: String,
}

/// The minimal check of a policy the store makes: an object with a `Statement`. The control
/// plane validates the statements themselves.
fn check_policy(policy: &Value) -> Result<(), StoreError> {
    match policy {
        Value::Object(map) if map.contains_key("Statement") => Ok(()),
        Value::Object(_) => Err(StoreError::Invalid {
            what: "IAM policy",
            reason: "it has no \"Statement\"".to_owned(),
        }),
        _ => Err(StoreError::Invalid {
            what: "IAM policy",
            reason: "it must be a JSON object with a \"Statement\"".to_owned(),
        }),
    }
}

impl Store {
    /// Creates an access key for `principal` with `policy`; returns it with its secret (40
    /// characters, as AWS's), the only time the secret leaves the store in clear. Creates
    /// `DATA_DIR/secret.key` on first use.
    pub fn create_access_key(
        &self,
        principal: &str,
        policy: Value,
    ) -> Result<(AccessKey, String), StoreError> {
        names::principal(principal)?;
        check_policy(&policy)?;
        let cipher = self
            .secret_cipher(true)?
            .ok_or_else(|| StoreError::SecretKey {
                path: self.secret_key_path(),
                reason: "it could not be created".to_owned(),
            })?;
        let secret = random::string(SECRET_LEN, random::BASE64ISH)?;
        let key = self.write(|tx| {
            let mut keys = self.open_write(tx, ACCESS_KEYS)?;
            let id = loop {
                let id = format!("AKIA{}", random::string(16, random::UPPER_ALPHANUMERIC)?);
                if keys
                    .get(id.as_str())
                    .context(self.ctx(), "look up an access key id")?
                    .is_none()
                {
                    break id;
                }
            };
            let mut nonce = [0u8; NONCE_LEN];
            random::fill(&mut nonce)?;
            let ciphertext = cipher
                .encrypt(
                    &XNonce::from(nonce),
                    Payload {
                        msg: secret.as_bytes(),
                        aad: id.as_bytes(),
                    },
                )
                .map_err(|_| StoreError::SecretKey {
                    path: self.secret_key_path(),
                    reason: "encrypting a secret failed".to_owned(),
                })?;
            let key = AccessKey {
                id,
                principal: principal.to_owned(),
                policy,
                enabled: true,
                created: now_unix_seconds(),
            };
            let stored = StoredAccessKey {
                key: key.clone(),
                secret_nonce: hex::encode(nonce),
                secret_ciphertext: hex::encode(ciphertext),
            };
            let bytes = self.encode("access_keys", &key.id, &stored)?;
            keys.insert(key.id.as_str(), bytes.as_slice())
                .context(self.ctx(), "store an access key")?;
            drop(keys);
            self.bump_generation(tx)?;
            Ok(key)
        })?;
        Ok((key, secret))
    }

    /// Every access key, by id, without secrets.
    pub fn access_keys(&self) -> Result<Vec<AccessKey>, StoreError> {
        Ok(self
            .stored_access_keys()?
            .into_iter()
            .map(|stored| stored.key)
            .collect())
    }

    /// Every enabled access key with its secret decrypted, for the gateway's in-memory SigV4
    /// verifier. Fails with [`StoreError::SecretKey`] when keys exist but
    /// `DATA_DIR/secret.key` is missing, and with [`StoreError::Corrupt`] when a secret does
    /// not decrypt under it.
    pub fn access_key_secrets(&self) -> Result<Vec<(AccessKey, String)>, StoreError> {
        let stored: Vec<StoredAccessKey> = self
            .stored_access_keys()?
            .into_iter()
            .filter(|stored| stored.key.enabled)
            .collect();
        if stored.is_empty() {
            return Ok(Vec::new());
        }
        let cipher = self
            .secret_cipher(false)?
            .ok_or_else(|| StoreError::SecretKey {
                path: self.secret_key_path(),
                reason: format!(
                    "it is missing, so the secrets of {} access keys cannot be decrypted; restore \
                 it from a backup or delete and recreate the access keys",
                    stored.len()
                ),
            })?;
        let mut out = Vec::with_capacity(stored.len());
        for record in stored {
            let secret = self.decrypt_secret(&cipher, &record)?;
            out.push((record.key, secret));
        }
        Ok(out)
    }

    /// Deletes an access key; [`StoreError::NotFound`] when there is none with that id.
    pub fn delete_access_key(&self, id: &str) -> Result<(), StoreError> {
        self.write(|tx| {
            let mut keys = self.open_write(tx, ACCESS_KEYS)?;
            let existed = keys
                .remove(id)
                .context(self.ctx(), "remove an access key")?
                .is_some();
            drop(keys);
            if !existed {
                return Err(StoreError::NotFound {
                    kind: "access key",
                    name: id.to_owned(),
                });
            }
            self.bump_generation(tx)?;
            Ok(())
        })
    }

    // ----- helpers -----

    fn stored_access_keys(&self) -> Result<Vec<StoredAccessKey>, StoreError> {
        self.read(|tx| {
            let keys = self.open_read(tx, ACCESS_KEYS)?;
            let mut out = Vec::new();
            for entry in keys.iter().context(self.ctx(), "list access keys")? {
                let (id, bytes) = entry.context(self.ctx(), "list access keys")?;
                out.push(self.decode("access_keys", id.value(), bytes.value())?);
            }
            Ok(out)
        })
    }

    fn decrypt_secret(
        &self,
        cipher: &XChaCha20Poly1305,
        record: &StoredAccessKey,
    ) -> Result<String, StoreError> {
        let corrupt = |reason: &str| StoreError::Corrupt {
            path: self.database_path().to_path_buf(),
            table: "access_keys",
            key: record.key.id.clone(),
            reason: reason.to_owned(),
        };
        let nonce: [u8; NONCE_LEN] = hex::decode(&record.secret_nonce)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| corrupt("its secret's nonce is not 24 bytes of hex"))?;
        let ciphertext = hex::decode(&record.secret_ciphertext)
            .map_err(|_| corrupt("its secret's ciphertext is not hex"))?;
        let plain = cipher
            .decrypt(
                &XNonce::from(nonce),
                Payload {
                    msg: &ciphertext,
                    aad: record.key.id.as_bytes(),
                },
            )
            .map_err(|_| {
                corrupt(&format!(
                    "its secret does not decrypt with {}; was the file replaced?",
                    self.secret_key_path().display()
                ))
            })?;
        String::from_utf8(plain).map_err(|_| corrupt("its decrypted secret is not UTF-8"))
    }

    fn secret_key_path(&self) -> std::path::PathBuf {
        self.data_dir().join(SECRET_KEY_FILE_NAME)
    }

    /// The cipher under `DATA_DIR/secret.key`, reading the file once per store; with
    /// `create`, a missing file is made. `None` when it is missing and not to be created.
    fn secret_cipher(&self, create: bool) -> Result<Option<XChaCha20Poly1305>, StoreError> {
        let mut cached = self
            .secret_key_cache()
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if cached.is_none() {
            let path = self.secret_key_path();
            *cached = match read_secret_key(&path)? {
                Some(key) => Some(key),
                None if create => Some(create_secret_key(&path)?),
                None => None,
            };
        }
        Ok(cached
            .as_ref()
            .map(|key| XChaCha20Poly1305::new(&(*key).into())))
    }
}

/// The key in `path`, or `None` when the file does not exist.
fn read_secret_key(path: &Path) -> Result<Option<[u8; SECRET_KEY_LEN]>, StoreError> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(error) if error.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(StoreError::Io {
                action: "read the secret key",
                path: path.to_path_buf(),
                source,
            });
        }
    };
    let key: [u8; SECRET_KEY_LEN] =
        bytes
            .try_into()
            .map_err(|bytes: Vec<u8>| StoreError::SecretKey {
                path: path.to_path_buf(),
                reason: format!(
                    "it holds {} bytes, not the {SECRET_KEY_LEN} of a key",
                    bytes.len()
                ),
            })?;
    Ok(Some(key))
}

/// Makes a new random key in `path`, atomically: written and synced under a temporary name
/// (mode 0600 from the start), then linked into place, which fails rather than replacing a
/// key that appeared meanwhile (then that one is used), and the directory synced.
fn create_secret_key(path: &Path) -> Result<[u8; SECRET_KEY_LEN], StoreError> {
    let io = |action: &'static str, at: &Path| {
        let at = at.to_path_buf();
        move |source| StoreError::Io {
            action,
            path: at,
            source,
        }
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut key = [0u8; SECRET_KEY_LEN];
    random::fill(&mut key)?;
    let temporary = dir.join(format!(
        ".{SECRET_KEY_FILE_NAME}.{}.{}",
        std::process::id(),
        random::string(8, random::LOWER_ALPHANUMERIC)?
    ));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = (|| {
        let mut file = options
            .open(&temporary)
            .map_err(io("create the secret key", &temporary))?;
        file.write_all(&key)
            .map_err(io("write the secret key", &temporary))?;
        file.sync_all()
            .map_err(io("sync the secret key", &temporary))?;
        std::fs::hard_link(&temporary, path).map_err(io("put the secret key in place", path))
    })();
    let _ = std::fs::remove_file(&temporary);
    match written {
        Ok(()) => {}
        Err(StoreError::Io { source, .. })
            if source.kind() == std::io::ErrorKind::AlreadyExists =>
        {
            return read_secret_key(path)?.ok_or_else(|| StoreError::SecretKey {
                path: path.to_path_buf(),
                reason: "it vanished while being created".to_owned(),
            });
        }
        Err(other) => return Err(other),
    }
    std::fs::File::open(dir)
        .and_then(|dir| dir.sync_all())
        .map_err(io("sync the data directory", dir))?;
    Ok(key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn policies_need_a_statement() {
        assert!(
            check_policy(&serde_json::json!({"Version": "2012-10-17", "Statement": []})).is_ok()
        );
        assert!(check_policy(&serde_json::json!({"Version": "2012-10-17"})).is_err());
        assert!(check_policy(&serde_json::json!(["Statement"])).is_err());
    }
}
