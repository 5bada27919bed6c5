//! DNS TXT records that announce MTA-STS (`_mta-sts`, RFC 8461 §3.1) and TLS reporting
//! (`_smtp._tls`, RFC 8460 §3).
//!
//! Both records share one shape: a version tag first, then `;`-separated `name=value` fields, with
//! the same extension grammar and the same discovery rule ("records that do not begin with the
//! version are discarded; if the number of resulting records is not one, ..."). This module holds
//! that shared grammar; [`sts`] and [`tlsrpt`] hold what differs.
//!
//! Every parser here is total: it never panics, whatever the input, and reports every problem it
//! finds rather than only the first, so a linter can show them all at once.

pub mod sts;
pub mod tlsrpt;

use crate::finding::{Code, Finding, Severity};
use std::fmt;
use thiserror::Error;

pub use sts::{StsId, StsRecord};
pub use tlsrpt::{ReportUri, TlsRptRecord};

/// Longest extension name: one letter or digit then up to 31 more (RFC 8461 §3.1, RFC 8460 §3).
pub const MAX_EXT_NAME_LEN: usize = 32;

/// Why a TXT record (or a part of one) is not valid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RecordError {
    /// A character outside US-ASCII (RFC 8461 §3.1: "MTA-STS TXT records MUST be US-ASCII").
    #[error("the record contains `{ch}`; TXT records must be plain US-ASCII")]
    NotAscii {
        /// The first offending character.
        ch: char,
    },
    /// The record does not begin with the version tag, exactly.
    #[error("the record must begin with exactly `{expected}`, but it begins with `{found}`")]
    Version {
        /// The version tag the record needs, e.g. `v=STSv1`.
        expected: &'static str,
        /// The start of the record as written.
        found: String,
    },
    /// Two fields (or the version and a field) with no `;` between them.
    #[error("`{after}` is followed by `{next}` without a `;` between them")]
    MissingDelimiter {
        /// The text before the missing delimiter.
        after: String,
        /// The text after it.
        next: String,
    },
    /// `;;`: an empty field. The grammar allows one optional trailing `;`, not empty fields.
    #[error("the record has an empty field (`;;`)")]
    EmptyField,
    /// Whitespace after the last field with no `;` after it.
    #[error("the record ends with whitespace after `{last}`")]
    TrailingWhitespace {
        /// The last field.
        last: String,
    },
    /// A field with no `=`.
    #[error("`{field}` is not a `name=value` field")]
    FieldWithoutValue {
        /// The field as written.
        field: String,
    },
    /// The required `id` field (RFC 8461 §3.1) is absent.
    #[error("the record has no `id` field")]
    IdMissing,
    /// An `id` that is not 1 to 32 letters and digits.
    #[error("the id `{value}` is not 1 to 32 letters and digits")]
    IdInvalid {
        /// The value as written.
        value: String,
    },
    /// The required `rua` field (RFC 8460 §3) is absent.
    #[error("the record has no `rua` field")]
    RuaMissing,
    /// A `rua` entry that is not a usable report URI.
    #[error("the rua entry `{uri}` {problem}")]
    RuaInvalid {
        /// The entry as written.
        uri: String,
        /// What is wrong with it.
        problem: UriProblem,
    },
    /// An extension name that is not a letter or digit followed by up to 31 letters, digits,
    /// `_`, `-` or `.`.
    #[error(
        "the field name `{name}` is not a letter or digit followed by up to 31 letters, digits, `_`, `-` or `.`"
    )]
    ExtensionName {
        /// The name as written.
        name: String,
    },
    /// An extension value that is empty or contains a space, `=`, `;` or a control character.
    #[error(
        "the value `{value}` of `{name}` is empty or contains a space, `=`, `;` or a control character"
    )]
    ExtensionValue {
        /// The field name.
        name: String,
        /// The value as written.
        value: String,
    },
    /// Building a record with an extension that has the name of a defined field.
    #[error("`{name}` is a defined field of this record, not an extension")]
    ReservedName {
        /// The name.
        name: String,
    },
    /// Building a record with the same extension name twice (only the first would count).
    #[error("the extension `{name}` is given twice")]
    DuplicateExtension {
        /// The name.
        name: String,
    },
}

