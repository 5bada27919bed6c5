//! The `_smtp._tls` TXT record (RFC 8460 §3): where senders deliver TLS reports.
//!
//! ```text
//! tlsrpt-record = tlsrpt-version 1*(field-delim tlsrpt-field) [field-delim]
//! field-delim   = *WSP ";" *WSP
//! tlsrpt-field  = tlsrpt-rua / tlsrpt-extension      ; rua is required
//! tlsrpt-rua    = %s"rua=" tlsrpt-uri *(*WSP "," *WSP tlsrpt-uri)
//! tlsrpt-uri    = URI   ; RFC 3986; ",", "!" and ";" MUST be encoded
//! ```
//!
//! Schemes: §3 says "Two URI schemes are supported: mailto and https", and a reporter "MAY attempt
//! to deliver to each of the supported rua destinations". The RFC does not call other schemes a
//! syntax error (they are URIs), so StsLens reads them as *unsupported*: skipped by reporters, a
//! warning while another destination remains, an error when none does. A URI that is not a URI
//! at all, or a `mailto:`/`https:` URI with no address or host, is an error.

use super::{
    Extension, Family, Kind, RecordError, RecordSet, UriProblem, add_extension, extension_findings,
    lint_set, misversion_severity, space_finding, split_fields, syntax_finding,
};
use crate::finding::{Code, Finding, Severity};
use crate::name::{DomainName, TrailingDot};
use crate::record::sts::shorten;
use std::fmt;

/// The version tag every `_smtp._tls` record begins with.
pub const TLSRPT_VERSION: &str = "v=TLSRPTv1";

pub(crate) const FAMILY: Family = Family {
    tag: TLSRPT_VERSION,
    label: "_smtp._tls record",
    syntax: Code::TlsrptRecordSyntax,
    version: Code::TlsrptRecordVersion,
    ext_invalid: Code::TlsrptRecordExtensionInvalid,
    ext_unknown: Code::TlsrptRecordExtensionUnknown,
    duplicate: Code::TlsrptRecordFieldDuplicate,
    space: Code::TlsrptRecordSpaceBeforeDelimiter,
};

/// A report destination a reporter can deliver to: `mailto:` an address, or `https:` a URL.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum ReportUri {
    /// `mailto:local@domain` (reports by mail, RFC 6068).
    Mailto(String),
    /// `https://host/path` (reports by HTTPS POST).
    Https(String),
}

impl ReportUri {
    /// Parses one `rua` entry: a URI (RFC 3986 characters, `!` `,` `;` percent-encoded) with
    /// scheme `mailto` (an address `local@domain`) or `https` (a host name).
    pub fn parse(uri: &str) -> Result<ReportUri, UriProblem> {
        if uri.is_empty() {
            return Err(UriProblem::Empty);
        }
        if let Some(ch) = uri.chars().find(|&c| !is_uri_char(c)) {
            return Err(if c_is_wsp(ch) {
                UriProblem::Whitespace
            } else {
                UriProblem::BadChar { ch }
            });
        }
        let bytes = uri.as_bytes();
        for (i, &b) in bytes.iter().enumerate() {
            if b == b'%'
                && !(bytes.get(i + 1).is_some_and(u8::is_ascii_hexdigit)
                    && bytes.get(i + 2).is_some_and(u8::is_ascii_hexdigit))
            {
                return Err(UriProblem::BadPercent);
            }
        }
        let Some((scheme, rest)) = uri.split_once(':') else {
            return Err(UriProblem::NoScheme);
        };
        let scheme_ok = scheme
            .as_bytes()
            .first()
            .is_some_and(u8::is_ascii_alphabetic)
            && scheme
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'));
        if !scheme_ok {
            return Err(UriProblem::NoScheme);
        }
        match scheme.to_ascii_lowercase().as_str() {
            "mailto" => {
                let addr = rest.split('?').next().unwrap_or(rest);
                let ok = addr.rsplit_once('@').is_some_and(|(local, domain)| {
                    !local.is_empty() && !local.contains('@') && is_public_host(domain)
                });
                if ok {
                    Ok(ReportUri::Mailto(uri.to_owned()))
                } else {
                    Err(UriProblem::BadMailto)
                }
            }
            "https" => {
                let authority = rest
                    .strip_prefix("//")
                    .map(|r| r.split(['/', '?', '#']).next().unwrap_or(r))
                    .ok_or(UriProblem::BadHttps)?;
                let host_port = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
                let digits = |p: &str| p.bytes().all(|b| b.is_ascii_digit());
                if let Some(v6) = host_port.strip_prefix('[') {
                    let (inside, after) = v6.split_once(']').ok_or(UriProblem::BadHttps)?;
                    let port_ok = after.is_empty() || after.strip_prefix(':').is_some_and(digits);
                    return if port_ok && inside.parse::<std::net::Ipv6Addr>().is_ok() {
                        Ok(ReportUri::Https(uri.to_owned()))
                    } else {
                        Err(UriProblem::BadHttps)
                    };
                }
                let host = match host_port.split_once(':') {
                    Some((_, port)) if !digits(port) => return Err(UriProblem::BadHttps),
                    Some((h, _)) => h,
                    None => host_port,
                };
                let ip = host.parse::<std::net::Ipv4Addr>().is_ok();
                if ip || is_public_host(host) {
                    Ok(ReportUri::Https(uri.to_owned()))
                } else {
                    Err(UriProblem::BadHttps)
                }
            }
            other => Err(UriProblem::UnsupportedScheme {
                scheme: other.to_owned(),
            }),
        }
    }

