//! The admin token and how a CLI finds a running gateway: `DATA_DIR/admin-token` (generated
//! when `TOLLGATE_ADMIN_TOKEN` is not set at start, mode 0600) and `DATA_DIR/admin.url`.

use std::io::Write;
use std::path::{Path, PathBuf};

/// The environment variable that sets (server) or supplies (CLI) the admin token.
pub const TOKEN_ENV: &str = "TOLLGATE_ADMIN_TOKEN";
const TOKEN_FILE: &str = "admin-token";
const URL_FILE: &str = "admin.url";

fn token_path(data_dir: &Path) -> PathBuf {
    data_dir.join(TOKEN_FILE)
}

/// The token a starting gateway uses: the environment's, else the one in the data
/// directory, else a new one written there. The second value is true when it was generated
/// now (the caller prints it once).
pub fn server_token(data_dir: &Path) -> std::io::Result<(String, bool)> {
    if let Ok(token) = std::env::var(TOKEN_ENV)
        && !token.is_empty()
    {
        return Ok((token, false));
    }
    let path = token_path(data_dir);
    if let Ok(token) = std::fs::read_to_string(&path) {
        let token = token.trim().to_string();
        if !token.is_empty() {
            return Ok((token, false));
        }
    }
    let token = format!(
        "{}{}",
        uuid::Uuid::new_v4().simple(),
        uuid::Uuid::new_v4().simple()
    );
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(&path)?;
    file.write_all(token.as_bytes())?;
    file.sync_all()?;
    Ok((token, true))
}

/// The token a CLI sends: the environment's, else the data directory's.
pub fn client_token(data_dir: Option<&Path>) -> Option<String> {
    if let Ok(token) = std::env::var(TOKEN_ENV)
        && !token.is_empty()
    {
        return Some(token);
    }
    let token = std::fs::read_to_string(token_path(data_dir?)).ok()?;
    Some(token.trim().to_string())
}

/// Records where the running gateway's admin API listens.
pub fn write_admin_url(data_dir: &Path, url: &str) -> std::io::Result<()> {
    std::fs::write(data_dir.join(URL_FILE), url)
}

/// Where the gateway holding `data_dir` listens for admin requests, if it said so.
pub fn read_admin_url(data_dir: &Path) -> Option<String> {
    let url = std::fs::read_to_string(data_dir.join(URL_FILE)).ok()?;
    Some(url.trim().to_string())
}

/// Compares tokens in time independent of where they differ.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    let (a, b) = (expected.as_bytes(), given.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    a.iter().zip(b).fold(0u8, |diff, (x, y)| diff | (x ^ y)) == 0
}

#[cfg(test)]
mod tests {
    use super::tokens_match;

    #[test]
    fn tokens_match_only_when_equal() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", "ab"));
        assert!(!tokens_match("", "x"));
    }
}
