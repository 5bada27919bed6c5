//! Reusable pieces of the pages, one component per file.

pub mod check_progress;
pub mod copy_button;
pub mod drop_zone;
pub mod field_error;
pub mod findings_list;
pub mod generator_output;
pub mod history_changes;
pub mod mx_from_dns;
pub mod output_block;
pub mod paste_box;
pub mod policy_paste;
pub mod recent_checks;
pub mod results;
pub mod rich_text;
pub mod rollout_checklist;
pub mod verdict_card;
