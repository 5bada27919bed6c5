//! Why a policy is not valid ([`PolicyError`]), and the finding, with its concrete fix, that each
//! error becomes.

use super::Mode;
use crate::finding::{Code, Finding};
use crate::name::NameError;
use crate::pattern::PatternError;
use thiserror::Error;

/// Why a policy is not valid. Each variant names the line it concerns, when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// Nothing at all.
    #[error("the policy is empty")]
    Empty,
    /// Bytes that are not UTF-8.
    #[error("line {line} is not valid UTF-8")]
    NotUtf8 {
        /// The line of the first invalid byte.
        line: u32,
    },
    /// Lines ending with a bare CR.
    #[error("lines end with a bare CR (old Mac style); the ABNF allows only LF or CRLF")]
    BareCr {
        /// The first such line.
        line: u32,
    },
    /// A line that is not `key: value`.
    #[error("line {line} `{text}` {why}")]
    LineSyntax {
        /// The line.
        line: u32,
        /// Its text, shortened.
        text: String,
        /// What is wrong.
        why: String,
    },
    /// No `version` line.
    #[error("there is no `version: STSv1` line")]
    VersionMissing,
    /// A `version` other than `STSv1`.
    #[error("line {line}: the version `{value}` is not `STSv1`")]
    VersionInvalid {
        /// The line.
        line: u32,
        /// The value.
        value: String,
    },
    /// No `mode` line.
    #[error("there is no `mode` line")]
    ModeMissing,
    /// A mode other than `enforce`, `testing` or `none`.
    #[error("line {line}: the mode `{value}` is not `enforce`, `testing` or `none`")]
    ModeInvalid {
        /// The line.
        line: u32,
        /// The value.
        value: String,
    },
    /// No `max_age` line.
    #[error("there is no `max_age` line")]
    MaxAgeMissing,
    /// A max_age that is not 1 to 10 digits.
    #[error(
        "line {line}: the max_age `{value}` is not a whole number of seconds of 1 to 10 digits"
    )]
    MaxAgeInvalid {
        /// The line.
        line: u32,
        /// The value.
        value: String,
    },
    /// A max_age over [`MAX_AGE_LIMIT`](super::MAX_AGE_LIMIT).
    #[error("the max_age {value} is above the limit of 31557600 seconds (one year)")]
    MaxAgeTooLarge {
        /// The line, when read from a file.
        line: Option<u32>,
        /// The value.
        value: u64,
    },
    /// Mode `enforce` or `testing` and no `mx` line.
    #[error("the mode is `{mode}` but there is no `mx` line")]
    MxMissing {
        /// The mode.
        mode: Mode,
    },
    /// An invalid mx pattern.
    #[error("line {line}: {source}")]
    MxInvalid {
        /// The line.
        line: u32,
        /// What is wrong with the pattern.
        source: PatternError,
    },
    /// An extension name outside the grammar.
    #[error(
        "the field name `{name}` is not a letter or digit followed by up to 31 letters, digits, `_`, `-` or `.`"
    )]
    ExtensionName {
        /// The line, when read from a file.
        line: Option<u32>,
        /// The name.
        name: String,
    },
    /// An extension value outside the grammar.
    #[error(
        "the value `{value}` of `{name}` is empty, has spaces at its edges, or contains a tab or control character"
    )]
    ExtensionValue {
        /// The line, when read from a file.
        line: Option<u32>,
        /// The field name.
        name: String,
        /// The value.
        value: String,
    },
    /// Building a policy with an extension named like a defined field.
    #[error("`{name}` is a defined policy field, not an extension")]
    ReservedName {
        /// The name.
        name: String,
    },
    /// Building a policy with the same extension twice.
    #[error("the extension `{name}` is given twice")]
    DuplicateExtension {
        /// The name.
        name: String,
    },
}

fn suggest_mode(value: &str) -> Mode {
    let v = value.to_ascii_lowercase();
    if v.starts_with("enforc") {
        Mode::Enforce
    } else if v.starts_with("none") || v == "off" || v == "disabled" {
        Mode::None
    } else {
        Mode::Testing
    }
}

