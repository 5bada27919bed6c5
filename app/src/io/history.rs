//! The local history of checks: per domain the last few core [`Snapshot`]s, in this browser's
//! localStorage only (the About page promises it, and Settings can clear it).
//!
//! A snapshot holds the record's id, the policy's hash and its values, never the policy text or
//! the findings: enough for `history::compare` to say "the policy changed but its id did not"
//! (RFC 8461 §3.1), which no single check can see. Kept small on purpose: at most
//! [`PER_DOMAIN`] snapshots for each of the [`DOMAINS`] most recently checked domains.

use super::storage::{self, StorageError};
use serde::{Deserialize, Serialize};
use stslens_core::check::Snapshot;
use stslens_core::name::DomainName;

/// The storage key; the version changes if the format does.
pub const KEY: &str = "stslens.history.v1";

/// Snapshots kept per domain.
pub const PER_DOMAIN: usize = 10;

/// Domains kept; the one checked longest ago goes first.
pub const DOMAINS: usize = 50;

/// Every snapshot kept, oldest first.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct History {
    /// The snapshots, in the order they were taken.
    pub snapshots: Vec<Snapshot>,
}

impl History {
    /// The latest snapshot of `domain` taken before `before` (Unix seconds).
    pub fn previous(&self, domain: &DomainName, before: i64) -> Option<&Snapshot> {
        self.snapshots
            .iter()
            .filter(|s| &s.domain == domain && s.checked_at < before)
            .max_by_key(|s| s.checked_at)
    }

    /// Adds `snapshot`, replacing one of the same domain and time (a check completed by a pasted
    /// policy is the same check), then applies the caps.
    pub fn add(&mut self, snapshot: Snapshot) {
        self.snapshots
            .retain(|s| !(s.domain == snapshot.domain && s.checked_at == snapshot.checked_at));
        self.snapshots.push(snapshot);
        self.snapshots.sort_by_key(|s| s.checked_at);
        let mut seen: Vec<(&DomainName, usize)> = Vec::new();
        let mut keep = vec![false; self.snapshots.len()];
        // Newest first: the first PER_DOMAIN of each domain, for the first DOMAINS domains.
        for (i, s) in self.snapshots.iter().enumerate().rev() {
            let known = seen.len();
            match seen.iter_mut().find(|(d, _)| *d == &s.domain) {
                Some((_, n)) if *n < PER_DOMAIN => {
                    *n += 1;
                    keep[i] = true;
                }
                Some(_) => {}
                None if known < DOMAINS => {
                    seen.push((&s.domain, 1));
                    keep[i] = true;
                }
                None => {}
            }
        }
        let mut flags = keep.into_iter();
        self.snapshots.retain(|_| flags.next().unwrap_or(false));
    }

    /// The latest snapshot of each domain, most recent first, at most `limit`.
    pub fn recent(&self, limit: usize) -> Vec<Snapshot> {
        let mut out: Vec<Snapshot> = Vec::new();
        for s in self.snapshots.iter().rev() {
            if out.len() == limit {
                break;
            }
            if !out.iter().any(|o| o.domain == s.domain) {
                out.push(s.clone());
            }
        }
        out
    }
}

/// The stored history; empty when there is none or it cannot be read.
pub fn load() -> History {
    storage::load(KEY).unwrap_or_default()
}

/// Stores `snapshot` and returns the domain's previous one (taken before it), if any.
pub fn record(snapshot: Snapshot) -> Result<Option<Snapshot>, StorageError> {
    let mut history = load();
    let previous = history
        .previous(&snapshot.domain, snapshot.checked_at)
        .cloned();
    history.add(snapshot);
    storage::save(KEY, &history)?;
    Ok(previous)
}

/// Forgets every check.
pub fn clear() -> Result<(), StorageError> {
    storage::remove(KEY)
}

#[cfg(test)]
mod tests {
    use super::*;
    use stslens_core::check::RecordStatus;
    use stslens_core::name::TrailingDot;

    fn snap(domain: &str, at: i64) -> Snapshot {
        Snapshot {
            domain: DomainName::parse(domain, TrailingDot::Refuse).unwrap(),
            checked_at: at,
            sts_status: RecordStatus::Valid,
            id: Some(format!("id{at}")),
            policy_sha256: None,
            mode: None,
            max_age: None,
            mx: Vec::new(),
        }
    }

    #[test]
    fn previous_is_the_latest_earlier_check_of_the_domain() {
        let mut h = History::default();
        for (d, at) in [("a.example", 1), ("b.example", 2), ("a.example", 3)] {
            h.add(snap(d, at));
        }
        let a = snap("a.example", 0).domain;
        assert_eq!(h.previous(&a, 4).map(|s| s.checked_at), Some(3));
        assert_eq!(h.previous(&a, 3).map(|s| s.checked_at), Some(1));
        assert_eq!(h.previous(&a, 1), None);
    }

    #[test]
    fn the_same_check_is_replaced_not_added() {
        let mut h = History::default();
        h.add(snap("a.example", 5));
        let mut completed = snap("a.example", 5);
        completed.mx = vec!["mx.a.example".into()];
        h.add(completed.clone());
        assert_eq!(h.snapshots, vec![completed]);
    }

    #[test]
    fn caps_keep_the_newest() {
        let mut h = History::default();
        for at in 0..(PER_DOMAIN as i64 + 5) {
            h.add(snap("a.example", at));
        }
        assert_eq!(h.snapshots.len(), PER_DOMAIN);
        assert_eq!(h.snapshots[0].checked_at, 5, "the oldest went first");
        for i in 0..DOMAINS + 3 {
            h.add(snap(&format!("d{i}.example"), 100 + i as i64));
        }
        let domains = h.recent(usize::MAX);
        assert_eq!(domains.len(), DOMAINS);
        assert_eq!(domains[0].domain.as_str(), "d52.example", "newest first");
        assert!(
            h.snapshots.iter().all(|s| s.domain.as_str() != "a.example"),
            "the domain checked longest ago is forgotten"
        );
    }

    #[test]
    fn recent_lists_each_domain_once() {
        let mut h = History::default();
        for (d, at) in [("a.example", 1), ("b.example", 2), ("a.example", 3)] {
            h.add(snap(d, at));
        }
        let recent: Vec<(String, i64)> = h
            .recent(10)
            .into_iter()
            .map(|s| (s.domain.to_string(), s.checked_at))
            .collect();
        assert_eq!(
            recent,
            [("a.example".to_owned(), 3), ("b.example".to_owned(), 2)]
        );
        assert_eq!(h.recent(1).len(), 1);
    }
}
