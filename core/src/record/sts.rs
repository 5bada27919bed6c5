//! The `_mta-sts` TXT record (RFC 8461 §3.1): `v=STSv1; id=...` announcing that a policy exists
//! and which version of it is current.
//!
//! ```text
//! sts-text-record = sts-version 1*(sts-field-delim sts-field) [sts-field-delim]
//! sts-field       = sts-id / sts-extension
//! sts-field-delim = *WSP ";" *WSP
//! sts-version     = %s"v=STSv1"
//! sts-id          = %s"id=" 1*32(ALPHA / DIGIT)
//! ```
//!
//! Erratum 6285 (whitespace before `;`): the ABNF allows `v=STSv1 ; id=x`, while the text
//! discards records that do not begin with `v=STSv1;` when several are returned, and mox applies
//! that filter to every lookup. StsLens reads such a record as valid (the ABNF is the normative
//! grammar and go-mtasts and postfix-tlspol accept it) and warns, because some senders will see no
//! record at all.

use super::{
    Extension, Family, Kind, RecordError, RecordSet, add_extension, extension_findings, lint_set,
    misversion_severity, space_finding, split_fields, syntax_finding,
};
use crate::finding::{Code, Finding};
use serde::{Deserialize, Serialize};
use std::fmt;

/// The version tag every `_mta-sts` record begins with.
pub const STS_VERSION: &str = "v=STSv1";

/// Longest `id` (RFC 8461 §3.1: `1*32(ALPHA / DIGIT)`).
pub const MAX_ID_LEN: usize = 32;

pub(crate) const FAMILY: Family = Family {
    tag: STS_VERSION,
    label: "_mta-sts record",
    syntax: Code::StsRecordSyntax,
    version: Code::StsRecordVersion,
    ext_invalid: Code::StsRecordExtensionInvalid,
    ext_unknown: Code::StsRecordExtensionUnknown,
    duplicate: Code::StsRecordFieldDuplicate,
    space: Code::StsRecordSpaceBeforeDelimiter,
};

/// A policy id: 1 to 32 ASCII letters and digits. Senders compare it with the id of the policy
/// they cached to learn that the policy changed.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct StsId(String);

impl StsId {
    /// An id, if `s` is 1 to 32 ASCII letters and digits.
    pub fn new(s: &str) -> Result<StsId, RecordError> {
        if s.is_empty() || s.len() > MAX_ID_LEN || !s.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(RecordError::IdInvalid {
                value: s.to_owned(),
            });
        }
        Ok(StsId(s.to_owned()))
    }

    /// The id as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for StsId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for StsId {
    type Error = RecordError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        StsId::new(&s)
    }
}

impl From<StsId> for String {
    fn from(id: StsId) -> String {
        id.0
    }
}

/// A valid `_mta-sts` record: its id and any extension fields, in order, each name once.
///
/// `Display` renders the canonical text (`v=STSv1; id=20160831085700Z`), which
/// [`StsRecord::parse`] reads back equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct StsRecord {
    id: StsId,
    extensions: Vec<Extension>,
}

/// The sender's view of the TXT records at `_mta-sts` (RFC 8461 §3.1).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StsDiscovery {
    /// No record begins with `v=STSv1`: the domain does not use MTA-STS.
    Absent,
    /// Several records begin with `v=STSv1`: senders assume there is no policy.
    Multiple {
        /// How many.
        count: usize,
    },
    /// Exactly one, and it is not valid: senders assume there is no policy.
    Invalid(RecordError),
    /// Exactly one valid record.
    Found(StsRecord),
}

/// What the linter found in one candidate record.
pub(crate) struct Reading {
    pub record: Option<StsRecord>,
    pub errors: Vec<RecordError>,
    pub notes: Vec<Finding>,
}

impl StsRecord {
    /// A record with this id and no extensions.
    pub fn new(id: StsId) -> StsRecord {
        StsRecord {
            id,
            extensions: Vec::new(),
        }
    }

    /// Adds an extension field; `v` and `id` (in any case) and repeated names are refused, since
    /// they would not read back as extensions.
    pub fn with_extension(mut self, ext: Extension) -> Result<StsRecord, RecordError> {
        add_extension(&mut self.extensions, &["v", "id"], ext)?;
        Ok(self)
    }

    /// The policy id.
    pub fn id(&self) -> &StsId {
        &self.id
    }

    /// The extension fields, in order.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// Parses one record strictly: the first error found, if any. Duplicate fields follow the
    /// first-wins rule (§3.2) and unknown fields are kept as extensions.
    pub fn parse(text: &str) -> Result<StsRecord, RecordError> {
        if Self::kind(text) != Kind::Candidate {
            return Err(version_error(text));
        }
        let reading = read(text);
        match (reading.errors.into_iter().next(), reading.record) {
            (Some(err), _) => Err(err),
            (None, Some(record)) => Ok(record),
            (None, None) => Err(RecordError::IdMissing),
        }
    }