/// What makes a `rua` entry unusable (RFC 8460 §3: `tlsrpt-uri = URI`, schemes `mailto` and
/// `https`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum UriProblem {
    /// Empty between commas.
    #[error("is empty")]
    Empty,
    /// No `scheme:` prefix: not a URI at all.
    #[error("has no scheme (`mailto:` or `https:`)")]
    NoScheme,
    /// Whitespace inside an entry: usually a missing `,` or `;`.
    #[error("contains whitespace")]
    Whitespace,
    /// A character a URI cannot contain unencoded (RFC 3986), including `!` (RFC 8460 §3).
    #[error("contains `{ch}`, which must be percent-encoded in a URI")]
    BadChar {
        /// The character.
        ch: char,
    },
    /// A `%` not followed by two hex digits.
    #[error("contains a `%` that is not followed by two hex digits")]
    BadPercent,
    /// A scheme other than `mailto` or `https`: reporters skip it.
    #[error("uses the scheme `{scheme}`; reporters only deliver to `mailto:` and `https:`")]
    UnsupportedScheme {
        /// The scheme, lower-cased.
        scheme: String,
    },
    /// A `mailto:` URI without a `local@domain` address.
    #[error("is not a mailto: address of the form `mailto:local@domain`")]
    BadMailto,
    /// An `https:` URI without a host name.
    #[error("is not an https: URL of the form `https://host.example/path`")]
    BadHttps,
}

/// An extension field of a TXT record: `name=value` under the grammar both RFCs share
/// (`sts-ext-name`/`tlsrpt-ext-name`, `sts-ext-value`/`tlsrpt-ext-value`).
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Extension {
    name: String,
    value: String,
}

impl Extension {
    /// An extension field, if `name` and `value` follow the grammar.
    pub fn new(name: &str, value: &str) -> Result<Extension, RecordError> {
        if !is_ext_name(name) {
            return Err(RecordError::ExtensionName {
                name: name.to_owned(),
            });
        }
        if !is_ext_value(value) {
            return Err(RecordError::ExtensionValue {
                name: name.to_owned(),
                value: value.to_owned(),
            });
        }
        Ok(Extension {
            name: name.to_owned(),
            value: value.to_owned(),
        })
    }

    /// The field name.
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The field value.
    pub fn value(&self) -> &str {
        &self.value
    }
}

impl fmt::Display for Extension {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}={}", self.name, self.value)
    }
}

/// `(ALPHA / DIGIT) *31(ALPHA / DIGIT / "_" / "-" / ".")`.
pub(crate) fn is_ext_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= MAX_EXT_NAME_LEN
        && b[0].is_ascii_alphanumeric()
        && b[1..]
            .iter()
            .all(|&c| c.is_ascii_alphanumeric() || matches!(c, b'_' | b'-' | b'.'))
}

/// `1*(%x21-3A / %x3C / %x3E-7E)`: visible ASCII except `;` and `=`.
pub(crate) fn is_ext_value(value: &str) -> bool {
    !value.is_empty()
        && value
            .bytes()
            .all(|c| matches!(c, 0x21..=0x3A | 0x3C | 0x3E..=0x7E))
}

/// Joins the character-strings of one TXT record exactly as both RFCs say: "as if those strings
/// are concatenated without adding spaces" (RFC 8461 §3.1, RFC 8460 §3).
pub fn join_strings<S: AsRef<str>>(strings: &[S]) -> String {
    strings.iter().map(AsRef::as_ref).collect()
}

/// [`join_strings`] for every record of an RRset: one string per record, ready for the linters.
pub fn join_records<S: AsRef<str>>(records: &[Vec<S>]) -> Vec<String> {
    records.iter().map(|r| join_strings(r)).collect()
}

/// How a TXT record found at the name relates to the mechanism, before any parsing
/// (the discovery step of RFC 8461 §3.1 / RFC 8460 §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    /// Begins with the exact version tag, followed by the end, `;` or whitespace: it counts.
    Candidate,
    /// Looks meant for this mechanism (a `v=` tag naming it in another case or version, the tag
    /// later in the record, leading whitespace) but senders discard it.
    Misversioned,
    /// Something else (SPF, a verification token, ...): senders discard it.
    Unrelated,
}

