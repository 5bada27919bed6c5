//! Result types (RFC 8460 §4.3, IANA "STARTTLS Validation Result Types") and what each one means
//! for the mail admin reading the report: what went wrong and what to fix.
//!
//! A result type the RFC does not define is kept verbatim ([`ResultType::Other`]) and counted
//! under its own name; its explanation says so, and when it is only a misspelling of a known one
//! (`Certificate_Expired`), it points to that one without changing the data.

use serde::{Serialize, Serializer};
use std::fmt;

/// What kind of failure a failure detail reports.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum ResultType {
    /// `starttls-not-supported` (§4.3.1).
    StarttlsNotSupported,
    /// `certificate-host-mismatch` (§4.3.1).
    CertificateHostMismatch,
    /// `certificate-expired` (§4.3.1).
    CertificateExpired,
    /// `certificate-not-trusted` (§4.3.1).
    CertificateNotTrusted,
    /// `validation-failure` (§4.3.1, §4.3.3).
    ValidationFailure,
    /// `tlsa-invalid` (§4.3.2.1).
    TlsaInvalid,
    /// `dnssec-invalid` (§4.3.2.1).
    DnssecInvalid,
    /// `dane-required` (§4.3.2.1).
    DaneRequired,
    /// `sts-policy-fetch-error` (§4.3.2.2).
    StsPolicyFetchError,
    /// `sts-policy-invalid` (§4.3.2.2).
    StsPolicyInvalid,
    /// `sts-webpki-invalid` (§4.3.2.2).
    StsWebpkiInvalid,
    /// Anything else, verbatim.
    Other(String),
}

/// Plain-language help for one result type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Explanation {
    /// Whether RFC 8460 defines this result type.
    pub known: bool,
    /// A short title, e.g. "Certificate expired".
    pub title: &'static str,
    /// What happened, in the words of someone who runs the receiving mail servers.
    pub meaning: String,
    /// What to change.
    pub fix: &'static str,
    /// The section that defines it (empty when unknown).
    pub rfc: &'static str,
}

struct Known {
    result_type: ResultType,
    name: &'static str,
    title: &'static str,
    meaning: &'static str,
    fix: &'static str,
    rfc: &'static str,
}

