//! What the user asks the generator for ([`Request`]), and every way it can be wrong
//! ([`InputError`]), each naming the value and the field it came from so a form can show it in
//! place and the CLI can say which argument to change.
//!
//! The reading is forgiving where that cannot change the meaning: surrounding whitespace, a
//! trailing root dot on names (as `dig` prints them), `dig +short MX` lines (`10 mx1.example.com.`:
//! the preference is dropped), several values in one entry (split on newlines, commas and
//! semicolons), and a bare address as a report destination (`tls@example.com` is read as
//! `mailto:tls@example.com`). Everything else is refused rather than guessed.

use crate::name::{DomainName, NameError, TrailingDot};
use crate::pattern::{MxPattern, PatternError};
use crate::policy::{MAX_AGE_LIMIT, MaxAge, Mode};
use crate::record::{ReportUri, UriProblem};
use serde::{Deserialize, Serialize};
use std::fmt;
use thiserror::Error;

/// The label in front of the mail domain that names the policy host (RFC 8461 §3.3).
pub const POLICY_HOST_LABEL: &str = "mta-sts";

/// What to generate: the values as the user typed them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Request {
    /// The mail domain (the part after `@` in addresses), e.g. `example.com`.
    pub domain: String,
    /// MX host names or patterns (`*.example.net`); each entry may hold several.
    pub mx: Vec<String>,
    /// The policy mode.
    pub mode: Mode,
    /// `max_age` in seconds; `None` takes [`default_max_age`] for the mode.
    pub max_age: Option<u64>,
    /// TLS-RPT destinations (`mailto:` or `https:`); none means `mailto:tls-reports@<domain>`.
    pub rua: Vec<String>,
}

/// Which input a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Field {
    /// The mail domain.
    Domain,
    /// The MX hosts.
    Mx,
    /// The max_age.
    MaxAge,
    /// The report destinations.
    Rua,
}

/// Why a request cannot be generated.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum InputError {
    /// No domain at all.
    #[error("the mail domain is missing; give the domain of your addresses, such as `example.com`")]
    DomainMissing,
    /// A URL or an address where the domain goes.
    #[error("`{value}` is not a domain name; give just the domain, such as `example.com`")]
    DomainNotAName {
        /// As typed.
        value: String,
    },
    /// Not a valid host name.
    #[error("the domain `{value}` is not valid: {source}")]
    Domain {
        /// As typed.
        value: String,
        /// What is wrong with it.
        source: NameError,
    },
    /// A single label such as `com` or `localhost`: no public CA can certify `mta-sts.com` for it.
    #[error(
        "`{value}` is a single label; give the full mail domain, such as `{value}.example` or `example.{value}`"
    )]
    DomainSingleLabel {
        /// As typed.
        value: String,
    },
    /// The policy host instead of the mail domain.
    #[error("`{value}` is the policy host's name; give the mail domain `{domain}` instead")]
    DomainIsPolicyHost {
        /// As typed.
        value: String,
        /// The mail domain it belongs to.
        domain: String,
    },
    /// An MX host or pattern that is not valid in a policy.
    #[error("{}", mx_message(.value, .source))]
    Mx {
        /// As typed.
        value: String,
        /// What is wrong with it.
        source: PatternError,
    },
    /// Mode testing or enforce without any MX host (RFC 8461 §3.2).
    #[error(
        "mode `{mode}` needs at least one MX host: list every host in the domain's MX records (a wildcard such as `*.example.net` covers one label)"
    )]
    MxMissing {
        /// The mode asked for.
        mode: Mode,
    },
    /// `max_age` is not a number.
    #[error("the max_age `{value}` is not a whole number of seconds")]
    MaxAgeNotNumber {
        /// As typed.
        value: String,
    },
    /// `max_age` above the RFC's limit.
    #[error(
        "the max_age {value} is above the limit of {MAX_AGE_LIMIT} seconds (about a year) that RFC 8461 §3.2 sets"
    )]
    MaxAgeTooLarge {
        /// As given.
        value: u64,
    },
    /// A report destination reporters cannot use.
    #[error("the report destination `{value}` {problem}")]
    Rua {
        /// As typed.
        value: String,
        /// What is wrong with it.
        problem: UriProblem,
    },
}

fn mx_message(value: &str, source: &PatternError) -> String {
    match source {
        PatternError::Name { source, .. } => {
            format!("the MX host `{value}` is not valid: {source}")
        }
        other => format!("the MX host `{value}` is not valid: {other}"),
    }
}

