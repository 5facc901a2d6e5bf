//! Random ids, API key values and secrets, from the operating system's generator: they are
//! credentials or name credentials, so nothing predictable (no time, no process id) goes in.

use crate::StoreError;

/// Digits and ASCII letters, both cases: AWS's API key values.
pub(crate) const ALPHANUMERIC: &[u8] =
    b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
/// Digits and lowercase letters: AWS's resource ids (API keys, usage plans).
pub(crate) const LOWER_ALPHANUMERIC: &[u8] = b"0123456789abcdefghijklmnopqrstuvwxyz";
/// Digits and uppercase letters: the tail of an access key id.
pub(crate) const UPPER_ALPHANUMERIC: &[u8] = b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";
/// The base64 alphabet, which AWS secret access keys are drawn from.
pub(crate) const BASE64ISH: &[u8] =
    b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/// Fills `buffer` with random bytes.
pub(crate) fn fill(buffer: &mut [u8]) -> Result<(), StoreError> {
    getrandom::fill(buffer).map_err(|error| StoreError::Randomness {
        reason: error.to_string(),
    })
}

/// `len` characters drawn uniformly from `alphabet` (at most 256 symbols). Bytes that would
/// bias the draw (those past the largest multiple of the alphabet's size) are thrown away.
pub(crate) fn string(len: usize, alphabet: &[u8]) -> Result<String, StoreError> {
    debug_assert!(!alphabet.is_empty() && alphabet.len() <= 256);
    let size = alphabet.len();
    let usable = 256 - 256 % size;
    let mut out = String::with_capacity(len);
    let mut pool = [0u8; 64];
    while out.len() < len {
        fill(&mut pool)?;
        for &byte in &pool {
            if out.len() == len {
                break;
            }
            if usize::from(byte) < usable {
                out.push(char::from(alphabet[usize::from(byte) % size]));
            }
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_have_the_length_and_alphabet_asked_for() {
        for alphabet in [
            ALPHANUMERIC,
            LOWER_ALPHANUMERIC,
            UPPER_ALPHANUMERIC,
            BASE64ISH,
        ] {
            let text = string(40, alphabet).expect("random");
            assert_eq!(text.len(), 40);
            assert!(text.bytes().all(|b| alphabet.contains(&b)), "{text}");
        }
        assert_ne!(
            string(40, ALPHANUMERIC).expect("random"),
            string(40, ALPHANUMERIC).expect("random")
        );
    }

    #[test]
    fn every_symbol_can_come_out() {
        let text = string(4000, LOWER_ALPHANUMERIC).expect("random");
        for &symbol in LOWER_ALPHANUMERIC {
            assert!(text.as_bytes().contains(&symbol), "{}", char::from(symbol));
        }
    }
}
