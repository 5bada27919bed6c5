//! The messages between the check page and the check worker, and the types both sides share.
//!
//! Each `postMessage` carries one envelope, a plain object whose `msg` is the message as JSON
//! (the same envelope as the report worker's). JSON rather than structured clones of JS
//! objects: serde already links into both modules, and one string crosses with one copy.
//!
//! Every request and update names its run (`run`): the page starts a new run on "Check again"
//! or when another domain opens, and drops updates of runs it no longer shows, so a slow answer
//! of an old run never lands on a new page.

use serde::{Deserialize, Serialize};
use stslens_core::check::{Snapshot, VerdictStatus};
use stslens_core::name::DomainName;

/// Envelope key of the JSON message.
pub const MSG: &str = "msg";

/// What the page asks of the worker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Request {
    /// Check `domain` with the DoH `resolver` and the relay setting; stops any earlier run.
    Start {
        /// The page's number for this run.
        run: u32,
        /// The domain.
        domain: DomainName,
        /// The DoH resolver's URL.
        resolver: String,
        /// The relay setting, to be confirmed by the worker when it is this site's own.
        relay: RelayChoice,
    },
    /// Evaluate the run again with a policy the user pasted in place of a blocked fetch.
    Paste {
        /// The run.
        run: u32,
        /// What was pasted (curl's head and body, or the body alone).
        text: String,
    },
    /// Stop the run: nothing more is sent about it.
    Cancel {
        /// The run.
        run: u32,
    },
    /// Run the generator on a request the page has already validated
    /// (`stslens_core::generate::validate`).
    Generate {
        /// The page's number for this request; only the latest one is answered to.
        id: u32,
        /// The form's values.
        request: stslens_core::generate::Request,
        /// Now, unix seconds: the policy id is taken from it.
        now: u64,
    },
    /// Look up the MX hosts of `domain` for the generator's "Fill in from DNS".
    MxFill {
        /// The page's number for this lookup.
        id: u32,
        /// The DoH resolver's URL.
        resolver: String,
        /// The mail domain.
        domain: DomainName,
    },
}

/// What the worker tells the page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Event {
    /// The worker has started and takes requests.
    Ready,
    /// Something about a run.
    Update {
        /// The run.
        run: u32,
        /// What happened.
        update: Update,
    },
    /// The answer to [`Request::Generate`]: the output, or why there is none.
    Generated {
        /// The request.
        id: u32,
        /// What the generator produced.
        output: Result<Box<Generated>, String>,
    },
    /// The answer to [`Request::MxFill`].
    MxFill {
        /// The lookup.
        id: u32,
        /// What it found.
        fill: MxFill,
    },
    /// The worker could not read a request, or did not start (`EngineWorker` reports its
    /// `error` event as this).
    Failed {
        /// What went wrong, a sentence.
        message: String,
    },
}

/// How a run moves on, in the order the page should apply it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Update {
    /// The relay in use, once confirmed.
    Relay(RelayInfo),
    /// How the policy reached the check.
    Route(PolicyRoute),
    /// Every planned step as it stands (plan order), and when the last one finished.
    Steps {
        /// The steps.
        steps: Vec<StepProgress>,
        /// When the last step finished, ms after the start.
        elapsed_ms: u64,
    },
    /// No resolver answered the domain's own lookups: nothing about it is known.
    Unreachable {
        /// The MX lookup's failure.
        message: String,
    },
    /// Core's evaluation (again after a paste), as the page shows and keeps it.
    Finished(Box<Finished>),
}

/// A finished check as the page needs it. Not core's `Report`: reading that on the page would
/// bring its whole deserializer into the page's wasm, for sections the worker can as well write
/// as HTML (`super::render`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finished {
    /// The verdict card's content.
    pub verdict: Verdict,
    /// What the history keeps of this check (`Snapshot::of` the report).
    pub snapshot: Snapshot,
    /// The result sections below the verdict, as HTML.
    pub html: String,
}

/// The verdict card: one word, core's one sentence why, what senders do, and when.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Verdict {
    /// The verdict.
    pub status: VerdictStatus,
    /// Core's sentence about it.
    pub summary: String,
    /// What a compliant sender does, in a sentence.
    pub sender: String,
    /// What a sender with a cached policy does, when that differs.
    pub cached_policy: Option<String>,
    /// The findings counted by severity ("1 error, 2 warnings." or "Nothing to fix.").
    pub counts: String,
    /// When the check ran (Unix seconds).
    pub checked_at: i64,
}

