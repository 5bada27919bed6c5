//! Comparing two checks of one domain, for the web app's local history.
//!
//! Senders cache a policy for its max_age and only fetch it again when the `_mta-sts` record's
//! id changes (RFC 8461 §3.1: the id "MUST uniquely identify a given instance of a policy";
//! §3.3 and §5.1 on refreshing). So a policy edited without a new id reaches nobody who already
//! cached it, which no single check can see; two checks can. The app keeps a small
//! [`Snapshot`] per check (no policy text, no findings) and calls [`compare`].

use super::report::{RecordStatus, Report};
use crate::finding::{Code, Finding, Severity};
use crate::name::DomainName;
use crate::policy::Mode;
use serde::{Deserialize, Serialize};

/// What is kept of one check to compare it with the next.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// The domain.
    pub domain: DomainName,
    /// When (Unix seconds).
    pub checked_at: i64,
    /// How the `_mta-sts` record read.
    pub sts_status: RecordStatus,
    /// Its id.
    pub id: Option<String>,
    /// SHA-256 of the policy body served with status 200.
    pub policy_sha256: Option<String>,
    /// The policy's mode.
    pub mode: Option<Mode>,
    /// Its max_age.
    pub max_age: Option<u32>,
    /// Its mx patterns.
    pub mx: Vec<String>,
}

impl Snapshot {
    /// The snapshot of a report.
    pub fn of(report: &Report) -> Snapshot {
        let parsed = report.policy.parsed.as_ref();
        Snapshot {
            domain: report.domain.clone(),
            checked_at: report.checked_at,
            sts_status: report.sts_record.status,
            id: report.sts_record.id.clone(),
            policy_sha256: report.policy.sha256.clone(),
            mode: parsed.map(|p| p.mode),
            max_age: parsed.map(|p| p.max_age),
            mx: parsed.map(|p| p.mx.clone()).unwrap_or_default(),
        }
    }

    fn date(&self) -> String {
        super::evaluate::date(self.checked_at)
    }
}

/// What changed from `previous` to `current` that a mail admin should know, most severe first.
/// Nothing for snapshots of different domains, or when the current check could not see the
/// record or the policy (a failed lookup is not a change).
pub fn compare(previous: &Snapshot, current: &Snapshot) -> Vec<Finding> {
    let mut out = Vec::new();
    if previous.domain != current.domain {
        return out;
    }
    if current.sts_status == RecordStatus::Missing
        && let Some(old_id) = &previous.id
    {
        removed(previous, old_id, &mut out);
    }
    if let (Some(old_id), Some(new_id), Some(old_sha), Some(new_sha)) = (
        &previous.id,
        &current.id,
        &previous.policy_sha256,
        &current.policy_sha256,
    ) {
        let changes = changes(previous, current);
        match (old_id == new_id, old_sha == new_sha) {
            (true, false) if !changes.is_empty() => out.push(
                Finding::new(
                    Code::PolicyChangedIdUnchanged,
                    format!("The policy changed since {} ({}) but the _mta-sts id is still `{new_id}`: senders that cached the old policy keep applying it until it expires, because they only fetch again when the id changes (RFC 8461 §3.1).", previous.date(), changes.join("; ")),
                )
                .with_fix("Change the id in the _mta-sts TXT record (for example to the current UTC time, `YYYYMMDDhhmmssZ`) every time the policy changes."),
            ),
            (true, false) => out.push(
                Finding::new(
                    Code::PolicyChangedIdUnchanged,
                    format!("The policy file changed since {} but its values did not, and the id is still `{new_id}`: harmless this time, but senders only notice a change when the id changes (RFC 8461 §3.1).", previous.date()),
                )
                .with_severity(Severity::Info)
                .with_fix("Change the _mta-sts id with every edit of the policy file, so that a real change is never missed."),
            ),
            (false, true) => out.push(
                Finding::new(
                    Code::PolicyIdChangedPolicyUnchanged,
                    format!("The _mta-sts id changed from `{old_id}` to `{new_id}` since {}, but the policy did not: senders fetch the same policy again, which is harmless.", previous.date()),
                )
                .with_fix("Nothing to do."),
            ),
            (false, false) => out.push(
                Finding::new(
                    Code::PolicyUpdated,
                    format!("The policy changed since {} ({}) together with its id (`{old_id}` → `{new_id}`): senders fetch the new policy the next time they send.", previous.date(), if changes.is_empty() { "formatting only".to_owned() } else { changes.join("; ") }),
                )
                .with_fix("Nothing to do."),
            ),
            (true, true) => {}
        }
    }
    if let (Some(old), Some(new)) = (previous.mode, current.mode)
        && old != new
    {
        let weaker = old == Mode::Enforce || (old == Mode::Testing && new == Mode::None);
        let note = if weaker {
            " Senders that cached the stricter policy keep it until they fetch the new one."
        } else {
            ""
        };
        out.push(
            Finding::new(
                Code::PolicyModeChanged,
                format!(
                    "The policy's mode changed from {old} to {new} since {}.{note}",
                    previous.date()
                ),
            )
            .with_fix("Nothing to do if intended; watch the TLS reports after the change."),
        );
    }
    out.sort_by_key(|f| std::cmp::Reverse(f.severity));
    out
}

