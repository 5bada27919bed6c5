//! The 43 real policy files of tests/fixtures/real-policies (test input only; see its
//! PROVENANCE.md): the three broken ones are flagged, every other one is valid, and the quirks
//! the corpus notes are seen.

mod common;
use common::*;
use stslens_core::lint::{Lint, ParsedPolicy, lint_policy};
use stslens_core::{Code, Severity};

fn lint_file(name: &str) -> Lint<ParsedPolicy> {
    let path = fixtures().join("real-policies").join(name);
    lint_policy(&std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display())))
}

fn has(l: &Lint<ParsedPolicy>, code: Code, severity: Severity, line: Option<u32>) -> bool {
    l.findings
        .iter()
        .any(|f| f.code == code && f.severity == severity && f.line == line)
}

const BROKEN: [&str; 3] = [
    "AntonioFeijaoUK_www-cyberantonio-com.txt",
    "co-cddo_mta-sts-template.txt",
    "jlax47_mta-sts.jaredscott.com.txt",
];

#[test]
fn all_43_files_lint_and_only_the_broken_ones_are_flagged() {
    let mut names: Vec<String> = std::fs::read_dir(fixtures().join("real-policies"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|n| n.ends_with(".txt"))
        .collect();
    names.sort();
    assert_eq!(names.len(), 43);
    for name in &names {
        let lint = lint_file(name);
        if BROKEN.contains(&name.as_str()) {
            continue;
        }
        assert!(lint.valid, "{name}: {:#?}", lint.findings);
        assert!(lint.parsed.is_some(), "{name}");
        assert!(
            lint.findings.iter().all(|f| f.severity != Severity::Error),
            "{name}: {:#?}",
            lint.findings
        );
    }
}

#[test]
fn mode_enforcing_is_an_error() {
    let lint = lint_file("AntonioFeijaoUK_www-cyberantonio-com.txt");
    assert!(!lint.valid);
    assert!(has(
        &lint,
        Code::PolicyModeInvalid,
        Severity::Error,
        Some(2)
    ));
    let f = lint
        .findings
        .iter()
        .find(|f| f.code == Code::PolicyModeInvalid)
        .unwrap();
    assert!(f.message.contains("`enforcing`"));
    assert_eq!(f.fix.as_deref(), Some("Change line 2 to `mode: enforce`."));
    assert!(lint.parsed.is_none());
}

#[test]
fn unfilled_template_mx_dot_is_an_error() {
    let lint = lint_file("co-cddo_mta-sts-template.txt");
    assert!(!lint.valid);
    assert!(has(&lint, Code::PolicyMxInvalid, Severity::Error, Some(4)));
    // CRLF and no final line ending are fine (the latter noted as info).
    assert!(has(
        &lint,
        Code::PolicyNoFinalNewline,
        Severity::Info,
        Some(4)
    ));
    assert_eq!(error_codes(&lint), [Code::PolicyMxInvalid]);
}

#[test]
fn trailing_blank_line_is_a_warning() {
    let lint = lint_file("jlax47_mta-sts.jaredscott.com.txt");
    assert!(lint.valid);
    assert!(has(
        &lint,
        Code::PolicyBlankLine,
        Severity::Warning,
        Some(9)
    ));
    assert_eq!(lint.parsed.unwrap().mx.len(), 5);
}

#[test]
fn quirks_the_corpus_notes() {
    // Upper-case MX names: valid, matched case-insensitively; max_age at the maximum.
    let lint = lint_file("Ajax910_MTS-STS-Policy.txt");
    let p = lint.parsed.as_ref().unwrap();
    assert!(lint.findings.is_empty(), "{:#?}", lint.findings);
    assert_eq!(p.mx[0], "smtp.google.com");
    assert_eq!(p.max_age, 31_557_600);
    assert!(matches("SMTP.GOOGLE.COM", "smtp.google.com."));

    // CRLF files are clean.
    for name in [
        "ADISA-Certification_mta-sts.adisa.org.uk.txt",
        "ericguitard_guitard-mta-sts.txt",
    ] {
        let lint = lint_file(name);
        assert!(lint.valid && lint.parsed.is_some(), "{name}");
        assert!(
            lint.findings
                .iter()
                .all(|f| f.code != Code::PolicyLineEnding),
            "{name}"
        );
    }

    // No final EOL: valid, noted on the last line.
    for name in [
        "Lewsion_mta-sts.txt",
        "PrivSec-dev_privsec.dev.txt",
        "rotationalio_rotational.io.txt",
        "melvyndekort_mta-sts.txt",
        "vand3rlinden_vand3rlinden.github.io.txt",
    ] {
        let lint = lint_file(name);
        assert!(lint.valid, "{name}");
        assert_eq!(
            codes_at(&lint, Severity::Info),
            [Code::PolicyNoFinalNewline],
            "{name}"
        );
    }

    // `mode: testing ` (trailing space): allowed `*WSP`, noted as info on line 2.
    let lint = lint_file("thomasdstewart_tomsweb2.txt");
    assert!(lint.valid);
    assert!(has(
        &lint,
        Code::PolicyTrailingWhitespace,
        Severity::Info,
        Some(2)
    ));
    assert_eq!(lint.parsed.unwrap().mode.as_str(), "testing");

    // Placeholder example.com MX hosts: valid, with a warning per line.
    let lint = lint_file("fry69_cloudflare-mta-sts-static.txt");
    assert!(lint.valid);
    assert!(has(
        &lint,
        Code::PolicyMxPlaceholder,
        Severity::Warning,
        Some(3)
    ));
    assert!(has(
        &lint,
        Code::PolicyMxPlaceholder,
        Severity::Warning,
        Some(4)
    ));

    // mode none with an mx line, and the new Exchange Online namespace: valid.
    let lint = lint_file("vand3rlinden_vand3rlinden.github.io.txt");
    assert_eq!(lint.parsed.unwrap().mode.as_str(), "none");

    // Wildcards over Google's MX names: valid and matching one label.
    for name in [
        "RegalRadio_mta-sts.txt",
        "wolfregroup_wolfregroupmta-sts.txt",
        "CraftedSignal_website.txt",
    ] {
        let lint = lint_file(name);
        let p = lint.parsed.unwrap();
        assert!(p.mx.iter().any(|m| m.starts_with("*.")), "{name}");
    }
    assert!(matches("*.aspmx.l.google.com", "alt1.aspmx.l.google.com"));

    // max_age 86401: one second over a day, fine.
    assert_eq!(lint_file("pl4nty_blog.txt").parsed.unwrap().max_age, 86401);
}
