//! One module per route (design §5).

pub mod about;
pub mod check;
pub mod generate;
pub mod home;
pub mod not_found;
pub mod reports;
pub mod settings;