/// The result types of RFC 8460 §4.3, in the RFC's order.
const KNOWN: &[Known] = &[
    Known {
        result_type: ResultType::StarttlsNotSupported,
        name: "starttls-not-supported",
        title: "STARTTLS not supported",
        meaning: "The sender reached your MX but it did not offer STARTTLS, so the message could \
                  not be encrypted (or, under an enforced policy, was not delivered). A middlebox \
                  stripping STARTTLS from the EHLO reply looks the same.",
        fix: "Enable STARTTLS on every MX host named in the report and check that no firewall or \
              SMTP proxy in front of it removes the STARTTLS capability.",
        rfc: "RFC 8460 §4.3.1",
    },
    Known {
        result_type: ResultType::CertificateHostMismatch,
        name: "certificate-host-mismatch",
        title: "Certificate does not match the MX host",
        meaning: "The MX presented a certificate whose names (subject alternative names) do not \
                  include the MX host name the sender connected to, or do not satisfy the MTA-STS \
                  or DANE policy.",
        fix: "Install a certificate that covers the exact MX host name (a SAN for each MX, or a \
              matching wildcard), and make sure the MX records and the policy's mx lines name \
              hosts that certificate covers.",
        rfc: "RFC 8460 §4.3.1",
    },
    Known {
        result_type: ResultType::CertificateExpired,
        name: "certificate-expired",
        title: "Certificate expired",
        meaning: "The MX presented a certificate that had expired.",
        fix: "Renew the MX certificate, automate the renewal (for example with ACME), and \
              restart or reload the mail server so it serves the new one on every MX.",
        rfc: "RFC 8460 §4.3.1",
    },
    Known {
        result_type: ResultType::CertificateNotTrusted,
        name: "certificate-not-trusted",
        title: "Certificate not trusted",
        meaning: "The MX certificate did not chain to a certification authority the sender \
                  trusts: self-signed, a private CA, a missing intermediate, or a name \
                  constraint. failure-reason-code usually says which.",
        fix: "Serve a certificate from a public CA together with its full intermediate chain; \
              check the chain with the relay's MX probe or `openssl s_client -starttls smtp`.",
        rfc: "RFC 8460 §4.3.1",
    },
    Known {
        result_type: ResultType::ValidationFailure,
        name: "validation-failure",
        title: "Validation failure",
        meaning: "A failure no more specific result type covers, for example a TLS handshake that \
                  could not complete (no common protocol version or cipher). failure-reason-code \
                  usually carries the details.",
        fix: "Read the failure-reason-code and the affected MX and sending IPs, then test the MX \
              with a STARTTLS probe; offer TLS 1.2 or later with mainstream ciphers.",
        rfc: "RFC 8460 §4.3.1, §4.3.3",
    },
    Known {
        result_type: ResultType::TlsaInvalid,
        name: "tlsa-invalid",
        title: "TLSA record invalid",
        meaning: "DANE: none of the TLSA records for the MX matched the certificate it presented, \
                  or they could not be used.",
        fix: "Publish TLSA records that match the certificate (or its issuer) actually served, \
              and roll them over before every certificate or key change (publish the new record \
              first, wait for the TTL, then switch).",
        rfc: "RFC 8460 §4.3.2.1",
    },
    Known {
        result_type: ResultType::DnssecInvalid,
        name: "dnssec-invalid",
        title: "DNSSEC invalid",
        meaning: "DANE: the sender's validating resolver got no valid (DNSSEC-authenticated) \
                  answer for the records it needed.",
        fix: "Check the DNSSEC chain of the MX and TLSA records (DS at the parent, signatures not \
              expired) with a DNSSEC debugger and fix the broken link.",
        rfc: "RFC 8460 §4.3.2.1",
    },
    Known {
        result_type: ResultType::DaneRequired,
        name: "dane-required",
        title: "DANE required but missing",
        meaning: "The sender is configured to require DANE for your domain, but found no \
                  DNSSEC-validated TLSA records for the MX.",
        fix: "Publish DNSSEC-signed TLSA records for each MX host, or ask the sender to drop its \
              mandatory-DANE setting for your domain.",
        rfc: "RFC 8460 §4.3.2.1",
    },
    Known {
        result_type: ResultType::StsPolicyFetchError,
        name: "sts-policy-fetch-error",
        title: "MTA-STS policy could not be fetched",
        meaning: "The sender could not retrieve https://mta-sts.<domain>/.well-known/mta-sts.txt: \
                  the host did not resolve or answer, the HTTPS certificate failed, or it answered \
                  with something other than 200 (a 404, a redirect). failure-reason-code often \
                  says which.",
        fix: "Serve the policy at exactly that URL over HTTPS with a valid certificate for \
              mta-sts.<domain>, status 200, no redirect, Content-Type text/plain; run \
              `stslens check <domain>` to see what a sender sees.",
        rfc: "RFC 8460 §4.3.2.2",
    },
    Known {
        result_type: ResultType::StsPolicyInvalid,
        name: "sts-policy-invalid",
        title: "MTA-STS policy invalid",
        meaning: "The policy file was fetched but is not a valid MTA-STS policy (a missing or \
                  misspelled field, a bad mode or max_age, bad mx patterns).",
        fix: "Fix the policy file; `stslens lint policy <file>` shows each problem and the line.",
        rfc: "RFC 8460 §4.3.2.2",
    },
    Known {
        result_type: ResultType::StsWebpkiInvalid,
        name: "sts-webpki-invalid",
        title: "MTA-STS policy host certificate invalid",
        meaning: "The HTTPS certificate of mta-sts.<domain> failed WebPKI validation (expired, \
                  wrong name, untrusted chain), so the policy could not be authenticated.",
        fix: "Serve mta-sts.<domain> with a publicly trusted certificate that names it, with the \
              full chain, and renew it automatically.",
        rfc: "RFC 8460 §4.3.2.2",
    },
];