impl InputError {
    /// The input this error is about.
    pub fn field(&self) -> Field {
        match self {
            InputError::DomainMissing
            | InputError::DomainNotAName { .. }
            | InputError::Domain { .. }
            | InputError::DomainSingleLabel { .. }
            | InputError::DomainIsPolicyHost { .. } => Field::Domain,
            InputError::Mx { .. } | InputError::MxMissing { .. } => Field::Mx,
            InputError::MaxAgeNotNumber { .. } | InputError::MaxAgeTooLarge { .. } => Field::MaxAge,
            InputError::Rua { .. } => Field::Rua,
        }
    }
}

/// Every problem with a request, in field order (domain, MX, max_age, rua).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub struct InvalidRequest {
    /// The problems; never empty.
    pub errors: Vec<InputError>,
}

impl InvalidRequest {
    /// The problems with one input.
    pub fn for_field(&self, field: Field) -> impl Iterator<Item = &InputError> {
        self.errors.iter().filter(move |e| e.field() == field)
    }
}

impl fmt::Display for InvalidRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, err) in self.errors.iter().enumerate() {
            if i > 0 {
                f.write_str("; ")?;
            }
            write!(f, "{err}")?;
        }
        Ok(())
    }
}

/// The default `max_age` for a mode, in seconds.
///
/// - `testing`: one day, so that mistakes found in the reports are short-lived in caches and the
///   switch to enforce is quick.
/// - `enforce`: one week, the RFC's own example (§3.2) and the first step of the rollout; raise it
///   towards a year once reports stay clean (§3.2 expects "weeks or greater").
/// - `none`: one day, the "small max_age (e.g., 86400)" of §8.3 for removing MTA-STS.
pub fn default_max_age(mode: Mode) -> u32 {
    match mode {
        Mode::Testing | Mode::None => 86_400,
        Mode::Enforce => 604_800,
    }
}

/// The `max_age` values a form offers, with their names.
pub const MAX_AGE_PRESETS: [(u32, &str); 4] = [
    (86_400, "1 day"),
    (604_800, "1 week"),
    (1_209_600, "2 weeks"),
    (MAX_AGE_LIMIT, "1 year"),
];

/// Reads a `max_age` as typed in a form: blank means the default, otherwise digits only.
pub fn parse_max_age(text: &str) -> Result<Option<u64>, InputError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    if !text.bytes().all(|b| b.is_ascii_digit()) {
        return Err(InputError::MaxAgeNotNumber {
            value: text.to_owned(),
        });
    }
    // All digits: only overflow can fail, and that is above the limit anyway.
    Ok(Some(text.parse::<u64>().unwrap_or(u64::MAX)))
}

/// The default report destination for a domain.
pub fn default_rua(domain: &DomainName) -> String {
    format!("mailto:tls-reports@{domain}")
}

/// A request after checking: values the model types accept.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub domain: DomainName,
    pub mx: Vec<MxPattern>,
    pub max_age: MaxAge,
    pub rua: Vec<ReportUri>,
    pub defaulted: Vec<Field>,
}

/// Checks every input and reports every problem at once.
pub(crate) fn check(request: &Request) -> Result<Checked, InvalidRequest> {
    let mut errors = Vec::new();
    let domain = check_domain(&request.domain)
        .map_err(|e| errors.push(e))
        .ok();

    let mut mx = Vec::new();
    for entry in mx_entries(&request.mx) {
        match MxPattern::parse(&entry) {
            Ok(p) if !mx.contains(&p) => mx.push(p),
            Ok(_) => {}
            Err(source) => errors.push(InputError::Mx {
                value: entry,
                source,
            }),
        }
    }
    let mx_errors = errors.iter().any(|e| e.field() == Field::Mx);
    if mx.is_empty() && !mx_errors && request.mode.needs_mx() {
        errors.push(InputError::MxMissing { mode: request.mode });
    }

    let mut defaulted = Vec::new();
    let max_age = match request.max_age {
        None => {
            defaulted.push(Field::MaxAge);
            MaxAge::new(default_max_age(request.mode).into()).ok()
        }
        Some(value) => MaxAge::new(value)
            .map_err(|_| errors.push(InputError::MaxAgeTooLarge { value }))
            .ok(),
    };

    let mut rua = Vec::new();
    for entry in rua_entries(&request.rua) {
        match ReportUri::parse(&entry) {
            Ok(uri) if !rua.contains(&uri) => rua.push(uri),
            Ok(_) => {}
            Err(problem) => errors.push(InputError::Rua {
                value: entry,
                problem,
            }),
        }
    }
    let rua_errors = errors.iter().any(|e| e.field() == Field::Rua);
    if let (true, false, Some(d)) = (rua.is_empty(), rua_errors, &domain) {
        defaulted.push(Field::Rua);
        rua.push(ReportUri::parse(&default_rua(d)).expect("a mailto: for a valid domain"));
    }

    match (domain, max_age) {
        (Some(domain), Some(max_age)) if errors.is_empty() => Ok(Checked {
            domain,
            mx,
            max_age,
            rua,
            defaulted,
        }),
        _ => Err(InvalidRequest { errors }),
    }
}