fn removed(previous: &Snapshot, old_id: &str, out: &mut Vec<Finding>) {
    let mode = previous
        .mode
        .map(|m| format!(" (mode {m})"))
        .unwrap_or_default();
    let until = previous
        .max_age
        .map(|age| {
            format!(
                " for up to max_age {age} seconds after their last fetch (until about {} for a fetch at the time of that check)",
                super::evaluate::date(previous.checked_at + i64::from(age))
            )
        })
        .unwrap_or_default();
    out.push(
        Finding::new(
            Code::StsRecordRemoved,
            format!("The _mta-sts record (id `{old_id}`) seen on {} is gone. Senders that cached its policy{mode} keep applying it{until}.", previous.date()),
        )
        .with_fix("To leave MTA-STS, RFC 8461 §8.3 publishes `mode: none` with a new id first and keeps it until the old max_age has passed; otherwise restore the record."),
    );
}

/// The value changes between two policies, for messages.
fn changes(previous: &Snapshot, current: &Snapshot) -> Vec<String> {
    let mut out = Vec::new();
    if previous.mode != current.mode {
        out.push(format!(
            "mode {} → {}",
            show(previous.mode),
            show(current.mode)
        ));
    }
    if previous.max_age != current.max_age {
        out.push(format!(
            "max_age {} → {}",
            show(previous.max_age),
            show(current.max_age)
        ));
    }
    let added: Vec<&str> = current
        .mx
        .iter()
        .filter(|m| !previous.mx.contains(m))
        .map(String::as_str)
        .collect();
    let dropped: Vec<&str> = previous
        .mx
        .iter()
        .filter(|m| !current.mx.contains(m))
        .map(String::as_str)
        .collect();
    if !added.is_empty() {
        out.push(format!("mx added: {}", added.join(", ")));
    }
    if !dropped.is_empty() {
        out.push(format!("mx removed: {}", dropped.join(", ")));
    }
    out
}