/// Which relay the check uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RelayInfo {
    /// The relay's base URL, when there is one.
    pub base: Option<String>,
    /// Where it comes from, or why there is none, in words.
    pub about: String,
}

/// The relay setting, to be confirmed when it is this site's own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RelayChoice {
    /// No relay.
    Off,
    /// This site's relay, if `/healthz` says there is one.
    SameOrigin(String),
    /// A relay at another origin, chosen in Settings (its `/healthz` cannot be read from here).
    Other(String),
}

impl RelayChoice {
    /// From the stored settings.
    pub fn from_settings(settings: &crate::io::storage::Settings) -> RelayChoice {
        use crate::io::storage::RelayChoice as Stored;
        match (&settings.relay, settings.relay_base()) {
            (Stored::Off, _) | (_, None) => RelayChoice::Off,
            (Stored::SameOrigin, Some(base)) => RelayChoice::SameOrigin(base),
            (Stored::Url(_), Some(base)) => RelayChoice::Other(base),
        }
    }
}

/// Where a step stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StepState {
    /// Waiting for what it needs.
    Waiting,
    /// Under way.
    Running,
    /// Answered (a DNS answer, a response, a probe).
    Done,
    /// Ran and got no answer.
    Failed,
    /// Not performed (blocked, no address, not possible here).
    Skipped,
}

/// One step as the progress list shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StepProgress {
    /// Core's step id.
    pub id: String,
    /// What it does, e.g. `TXT _mta-sts.example.com`.
    pub label: String,
    /// 1 or 2.
    pub round: u8,
    /// Where it stands.
    pub state: StepState,
    /// Its duration once finished.
    pub elapsed_ms: Option<u64>,
    /// What it gave, in a few words (`answer`, `HTTP 200`, `no STARTTLS`, `through the relay`).
    pub note: String,
}

/// How the policy reached the check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PolicyRoute {
    /// Not yet known.
    Pending,
    /// The browser read it.
    Browser,
    /// The browser was refused (or saw a redirect it may not read), the relay fetched it.
    Relay,
    /// The browser was refused and there is no relay: the user may paste it.
    NeedsPaste,
    /// The user pasted it; `head_seen` says whether status and headers were pasted too.
    Pasted {
        /// Whether the paste held the response head.
        head_seen: bool,
    },
    /// Another outcome (no address, a failure): nothing to offer.
    Other,
}

/// The MX hosts found for "Fill in from DNS", and what to say about them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MxFill {
    /// The hosts, in preference order (empty: leave the field as it is).
    pub hosts: Vec<String>,
    /// A sentence for the status line.
    pub message: String,
}

/// What the generator produced, as the /generate page shows it: core's
/// `stslens_core::generate::Generated` without its model types. The generator, the linters that
/// check its output and the hosting texts run in the worker; the page reads only this, which
/// keeps them out of the page's first load.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Generated {
    /// True when no finding is an error.
    pub valid: bool,
    /// The mail domain, normalised.
    pub domain: String,
    /// The inputs that were left empty and took their default.
    pub defaulted: Vec<stslens_core::generate::Field>,
    /// The policy file.
    pub policy: stslens_core::generate::PolicyFile,
    /// The TXT records and zone-file lines.
    pub dns: stslens_core::generate::DnsRecords,
    /// How to serve the policy file.
    pub hosting: stslens_core::generate::Hosting,
    /// The rollout checklist.
    pub rollout: Vec<stslens_core::generate::Step>,
    /// The lints' findings on the output, then the generator's advice.
    pub findings: Vec<stslens_core::Finding>,
}

impl From<stslens_core::generate::Generated> for Generated {
    fn from(g: stslens_core::generate::Generated) -> Self {
        Generated {
            valid: g.valid,
            domain: g.domain,
            defaulted: g.defaulted,
            policy: g.policy,
            dns: g.dns,
            hosting: g.hosting,
            rollout: g.rollout,
            findings: g.findings,
        }
    }
}
