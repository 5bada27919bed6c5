//! The tolerant, line-by-line reader of policy files (RFC 8461 §3.2).
//!
//! It reads what real files contain, not only what the ABNF allows, and says for each deviation
//! how senders treat it: strict where the RFC is strict (an error: a compliant sender rejects the
//! policy), a warning where the ABNF forbids something most senders tolerate (a blank line), and
//! info where the ABNF allows something that trips some parsers (trailing whitespace, no final
//! line ending). It reports the root cause once: a line with a space before its colon is an error,
//! but its field is still read so that "mode missing" does not follow.

use super::{
    MAX_AGE_DIGITS, MaxAge, Mode, POLICY_VERSION, Policy, PolicyError, PolicyExtension,
    error_finding,
};
use crate::finding::{Code, Finding};
use crate::pattern::MxPattern;

/// Everything the reader found in a policy text.
#[derive(Debug, Clone)]
pub struct Reading {
    /// The policy a lenient sender would apply: present when version, mode, max_age and (unless
    /// the mode is `none`) at least one mx pattern are usable, even if other lines have errors.
    pub policy: Option<Policy>,
    /// The errors, in order; a strict sender rejects the policy if there is any.
    pub errors: Vec<PolicyError>,
    /// Every finding (errors, warnings, infos), in line order.
    pub findings: Vec<Finding>,
}

/// Domains reserved for documentation (RFC 2606): an mx under them is a template left unfilled.
const PLACEHOLDER_DOMAINS: &[&str] = &["example.com", "example.net", "example.org"];
const PLACEHOLDER_TLDS: &[&str] = &["example", "invalid", "test", "localhost"];

struct Reader {
    errors: Vec<PolicyError>,
    findings: Vec<Finding>,
}

impl Reader {
    fn error(&mut self, err: PolicyError) {
        self.findings.push(error_finding(&err));
        self.errors.push(err);
    }

    fn note(&mut self, f: Finding) {
        self.findings.push(f);
    }
}

/// One line: its number, its text without the terminator, and how it ended.
struct Line<'a> {
    number: u32,
    text: &'a str,
    terminated: bool,
}

fn lines(text: &str, bare_cr: bool) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut rest = text;
    let mut number: u32 = 0;
    while !rest.is_empty() {
        number = number.saturating_add(1);
        let end = if bare_cr {
            rest.find(['\n', '\r'])
        } else {
            rest.find('\n')
        };
        match end {
            Some(i) => {
                let (mut line, term_len) = (&rest[..i], 1);
                let mut skip = i + term_len;
                if bare_cr && rest[i..].starts_with("\r\n") {
                    skip += 1;
                } else if !bare_cr && let Some(stripped) = line.strip_suffix('\r') {
                    line = stripped;
                }
                out.push(Line {
                    number,
                    text: line,
                    terminated: true,
                });
                rest = &rest[skip..];
            }
            None => {
                out.push(Line {
                    number,
                    text: rest,
                    terminated: false,
                });
                rest = "";
            }
        }
    }
    out
}