/// Sorts one record into [`Kind`]. `tag` is the exact version field (`v=STSv1`), `family` the
/// case-insensitive start of its value that marks an attempt (`sts`).
pub(crate) fn classify(record: &str, tag: &str, family: &str) -> Kind {
    if let Some(rest) = record.strip_prefix(tag)
        && (rest.is_empty() || rest.starts_with([';', ' ', '\t']))
    {
        return Kind::Candidate;
    }
    let looks_meant = record.split(';').any(|field| {
        let field = field.trim_matches([' ', '\t']);
        let Some((name, value)) = field.split_once('=') else {
            return false;
        };
        name.trim_matches([' ', '\t']).eq_ignore_ascii_case("v")
            && value
                .trim_matches([' ', '\t'])
                .get(..family.len())
                .is_some_and(|p| p.eq_ignore_ascii_case(family))
    });
    if looks_meant {
        Kind::Misversioned
    } else {
        Kind::Unrelated
    }
}

/// The fields of a record after its version tag, split on the delimiter with the grammar's
/// whitespace rules applied. Problems are collected; the fields found are kept so that later
/// rules still run.
#[derive(Debug, Default)]
pub(crate) struct Fields<'a> {
    /// `(name, value)` pairs in order, names and values as written.
    pub pairs: Vec<(&'a str, &'a str)>,
    /// Syntax problems (all errors).
    pub errors: Vec<RecordError>,
    /// Whitespace before some `;` (erratum 6285; see [`sts`]).
    pub space_before_delimiter: bool,
}

const WSP: [char; 2] = [' ', '\t'];

/// Splits what follows the version tag: `1*(field-delim field) [field-delim]`, with
/// `field-delim = *WSP ";" *WSP`. `rua`-style values may hold `*WSP "," *WSP` inside; `value_wsp`
/// names the fields whose values may contain whitespace.
pub(crate) fn split_fields<'a>(tag: &str, rest: &'a str, value_wsp: &[&str]) -> Fields<'a> {
    let mut out = Fields::default();
    if let Some(ch) = rest.chars().find(|c| !c.is_ascii()) {
        out.errors.push(RecordError::NotAscii { ch });
    }
    let mut rest = rest;
    let first = rest.trim_start_matches(WSP);
    if !first.is_empty() && !first.starts_with(';') {
        out.errors.push(RecordError::MissingDelimiter {
            after: tag.to_owned(),
            next: first.split(WSP).next().unwrap_or(first).to_owned(),
        });
        // Read on as though the `;` were there, so the fields still get checked.
        rest = first;
    } else if let Some(after) = first.strip_prefix(';') {
        out.space_before_delimiter |= first.len() != rest.len();
        rest = after;
    } else {
        // Nothing after the tag (or only whitespace, which is a trailing-space problem).
        if !rest.is_empty() {
            out.errors.push(RecordError::TrailingWhitespace {
                last: tag.to_owned(),
            });
        }
        return out;
    }
    let pieces: Vec<&str> = rest.split(';').collect();
    let last_index = pieces.len() - 1;
    for (i, piece) in pieces.into_iter().enumerate() {
        let content = piece.trim_start_matches(WSP);
        let trimmed = content.trim_end_matches(WSP);
        if trimmed.is_empty() {
            // A trailing `; ` is the grammar's optional last delimiter; anything else is `;;`.
            if i != last_index {
                out.errors.push(RecordError::EmptyField);
            }
            continue;
        }
        if trimmed.len() != content.len() {
            if i == last_index {
                out.errors.push(RecordError::TrailingWhitespace {
                    last: trimmed.to_owned(),
                });
            } else {
                out.space_before_delimiter = true;
            }
        }
        push_field(trimmed, value_wsp, &mut out);
    }
    out
}