fn show<T: std::fmt::Display>(value: Option<T>) -> String {
    value.map_or("none".to_owned(), |v| v.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::name::TrailingDot;

    fn snap(id: &str, sha: &str, mode: Mode, max_age: u32, mx: &[&str]) -> Snapshot {
        Snapshot {
            domain: DomainName::parse("example.com", TrailingDot::Refuse).unwrap(),
            checked_at: 1_709_294_400,
            sts_status: RecordStatus::Valid,
            id: Some(id.into()),
            policy_sha256: Some(sha.into()),
            mode: Some(mode),
            max_age: Some(max_age),
            mx: mx.iter().map(|s| s.to_string()).collect(),
        }
    }

    fn codes(f: &[Finding]) -> Vec<(Code, Severity)> {
        f.iter().map(|f| (f.code, f.severity)).collect()
    }

    #[test]
    fn policy_changed_but_id_did_not() {
        let old = snap("1", "aa", Mode::Testing, 86400, &["mx.example.com"]);
        let new = snap(
            "1",
            "bb",
            Mode::Enforce,
            604800,
            &["mx.example.com", "mx2.example.com"],
        );
        let found = compare(&old, &new);
        assert_eq!(
            codes(&found),
            [
                (Code::PolicyChangedIdUnchanged, Severity::Error),
                (Code::PolicyModeChanged, Severity::Info)
            ]
        );
        let msg = &found[0].message;
        assert!(msg.contains("mode testing → enforce"), "{msg}");
        assert!(msg.contains("max_age 86400 → 604800"), "{msg}");
        assert!(msg.contains("mx added: mx2.example.com"), "{msg}");
        assert!(msg.contains("2024-03-01"), "{msg}");
    }

    #[test]
    fn cosmetic_change_with_the_same_id_is_only_noted() {
        let old = snap("1", "aa", Mode::Enforce, 86400, &["mx.example.com"]);
        let new = snap("1", "bb", Mode::Enforce, 86400, &["mx.example.com"]);
        assert_eq!(
            codes(&compare(&old, &new)),
            [(Code::PolicyChangedIdUnchanged, Severity::Info)]
        );
    }

    #[test]
    fn id_changes_with_and_without_a_policy_change() {
        let old = snap("1", "aa", Mode::Enforce, 86400, &["mx.example.com"]);
        let same_policy = snap("2", "aa", Mode::Enforce, 86400, &["mx.example.com"]);
        assert_eq!(
            codes(&compare(&old, &same_policy)),
            [(Code::PolicyIdChangedPolicyUnchanged, Severity::Info)]
        );
        let updated = snap("2", "bb", Mode::Enforce, 604800, &["mx.example.com"]);
        let found = compare(&old, &updated);
        assert_eq!(codes(&found), [(Code::PolicyUpdated, Severity::Info)]);
        assert!(found[0].message.contains("max_age 86400 → 604800"));
        assert!(compare(&old, &old).is_empty(), "no change, nothing to say");
    }

    #[test]
    fn record_removed_while_senders_cache_the_policy() {
        let old = snap("1", "aa", Mode::Enforce, 604800, &["mx.example.com"]);
        let mut gone = old.clone();
        gone.sts_status = RecordStatus::Missing;
        gone.id = None;
        gone.policy_sha256 = None;
        gone.mode = None;
        gone.checked_at += 86_400;
        let found = compare(&old, &gone);
        assert_eq!(codes(&found), [(Code::StsRecordRemoved, Severity::Warning)]);
        assert!(
            found[0].message.contains("2024-03-08"),
            "{}",
            found[0].message
        );
        assert!(
            found[0].message.contains("(mode enforce)"),
            "{}",
            found[0].message
        );
        // A lookup that failed is not a removal.
        gone.sts_status = RecordStatus::LookupFailed;
        assert!(compare(&old, &gone).is_empty());
    }

    #[test]
    fn weakening_the_mode_mentions_cached_policies() {
        let old = snap("1", "aa", Mode::Enforce, 604800, &["mx.example.com"]);
        let new = snap("2", "bb", Mode::Testing, 604800, &["mx.example.com"]);
        let found = compare(&old, &new);
        let mode = found
            .iter()
            .find(|f| f.code == Code::PolicyModeChanged)
            .unwrap();
        assert!(mode.message.contains("keep it"), "{}", mode.message);
        let other_domain = Snapshot {
            domain: DomainName::parse("example.org", TrailingDot::Refuse).unwrap(),
            ..new
        };
        assert!(compare(&old, &other_domain).is_empty());
    }
}
