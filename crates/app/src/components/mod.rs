//! The page's panels, one component per file.

pub mod clock;
pub mod console;
pub mod editor;
pub mod keys;
pub mod layout;
pub mod lessons;
pub mod reset;
pub mod theme;
pub mod timeline;
