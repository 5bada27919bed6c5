//! The rollout checklist: how to go from nothing to an enforced policy without losing mail, how
//! to change it, and how to back out (RFC 8461 §3.2, §5.1, §8.3; RFC 8460 for the reports that
//! make testing mode worth anything).
//!
//! The checklist is the whole plan every time, with the steps of the generated mode marked as
//! `current`, so an admin sees where this output fits and what comes next.

use crate::name::DomainName;
use crate::policy::{MAX_AGE_LIMIT, Mode};
use serde::{Deserialize, Serialize};

/// The phase of the rollout a step belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Stage {
    /// Before any policy is announced.
    Prepare,
    /// `mode: testing`.
    Testing,
    /// `mode: enforce`.
    Enforce,
    /// Any later change.
    Change,
    /// Removing MTA-STS with `mode: none`.
    Remove,
}

impl Stage {
    fn of(mode: Mode) -> Stage {
        match mode {
            Mode::Testing => Stage::Testing,
            Mode::Enforce => Stage::Enforce,
            Mode::None => Stage::Remove,
        }
    }
}

/// One step of the checklist. `detail` is plain text; spans in backticks are commands or values
/// to show as code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Step {
    /// The phase.
    pub stage: Stage,
    /// True for the steps of the mode that was generated.
    pub current: bool,
    /// What to do, in a few words.
    pub title: String,
    /// How, and why.
    pub detail: String,
}

/// A duration as a mail admin would say it: `1 day`, `2 weeks`, `1 year`, or the seconds with
/// the nearest larger unit when it is not a whole number of one.
pub fn describe_seconds(seconds: u32) -> String {
    const UNITS: [(u32, &str); 5] = [
        (MAX_AGE_LIMIT, "year"),
        (604_800, "week"),
        (86_400, "day"),
        (3_600, "hour"),
        (60, "minute"),
    ];
    let plural = |n: u32, unit: &str| format!("{n} {unit}{}", crate::number::plural(n));
    if let Some((size, unit)) = UNITS
        .iter()
        .find(|(size, _)| seconds >= *size && seconds.is_multiple_of(*size))
    {
        return plural(seconds / size, unit);
    }
    match UNITS.iter().find(|(size, _)| seconds >= *size) {
        Some((size, unit)) => {
            let tenths = u64::from(seconds) * 10 / u64::from(*size);
            format!(
                "{} (about {}.{} {unit}s)",
                plural(seconds, "second"),
                tenths / 10,
                tenths % 10
            )
        }
        None => plural(seconds, "second"),
    }
}

