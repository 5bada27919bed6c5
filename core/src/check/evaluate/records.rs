//! The `_mta-sts` and `_smtp._tls` TXT records: the linters' findings on what the resolver
//! returned, and the delegation of `_mta-sts` by CNAME (RFC 8461 §8.2).

use super::{Answer, Ctx, Sink};
use crate::check::plan::Step;
use crate::check::report::{Component, RecordReport, RecordStatus, TlsRptReport};
use crate::dns::Lookup;
use crate::finding::{Code, Finding};
use crate::lint::{lint_sts_records, lint_tlsrpt_records};

/// The TXT records of an answer, each joined from its strings (bytes that are not UTF-8 become
/// U+FFFD, which the linters reject as non-ASCII).
fn texts(lookup: &Lookup) -> Vec<String> {
    lookup.txt().map(|t| t.text.to_string()).collect()
}

/// Reads a record set's status from its lint: usable, absent, several, or rejected.
fn status(parsed: bool, valid: bool, multiple: bool) -> RecordStatus {
    match (parsed, valid, multiple) {
        (true, _, _) => RecordStatus::Valid,
        (false, _, true) => RecordStatus::Multiple,
        (false, true, false) => RecordStatus::Missing,
        (false, false, false) => RecordStatus::Invalid,
    }
}

/// The TXT records found, or the status when there is no answer to lint.
fn answered(answer: Answer<'_>) -> Result<(Vec<String>, Option<&Lookup>), RecordStatus> {
    match answer {
        Answer::Records(lookup) => Ok((texts(lookup), Some(lookup))),
        Answer::NoData(lookup) | Answer::NxDomain(lookup) => Ok((Vec::new(), Some(lookup))),
        Answer::Error(_) | Answer::Failed(_) => Err(RecordStatus::LookupFailed),
        Answer::NotRun => Err(RecordStatus::NotChecked),
    }
}

/// The `_mta-sts` record (RFC 8461 §3.1).
pub(super) fn sts_record(ctx: &Ctx<'_>, sink: &mut Sink) -> RecordReport {
    let name = format!("_mta-sts.{}", ctx.domain);
    let (records, lookup) = match answered(ctx.answer(&Step::StsRecord)) {
        Ok(found) => found,
        Err(status) => {
            return RecordReport {
                status,
                name,
                records: Vec::new(),
                id: None,
                cname_chain: Vec::new(),
                authenticated: None,
            };
        }
    };
    let lint = lint_sts_records(&records);
    let multiple = lint
        .findings
        .iter()
        .any(|f| f.code == Code::StsRecordMultiple);
    let status = status(lint.parsed.is_some(), lint.valid, multiple);
    sink.extend(Component::StsRecord, lint.findings);
    let cname_chain: Vec<String> = lookup
        .map(|l| l.cname_chain.iter().map(|c| c.target.clone()).collect())
        .unwrap_or_default();
    if let Some(target) = cname_chain.last() {
        sink.push(
            Component::StsRecord,
            Finding::new(
                Code::StsRecordCname,
                format!("{name} is an alias (CNAME) for {target}: the record is delegated (RFC 8461 §8.2), so whoever controls {target} sets the policy id, and must change it whenever the policy changes."),
            )
            .with_fix(format!("Nothing to do if the delegation is intended; otherwise publish the TXT record at {name} itself.")),
        );
    }
    RecordReport {
        status,
        name,
        records,
        id: lint.parsed.map(|p| p.id),
        cname_chain,
        authenticated: lookup.map(|l| l.authenticated),
    }
}

/// The `_smtp._tls` record (RFC 8460 §3).
pub(super) fn tlsrpt_record(ctx: &Ctx<'_>, sink: &mut Sink) -> TlsRptReport {
    let name = format!("_smtp._tls.{}", ctx.domain);
    let records = match answered(ctx.answer(&Step::TlsRptRecord)) {
        Ok((records, _)) => records,
        Err(status) => {
            return TlsRptReport {
                status,
                name,
                records: Vec::new(),
                rua: Vec::new(),
            };
        }
    };
    let lint = lint_tlsrpt_records(&records);
    let multiple = lint
        .findings
        .iter()
        .any(|f| f.code == Code::TlsrptRecordMultiple);
    let status = status(lint.parsed.is_some(), lint.valid, multiple);
    sink.extend(Component::Tlsrpt, lint.findings);
    TlsRptReport {
        status,
        name,
        records,
        rua: lint.parsed.map(|p| p.rua).unwrap_or_default(),
    }
}

/// Whether the domain means to use MTA-STS: a usable record, or records that try and fail.
pub(super) fn sts_intended(report: &RecordReport) -> bool {
    matches!(
        report.status,
        RecordStatus::Valid | RecordStatus::Invalid | RecordStatus::Multiple
    )
}