    /// The URI as written.
    pub fn as_str(&self) -> &str {
        match self {
            ReportUri::Mailto(s) | ReportUri::Https(s) => s,
        }
    }
}

fn c_is_wsp(c: char) -> bool {
    c == ' ' || c == '\t'
}

/// RFC 3986 unreserved, gen-delims, sub-delims and `%`, less `!`, `,` and `;` (RFC 8460 §3).
fn is_uri_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || "-._~:/?#[]@$&'()*+=%".contains(c)
}

/// A host reports can reach: a hostname with at least two labels (`com` alone is no host).
fn is_public_host(host: &str) -> bool {
    DomainName::parse(host, TrailingDot::Allow).is_ok_and(|d| d.label_count() >= 2)
}

impl fmt::Display for ReportUri {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A valid `_smtp._tls` record: at least one usable report destination, and extension fields in
/// order, each name once.
///
/// `Display` renders the canonical text (`v=TLSRPTv1; rua=mailto:reports@example.com`), which
/// [`TlsRptRecord::parse`] reads back equal.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TlsRptRecord {
    rua: Vec<ReportUri>,
    extensions: Vec<Extension>,
}

impl TlsRptRecord {
    /// A record delivering to `rua` (at least one destination).
    pub fn new(rua: Vec<ReportUri>) -> Result<TlsRptRecord, RecordError> {
        if rua.is_empty() {
            return Err(RecordError::RuaMissing);
        }
        Ok(TlsRptRecord {
            rua,
            extensions: Vec::new(),
        })
    }

    /// Adds an extension field; `v` and `rua` (in any case) and repeated names are refused.
    pub fn with_extension(mut self, ext: Extension) -> Result<TlsRptRecord, RecordError> {
        add_extension(&mut self.extensions, &["v", "rua"], ext)?;
        Ok(self)
    }

    /// The report destinations, in order (never empty).
    pub fn rua(&self) -> &[ReportUri] {
        &self.rua
    }

    /// The extension fields, in order.
    pub fn extensions(&self) -> &[Extension] {
        &self.extensions
    }

    /// Parses one record strictly: the first error, if any. Destinations with an unsupported
    /// scheme are dropped (reporters skip them) unless none would remain.
    pub fn parse(text: &str) -> Result<TlsRptRecord, RecordError> {
        if Self::kind(text) != Kind::Candidate {
            let found: String = text.chars().take(TLSRPT_VERSION.len() + 2).collect();
            return Err(RecordError::Version {
                expected: TLSRPT_VERSION,
                found,
            });
        }
        let reading = read(text);
        match (reading.errors.into_iter().next(), reading.record) {
            (Some(err), _) => Err(err),
            (None, Some(record)) => Ok(record),
            (None, None) => Err(RecordError::RuaMissing),
        }
    }
}

