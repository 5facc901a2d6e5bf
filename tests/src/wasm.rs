//! Component bytes for tests that need a component never seen before.

/// `wasm` (a core module or a component) with a custom section `name` carrying `payload`
/// appended at the end. A custom section changes the content hash but not the behaviour:
/// the result is a new component that does exactly what `wasm` does.
pub fn with_custom_section(wasm: &[u8], name: &str, payload: &[u8]) -> Vec<u8> {
    let mut contents = Vec::new();
    leb128(&mut contents, name.len() as u64);
    contents.extend_from_slice(name.as_bytes());
    contents.extend_from_slice(payload);
    let mut out = wasm.to_vec();
    out.push(0); // custom section id
    leb128(&mut out, contents.len() as u64);
    out.extend_from_slice(&contents);
    out
}

fn leb128(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sections_are_length_prefixed_in_leb128() {
        let out = with_custom_section(b"\0asm", "n", &[7; 200]);
        // id 0, size 202 = 0xca 0x01, name length 1, "n", payload.
        assert_eq!(&out[4..9], &[0, 0xca, 0x01, 1, b'n']);
        assert_eq!(out.len(), 4 + 3 + 2 + 200);
    }
}
