//! The page's panels, one component per file.

pub mod console;
