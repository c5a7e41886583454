//! Redis's error replies. [`RedisError`]'s text is the contract: exactly what Redis 7.0 sends.

use std::borrow::Cow;
use std::fmt;

use crate::reply::Reply;

/// An error reply; `Display` is Redis's exact text, code first (`ERR …`, `WRONGTYPE …`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RedisError(pub Cow<'static, str>);

impl fmt::Display for RedisError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for RedisError {}

impl From<RedisError> for Reply {
    fn from(e: RedisError) -> Self {
        Reply::Error(e.0)
    }
}

/// What handlers return: a reply, or an error reply through `?`.
pub type CmdResult = Result<Reply, RedisError>;

impl RedisError {
    /// An error from a static text.
    pub const fn new(text: &'static str) -> Self {
        RedisError(Cow::Borrowed(text))
    }

    /// An error from a formatted text; line breaks become spaces, as Redis makes them.
    pub fn owned(text: String) -> Self {
        RedisError(Cow::Owned(sanitize(text)))
    }

    /// `ERR syntax error`
    pub const fn syntax() -> Self {
        Self::new("ERR syntax error")
    }

    /// `WRONGTYPE Operation against a key holding the wrong kind of value`
    pub const fn wrong_type() -> Self {
        Self::new("WRONGTYPE Operation against a key holding the wrong kind of value")
    }

    /// `ERR value is not an integer or out of range`
    pub const fn not_integer() -> Self {
        Self::new("ERR value is not an integer or out of range")
    }

    /// `ERR value is not a valid float`
    pub const fn not_float() -> Self {
        Self::new("ERR value is not a valid float")
    }

    /// `ERR no such key`
    pub const fn no_such_key() -> Self {
        Self::new("ERR no such key")
    }

    /// `ERR DB index is out of range`
    pub const fn db_index() -> Self {
        Self::new("ERR DB index is out of range")
    }

    /// `ERR wrong number of arguments for 'name' command`
    pub fn wrong_arity(name: &str) -> Self {
        Self::owned(format!(
            "ERR wrong number of arguments for '{name}' command"
        ))
    }

    /// `ERR unknown command 'name', with args beginning with: 'a' 'b' ` — arguments are quoted
    /// until 128 characters have been written, each cut so the total stays within 128.
    pub fn unknown_command(name: &[u8], args: &[Vec<u8>]) -> Self {
        let mut quoted = String::new();
        for arg in args {
            if quoted.len() >= 128 {
                break;
            }
            let room = 128 - quoted.len();
            quoted.push('\'');
            quoted.push_str(&String::from_utf8_lossy(&arg[..arg.len().min(room)]));
            quoted.push_str("' ");
        }
        let name = String::from_utf8_lossy(&name[..name.len().min(128)]);
        Self::owned(format!(
            "ERR unknown command '{name}', with args beginning with: {quoted}"
        ))
    }

    /// `ERR unknown subcommand 'sub'. Try CONTAINER HELP.`
    pub fn unknown_subcommand(container: &str, sub: &[u8]) -> Self {
        // Redis prints it with `%.128s`: a C string, so it also ends at a NUL byte.
        let sub = crate::cstr::c_str(sub);
        let sub = String::from_utf8_lossy(&sub[..sub.len().min(128)]);
        Self::owned(format!(
            "ERR unknown subcommand '{sub}'. Try {} HELP.",
            container.to_ascii_uppercase()
        ))
    }
}

/// Error texts may not contain line breaks: Redis replaces them with spaces.
pub fn sanitize(text: String) -> String {
    if text.contains(['\r', '\n']) {
        text.replace(['\r', '\n'], " ")
    } else {
        text
    }
}