/// Reads a policy text (already known to be UTF-8; see [`crate::lint::lint_policy`] for bytes).
pub fn read(text: &str) -> Reading {
    let mut r = Reader {
        errors: Vec::new(),
        findings: Vec::new(),
    };
    if text.trim_matches([' ', '\t', '\r', '\n']).is_empty() {
        r.error(PolicyError::Empty);
        return Reading {
            policy: None,
            errors: r.errors,
            findings: r.findings,
        };
    }
    // A file with CRs and no LF at all uses bare CR as its line ending: read it as such so that
    // one finding explains it, instead of one unreadable line.
    let bare_cr = text.contains('\r') && !text.contains('\n');
    let lines = lines(text, bare_cr);
    if bare_cr {
        r.error(PolicyError::BareCr { line: 1 });
    }

    let mut version: Option<(u32, bool)> = None;
    let mut mode: Option<(u32, Option<Mode>)> = None;
    let mut max_age: Option<(u32, Option<MaxAge>)> = None;
    let mut mx: Vec<MxPattern> = Vec::new();
    let mut mx_lines = 0usize;
    let mut extensions: Vec<PolicyExtension> = Vec::new();
    let mut seen: Vec<(String, u32)> = Vec::new();

    for line in &lines {
        let n = line.number;
        if !line.terminated {
            r.note(
                Finding::new(
                    Code::PolicyNoFinalNewline,
                    format!("Line {n}, the last, has no line ending. The ABNF allows this, but some tools that read the file line by line drop such a line."),
                )
                .with_fix(format!("End line {n} with a newline."))
                .at_line(n),
            );
        }
        if line.text.trim_matches([' ', '\t']).is_empty() {
            r.note(
                Finding::new(
                    Code::PolicyBlankLine,
                    format!("Line {n} is empty. The ABNF does not allow empty lines; most senders skip them, but strict parsers (mox, postfix-tlspol) reject the whole policy."),
                )
                .with_fix(format!("Delete line {n}."))
                .at_line(n),
            );
            continue;
        }
        let trimmed_end = line.text.trim_end_matches([' ', '\t']);
        if trimmed_end.len() != line.text.len() {
            r.note(
                Finding::new(
                    Code::PolicyTrailingWhitespace,
                    format!("Line {n} ends with whitespace. The ABNF allows it (`*WSP`), but some parsers (NCSC Mail Check) reject the value."),
                )
                .with_fix(format!("Remove the whitespace at the end of line {n}: `{trimmed_end}`."))
                .at_line(n),
            );
        }
        let content = trimmed_end.trim_start_matches([' ', '\t']);
        if content.len() != trimmed_end.len() {
            r.error(line_error(
                n,
                trimmed_end,
                "starts with whitespace; each line must begin with its key",
            ));
        }
        let control = content.chars().find(|&c| c.is_control() && c != '\t');
        if let Some(c) = control {
            r.error(line_error(
                n,
                content,
                &format!("contains the control character U+{:04X}", u32::from(c)),
            ));
        }
        let Some((raw_key, raw_value)) = content.split_once(':') else {
            r.error(line_error(
                n,
                content,
                "is not a `key: value` line (there is no colon)",
            ));
            continue;
        };
        let key = raw_key.trim_end_matches([' ', '\t']);
        if key.len() != raw_key.len() {
            r.error(line_error(
                n,
                content,
                &format!("has whitespace before the colon; write `{key}:`"),
            ));
        }
        let value = raw_value.trim_start_matches([' ', '\t']);

        if key != "mx" {
            if let Some((_, first)) = seen.iter().find(|(k, _)| k == key) {
                r.note(
                    Finding::new(
                        Code::PolicyFieldDuplicate,
                        format!("Line {n} repeats `{key}` from line {first}; senders use line {first} and ignore `{key}: {value}`."),
                    )
                    .with_fix(format!("Delete line {n} (or move its value to line {first} if it is the one you mean)."))
                    .at_line(n),
                );
                continue;
            }
            seen.push((key.to_owned(), n));
        }

        if control.is_some() {
            // Already reported: note the field as present but unusable, and say nothing more.
            match key {
                "version" => version = Some((n, false)),
                "mode" => mode = Some((n, None)),
                "max_age" => max_age = Some((n, None)),
                "mx" => mx_lines += 1,
                _ => {}
            }
            continue;
        }
        match key {
            "version" => {
                let ok = value == POLICY_VERSION;
                if !ok {
                    r.error(PolicyError::VersionInvalid {
                        line: n,
                        value: value.to_owned(),
                    });
                }
                version = Some((n, ok));
            }
            "mode" => {
                let m = Mode::parse(value);
                if m.is_none() {
                    r.error(PolicyError::ModeInvalid {
                        line: n,
                        value: value.to_owned(),
                    });
                }
                mode = Some((n, m));
            }
            "max_age" => max_age = Some((n, read_max_age(&mut r, n, value))),
            "mx" => {
                mx_lines += 1;
                match MxPattern::parse(value) {
                    Ok(pattern) => {
                        mx_notes(&mut r, n, &pattern, &mx);
                        if !mx.contains(&pattern) {
                            mx.push(pattern);
                        }
                    }
                    Err(source) => r.error(PolicyError::MxInvalid { line: n, source }),
                }
            }
            _ => match PolicyExtension::read(key, value, Some(n)) {
                Ok(ext) => {
                    let known = ["version", "mode", "max_age", "mx"]
                        .into_iter()
                        .find(|d| d.eq_ignore_ascii_case(key));
                    let (message, fix) = match known {
                        Some(d) => (
                            format!("Line {n}: `{key}` is not a field senders know, so they ignore it; field names are case-sensitive, did you mean `{d}`?"),
                            format!("Change line {n} to `{d}: {value}`."),
                        ),
                        None => (
                            format!("Line {n}: `{key}` is not a field senders know; they ignore it."),
                            "Nothing to do, unless you meant a defined field (version, mode, mx, max_age).".to_owned(),
                        ),
                    };
                    r.note(
                        Finding::new(Code::PolicyFieldUnknown, message)
                            .with_fix(fix)
                            .at_line(n),
                    );
                    extensions.push(ext);
                }
                Err(err) => r.error(err),
            },
        }
    }

    if version.is_none() {
        r.error(PolicyError::VersionMissing);
    }
    if mode.is_none() {
        r.error(PolicyError::ModeMissing);
    }
    if max_age.is_none() {
        r.error(PolicyError::MaxAgeMissing);
    }
    if let Some((_, Some(m))) = mode
        && m.needs_mx()
        && mx_lines == 0
    {
        r.error(PolicyError::MxMissing { mode: m });
    }

    let policy = match (version, mode, max_age) {
        (Some((_, true)), Some((_, Some(mode))), Some((_, Some(max_age)))) => {
            Policy::from_parts(mode, max_age, mx, extensions)
        }
        _ => None,
    };
    r.findings.sort_by_key(|f| f.line.unwrap_or(u32::MAX));
    Reading {
        policy,
        errors: r.errors,
        findings: r.findings,
    }
}