/// One field between delimiters; whitespace inside it means a missing `;` (except in values
/// that allow it, like `rua`).
fn push_field<'a>(field: &'a str, value_wsp: &[&str], out: &mut Fields<'a>) {
    let name = field.split(['=', ' ', '\t']).next().unwrap_or(field);
    let may_hold_wsp = value_wsp.contains(&name) && field[name.len()..].starts_with('=');
    if !may_hold_wsp && let Some(at) = field.find(WSP) {
        let (head, tail) = (&field[..at], field[at..].trim_start_matches(WSP));
        push_field(head, value_wsp, out);
        out.errors.push(RecordError::MissingDelimiter {
            after: head.to_owned(),
            next: tail.split(WSP).next().unwrap_or(tail).to_owned(),
        });
        push_field(tail, value_wsp, out);
        return;
    }
    match field.split_once('=') {
        Some((name, value)) => out.pairs.push((name, value)),
        None => out.errors.push(RecordError::FieldWithoutValue {
            field: field.to_owned(),
        }),
    }
}

/// Which TXT record a finding is about, so that the shared rules pick the right codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Family {
    pub tag: &'static str,
    pub label: &'static str,
    pub syntax: Code,
    pub version: Code,
    pub ext_invalid: Code,
    pub ext_unknown: Code,
    pub duplicate: Code,
    pub space: Code,
}

/// The finding for a shared syntax problem, with its fix.
pub(crate) fn syntax_finding(family: &Family, err: &RecordError) -> Finding {
    let (code, fix) = match err {
        RecordError::NotAscii { ch } => (
            family.syntax,
            format!("Remove `{ch}` and any other non-ASCII character from the record."),
        ),
        RecordError::Version { expected, .. } => (
            family.version,
            format!("Start the record with exactly `{expected};`."),
        ),
        RecordError::MissingDelimiter { after, next } => (
            family.syntax,
            format!("Put `; ` between `{after}` and `{next}`."),
        ),
        RecordError::EmptyField => (
            family.syntax,
            "Remove the extra `;` so that no field is empty.".to_owned(),
        ),
        RecordError::TrailingWhitespace { last } => (
            family.syntax,
            format!("Remove the whitespace after `{last}` (or end the record with `;`)."),
        ),
        RecordError::FieldWithoutValue { field } => (
            family.syntax,
            format!("Remove `{field}` or write it as `name=value`."),
        ),
        RecordError::ExtensionName { name } => (
            family.ext_invalid,
            format!(
                "Rename `{name}` to letters, digits, `_`, `-` or `.` (starting with a letter or digit, at most 32) or remove it."
            ),
        ),
        RecordError::ExtensionValue { name, .. } => (
            family.ext_invalid,
            format!(
                "Give `{name}` a value without spaces, `=`, `;` or control characters, or remove the field."
            ),
        ),
        other => (family.syntax, format!("Correct the record: {other}.")),
    };
    Finding::new(code, format!("{}: {err}.", family.label)).with_fix(fix)
}

/// Findings common to both records: duplicates (first wins), unknown extensions (ignored),
/// whitespace before `;` (erratum 6285). Returns the extensions that count.
pub(crate) fn extension_findings(
    family: &Family,
    pairs: &[(&str, &str)],
    defined: &[&str],
    findings: &mut Vec<Finding>,
    errors: &mut Vec<RecordError>,
) -> Vec<Extension> {
    let mut seen: Vec<&str> = Vec::new();
    let mut extensions = Vec::new();
    for &(name, value) in pairs {
        if seen.contains(&name) {
            findings.push(
                Finding::new(
                    family.duplicate,
                    format!(
                        "{}: the field `{name}` appears more than once; senders use the first and ignore `{name}={value}`.",
                        family.label
                    ),
                )
                .with_fix(format!("Keep one `{name}=` field and remove the others.")),
            );
            continue;
        }
        seen.push(name);
        if defined.contains(&name) {
            continue;
        }
        match Extension::new(name, value) {
            Ok(ext) => {
                let hint = defined
                    .iter()
                    .find(|d| d.eq_ignore_ascii_case(name))
                    .map(|d| format!(" Field names are case-sensitive: did you mean `{d}`?"))
                    .unwrap_or_default();
                findings.push(
                    Finding::new(
                        family.ext_unknown,
                        format!("{}: `{name}={value}` is not a field senders know; they ignore it.{hint}", family.label),
                    )
                    .with_fix(if hint.is_empty() {
                        "Nothing to do unless you meant a defined field.".to_owned()
                    } else {
                        format!("Write the field name in lower case: `{}`.", name.to_ascii_lowercase())
                    }),
                );
                extensions.push(ext);
            }
            Err(err) => errors.push(err),
        }
    }
    extensions
}

