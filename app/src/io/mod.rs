//! Every call into the browser lives here, so that pages and components stay plain views over
//! `stslens-core` and the browser-facing code can be tested on its own (design §5).

pub mod clipboard;
pub mod clock;
