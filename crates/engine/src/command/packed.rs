//! Unpacks the command facts (`facts.rs`, packed by `scripts/gen-command-facts.mjs`, whose
//! header describes the format) into the replies Redis gives: every `COMMAND INFO` entry and
//! every `COMMAND DOCS` map. The facts are the generator's output, not user input; a malformed
//! pack (only possible if someone edits the generated file) ends the listing early instead of
//! panicking.

use std::borrow::Cow;
use std::sync::OnceLock;

use super::facts;
use crate::reply::Reply;

/// The facts' distinct strings, by index.
fn strings() -> &'static [&'static str] {
    static STRINGS: OnceLock<Vec<&'static str>> = OnceLock::new();
    STRINGS.get_or_init(|| facts::STRINGS.lines().collect())
}

/// A cursor over the packed bytes.
struct Reader {
    pos: usize,
}

impl Reader {
    fn varint(&mut self) -> Option<u64> {
        let mut value = 0u64;
        let mut shift = 0u32;
        loop {
            let byte = *facts::PACKED.get(self.pos)?;
            self.pos += 1;
            value |= u64::from(byte & 0x7f).checked_shl(shift)?;
            if byte & 0x80 == 0 {
                return Some(value);
            }
            shift += 7;
            if shift > 63 {
                return None;
            }
        }
    }

    /// The head of a value: its kind and payload.
    fn head(&mut self) -> Option<(u64, u64)> {
        let head = self.varint()?;
        Some((head & 7, head >> 3))
    }

    fn string(index: u64) -> Option<&'static str> {
        strings().get(usize::try_from(index).ok()?).copied()
    }

    fn list(&mut self, len: u64) -> Option<Vec<Reply>> {
        (0..len).map(|_| self.reply()).collect()
    }

    fn reply(&mut self) -> Option<Reply> {
        let (kind, payload) = self.head()?;
        Some(match kind {
            0 => Reply::Array(self.list(payload)?),
            1 => Reply::Set(self.list(payload)?),
            2 => Reply::Map(
                (0..payload)
                    .map(|_| Some((self.reply()?, self.reply()?)))
                    .collect::<Option<_>>()?,
            ),
            3 => Reply::bulk(Self::string(payload)?.as_bytes()),
            4 => Reply::Status(Cow::Borrowed(Self::string(payload)?)),
            5 => Reply::Integer(i64::try_from(payload).ok()?),
            6 => Reply::Integer(i64::try_from(payload).ok()?.checked_neg()?),
            _ => return None,
        })
    }
}

/// The facts: every command's `COMMAND INFO` entry, sorted by name, and every command's name
/// and `COMMAND DOCS` map (prose removed), sorted by name.
pub(super) fn unpack() -> (Vec<Reply>, Vec<(&'static str, Reply)>) {
    let mut reader = Reader { pos: 0 };
    let info = match reader.head() {
        Some((0, len)) => (0..len).map_while(|_| reader.reply()).collect(),
        _ => Vec::new(),
    };
    let docs = match reader.head() {
        Some((2, len)) => (0..len)
            .map_while(|_| {
                let (3, name) = reader.head()? else {
                    return None;
                };
                Some((Reader::string(name)?, reader.reply()?))
            })
            .collect(),
        _ => Vec::new(),
    };
    (info, docs)
}

/// The name of every command, sorted.
pub(super) fn command_names() -> &'static [&'static str] {
    static NAMES: OnceLock<Vec<&'static str>> = OnceLock::new();
    NAMES.get_or_init(|| unpack().1.into_iter().map(|(name, _)| name).collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_command_has_info_and_docs() {
        let (info, docs) = unpack();
        assert_eq!(info.len(), 240);
        assert_eq!(docs.len(), info.len());
        assert_eq!(command_names().len(), info.len());
        assert!(command_names().windows(2).all(|w| w[0] < w[1]));
        let Reply::Array(get) = &info[info.len() / 2] else {
            panic!("an info entry is an array");
        };
        assert!(matches!(&get[0], Reply::Bulk(_)));
    }
}
