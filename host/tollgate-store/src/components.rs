//! Component blobs: WASM bytes stored once under the sha256 of their content.
//!
//! Storing is idempotent and a blob is never changed in place, so a hash names the same bytes
//! forever; deployments and function versions refer to components only by [`ContentHash`].
//! Reads re-hash the bytes, so a damaged blob is reported rather than run.

use std::fmt;
use std::str::FromStr;

use redb::ReadableTable;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::tables::COMPONENTS;
use crate::{Context, Store, StoreError};

/// The lowercase hex sha256 of a component's bytes (64 characters).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct ContentHash(String);

impl ContentHash {
    /// The hash of `bytes`.
    pub fn of(bytes: &[u8]) -> ContentHash {
        ContentHash(hex::encode(Sha256::digest(bytes)))
    }

    /// Parses a hash: exactly 64 lowercase hex digits.
    pub fn parse(text: &str) -> Result<ContentHash, StoreError> {
        let valid = text.len() == 64
            && text
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
        if valid {
            Ok(ContentHash(text.to_owned()))
        } else {
            Err(StoreError::InvalidName {
                kind: "content hash",
                name: text.to_owned(),
                expected: "64 lowercase hex digits (a sha256)",
            })
        }
    }

    /// The hash as 64 lowercase hex digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for ContentHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for ContentHash {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl FromStr for ContentHash {
    type Err = StoreError;
    fn from_str(text: &str) -> Result<Self, Self::Err> {
        ContentHash::parse(text)
    }
}

impl TryFrom<String> for ContentHash {
    type Error = StoreError;
    fn try_from(text: String) -> Result<Self, Self::Error> {
        ContentHash::parse(&text)
    }
}

impl From<ContentHash> for String {
    fn from(hash: ContentHash) -> String {
        hash.0
    }
}

impl Store {
    /// Stores component bytes and returns their hash. Storing the same bytes again changes
    /// nothing and returns the same hash.
    pub fn put_component(&self, wasm: &[u8]) -> Result<ContentHash, StoreError> {
        let hash = ContentHash::of(wasm);
        // Re-storing is common (every redeploy); skip the write, and its fsync, when present.
        if self.has_component(&hash)? {
            return Ok(hash);
        }
        self.write(|tx| {
            let mut table = self.open_write(tx, COMPONENTS)?;
            let present = table
                .get(hash.as_str())
                .context(self.ctx(), "look up a component")?
                .is_some();
            if !present {
                table
                    .insert(hash.as_str(), wasm)
                    .context(self.ctx(), "store a component")?;
            }
            Ok(())
        })?;
        Ok(hash)
    }

    /// The bytes of the component with this hash, if stored.
    pub fn component(&self, hash: &ContentHash) -> Result<Option<Vec<u8>>, StoreError> {
        let bytes = self.read(|tx| {
            let table = self.open_read(tx, COMPONENTS)?;
            let bytes = table
                .get(hash.as_str())
                .context(self.ctx(), "read a component")?
                .map(|v| v.value().to_vec());
            Ok(bytes)
        })?;
        match bytes {
            Some(bytes) if ContentHash::of(&bytes) != *hash => Err(StoreError::Corrupt {
                path: self.database_path().to_path_buf(),
                table: "components",
                key: hash.to_string(),
                reason: "the stored bytes do not hash to their key".to_owned(),
            }),
            other => Ok(other),
        }
    }

    /// Whether a component with this hash is stored, without reading its bytes.
    pub fn has_component(&self, hash: &ContentHash) -> Result<bool, StoreError> {
        self.read(|tx| {
            let table = self.open_read(tx, COMPONENTS)?;
            Ok(table
                .get(hash.as_str())
                .context(self.ctx(), "look up a component")?
                .is_some())
        })
    }

    /// The hashes of all stored components, in ascending order.
    pub fn components(&self) -> Result<Vec<ContentHash>, StoreError> {
        self.read(|tx| {
            let table = self.open_read(tx, COMPONENTS)?;
            let mut hashes = Vec::new();
            for entry in table.iter().context(self.ctx(), "list components")? {
                let (key, _) = entry.context(self.ctx(), "list components")?;
                let key = key.value();
                let hash = ContentHash::parse(key).map_err(|_| StoreError::Corrupt {
                    path: self.database_path().to_path_buf(),
                    table: "components",
                    key: key.to_owned(),
                    reason: "the key is not a sha256 hash".to_owned(),
                })?;
                hashes.push(hash);
            }
            Ok(hashes)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hash_is_lowercase_hex_sha256() {
        let hash = ContentHash::of(b"abc");
        assert_eq!(
            hash.as_str(),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
        );
        assert_eq!(ContentHash::parse(hash.as_str()).ok(), Some(hash.clone()));
        assert_eq!(hash.as_str().parse::<ContentHash>().ok(), Some(hash));
    }

    #[test]
    fn parse_refuses_anything_but_64_lowercase_hex_digits() {
        let upper = "BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD";
        assert!(ContentHash::parse(upper).is_err());
        assert!(ContentHash::parse("abc").is_err());
        assert!(ContentHash::parse(&"g".repeat(64)).is_err());
        assert!(ContentHash::parse(&"a".repeat(65)).is_err());
    }

    #[test]
    fn serde_is_a_plain_string_and_validates() {
        let hash = ContentHash::of(b"x");
        let json = serde_json::to_string(&hash).expect("serialise");
        assert_eq!(json, format!("\"{hash}\""));
        let back: ContentHash = serde_json::from_str(&json).expect("deserialise");
        assert_eq!(back, hash);
        assert!(serde_json::from_str::<ContentHash>("\"nope\"").is_err());
    }
}