/// The erratum-6285 warning: whitespace before `;`.
pub(crate) fn space_finding(family: &Family) -> Finding {
    Finding::new(
        family.space,
        format!(
            "{}: there is whitespace before a `;`. The ABNF allows it (`*WSP \";\" *WSP`), but the text says records that do not begin with `{};` are discarded (erratum 6285), and strict senders such as mox do so.",
            family.label, family.tag
        ),
    )
    .with_fix(format!("Remove the whitespace before each `;`, e.g. `{}; ...`.", family.tag))
}

/// Adds `ext` to a record's `extensions`, refusing a name the record defines itself (`reserved`,
/// in any case) or one it already has: neither would read back as that extension.
pub(crate) fn add_extension(
    extensions: &mut Vec<Extension>,
    reserved: &[&str],
    ext: Extension,
) -> Result<(), RecordError> {
    if reserved.iter().any(|d| d.eq_ignore_ascii_case(ext.name())) {
        return Err(RecordError::ReservedName {
            name: ext.name().to_owned(),
        });
    }
    if extensions.iter().any(|e| e.name() == ext.name()) {
        return Err(RecordError::DuplicateExtension {
            name: ext.name().to_owned(),
        });
    }
    extensions.push(ext);
    Ok(())
}

/// What one kind of record says about the TXT records found at its name, for [`lint_set`]: the
/// walk over the set (discovery, numbering, one usable record) is the same for `_mta-sts` and
/// `_smtp._tls`; the findings and their wording are each record's own.
pub(crate) trait RecordSet: Sized {
    /// The exact version field a record must begin with (`v=STSv1`).
    const TAG: &'static str;
    /// The case-insensitive start of a `v=` value that marks an attempt (`sts`).
    const MARK: &'static str;
    /// How a TXT record found at the name relates to this kind of record.
    fn kind(text: &str) -> Kind {
        classify(text, Self::TAG, Self::MARK)
    }
    /// A record that is not this kind of record at all; `which` is ` (record 2 of 3)` or empty.
    fn ignored(text: &str, which: &str) -> Finding;
    /// A record meant for this mechanism whose version tag senders do not accept.
    fn misversioned(text: &str, which: &str, candidates: usize) -> Finding;
    /// The findings for a record that begins with the version tag, and the record when it has no
    /// error.
    fn candidate(text: &str) -> (Vec<Finding>, Option<Self>);
    /// More than one candidate: senders then use none.
    fn multiple(candidates: usize) -> Finding;
    /// No record at all, not even a misversioned one.
    fn missing() -> Finding;
}

/// Lints the TXT records found at a name (each joined from its strings): every finding, those of
/// a record prefixed with `Record i of n: ` when there are several, and the record senders would
/// use, if there is exactly one usable.
pub(crate) fn lint_set<R: RecordSet, S: AsRef<str>>(records: &[S]) -> (Option<R>, Vec<Finding>) {
    let kinds: Vec<(&str, Kind)> = records
        .iter()
        .map(|r| (r.as_ref(), R::kind(r.as_ref())))
        .collect();
    let candidates = kinds.iter().filter(|(_, k)| *k == Kind::Candidate).count();
    let several = records.len() > 1;
    let mut findings = Vec::new();
    let mut record = None;
    for (i, &(text, kind)) in kinds.iter().enumerate() {
        // The record's position, in the two forms the messages use: " (record i of n)" after
        // a finding about the record as a whole, "Record i of n: " before one of its own.
        let (which, prefix) = if several {
            let position = format!("{} of {}", i + 1, records.len());
            (
                format!(" (record {position})"),
                format!("Record {position}: "),
            )
        } else {
            (String::new(), String::new())
        };
        match kind {
            Kind::Unrelated => findings.push(R::ignored(text, &which)),
            Kind::Misversioned => findings.push(R::misversioned(text, &which, candidates)),
            Kind::Candidate => {
                let (own, usable) = R::candidate(text);
                findings.extend(own.into_iter().map(|mut f| {
                    f.message = format!("{prefix}{}", f.message);
                    f
                }));
                if candidates == 1 {
                    record = usable;
                }
            }
        }
    }
    if candidates > 1 {
        findings.insert(0, R::multiple(candidates));
    }
    if candidates == 0 && !kinds.iter().any(|(_, k)| *k == Kind::Misversioned) {
        findings.insert(0, R::missing());
    }
    (record, findings)
}