fn read_max_age(r: &mut Reader, n: u32, value: &str) -> Option<MaxAge> {
    let digits = !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit());
    if !digits || value.len() > MAX_AGE_DIGITS {
        r.error(PolicyError::MaxAgeInvalid {
            line: n,
            value: value.to_owned(),
        });
        return None;
    }
    let seconds: u64 = value.parse().unwrap_or(u64::MAX);
    match MaxAge::new(seconds) {
        Ok(m) => Some(m),
        Err(_) => {
            r.error(PolicyError::MaxAgeTooLarge {
                line: Some(n),
                value: seconds,
            });
            None
        }
    }
}

fn mx_notes(r: &mut Reader, n: u32, pattern: &MxPattern, earlier: &[MxPattern]) {
    if earlier.contains(pattern) {
        r.note(
            Finding::new(
                Code::PolicyMxDuplicate,
                format!("Line {n} repeats the mx pattern `{pattern}`."),
            )
            .with_fix(format!("Delete line {n}."))
            .at_line(n),
        );
    }
    if pattern.is_suffix_wide() {
        r.note(
            Finding::new(
                Code::PolicyMxWildcardTld,
                format!("Line {n}: `{pattern}` allows any host directly under the top-level domain `{}`, so the policy barely restricts where mail may go.", pattern.domain()),
            )
            .with_fix(format!("List your MX hosts or their own domain instead, e.g. `mx: *.mail.example.{}`.", pattern.domain()))
            .at_line(n),
        );
    }
    let d = pattern.domain().as_str();
    let placeholder = PLACEHOLDER_DOMAINS
        .iter()
        .any(|p| d == *p || d.ends_with(&format!(".{p}")))
        || PLACEHOLDER_TLDS
            .iter()
            .any(|t| d == *t || d.ends_with(&format!(".{t}")));
    if placeholder {
        r.note(
            Finding::new(
                Code::PolicyMxPlaceholder,
                format!("Line {n}: `{pattern}` is under a domain reserved for documentation (RFC 2606); this looks like a template that was not filled in, and no real MX matches it."),
            )
            .with_fix(format!("Replace line {n} with your real MX host, e.g. `mx: mx1.yourdomain.com` (see `dig MX yourdomain.com`)."))
            .at_line(n),
        );
    }
}