/// The finding for a policy error, with its concrete fix.
pub fn error_finding(err: &PolicyError) -> Finding {
    let message = format!("{}.", capitalise(&err.to_string()));
    let (code, line, fix): (Code, Option<u32>, String) = match err {
        PolicyError::Empty => (
            Code::PolicyEmpty,
            None,
            "Serve a policy such as `version: STSv1`, `mode: testing`, `mx: mx1.example.com`, `max_age: 86400`, one per line.".into(),
        ),
        PolicyError::NotUtf8 { line } => (
            Code::PolicyNotUtf8,
            Some(*line),
            format!("Save the file as UTF-8 (plain ASCII is best) and check line {line} for stray bytes."),
        ),
        PolicyError::BareCr { line } => (
            Code::PolicyLineEnding,
            Some(*line),
            "Save the file with LF (Unix) line endings; mox, go-mtasts and postfix-tlspol read a CR-only file as one long invalid line.".into(),
        ),
        PolicyError::LineSyntax { line, why, .. } => {
            let fix = if why.contains("colon") && why.contains("before") {
                format!("Remove the whitespace before the colon on line {line}.")
            } else if why.starts_with("starts with whitespace") {
                format!("Remove the whitespace at the start of line {line}.")
            } else if why.contains("control character") {
                format!("Remove the control character from line {line}.")
            } else {
                format!("Write line {line} as `key: value`, or delete it.")
            };
            (Code::PolicyLineSyntax, Some(*line), fix)
        }
        PolicyError::VersionMissing => (
            Code::PolicyVersionMissing,
            None,
            "Add `version: STSv1` as the first line.".into(),
        ),
        PolicyError::VersionInvalid { line, .. } => (
            Code::PolicyVersionInvalid,
            Some(*line),
            format!("Change line {line} to `version: STSv1`."),
        ),
        PolicyError::ModeMissing => (
            Code::PolicyModeMissing,
            None,
            "Add a line `mode: testing` (or `mode: enforce` once reports show no failures).".into(),
        ),
        PolicyError::ModeInvalid { line, value } => (
            Code::PolicyModeInvalid,
            Some(*line),
            format!("Change line {line} to `mode: {}`.", suggest_mode(value)),
        ),
        PolicyError::MaxAgeMissing => (
            Code::PolicyMaxAgeMissing,
            None,
            "Add a line `max_age: 604800` (one week; up to 31557600).".into(),
        ),
        PolicyError::MaxAgeInvalid { line, .. } => (
            Code::PolicyMaxAgeInvalid,
            Some(*line),
            format!("Change line {line} to a whole number of seconds, e.g. `max_age: 604800`."),
        ),
        PolicyError::MaxAgeTooLarge { line, .. } => (
            Code::PolicyMaxAgeTooLarge,
            *line,
            match line {
                Some(l) => format!("Change line {l} to `max_age: 31557600` or less (e.g. `max_age: 604800`)."),
                None => "Use a max_age of 31557600 or less.".into(),
            },
        ),
        PolicyError::MxMissing { .. } => (
            Code::PolicyMxMissing,
            None,
            "Add one `mx:` line per MX host (or a `*.` pattern covering them), e.g. `mx: mx1.example.com`.".into(),
        ),
        PolicyError::MxInvalid { line, source } => {
            (Code::PolicyMxInvalid, Some(*line), mx_fix(*line, source))
        }
        PolicyError::ExtensionName { line, name } => (
            Code::PolicyExtensionInvalid,
            *line,
            format!("Rename `{name}` to start with a letter or digit and use only letters, digits, `_`, `-` or `.` (at most 32), or delete the line."),
        ),
        PolicyError::ExtensionValue { line, name, .. } => (
            Code::PolicyExtensionInvalid,
            *line,
            format!("Give `{name}` a non-empty value without tabs or control characters, or delete the line."),
        ),
        PolicyError::ReservedName { .. } | PolicyError::DuplicateExtension { .. } => (
            Code::PolicyExtensionInvalid,
            None,
            "Use a distinct extension name.".into(),
        ),
    };
    let f = Finding::new(code, message).with_fix(fix);
    match line {
        Some(l) => f.at_line(l),
        None => f,
    }
}

fn mx_fix(line: u32, err: &PatternError) -> String {
    match err {
        PatternError::LeadingDot { pattern } => format!("Change line {line} to `mx: *{pattern}`."),
        PatternError::Name {
            pattern,
            source: NameError::TrailingDot,
        } if pattern != "." => {
            format!(
                "Change line {line} to `mx: {}` (no trailing dot).",
                pattern.trim_end_matches('.')
            )
        }
        PatternError::Name {
            source: NameError::NotAscii,
            ..
        } => format!(
            "Write the name on line {line} in its A-label (punycode) form, e.g. `xn--bcher-kva.example` for `bücher.example`."
        ),
        PatternError::Name {
            source: NameError::LooksLikeIp { .. } | NameError::IpLiteral { .. },
            ..
        } => {
            format!(
                "Replace the IP address on line {line} with the MX host name from your MX record."
            )
        }
        PatternError::MisplacedWildcard { .. } | PatternError::BareWildcard => {
            format!(
                "Use `*` only as the whole first label on line {line}, e.g. `mx: *.example.com`, or list each host."
            )
        }
        _ => format!(
            "Change line {line} to your MX host name, e.g. `mx: mx1.yourdomain.com` (see `dig MX yourdomain.com`)."
        ),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(first) => first.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}
