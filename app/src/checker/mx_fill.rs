//! "Fill in from DNS" for the generator, in the worker: looks up the domain's MX records through
//! the DNS-over-HTTPS resolver and words the answer. Here rather than on the page because the
//! DoH client and the DNS wire format are the check's; the page gets the hosts and a sentence.

use super::protocol::MxFill;
use crate::io::doh;
use stslens_core::check::mx_hosts;
use stslens_core::dns::{RecordType, Status};
use stslens_core::name::DomainName;

/// The MX hosts of `domain` in preference order, and what to say about them.
pub async fn mx_fill(resolver: &str, domain: &DomainName) -> MxFill {
    let mut filled: Vec<String> = Vec::new();
    let message = match doh::lookup(resolver, domain.as_str(), RecordType::Mx).await {
        Err(e) => format!("No answer: {e}."),
        Ok(lookup) if lookup.is_null_mx() => {
            format!(
                "{domain} publishes a null MX (RFC 7505): it accepts no mail, so it needs no MTA-STS."
            )
        }
        Ok(lookup) => match lookup.status {
            Status::NxDomain => format!("{domain} does not exist (NXDOMAIN)."),
            Status::ServFail | Status::Other { .. } => {
                format!("The resolver could not look up MX {domain} (SERVFAIL); try again later.")
            }
            Status::NoData | Status::Answer => {
                let entries = mx_hosts(&lookup);
                let hosts: Vec<String> = entries
                    .iter()
                    .filter_map(|e| e.host.as_ref().ok().map(ToString::to_string))
                    .collect();
                let skipped = entries.len() - hosts.len();
                if hosts.is_empty() {
                    format!(
                        "{domain} has no MX records with a host name: enter the hosts that receive its mail."
                    )
                } else {
                    let mut text = format!(
                        "Filled in {} MX host{} from DNS.",
                        hosts.len(),
                        if hosts.len() == 1 { "" } else { "s" }
                    );
                    filled = hosts;
                    if skipped > 0 {
                        text.push_str(&format!(
                            " {skipped} record{} that name{} no host (an address, say) left out.",
                            if skipped == 1 { "" } else { "s" },
                            if skipped == 1 { "s" } else { "" }
                        ));
                    }
                    text
                }
            }
        },
    };
    MxFill {
        hosts: filled,
        message,
    }
}