/// The checklist for `domain`, with the generated `mode` and `max_age` marked and quoted.
pub fn checklist(domain: &DomainName, mode: Mode, max_age: u32) -> Vec<Step> {
    let host = format!("mta-sts.{domain}");
    let url = format!("https://{host}/.well-known/mta-sts.txt");
    let now = Stage::of(mode);
    // Quotes this policy's max_age in the step of its mode, unless it is the value suggested there.
    let this = |m: Mode, suggested: &[u32]| match (m == mode, suggested.contains(&max_age)) {
        (false, _) => String::new(),
        (true, true) => " (as in this policy)".to_owned(),
        (true, false) => format!(" (this policy: {})", describe_seconds(max_age)),
    };
    let step = |stage: Stage, title: &str, detail: String| Step {
        stage,
        current: stage == now,
        title: title.to_owned(),
        detail,
    };
    vec![
        step(
            Stage::Prepare,
            "Ask for TLS reports first",
            format!(
                "Publish the `_smtp._tls.{domain}` record before anything else: from then on, large senders mail you a daily report of their TLS sessions with your MX hosts, including the failures a policy would cause. Read them with `stslens report` or the Reports page."
            ),
        ),
        step(
            Stage::Prepare,
            "Serve the policy file",
            format!(
                "Publish the file at {url} with a valid certificate for {host}, status 200, `Content-Type: text/plain` and no redirect. Check what a sender sees: `curl -sS --max-redirs 0 -o /dev/null -w '%{{http_code}} %{{content_type}}\\n' {url}` must print `200 text/plain`."
            ),
        ),
        step(
            Stage::Prepare,
            "Announce it in DNS, last",
            format!(
                "Only when the file is served, publish the `_mta-sts.{domain}` record: it tells senders to fetch the policy. Then run `stslens check {domain}`."
            ),
        ),
        step(
            Stage::Testing,
            "Test for one to two weeks",
            format!(
                "Start with `mode: testing` and a short max_age such as 1 day{}: senders still deliver when something fails, and report it. Read the TLS-RPT reports for at least one to two weeks; every `sts-policy-fetch-error`, `sts-webpki-invalid`, `certificate-host-mismatch` or `validation-failure` must be explained and fixed before you enforce.",
                this(Mode::Testing, &[86_400])
            ),
        ),
        step(
            Stage::Enforce,
            "Enforce, with a new id",
            format!(
                "Edit the policy file to `mode: enforce` with a longer max_age, 1 to 2 weeks{}, then publish a new id in `_mta-sts.{domain}` (`stslens generate --mode enforce` makes both). Once the reports stay clean for some weeks, raise max_age step by step up to a year (`{MAX_AGE_LIMIT}`), each time file first, then a new id: a long max_age is what protects the first delivery after a sender's cache expires.",
                this(Mode::Enforce, &[604_800, 1_209_600])
            ),
        ),
        step(
            Stage::Change,
            "Every change: the file first, then the id",
            format!(
                "Senders re-fetch the policy only when the id in `_mta-sts.{domain}` changes. Publish the new file, check it is served, and only then change the id: a new id with the old file makes senders cache the old policy again for its whole max_age."
            ),
        ),
        step(
            Stage::Change,
            "Adding or moving an MX host",
            "Add the new host to the policy (file, then id) and wait for the old policy's max_age to pass before the host appears in your MX records: a sender that still holds the old policy refuses an MX it does not list. Remove a host from the policy only after it has left the MX records.".to_owned(),
        ),
        step(
            Stage::Remove,
            "Backing out",
            format!(
                "Do not just delete the record: senders keep enforcing a cached policy until its max_age runs out. Publish `mode: none` with a short max_age such as 1 day{} and a new id (`stslens generate --mode none`), keep it served for at least the previous policy's max_age, then remove `_mta-sts.{domain}`, and last the policy file and {host} (RFC 8461 §8.3).",
                this(Mode::None, &[86_400])
            ),
        ),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::generate::default_max_age;
    use crate::name::TrailingDot;

    #[test]
    fn durations_in_words() {
        assert_eq!(describe_seconds(86_400), "1 day");
        assert_eq!(describe_seconds(604_800), "1 week");
        assert_eq!(describe_seconds(1_209_600), "2 weeks");
        assert_eq!(describe_seconds(31_557_600), "1 year");
        assert_eq!(describe_seconds(172_800), "2 days");
        assert_eq!(describe_seconds(300), "5 minutes");
        assert_eq!(describe_seconds(1), "1 second");
        assert_eq!(describe_seconds(0), "0 seconds");
        assert_eq!(describe_seconds(90_000), "25 hours");
        assert_eq!(describe_seconds(100_000), "100000 seconds (about 1.1 days)");
        assert_eq!(describe_seconds(31_536_000), "365 days");
        assert_eq!(describe_seconds(45), "45 seconds");
        assert_eq!(describe_seconds(90), "90 seconds (about 1.5 minutes)");
    }

    #[test]
    fn the_generated_mode_is_marked_and_quoted() {
        let d = DomainName::parse("example.com", TrailingDot::Refuse).unwrap();
        for (mode, stage) in [
            (Mode::Testing, Stage::Testing),
            (Mode::Enforce, Stage::Enforce),
            (Mode::None, Stage::Remove),
        ] {
            let steps = checklist(&d, mode, 172_800);
            let current: Vec<_> = steps.iter().filter(|s| s.current).collect();
            assert_eq!(current.len(), 1, "{mode}");
            assert_eq!(current[0].stage, stage);
            assert!(
                current[0].detail.contains("(this policy: 2 days)"),
                "{}",
                current[0].detail
            );
            assert_eq!(
                steps
                    .iter()
                    .filter(|s| s.detail.contains("this policy"))
                    .count(),
                1
            );
            // At the value the step itself suggests, the step says so rather than repeating it.
            let typical = checklist(&d, mode, default_max_age(mode));
            let step = typical.iter().find(|s| s.current).unwrap();
            assert!(
                step.detail.contains("(as in this policy)"),
                "{}",
                step.detail
            );
        }
    }

    #[test]
    fn the_plan_covers_order_testing_enforce_changes_and_removal() {
        let d = DomainName::parse("example.com", TrailingDot::Refuse).unwrap();
        let steps = checklist(&d, Mode::Testing, 86_400);
        let stages: Vec<Stage> = steps.iter().map(|s| s.stage).collect();
        assert_eq!(
            stages,
            [
                Stage::Prepare,
                Stage::Prepare,
                Stage::Prepare,
                Stage::Testing,
                Stage::Enforce,
                Stage::Change,
                Stage::Change,
                Stage::Remove
            ]
        );
        let text: String = steps
            .iter()
            .map(|s| format!("{} {}\n", s.title, s.detail))
            .collect();
        for needle in [
            "_smtp._tls.example.com",
            "https://mta-sts.example.com/.well-known/mta-sts.txt",
            "one to two weeks",
            "new id",
            "file first, then a new id",
            "mode: none",
            "RFC 8461 §8.3",
        ] {
            assert!(text.contains(needle), "{needle}");
        }
    }
}
