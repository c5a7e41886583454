//! Server commands.

use crate::command::Command;

/// The server group's registrations.
pub static COMMANDS: &[Command] = &[];
