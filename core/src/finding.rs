//! Findings: what every check, lint and probe reports back.
//!
//! A [`Finding`] names a rule by a stable kebab-case [`Code`], says how bad a breach is
//! ([`Severity`]), which RFC section rules it, and the concrete fix. The severity scale follows what
//! senders do, not just what the ABNF says:
//! - `error`: a compliant sender would reject or fail this; the setup is broken.
//! - `warning`: a deviation from the RFC that many senders tolerate, or a risky setting.
//! - `info`: worth knowing, nothing to fix.
//!
//! All codes live in the one table below (`codes!`) so that their names, default severities and
//! RFC sections can be read (and reviewed) in one place.

use serde::{Deserialize, Serialize};
use std::fmt;

/// How bad a finding is. Ordered: `Info < Warning < Error`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth knowing; nothing to fix.
    Info,
    /// Tolerated by many senders, or a risky setting.
    Warning,
    /// A compliant sender would reject or fail this.
    Error,
}

impl Severity {
    /// The lowercase name used in JSON and text output.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Info => "info",
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Declares the [`Code`] enum from one table: variant, kebab-case name, default severity, RFC section.
macro_rules! codes {
    ($( $(#[$doc:meta])* $variant:ident => ($name:literal, $severity:ident, $rfc:literal), )*) => {
        /// A stable identifier for a rule. Rendered as kebab-case in JSON and text output; never
        /// renamed once released, because monitoring scripts match on it.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[non_exhaustive]
        pub enum Code {
            $( $(#[$doc])* $variant, )*
        }

        impl Code {
            /// Every code, in table order.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The kebab-case name, e.g. `sts-record-multiple`.
            pub fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity a breach of this rule has unless the context says otherwise.
            pub fn default_severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// The RFC section that rules it, e.g. `RFC 8461 §3.2`.
            pub fn rfc(self) -> &'static str {
                match self { $(Code::$variant => $rfc,)* }
            }

            /// Looks a code up by its kebab-case name.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }
        }
    };
}

codes! {
    // ── _mta-sts TXT record (RFC 8461 §3.1) ────────────────────────────────────────────────
    /// No TXT record at `_mta-sts` begins with `v=STSv1`: the domain has no MTA-STS.
    StsRecordMissing => ("sts-record-missing", Warning, "RFC 8461 §3.1"),
    /// More than one TXT record at `_mta-sts` starts with `v=STSv1`: senders see no policy.
    StsRecordMultiple => ("sts-record-multiple", Error, "RFC 8461 §3.1"),
    /// A TXT record at `_mta-sts` that is not an MTA-STS record; senders discard it.
    StsRecordIgnored => ("sts-record-ignored", Info, "RFC 8461 §3.1"),
    /// A record meant as MTA-STS that does not begin with exactly `v=STSv1` (case, version, order).
    StsRecordVersion => ("sts-record-version", Error, "RFC 8461 §3.1"),
    /// The record does not follow the §3.1 grammar (delimiters, stray characters, non-ASCII).
    StsRecordSyntax => ("sts-record-syntax", Error, "RFC 8461 §3.1"),
    /// The record has no `id` field.
    StsRecordIdMissing => ("sts-record-id-missing", Error, "RFC 8461 §3.1"),
    /// The `id` is not 1-32 letters and digits.
    StsRecordIdInvalid => ("sts-record-id-invalid", Error, "RFC 8461 §3.1"),
    /// An extension field whose name or value breaks the §3.1 grammar.
    StsRecordExtensionInvalid => ("sts-record-extension-invalid", Error, "RFC 8461 §3.1"),
    /// An extension field senders do not know and ignore.
    StsRecordExtensionUnknown => ("sts-record-extension-unknown", Info, "RFC 8461 §3.2"),
    /// A field given twice; senders use the first.
    StsRecordFieldDuplicate => ("sts-record-field-duplicate", Warning, "RFC 8461 §3.2"),
    /// Whitespace before `;` (allowed by the ABNF, but the record no longer begins `v=STSv1;`).
    StsRecordSpaceBeforeDelimiter => ("sts-record-space-before-delimiter", Warning, "RFC 8461 §3.1"),

    // ── policy file (RFC 8461 §3.2) ────────────────────────────────────────────────────────
    /// The policy body is empty.
    PolicyEmpty => ("policy-empty", Error, "RFC 8461 §3.2"),
    /// The body is not valid UTF-8.
    PolicyNotUtf8 => ("policy-not-utf8", Error, "RFC 8461 §3.2"),
    /// A line that is not `key: value` (no colon, space before the colon, leading whitespace,
    /// control characters).
    PolicyLineSyntax => ("policy-line-syntax", Error, "RFC 8461 §3.2"),
    /// Lines end with a bare CR, which the ABNF does not allow.
    PolicyLineEnding => ("policy-line-ending", Error, "RFC 8461 §3.2"),
    /// An empty line, which the ABNF does not allow but most senders skip.
    PolicyBlankLine => ("policy-blank-line", Warning, "RFC 8461 §3.2"),
    /// Whitespace at the end of a line (allowed by the ABNF; some parsers reject it).
    PolicyTrailingWhitespace => ("policy-trailing-whitespace", Info, "RFC 8461 §3.2"),
    /// The last line has no line ending (allowed by the ABNF).
    PolicyNoFinalNewline => ("policy-no-final-newline", Info, "RFC 8461 §3.2"),
    /// No `version` field.
    PolicyVersionMissing => ("policy-version-missing", Error, "RFC 8461 §3.2"),
    /// `version` is not exactly `STSv1`.
    PolicyVersionInvalid => ("policy-version-invalid", Error, "RFC 8461 §3.2"),
    /// No `mode` field.
    PolicyModeMissing => ("policy-mode-missing", Error, "RFC 8461 §3.2"),
    /// `mode` is not `enforce`, `testing` or `none`.
    PolicyModeInvalid => ("policy-mode-invalid", Error, "RFC 8461 §3.2"),
    /// No `max_age` field.
    PolicyMaxAgeMissing => ("policy-max-age-missing", Error, "RFC 8461 §3.2"),
    /// `max_age` is not 1 to 10 digits.
    PolicyMaxAgeInvalid => ("policy-max-age-invalid", Error, "RFC 8461 §3.2"),
    /// `max_age` is above 31557600 seconds (about one year).
    PolicyMaxAgeTooLarge => ("policy-max-age-too-large", Error, "RFC 8461 §3.2"),
    /// Mode `enforce` or `testing` without any `mx` line.
    PolicyMxMissing => ("policy-mx-missing", Error, "RFC 8461 §3.2"),
    /// An `mx` value that is not `[*.]domain` with A-labels and no trailing dot.
    PolicyMxInvalid => ("policy-mx-invalid", Error, "RFC 8461 §3.2"),
    /// An `mx` pattern like `*.com` that allows every host under a top-level domain.
    PolicyMxWildcardTld => ("policy-mx-wildcard-tld", Warning, "RFC 8461 §4.1"),
    /// An `mx` host under `example.com`, `example.net` or `example.org`: a template left unfilled.
    PolicyMxPlaceholder => ("policy-mx-placeholder", Warning, "RFC 8461 §3.2"),
    /// The same `mx` pattern twice.
    PolicyMxDuplicate => ("policy-mx-duplicate", Info, "RFC 8461 §3.2"),
    /// A field other than `mx` given twice; senders use the first.
    PolicyFieldDuplicate => ("policy-field-duplicate", Warning, "RFC 8461 §3.2"),
    /// A field senders do not know and ignore.
    PolicyFieldUnknown => ("policy-field-unknown", Info, "RFC 8461 §3.2"),
    /// An extension field whose name or value breaks the §3.2 grammar.
    PolicyExtensionInvalid => ("policy-extension-invalid", Error, "RFC 8461 §3.2"),

    // ── policy fetch (RFC 8461 §3.3) ───────────────────────────────────────────────────────
    /// The policy URL answered with a redirect, which senders must not follow.
    PolicyRedirected => ("policy-redirected", Error, "RFC 8461 §3.3"),
    /// The policy URL answered 404 or 410: senders find no policy.
    PolicyNotFound => ("policy-not-found", Error, "RFC 8461 §3.3"),
    /// The policy URL answered a status other than 200, 3xx, 404 or 410.
    PolicyHttpStatus => ("policy-http-status", Error, "RFC 8461 §3.3"),
    /// The response has no `Content-Type` or one other than `text/plain`.
    PolicyContentType => ("policy-content-type", Error, "RFC 8461 §3.2"),
    /// A `charset` other than utf-8 or us-ascii, which senders ignore (they read UTF-8).
    PolicyCharset => ("policy-charset", Warning, "RFC 8461 §3.2"),
    /// The body is larger than the 64 KiB senders read.
    PolicyTooLarge => ("policy-too-large", Error, "RFC 8461 §3.3"),

    // ── MX hosts against the policy (RFC 8461 §4.1) ────────────────────────────────────────
    /// An MX host that no policy pattern matches: in enforce mode, mail to it fails.
    PolicyMxNotCovered => ("policy-mx-not-covered", Error, "RFC 8461 §4.1"),
    /// A policy pattern that matches no MX host: stale or mistyped.
    PolicyMxUnused => ("policy-mx-unused", Warning, "RFC 8461 §4.1"),
    /// The MX host's certificate is not valid for its name.
    MxCertNameMismatch => ("mx-cert-name-mismatch", Error, "RFC 8461 §4.2"),

    // ── _smtp._tls TXT record (RFC 8460 §3) ────────────────────────────────────────────────
    /// No TLS-RPT record: failures go unreported.
    TlsrptRecordMissing => ("tlsrpt-record-missing", Warning, "RFC 8460 §3"),
    /// More than one TXT record at `_smtp._tls` starts with `v=TLSRPTv1`: senders see none.
    TlsrptRecordMultiple => ("tlsrpt-record-multiple", Error, "RFC 8460 §3"),
    /// A TXT record at `_smtp._tls` that is not a TLS-RPT record; senders discard it.
    TlsrptRecordIgnored => ("tlsrpt-record-ignored", Info, "RFC 8460 §3"),
    /// A record meant as TLS-RPT that does not begin with exactly `v=TLSRPTv1`.
    TlsrptRecordVersion => ("tlsrpt-record-version", Error, "RFC 8460 §3"),
    /// The record does not follow the §3 grammar (delimiters, stray characters, non-ASCII).
    TlsrptRecordSyntax => ("tlsrpt-record-syntax", Error, "RFC 8460 §3"),
    /// The record has no `rua` field.
    TlsrptRuaMissing => ("tlsrpt-rua-missing", Error, "RFC 8460 §3"),
    /// A `rua` entry that is not a valid URI, or a `mailto:`/`https:` URI with no usable
    /// destination.
    TlsrptRuaInvalid => ("tlsrpt-rua-invalid", Error, "RFC 8460 §3"),
    /// A `rua` URI whose scheme is neither `mailto` nor `https`; reporters skip it.
    TlsrptRuaSchemeUnsupported => ("tlsrpt-rua-scheme-unsupported", Warning, "RFC 8460 §3"),
    /// An extension field whose name or value breaks the §3 grammar.
    TlsrptRecordExtensionInvalid => ("tlsrpt-record-extension-invalid", Error, "RFC 8460 §3"),
    /// An extension field reporters do not know and ignore.
    TlsrptRecordExtensionUnknown => ("tlsrpt-record-extension-unknown", Info, "RFC 8460 §3"),
    /// A field given twice; StsLens and many reporters use the first.
    TlsrptRecordFieldDuplicate => ("tlsrpt-record-field-duplicate", Warning, "RFC 8460 §3"),
    /// Whitespace before `;` (allowed by the ABNF, but the record no longer begins `v=TLSRPTv1;`).
    TlsrptRecordSpaceBeforeDelimiter => ("tlsrpt-record-space-before-delimiter", Warning, "RFC 8460 §3"),

    // ── the domain check (`stslens check`): lookups ─────────────────────────────────────────
    /// A lookup answered SERVFAIL (or another error code): a temporary failure, unlike NXDOMAIN,
    /// which says the name does not exist. Senders retry or fall back; what they do depends on
    /// the name.
    DnsServfail => ("dns-servfail", Error, "RFC 1035 §4.1.1"),
    /// The resolver could not be asked (unreachable, timeout, bad answer): that part was not
    /// checked.
    DnsLookupFailed => ("dns-lookup-failed", Warning, "RFC 8484 §4.2"),
    /// The domain does not exist (NXDOMAIN for its MX lookup).
    DomainNotFound => ("domain-not-found", Error, "RFC 2308 §2.1"),
    /// The resolver validated the domain's answers with DNSSEC (AD bit).
    DnssecValidated => ("dnssec-validated", Info, "RFC 4035 §3.2.3"),
    /// The resolver did not validate some or all of the domain's answers (AD bit clear).
    DnssecNotValidated => ("dnssec-not-validated", Info, "RFC 4035 §3.2.3"),

    // ── the domain check: records and policy host ────────────────────────────────────────────
    /// `_mta-sts.<domain>` is a CNAME: the record is delegated (e.g. to a hosting provider).
    StsRecordCname => ("sts-record-cname", Info, "RFC 8461 §8.2"),
    /// `mta-sts.<domain>` is a CNAME: the policy host is delegated.
    PolicyHostCname => ("policy-host-cname", Info, "RFC 8461 §8.2"),
    /// `mta-sts.<domain>` has no A or AAAA record: senders cannot fetch the policy.
    PolicyHostUnresolvable => ("policy-host-unresolvable", Error, "RFC 8461 §3.3"),
    /// The policy fetch got no HTTP response (timeout, refused, TLS handshake failure).
    PolicyFetchFailed => ("policy-fetch-failed", Error, "RFC 8461 §3.3"),
    /// The policy host's certificate chain is not valid (untrusted issuer, expired, ...):
    /// senders must not use a policy fetched over it.
    PolicyCertInvalid => ("policy-cert-invalid", Error, "RFC 8461 §3.3"),
    /// The policy host's certificate is not valid for `mta-sts.<domain>`.
    PolicyCertNameMismatch => ("policy-cert-name-mismatch", Error, "RFC 8461 §3.3"),
    /// The policy host's certificate expires within 14 days.
    PolicyCertExpiring => ("policy-cert-expiring", Warning, "RFC 8461 §3.3"),
    /// A policy is served but there is no `_mta-sts` record, so senders never fetch it.
    PolicyWithoutRecord => ("policy-without-record", Warning, "RFC 8461 §3.1"),
    /// The policy could not be fetched from where the check ran (a browser without CORS access),
    /// so the policy was not judged.
    PolicyNotChecked => ("policy-not-checked", Info, "RFC 8461 §3.3"),
    /// Mode `none` with a max_age over a day: §8.3 removes MTA-STS with a short-lived `none`.
    PolicyModeNoneMaxAge => ("policy-mode-none-max-age", Warning, "RFC 8461 §8.3"),

    // ── the domain check: MX hosts ───────────────────────────────────────────────────────────
    /// The domain publishes the null MX of RFC 7505: it accepts no mail.
    MxNull => ("mx-null", Info, "RFC 7505 §3"),
    /// The domain has no MX record: senders fall back to its address records (implicit MX).
    MxMissing => ("mx-missing", Warning, "RFC 5321 §5.1"),
    /// An MX record names something that is not a host name (an IP address, or a `.` mixed
    /// with other MX records).
    MxNotHostname => ("mx-not-hostname", Error, "RFC 5321 §5.1"),
    /// An MX host is an alias (CNAME), which RFC 2181 forbids and some senders refuse.
    MxCname => ("mx-cname", Warning, "RFC 2181 §10.3"),
    /// An MX host has no A or AAAA record: senders cannot deliver to it.
    MxNoAddress => ("mx-no-address", Error, "RFC 5321 §5.1"),
    /// An MX host does not offer STARTTLS: MTA-STS validation fails for it.
    MxStarttlsMissing => ("mx-starttls-missing", Error, "RFC 8461 §4"),
    /// An MX host offers STARTTLS but refuses it or fails the TLS handshake.
    MxStarttlsFailed => ("mx-starttls-failed", Error, "RFC 8461 §4"),
    /// An MX host's certificate chain is not valid (untrusted issuer, expired, not yet valid).
    MxCertInvalid => ("mx-cert-invalid", Error, "RFC 8461 §4.2"),
    /// An MX host's certificate expires within 14 days.
    MxCertExpiring => ("mx-cert-expiring", Warning, "RFC 8461 §4.2"),
    /// An MX host negotiated TLS below 1.2.
    MxTlsVersionOld => ("mx-tls-version-old", Warning, "RFC 8996 §4"),
    /// An MX host could not be reached on port 25 from where the check ran.
    MxUnreachable => ("mx-unreachable", Warning, "RFC 5321 §5.1"),
    /// An MX host answered, but not as an SMTP server should.
    MxProbeFailed => ("mx-probe-failed", Error, "RFC 5321 §4.2"),
    /// The MX hosts were not probed, so STARTTLS and certificates were not checked.
    MxNotProbed => ("mx-not-probed", Info, "RFC 8461 §4"),
    /// An MX host publishes DNSSEC-validated TLSA records: senders that do DANE use them and
    /// not MTA-STS for it.
    MxDane => ("mx-dane", Info, "RFC 8461 §2"),
    /// TLSA records in an answer the resolver did not validate: DANE senders ignore them.
    MxTlsaUnsigned => ("mx-tlsa-unsigned", Warning, "RFC 7672 §2.2"),

    // ── the domain check: changes since the previous check (web app history) ─────────────────
    /// The policy changed but the `_mta-sts` id did not: senders keep their cached policy.
    PolicyChangedIdUnchanged => ("policy-changed-id-unchanged", Error, "RFC 8461 §3.1"),
    /// The id changed but the policy did not: harmless, senders fetch the same policy again.
    PolicyIdChangedPolicyUnchanged => ("policy-id-changed-policy-unchanged", Info, "RFC 8461 §3.1"),
    /// The policy and its id changed together: senders pick the new policy up.
    PolicyUpdated => ("policy-updated", Info, "RFC 8461 §3.3"),
    /// The policy's mode changed.
    PolicyModeChanged => ("policy-mode-changed", Info, "RFC 8461 §5"),
    /// The `_mta-sts` record disappeared: senders that cached the policy keep applying it.
    StsRecordRemoved => ("sts-record-removed", Warning, "RFC 8461 §8.3"),

    // ── generator advice (`stslens generate`: about the choices, not the syntax) ─────────────
    /// Mode `enforce` with a max_age under one day: senders re-fetch so often that an attacker who
    /// blocks the fetch at refresh time gets past the policy (§3.2 expects weeks or more).
    PolicyMaxAgeShort => ("policy-max-age-short", Warning, "RFC 8461 §3.2"),
    /// No report destination was given, so the generated record assumes `tls-reports@<domain>`.
    TlsrptRuaAssumed => ("tlsrpt-rua-assumed", Warning, "RFC 8460 §3"),
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for Code {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for Code {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let name = String::deserialize(d)?;
        Code::from_name(&name)
            .ok_or_else(|| serde::de::Error::custom(format!("unknown finding code `{name}`")))
    }
}

/// One rule's verdict on one input.
///
/// Serializes exactly as the CLI contract says:
/// `{"code", "severity", "message", "rfc", "fix", "line"}` (`fix` and `line` may be `null`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// Which rule.
    pub code: Code,
    /// How bad; usually [`Code::default_severity`].
    pub severity: Severity,
    /// What is wrong, in plain words, naming the offending value.
    pub message: String,
    /// The RFC section that rules it.
    pub rfc: String,
    /// The concrete change to make, if there is something to change.
    pub fix: Option<String>,
    /// The 1-based line of the input it concerns (policy files), if any.
    pub line: Option<u32>,
}

impl Finding {
    /// A finding with the code's default severity and RFC section.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Finding {
            code,
            severity: code.default_severity(),
            message: message.into(),
            rfc: code.rfc().to_owned(),
            fix: None,
            line: None,
        }
    }

    /// Adds the concrete fix.
    pub fn with_fix(mut self, fix: impl Into<String>) -> Self {
        self.fix = Some(fix.into());
        self
    }

    /// Ties the finding to a 1-based line of the input.
    pub fn at_line(mut self, line: u32) -> Self {
        self.line = Some(line);
        self
    }

    /// Overrides the default severity where the context makes a breach worse or milder.
    pub fn with_severity(mut self, severity: Severity) -> Self {
        self.severity = severity;
        self
    }

    /// True for `error` findings.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// True when none of `findings` is an error: the contract's `valid`.
pub fn all_valid(findings: &[Finding]) -> bool {
    !findings.iter().any(Finding::is_error)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_names_are_unique_kebab_case_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for &code in Code::ALL {
            let name = code.as_str();
            assert!(seen.insert(name), "duplicate code name {name}");
            assert!(
                name.bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-'),
                "{name} is not kebab-case"
            );
            assert!(code.rfc().starts_with("RFC "), "{name} has no RFC section");
            assert_eq!(Code::from_name(name), Some(code));
        }
    }

    #[test]
    fn finding_serializes_as_the_cli_contract() {
        let f = Finding::new(
            Code::PolicyMaxAgeTooLarge,
            "max_age 99999999 is above 31557600",
        )
        .with_fix("Set max_age: 604800")
        .at_line(3);
        let json = serde_json::to_value(&f).unwrap();
        assert_eq!(
            json,
            serde_json::json!({
                "code": "policy-max-age-too-large",
                "severity": "error",
                "message": "max_age 99999999 is above 31557600",
                "rfc": "RFC 8461 §3.2",
                "fix": "Set max_age: 604800",
                "line": 3
            })
        );
        let back: Finding = serde_json::from_value(json).unwrap();
        assert_eq!(back, f);
    }

    #[test]
    fn unknown_code_is_a_clear_error() {
        let err = serde_json::from_str::<Code>("\"no-such-code\"").unwrap_err();
        assert!(err.to_string().contains("no-such-code"));
    }

    #[test]
    fn severity_orders_info_warning_error() {
        assert!(Severity::Info < Severity::Warning && Severity::Warning < Severity::Error);
        assert!(!all_valid(&[Finding::new(Code::PolicyRedirected, "x")]));
        assert!(all_valid(&[Finding::new(Code::PolicyMxUnused, "x")]));
    }
}