/// Reads a mail domain as typed: trimmed, a trailing dot allowed; URLs, addresses, single
/// labels and the policy host (`mta-sts.<domain>`) refused with an error naming the value.
/// Shared by the generator and the check.
pub fn check_domain(input: &str) -> Result<DomainName, InputError> {
    let value = input.trim();
    if value.is_empty() {
        return Err(InputError::DomainMissing);
    }
    if value.contains("://") || value.contains(['@', '/']) {
        return Err(InputError::DomainNotAName {
            value: value.to_owned(),
        });
    }
    let domain =
        DomainName::parse(value, TrailingDot::Allow).map_err(|source| InputError::Domain {
            value: value.to_owned(),
            source,
        })?;
    if domain.label_count() < 2 {
        return Err(InputError::DomainSingleLabel {
            value: value.to_owned(),
        });
    }
    if let Some(parent) = domain
        .as_str()
        .strip_prefix(POLICY_HOST_LABEL)
        .and_then(|rest| rest.strip_prefix('.'))
        .filter(|p| p.contains('.'))
    {
        return Err(InputError::DomainIsPolicyHost {
            value: value.to_owned(),
            domain: parent.to_owned(),
        });
    }
    Ok(domain)
}

/// The MX entries, one host or pattern each: split on newlines, commas, semicolons and
/// whitespace; an all-digit token followed by another token is an MX preference (`10 mx.example.`)
/// and dropped; one trailing root dot is dropped.
pub fn mx_entries<S: AsRef<str>>(inputs: &[S]) -> Vec<String> {
    let mut out = Vec::new();
    for input in inputs {
        for piece in input.as_ref().split(['\n', '\r', ',', ';']) {
            let tokens: Vec<&str> = piece.split_whitespace().collect();
            for (i, token) in tokens.iter().enumerate() {
                let is_preference =
                    token.bytes().all(|b| b.is_ascii_digit()) && i + 1 < tokens.len();
                if is_preference {
                    continue;
                }
                let host = match token.strip_suffix('.') {
                    Some(h) if !h.is_empty() && !h.ends_with('.') => h,
                    _ => token,
                };
                out.push(host.to_owned());
            }
        }
    }
    out
}