    /// Applies the discovery rule of §3.1 to the records found at `_mta-sts` (each already joined
    /// from its strings, see [`join_records`](super::join_records)).
    pub fn discover<S: AsRef<str>>(records: &[S]) -> StsDiscovery {
        let candidates: Vec<&str> = records
            .iter()
            .map(AsRef::as_ref)
            .filter(|r| StsRecord::kind(r) == Kind::Candidate)
            .collect();
        match candidates[..] {
            [] => StsDiscovery::Absent,
            [one] => match StsRecord::parse(one) {
                Ok(record) => StsDiscovery::Found(record),
                Err(err) => StsDiscovery::Invalid(err),
            },
            _ => StsDiscovery::Multiple {
                count: candidates.len(),
            },
        }
    }
}

impl fmt::Display for StsRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{STS_VERSION}; id={}", self.id)?;
        for ext in &self.extensions {
            write!(f, "; {ext}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for StsRecord {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        StsRecord::parse(s)
    }
}

fn version_error(text: &str) -> RecordError {
    let found: String = text.chars().take(STS_VERSION.len() + 2).collect();
    RecordError::Version {
        expected: STS_VERSION,
        found,
    }
}

/// Reads a candidate record (one that begins with `v=STSv1`), collecting every problem.
pub(crate) fn read(text: &str) -> Reading {
    let rest = &text[STS_VERSION.len()..];
    let fields = split_fields(STS_VERSION, rest, &[]);
    let mut errors = fields.errors;
    let mut notes = Vec::new();
    if fields.space_before_delimiter {
        notes.push(space_finding(&FAMILY));
    }
    let id = match fields.pairs.iter().find(|(name, _)| *name == "id") {
        Some((_, value)) => match StsId::new(value) {
            Ok(id) => Some(id),
            Err(err) => {
                errors.push(err);
                None
            }
        },
        None => {
            errors.push(RecordError::IdMissing);
            None
        }
    };
    let extensions = extension_findings(
        &FAMILY,
        &fields.pairs,
        &["v", "id"],
        &mut notes,
        &mut errors,
    );
    let record = id.map(|id| StsRecord { id, extensions });
    Reading {
        record,
        errors,
        notes,
    }
}

/// Lints the TXT records found at `_mta-sts` (each joined from its strings): every finding, and
/// the record senders would use, if there is exactly one usable.
pub fn lint_records<S: AsRef<str>>(records: &[S]) -> (Option<StsRecord>, Vec<Finding>) {
    lint_set(records)
}

impl RecordSet for StsRecord {
    const TAG: &'static str = STS_VERSION;
    const MARK: &'static str = "sts";

    fn ignored(text: &str, which: &str) -> Finding {
        Finding::new(
            Code::StsRecordIgnored,
            format!("`{}`{which} is not an MTA-STS record; senders discard it.", shorten(text)),
        )
        .with_fix("Nothing to do, unless it was meant as the MTA-STS record: then start it with `v=STSv1;`.")
    }

    fn misversioned(text: &str, which: &str, candidates: usize) -> Finding {
        let consequence = if candidates == 0 {
            "so the domain has no usable MTA-STS record"
        } else {
            "and use the other record"
        };
        Finding::new(
            Code::StsRecordVersion,
            format!(
                "`{}`{which} does not begin with exactly `v=STSv1` (the tag is case-sensitive and must come first, with nothing before it); senders discard it, {consequence}.",
                shorten(text)
            ),
        )
        .with_severity(misversion_severity(candidates))
        .with_fix(if candidates == 0 {
            "Start the record with exactly `v=STSv1;`, e.g. `v=STSv1; id=20240101T000000`."
        } else {
            "Delete this record."
        })
    }

    fn candidate(text: &str) -> (Vec<Finding>, Option<StsRecord>) {
        let reading = read(text);
        let mut findings: Vec<Finding> = reading.errors.iter().map(finding).collect();
        findings.extend(reading.notes);
        let usable = reading.record.filter(|_| reading.errors.is_empty());
        (findings, usable)
    }

    fn multiple(candidates: usize) -> Finding {
        Finding::new(
            Code::StsRecordMultiple,
            format!("{candidates} TXT records at _mta-sts begin with `v=STSv1`; senders then assume the domain has no MTA-STS policy."),
        )
        .with_fix("Keep exactly one `v=STSv1` record and delete the others.")
    }