impl ResultType {
    /// Reads a `result-type` value. Exact, as the RFC spells them; anything else is kept as
    /// [`ResultType::Other`].
    pub fn parse(text: &str) -> ResultType {
        KNOWN.iter().find(|k| k.name == text).map_or_else(
            || ResultType::Other(text.to_owned()),
            |k| k.result_type.clone(),
        )
    }

    /// The value as written in reports.
    pub fn as_str(&self) -> &str {
        match self {
            ResultType::Other(text) => text,
            known => known_entry(known).map_or("", |k| k.name),
        }
    }

    /// The name RFC 8460 gives it; `None` for [`ResultType::Other`]. Unlike [`ResultType::as_str`]
    /// it outlives the value, so a summary can name a known type without copying the name.
    pub fn known_name(&self) -> Option<&'static str> {
        known_entry(self).map(|k| k.name)
    }

    /// Whether RFC 8460 defines it.
    pub fn is_known(&self) -> bool {
        !matches!(self, ResultType::Other(_))
    }

    /// Every result type RFC 8460 defines, in the RFC's order.
    pub fn all_known() -> impl Iterator<Item = ResultType> {
        KNOWN.iter().map(|k| k.result_type.clone())
    }

    /// What it means and what to fix.
    pub fn explanation(&self) -> Explanation {
        if let Some(k) = known_entry(self) {
            return Explanation {
                known: true,
                title: k.title,
                meaning: k.meaning.to_owned(),
                fix: k.fix,
                rfc: k.rfc,
            };
        }
        let text = self.as_str();
        let normalised = text.trim().to_ascii_lowercase().replace(['_', ' '], "-");
        if let Some(k) = KNOWN.iter().find(|k| k.name == normalised) {
            return Explanation {
                known: false,
                title: k.title,
                meaning: format!(
                    "\"{text}\" is not an RFC 8460 result type, but reads as \"{}\": {}",
                    k.name, k.meaning
                ),
                fix: k.fix,
                rfc: "",
            };
        }
        Explanation {
            known: false,
            title: "Result type not defined by RFC 8460",
            meaning: format!(
                "The reporter used \"{text}\", which RFC 8460 §4.3 does not define; it is counted \
                 as it is. Its failure-reason-code and the affected MX usually tell what failed."
            ),
            fix: "Look at the failure-reason-code, the receiving MX and the sending IPs of these \
                  failures, test that MX with a STARTTLS probe, and ask the reporter (contact-info) \
                  what the result type means if it is still unclear.",
            rfc: "",
        }
    }
}

fn known_entry(result_type: &ResultType) -> Option<&'static Known> {
    KNOWN.iter().find(|k| &k.result_type == result_type)
}

impl fmt::Display for ResultType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl Serialize for ResultType {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_rfc_result_type_round_trips_and_is_explained() {
        let names: Vec<String> = ResultType::all_known().map(|r| r.to_string()).collect();
        assert_eq!(names.len(), 11);
        for name in &names {
            let parsed = ResultType::parse(name);
            assert!(parsed.is_known(), "{name}");
            assert_eq!(parsed.as_str(), name);
            assert_eq!(parsed.known_name(), Some(name.as_str()));
            let e = parsed.explanation();
            assert!(
                e.known && !e.meaning.is_empty() && !e.fix.is_empty(),
                "{name}"
            );
            assert!(e.rfc.starts_with("RFC 8460 §4.3"), "{name}");
        }
    }

    #[test]
    fn unknown_result_types_are_kept_verbatim() {
        let odd = ResultType::parse("tls-downgrade-detected");
        assert_eq!(odd, ResultType::Other("tls-downgrade-detected".into()));
        assert_eq!(odd.as_str(), "tls-downgrade-detected");
        assert_eq!(odd.known_name(), None);
        let e = odd.explanation();
        assert!(!e.known && e.meaning.contains("\"tls-downgrade-detected\""));
    }

    #[test]
    fn misspelled_result_types_are_kept_but_explained_as_the_known_one() {
        let odd = ResultType::parse("Certificate_Expired");
        assert_eq!(odd.as_str(), "Certificate_Expired");
        let e = odd.explanation();
        assert!(!e.known);
        assert_eq!(e.title, "Certificate expired");
        assert!(e.meaning.contains("reads as \"certificate-expired\""));
    }
}