/// The report destinations, one URI each: split on newlines, commas, semicolons and whitespace
/// (none of which a `rua` URI may hold unencoded, RFC 8460 §3); a bare `local@domain` becomes
/// `mailto:local@domain`.
pub fn rua_entries<S: AsRef<str>>(inputs: &[S]) -> Vec<String> {
    inputs
        .iter()
        .flat_map(|i| {
            i.as_ref()
                .split(|c: char| c.is_whitespace() || c == ',' || c == ';')
                .filter(|t| !t.is_empty())
                .map(|t| {
                    if !t.contains(':') && t.contains('@') {
                        format!("mailto:{t}")
                    } else {
                        t.to_owned()
                    }
                })
                .collect::<Vec<_>>()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(domain: &str, mx: &[&str], mode: Mode) -> Request {
        Request {
            domain: domain.into(),
            mx: mx.iter().map(|s| s.to_string()).collect(),
            mode,
            max_age: None,
            rua: vec![],
        }
    }

    fn errors(r: &Request) -> Vec<InputError> {
        check(r).unwrap_err().errors
    }

    #[test]
    fn dig_output_and_lists_are_read() {
        assert_eq!(
            mx_entries(&[
                "10 mx1.example.com.\n20 mx2.example.com.",
                "a.example, b.example c.example"
            ]),
            [
                "mx1.example.com",
                "mx2.example.com",
                "a.example",
                "b.example",
                "c.example"
            ]
        );
        // A lone number is kept (and then refused as a host); a double dot is kept for the error.
        assert_eq!(mx_entries(&["10", "a.."]), ["10", "a.."]);
        assert_eq!(
            rua_entries(&["tls@example.com, https://r.example/x", "mailto:a@b.example"]),
            [
                "mailto:tls@example.com",
                "https://r.example/x",
                "mailto:a@b.example"
            ]
        );
    }

    #[test]
    fn duplicates_collapse_after_normalising() {
        let c = check(&request(
            "Example.COM.",
            &["MX.example.com", "mx.example.com."],
            Mode::Testing,
        ))
        .unwrap();
        assert_eq!(c.domain.as_str(), "example.com");
        assert_eq!(c.mx.len(), 1);
        assert_eq!(c.defaulted, [Field::MaxAge, Field::Rua]);
        assert_eq!(c.rua[0].as_str(), "mailto:tls-reports@example.com");
        assert_eq!(c.max_age.seconds(), 86_400);
    }

    #[test]
    fn each_bad_domain_has_its_error() {
        let mx = &["mx.example.com"][..];
        assert_eq!(
            errors(&request("  ", mx, Mode::Testing)),
            [InputError::DomainMissing]
        );
        for url in ["https://example.com", "user@example.com", "example.com/x"] {
            assert!(
                matches!(&errors(&request(url, mx, Mode::Testing))[..], [InputError::DomainNotAName { value }] if value == url)
            );
        }
        assert!(matches!(
            &errors(&request("exa_mple.com", mx, Mode::Testing))[..],
            [InputError::Domain { value, source: NameError::InvalidChar { ch: '_', .. } }] if value == "exa_mple.com"
        ));
        assert!(matches!(
            &errors(&request("com", mx, Mode::Testing))[..],
            [InputError::DomainSingleLabel { .. }]
        ));
        assert_eq!(
            errors(&request("mta-sts.example.com", mx, Mode::Testing)),
            [InputError::DomainIsPolicyHost {
                value: "mta-sts.example.com".into(),
                domain: "example.com".into()
            }]
        );
        // `mta-sts.com` itself is a domain like any other.
        assert!(check(&request("mta-sts.com", mx, Mode::Testing)).is_ok());
    }

    #[test]
    fn each_bad_mx_has_its_error_naming_the_value() {
        let errs = errors(&request(
            "example.com",
            &["good.example.com", "*.*.example.com", "a_b.example.com"],
            Mode::Enforce,
        ));
        assert_eq!(errs.len(), 2);
        assert!(errs.iter().all(|e| e.field() == Field::Mx));
        assert!(
            errs[0].to_string().contains("`*.*.example.com`"),
            "{}",
            errs[0]
        );
        assert!(
            errs[1].to_string().contains("`a_b.example.com`"),
            "{}",
            errs[1]
        );
        for mode in [Mode::Testing, Mode::Enforce] {
            assert_eq!(
                errors(&request("example.com", &[], mode)),
                [InputError::MxMissing { mode }]
            );
            assert_eq!(
                errors(&request("example.com", &[" \n,"], mode)),
                [InputError::MxMissing { mode }]
            );
        }
        assert!(check(&request("example.com", &[], Mode::None)).is_ok());
    }

    #[test]
    fn max_age_limits() {
        let mut r = request("example.com", &["mx.example.com"], Mode::Enforce);
        r.max_age = Some(31_557_601);
        assert_eq!(
            errors(&r),
            [InputError::MaxAgeTooLarge { value: 31_557_601 }]
        );
        r.max_age = Some(31_557_600);
        assert_eq!(check(&r).unwrap().max_age.seconds(), 31_557_600);
        r.max_age = Some(0);
        assert!(check(&r).unwrap().defaulted == [Field::Rua]);
        assert_eq!(parse_max_age(" 604800 "), Ok(Some(604_800)));
        assert_eq!(parse_max_age(""), Ok(None));
        assert_eq!(parse_max_age("99999999999999999999999"), Ok(Some(u64::MAX)));
        assert_eq!(
            parse_max_age("1w"),
            Err(InputError::MaxAgeNotNumber { value: "1w".into() })
        );
        assert_eq!(parse_max_age("-1").unwrap_err().field(), Field::MaxAge);
    }

    #[test]
    fn bad_rua_is_refused_and_not_replaced_by_the_default() {
        let mut r = request("example.com", &["mx.example.com"], Mode::Testing);
        r.rua = vec!["ftp://x.example".into(), "mailto:nobody".into()];
        let errs = errors(&r);
        assert!(
            matches!(&errs[0], InputError::Rua { value, problem: UriProblem::UnsupportedScheme { .. } } if value == "ftp://x.example")
        );
        assert!(matches!(
            &errs[1],
            InputError::Rua {
                problem: UriProblem::BadMailto,
                ..
            }
        ));
        r.rua = vec!["https://reports.example.com/tlsrpt".into()];
        let c = check(&r).unwrap();
        assert_eq!(c.defaulted, [Field::MaxAge]);
    }

    #[test]
    fn all_problems_are_reported_together_in_field_order() {
        let r = Request {
            domain: "bad..domain".into(),
            mx: vec!["*".into()],
            mode: Mode::Enforce,
            max_age: Some(u64::MAX),
            rua: vec!["nope".into()],
        };
        let err = check(&r).unwrap_err();
        let fields: Vec<Field> = err.errors.iter().map(InputError::field).collect();
        assert_eq!(
            fields,
            [Field::Domain, Field::Mx, Field::MaxAge, Field::Rua]
        );
        assert_eq!(err.for_field(Field::Mx).count(), 1);
        let text = err.to_string();
        for e in &err.errors {
            assert!(text.contains(&e.to_string()), "{text}");
        }
    }
}