/// Severity for a misversioned record: an error when it is the reason no record counts, a warning
/// when a valid one exists beside it.
pub(crate) fn misversion_severity(candidates: usize) -> Severity {
    if candidates == 0 {
        Severity::Error
    } else {
        Severity::Warning
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn extension_grammar() {
        assert!(is_ext_name("a"));
        assert!(is_ext_name("extension-1_2.3"));
        assert!(is_ext_name(&"a".repeat(32)));
        assert!(!is_ext_name(&"a".repeat(33)));
        for bad in ["", "_x", "-x", ".x", "1%", "$$", "*", "a b", "é"] {
            assert!(!is_ext_name(bad), "{bad}");
        }
        assert!(is_ext_value(
            "!\"#$%&'()*+,-./0123456789:<>?@ABCXYZ[\\]^_`abcxyz{|}~"
        ));
        for bad in ["", "a b", "a=b", "a;b", "£", "a\tb", "\u{7f}"] {
            assert!(!is_ext_value(bad), "{bad:?}");
        }
    }

    #[test]
    fn strings_join_without_separator() {
        assert_eq!(
            join_strings(&["v=STSv1; id=", "policy1;"]),
            "v=STSv1; id=policy1;"
        );
        let recs = vec![
            vec!["v=STSv1; ".to_owned(), "id=1".to_owned()],
            vec!["other".to_owned()],
        ];
        assert_eq!(join_records(&recs), ["v=STSv1; id=1", "other"]);
    }

    #[test]
    fn classification() {
        let c = |s| classify(s, "v=STSv1", "sts");
        assert_eq!(c("v=STSv1; id=1"), Kind::Candidate);
        assert_eq!(c("v=STSv1"), Kind::Candidate);
        assert_eq!(c("v=STSv1 ; id=1"), Kind::Candidate);
        assert_eq!(c("v=STSv10; id=1"), Kind::Misversioned);
        assert_eq!(c("v=stsv1; id=1"), Kind::Misversioned);
        assert_eq!(c("id=1; v=STSv1"), Kind::Misversioned);
        assert_eq!(c(" v=STSv1; id=1"), Kind::Misversioned);
        assert_eq!(c("v=spf1 -all"), Kind::Unrelated);
        assert_eq!(c("bogus"), Kind::Unrelated);
        assert_eq!(c(""), Kind::Unrelated);
    }

    #[test]
    fn field_splitting() {
        let f = split_fields("v=STSv1", "; id=a; ext=2;", &[]);
        assert_eq!(f.pairs, [("id", "a"), ("ext", "2")]);
        assert!(f.errors.is_empty() && !f.space_before_delimiter);
        let f = split_fields("v=STSv1", " \t; id=a \t;", &[]);
        assert_eq!(f.pairs, [("id", "a")]);
        assert!(f.errors.is_empty() && f.space_before_delimiter);
        assert_eq!(
            split_fields("v=STSv1", "; id=a;;", &[]).errors,
            [RecordError::EmptyField]
        );
        assert!(matches!(
            split_fields("v=STSv1", "; id=a ", &[]).errors[..],
            [RecordError::TrailingWhitespace { .. }]
        ));
        let f = split_fields("v=STSv1", " id=1", &[]);
        assert_eq!(f.pairs, [("id", "1")]);
        assert!(matches!(
            f.errors[..],
            [RecordError::MissingDelimiter { .. }]
        ));
        let f = split_fields("v=STSv1", ";    id=foo include=foo.com", &[]);
        assert_eq!(f.pairs, [("id", "foo"), ("include", "foo.com")]);
        let f = split_fields(
            "v=TLSRPTv1",
            "; rua=mailto:a@b.example , https://c.example",
            &["rua"],
        );
        assert_eq!(f.pairs, [("rua", "mailto:a@b.example , https://c.example")]);
        assert!(f.errors.is_empty());
    }
}