impl fmt::Display for TlsRptRecord {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{TLSRPT_VERSION}; rua=")?;
        for (i, uri) in self.rua.iter().enumerate() {
            if i > 0 {
                f.write_str(",")?;
            }
            f.write_str(uri.as_str())?;
        }
        for ext in &self.extensions {
            write!(f, "; {ext}")?;
        }
        Ok(())
    }
}

impl std::str::FromStr for TlsRptRecord {
    type Err = RecordError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        TlsRptRecord::parse(s)
    }
}

/// What the linter found in one candidate record.
pub(crate) struct Reading {
    pub record: Option<TlsRptRecord>,
    pub errors: Vec<RecordError>,
    /// Unsupported schemes, each a warning or (with no other destination) an error.
    pub unsupported: Vec<(String, String)>,
    pub notes: Vec<Finding>,
}

pub(crate) fn read(text: &str) -> Reading {
    let rest = &text[TLSRPT_VERSION.len()..];
    let fields = split_fields(TLSRPT_VERSION, rest, &["rua"]);
    let mut errors = fields.errors;
    let mut notes = Vec::new();
    let mut unsupported = Vec::new();
    if fields.space_before_delimiter {
        notes.push(space_finding(&FAMILY));
    }
    let mut rua = Vec::new();
    match fields.pairs.iter().find(|(name, _)| *name == "rua") {
        Some((_, value)) => {
            for entry in value.split(',') {
                let entry = entry.trim_matches([' ', '\t']);
                match ReportUri::parse(entry) {
                    Ok(uri) => rua.push(uri),
                    Err(UriProblem::UnsupportedScheme { scheme }) => {
                        unsupported.push((entry.to_owned(), scheme))
                    }
                    Err(problem) => errors.push(RecordError::RuaInvalid {
                        uri: entry.to_owned(),
                        problem,
                    }),
                }
            }
        }
        None => errors.push(RecordError::RuaMissing),
    }
    if rua.is_empty()
        && let Some((uri, scheme)) = unsupported.first()
    {
        errors.push(RecordError::RuaInvalid {
            uri: uri.clone(),
            problem: UriProblem::UnsupportedScheme {
                scheme: scheme.clone(),
            },
        });
    }
    let extensions = extension_findings(
        &FAMILY,
        &fields.pairs,
        &["v", "rua"],
        &mut notes,
        &mut errors,
    );
    let record = (!rua.is_empty()).then_some(TlsRptRecord { rua, extensions });
    Reading {
        record,
        errors,
        unsupported,
        notes,
    }
}

/// Lints the TXT records found at `_smtp._tls` (each joined from its strings): every finding, and
/// the record reporters would use, if there is exactly one usable.
pub fn lint_records<S: AsRef<str>>(records: &[S]) -> (Option<TlsRptRecord>, Vec<Finding>) {
    lint_set(records)
}

impl RecordSet for TlsRptRecord {
    const TAG: &'static str = TLSRPT_VERSION;
    const MARK: &'static str = "tlsrpt";

    fn ignored(text: &str, which: &str) -> Finding {
        Finding::new(
            Code::TlsrptRecordIgnored,
            format!("`{}`{which} is not a TLS-RPT record; senders discard it.", shorten(text)),
        )
        .with_fix("Nothing to do, unless it was meant as the TLS-RPT record: then start it with `v=TLSRPTv1;`.")
    }

    fn misversioned(text: &str, which: &str, candidates: usize) -> Finding {
        Finding::new(
            Code::TlsrptRecordVersion,
            format!(
                "`{}`{which} does not begin with exactly `v=TLSRPTv1` (the tag is case-sensitive and must come first); senders discard it.",
                shorten(text)
            ),
        )
        .with_severity(misversion_severity(candidates))
        .with_fix(if candidates == 0 {
            "Start the record with exactly `v=TLSRPTv1;`, e.g. `v=TLSRPTv1; rua=mailto:tlsrpt@example.com`."
        } else {
            "Delete this record."
        })
    }

