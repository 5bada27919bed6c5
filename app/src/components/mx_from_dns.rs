//! The generator's "Fill in from DNS" button: looks up the domain's MX records through the
//! DNS-over-HTTPS resolver of Settings and puts the hosts into the MX field, in preference order.
//! The lookup runs in the check worker (`checker/mx_fill.rs`), which has the DoH client.

use crate::checker::protocol::MxFill;
use crate::io::check_worker::CheckWorker;
use crate::io::storage;
use leptos::prelude::*;
use stslens_core::check::domain_from_input;

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
        let Ok(worker) = CheckWorker::shared() else {
            status.set("The DNS lookup could not start in this browser.".to_owned());
            busy.set(false);
            return;
        };
        worker.mx_fill(resolver, domain, move |fill: MxFill| {
            if !fill.hosts.is_empty() {
                mx.try_set(fill.hosts.join("\n"));
            }
            status.try_set(fill.message);
            busy.try_set(false);
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