fn line_error(line: u32, text: &str, why: &str) -> PolicyError {
    const MAX: usize = 60;
    let shown: String = text.chars().take(MAX).collect();
    let shown = if text.chars().count() > MAX {
        format!("{shown}…")
    } else {
        shown
    };
    PolicyError::LineSyntax {
        line,
        text: shown,
        why: why.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::finding::Severity;

    fn codes(text: &str) -> Vec<(Code, Option<u32>)> {
        read(text)
            .findings
            .iter()
            .map(|f| (f.code, f.line))
            .collect()
    }

    #[test]
    fn the_rfc_example_is_clean() {
        let r = read(
            "version: STSv1\nmode: enforce\nmx: mail.example.com\nmx: *.example.net\nmx: backupmx.example.com\nmax_age: 604800\n",
        );
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert!(
            r.findings
                .iter()
                .all(|f| f.code == Code::PolicyMxPlaceholder)
        );
        assert_eq!(r.policy.unwrap().mx().len(), 3);
    }

    #[test]
    fn tolerated_deviations_are_not_errors() {
        let r = read("version: STSv1 \r\nmode:\tenforce\nmx: mx.a.net\nmax_age: 86400\n\n");
        assert!(r.errors.is_empty(), "{:?}", r.errors);
        assert_eq!(
            codes("version: STSv1 \r\nmode:\tenforce\nmx: mx.a.net\nmax_age: 86400\n\n"),
            [
                (Code::PolicyTrailingWhitespace, Some(1)),
                (Code::PolicyBlankLine, Some(5))
            ]
        );
        assert_eq!(
            codes("version: STSv1\nmode: none\nmax_age: 1"),
            [(Code::PolicyNoFinalNewline, Some(3))]
        );
    }

    #[test]
    fn first_occurrence_wins() {
        let r = read("version: STSv1\nmode: enforce\nmode: testing\nmx: a.b.net\nmax_age: 1\n");
        assert_eq!(r.policy.unwrap().mode(), Mode::Enforce);
        let f = &r.findings[0];
        assert_eq!(
            (f.code, f.severity, f.line),
            (Code::PolicyFieldDuplicate, Severity::Warning, Some(3))
        );
    }

    #[test]
    fn errors_name_the_line_and_the_fix() {
        let r = read("version: STSv1\nmode: enforcing\nmx: mx.a.net\nmax_age: 86401\n");
        assert!(r.policy.is_none());
        let f = &r.findings[0];
        assert_eq!((f.code, f.line), (Code::PolicyModeInvalid, Some(2)));
        assert!(f.message.contains("`enforcing`"), "{}", f.message);
        assert_eq!(f.fix.as_deref(), Some("Change line 2 to `mode: enforce`."));
    }

    #[test]
    fn root_causes_are_reported_once() {
        assert_eq!(
            codes("version: STSv1\nmode : enforce\nmx: a.b.net\nmax_age: 1\n"),
            [(Code::PolicyLineSyntax, Some(2))]
        );
        assert_eq!(
            codes("version: STSv1\rmode: enforce\rmx: a.b.net\rmax_age: 1\r"),
            [(Code::PolicyLineEnding, Some(1))]
        );
    }

    #[test]
    fn max_age_bounds() {
        let age = |v: &str| read(&format!("version: STSv1\nmode: none\nmax_age: {v}\n"));
        assert!(age("0").errors.is_empty());
        assert!(age("31557600").errors.is_empty());
        assert!(age("0000000001").errors.is_empty());
        assert!(matches!(
            age("31557601").errors[..],
            [PolicyError::MaxAgeTooLarge {
                value: 31_557_601,
                ..
            }]
        ));
        assert!(matches!(
            age("9999999999").errors[..],
            [PolicyError::MaxAgeTooLarge { .. }]
        ));
        for bad in ["01234567890", "-1", "86400.5", "abc", "", "1 2"] {
            assert!(
                matches!(age(bad).errors[..], [PolicyError::MaxAgeInvalid { .. }]),
                "{bad}"
            );
        }
    }
}