    fn candidate(text: &str) -> (Vec<Finding>, Option<TlsRptRecord>) {
        let reading = read(text);
        let mut findings: Vec<Finding> = reading.errors.iter().map(finding).collect();
        if reading.record.is_some() {
            for (uri, scheme) in &reading.unsupported {
                findings.push(unsupported_finding(uri, scheme, Severity::Warning));
            }
        }
        findings.extend(reading.notes);
        let usable = reading.record.filter(|_| reading.errors.is_empty());
        (findings, usable)
    }

    fn multiple(candidates: usize) -> Finding {
        Finding::new(
            Code::TlsrptRecordMultiple,
            format!("{candidates} TXT records at _smtp._tls begin with `v=TLSRPTv1`; senders then assume the domain does not want TLS reports."),
        )
        .with_fix("Keep exactly one `v=TLSRPTv1` record; list every destination in its `rua`, separated by commas.")
    }

    fn missing() -> Finding {
        Finding::new(
            Code::TlsrptRecordMissing,
            "There is no TLS-RPT record at _smtp._tls: senders will not report TLS failures, so MTA-STS problems go unnoticed.",
        )
        .with_fix("Publish `_smtp._tls.<domain> TXT \"v=TLSRPTv1; rua=mailto:tlsrpt@<domain>\"`.")
    }
}

fn unsupported_finding(uri: &str, scheme: &str, severity: Severity) -> Finding {
    let https = uri.split_once(':').map(|(_, rest)| format!("https:{rest}"));
    let fix = match (scheme, https) {
        ("http", Some(https)) => format!("Use `{https}` (reports are only posted over HTTPS)."),
        _ => "Use a `mailto:` address or an `https:` URL instead.".to_owned(),
    };
    Finding::new(
        Code::TlsrptRuaSchemeUnsupported,
        format!("_smtp._tls record: the rua entry `{uri}` uses the scheme `{scheme}`; RFC 8460 supports only `mailto` and `https`, so reporters skip it."),
    )
    .with_severity(severity)
    .with_fix(fix)
}

