//! The generator's "Fill in from DNS" button: looks up the domain's MX records through the
//! DNS-over-HTTPS resolver of Settings and puts the hosts into the MX field, in preference order.

use crate::io::{doh, storage};
use leptos::prelude::*;
use leptos::task::spawn_local;
use stslens_core::check::{domain_from_input, mx_hosts};
use stslens_core::dns::{RecordType, Status};

/// The button and its status line (id `gen-mx-dns`, which the MX field's description points at).
#[component]
pub fn MxFromDns(domain: RwSignal<String>, mx: RwSignal<String>) -> impl IntoView {
    let busy = RwSignal::new(false);
    let status = RwSignal::new(
        "Looks up the MX records of the domain above through your DNS-over-HTTPS resolver."
            .to_owned(),
    );
    let fill = move |_| {
        let domain = match domain_from_input(&domain.get_untracked()) {
            Ok(d) => d,
            Err(e) => {
                status.set(format!("Enter the mail domain first: {e}."));
                return;
            }
        };
        busy.set(true);
        status.set(format!("Looking up MX {domain}…"));
        let resolver = storage::load_settings().resolver;
        spawn_local(async move {
            let message = match doh::lookup(&resolver, domain.as_str(), RecordType::Mx).await {
                Err(e) => format!("No answer: {e}."),
                Ok(lookup) if lookup.is_null_mx() => {
                    format!(
                        "{domain} publishes a null MX (RFC 7505): it accepts no mail, so it needs no MTA-STS."
                    )
                }
                Ok(lookup) => match lookup.status {
                    Status::NxDomain => format!("{domain} does not exist (NXDOMAIN)."),
                    Status::ServFail | Status::Other { .. } => {
                        format!(
                            "The resolver could not look up MX {domain} (SERVFAIL); try again later."
                        )
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
                            mx.set(hosts.join("\n"));
                            let mut text = format!(
                                "Filled in {} MX host{} from DNS.",
                                hosts.len(),
                                if hosts.len() == 1 { "" } else { "s" }
                            );
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
            status.set(message);
            busy.set(false);
        });
    };
    view! {
        <div class="row">
            <button type="button" class="small secondary" id="gen-mx-from-dns" on:click=fill
                disabled=move || busy.get()>"Fill in from DNS"</button>
            <span class="hint" id="gen-mx-dns" role="status">{move || status.get()}</span>
        </div>
    }
}
