//! Redis's error replies, with their exact texts.

use crate::reply::Reply;

/// `ERR syntax error`
pub const SYNTAX: &str = "ERR syntax error";

/// `ERR unknown command 'name', with args beginning with: 'a' 'b' ` — Redis quotes arguments
/// until 128 characters have been written, each cut so the total stays within 128.
pub fn unknown_command(name: &[u8], args: &[Vec<u8>]) -> Reply {
    let mut quoted = String::new();
    for arg in args {
        if quoted.len() >= 128 {
            break;
        }
        let room = 128 - quoted.len();
        let arg = String::from_utf8_lossy(&arg[..arg.len().min(room)]);
        quoted.push('\'');
        quoted.push_str(&arg);
        quoted.push_str("' ");
    }
    let name = String::from_utf8_lossy(&name[..name.len().min(128)]);
    Reply::Error(
        sanitize(format!(
            "ERR unknown command '{name}', with args beginning with: {quoted}"
        ))
        .into(),
    )
}

/// `ERR wrong number of arguments for 'name' command`
pub fn wrong_arity(name: &str) -> Reply {
    Reply::Error(format!("ERR wrong number of arguments for '{name}' command").into())
}

/// Error texts may not contain line breaks: Redis replaces them with spaces.
pub fn sanitize(mut text: String) -> String {
    if text.contains(['\r', '\n']) {
        text = text.replace(['\r', '\n'], " ");
    }
    text
}