    fn missing() -> Finding {
        Finding::new(
            Code::StsRecordMissing,
            "There is no MTA-STS TXT record at _mta-sts: the domain does not use MTA-STS, so senders deliver without it.",
        )
        .with_fix("Publish a policy file, then a TXT record `_mta-sts.<domain> TXT \"v=STSv1; id=20240101T000000\"`.")
    }
}

/// A record quoted in a message, cut to a readable length.
pub(crate) fn shorten(text: &str) -> String {
    const MAX: usize = 80;
    if text.chars().count() <= MAX {
        text.to_owned()
    } else {
        let cut: String = text.chars().take(MAX).collect();
        format!("{cut}…")
    }
}

/// The finding for a problem with one record, with its fix.
pub(crate) fn finding(err: &RecordError) -> Finding {
    match err {
        RecordError::IdMissing => Finding::new(
            Code::StsRecordIdMissing,
            "_mta-sts record: there is no `id` field; senders ignore a record without one.",
        )
        .with_fix(
            "Add an id that changes with every policy update, e.g. `v=STSv1; id=20240101T000000`.",
        ),
        RecordError::IdInvalid { value } => {
            let cleaned: String = value
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(MAX_ID_LEN)
                .collect();
            let suggestion = if cleaned.is_empty() {
                "20240101T000000".to_owned()
            } else {
                cleaned
            };
            Finding::new(
                Code::StsRecordIdInvalid,
                format!("_mta-sts record: {err}; senders ignore the record."),
            )
            .with_fix(format!(
                "Use only letters and digits, at most 32, e.g. `id={suggestion}`."
            ))
        }
        other => syntax_finding(&FAMILY, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_rfc_example_and_renders_canonically() {
        let r = StsRecord::parse("v=STSv1; id=20160831085700Z;").unwrap();
        assert_eq!(r.id().as_str(), "20160831085700Z");
        assert_eq!(r.to_string(), "v=STSv1; id=20160831085700Z");
        assert_eq!(StsRecord::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn id_rules() {
        assert!(StsId::new(&"a".repeat(32)).is_ok());
        for bad in ["", "test-123", "###", &"a".repeat(33), "café"] {
            assert!(StsId::new(bad).is_err(), "{bad}");
        }
        assert_eq!(StsRecord::parse("v=STSv1"), Err(RecordError::IdMissing));
        assert_eq!(
            StsRecord::parse("v=STSv1; ext=1"),
            Err(RecordError::IdMissing)
        );
        assert!(matches!(
            StsRecord::parse("v=STSv1; id="),
            Err(RecordError::IdInvalid { .. })
        ));
    }

    #[test]
    fn extensions_and_duplicates() {
        let r = StsRecord::parse("v=STSv1; id=a; more=a; ext=2").unwrap();
        let names: Vec<_> = r
            .extensions()
            .iter()
            .map(|e| (e.name(), e.value()))
            .collect();
        assert_eq!(names, [("more", "a"), ("ext", "2")]);
        let r = StsRecord::parse("v=STSv1; id=foo; id=bar").unwrap();
        assert_eq!(r.id().as_str(), "foo");
        let ext = Extension::new("ID", "x").unwrap();
        assert!(
            StsRecord::new(StsId::new("a").unwrap())
                .with_extension(ext)
                .is_err()
        );
    }

    #[test]
    fn findings_of_several_records_name_the_record_they_are_about() {
        let (record, findings) = lint_records(&["spf1 include:example.com", "v=STSv1; id=a b"]);
        assert_eq!(record, None);
        let messages: Vec<&str> = findings.iter().map(|f| f.message.as_str()).collect();
        assert!(
            messages
                .iter()
                .any(|m| m.contains("` (record 1 of 2) is not an MTA-STS record")),
            "{messages:?}"
        );
        assert!(
            messages.iter().any(|m| m.starts_with("Record 2 of 2: ")),
            "{messages:?}"
        );
        let (_, alone) = lint_records(&["v=STSv1; id=a b"]);
        assert!(
            alone.iter().all(|f| !f.message.contains(" of 1")),
            "{alone:?}"
        );
    }

    #[test]
    fn discovery() {
        assert_eq!(StsRecord::discover::<&str>(&[]), StsDiscovery::Absent);
        assert_eq!(
            StsRecord::discover(&["bogus", "more"]),
            StsDiscovery::Absent
        );
        assert!(matches!(
            StsRecord::discover(&["v=STSv1; id=1", "bogus"]),
            StsDiscovery::Found(_)
        ));
        assert_eq!(
            StsRecord::discover(&["v=STSv1; id=1", "v=STSv1; id=2"]),
            StsDiscovery::Multiple { count: 2 }
        );
        assert!(matches!(
            StsRecord::discover(&["v=STSv1; bogus"]),
            StsDiscovery::Invalid(_)
        ));
    }
}
