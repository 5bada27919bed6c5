//! Reusable pieces of the pages, one component per file.

pub mod copy_button;
pub mod drop_zone;
pub mod field_error;
pub mod findings_list;
pub mod generator_output;
pub mod output_block;
pub mod paste_box;
pub mod rich_text;
pub mod rollout_checklist;