/// The finding for a problem with one record, with its fix.
pub(crate) fn finding(err: &RecordError) -> Finding {
    match err {
        RecordError::RuaMissing => Finding::new(
            Code::TlsrptRuaMissing,
            "_smtp._tls record: there is no `rua` field, so reporters have nowhere to send reports.",
        )
        .with_fix("Add a destination, e.g. `v=TLSRPTv1; rua=mailto:tlsrpt@example.com`."),
        RecordError::RuaInvalid { uri, problem: UriProblem::UnsupportedScheme { scheme } } => {
            let mut f = unsupported_finding(uri, scheme, Severity::Error);
            f.message.push_str(" No other destination is left.");
            f
        }
        RecordError::RuaInvalid { uri, problem } => {
            let fix = match problem {
                UriProblem::Empty => "Remove the empty entry (two commas in a row, or a trailing comma).".to_owned(),
                UriProblem::NoScheme if uri.contains('@') => format!("Write it as `mailto:{uri}`."),
                UriProblem::Whitespace => "Separate destinations with `,` and fields with `;`, with no other spaces inside a URI.".to_owned(),
                UriProblem::BadChar { ch } => {
                    format!("Percent-encode `{ch}` as `%{:02X}`.", u32::from(*ch).min(0xFF))
                }
                _ => "Use `mailto:local@domain` or `https://host.domain/path`.".to_owned(),
            };
            Finding::new(
                Code::TlsrptRuaInvalid,
                format!("_smtp._tls record: {err}; reporters cannot deliver to it."),
            )
            .with_fix(fix)
        }
        other => syntax_finding(&FAMILY, other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uri_rules() {
        for ok in [
            "mailto:reports@example.com",
            "MAILTO:a@b.example",
            "mailto:tlsrpt@mox.example?subject=x",
            "https://reporting.example.com/v1/tlsrpt",
            "https://cba.com",
            "https://tlsrpt.example.com:8443/x",
            "https://192.0.2.1/tlsrpt",
            "https://[2001:db8::1]/tlsrpt",
        ] {
            assert!(ReportUri::parse(ok).is_ok(), "{ok}");
        }
        let bad = |s| ReportUri::parse(s).unwrap_err();
        assert_eq!(bad(""), UriProblem::Empty);
        assert_eq!(bad("noscheme"), UriProblem::NoScheme);
        assert_eq!(bad("not_a_valid_uri"), UriProblem::NoScheme);
        assert_eq!(bad("!!"), UriProblem::BadChar { ch: '!' });
        assert_eq!(bad("http://bad/%"), UriProblem::BadPercent);
        assert_eq!(bad("mailto:a@b.example other"), UriProblem::Whitespace);
        assert_eq!(bad("mailto:abccba.com"), UriProblem::BadMailto);
        assert_eq!(bad("mailto:abc@cba.com:test"), UriProblem::BadMailto);
        assert_eq!(bad("https://com"), UriProblem::BadHttps);
        assert_eq!(bad("https:reports.example.com"), UriProblem::BadHttps);
        for (s, scheme) in [
            ("http://x.example", "http"),
            ("htps://cba.com", "htps"),
            ("mailo:abc@cba.com", "mailo"),
        ] {
            assert_eq!(
                bad(s),
                UriProblem::UnsupportedScheme {
                    scheme: scheme.to_owned()
                }
            );
        }
    }

    #[test]
    fn parses_the_rfc_examples_and_renders_canonically() {
        let r = TlsRptRecord::parse("v=TLSRPTv1;rua=mailto:reports@example.com").unwrap();
        assert_eq!(r.to_string(), "v=TLSRPTv1; rua=mailto:reports@example.com");
        let r =
            TlsRptRecord::parse("v=TLSRPTv1; rua=https://reporting.example.com/v1/tlsrpt").unwrap();
        assert!(matches!(r.rua(), [ReportUri::Https(_)]));
        let r = TlsRptRecord::parse(
            "v=TLSRPTv1; rua=mailto:a@x.example , \t https://x.example/r; ext=yes",
        )
        .unwrap();
        assert_eq!(
            r.to_string(),
            "v=TLSRPTv1; rua=mailto:a@x.example,https://x.example/r; ext=yes"
        );
        assert_eq!(TlsRptRecord::parse(&r.to_string()).unwrap(), r);
    }

    #[test]
    fn unsupported_schemes_are_skipped_unless_nothing_remains() {
        let r =
            TlsRptRecord::parse("v=TLSRPTv1; rua=http://x.example/r,mailto:a@x.example").unwrap();
        assert_eq!(r.rua().len(), 1);
        assert!(TlsRptRecord::parse("v=TLSRPTv1; rua=http://x.example/r").is_err());
        let (rec, findings) =
            lint_records(&["v=TLSRPTv1; rua=http://x.example/r,mailto:a@x.example"]);
        assert!(rec.is_some());
        assert_eq!(findings[0].code, Code::TlsrptRuaSchemeUnsupported);
        assert_eq!(findings[0].severity, Severity::Warning);
        let (rec, findings) = lint_records(&["v=TLSRPTv1; rua=http://x.example/r"]);
        assert!(rec.is_none());
        assert_eq!(findings[0].code, Code::TlsrptRuaSchemeUnsupported);
        assert_eq!(findings[0].severity, Severity::Error);
    }

    #[test]
    fn requires_rua_and_one_record() {
        assert_eq!(
            TlsRptRecord::parse("v=TLSRPTv1"),
            Err(RecordError::RuaMissing)
        );
        assert_eq!(TlsRptRecord::new(vec![]), Err(RecordError::RuaMissing));
        let (rec, findings) = lint_records(&[
            "v=TLSRPTv1; rua=mailto:a@x.example",
            "v=TLSRPTv1; rua=mailto:b@x.example",
        ]);
        assert!(rec.is_none());
        assert_eq!(findings[0].code, Code::TlsrptRecordMultiple);
        let (rec, findings) = lint_records::<&str>(&[]);
        assert!(rec.is_none());
        assert_eq!(findings[0].code, Code::TlsrptRecordMissing);
    }
}
