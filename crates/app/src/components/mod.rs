//! The page's panels, one component per file.

pub mod clock;
pub mod console;
pub mod editor;
pub mod keys;
pub mod lessons;
pub mod theme;
pub mod timeline;
