//! The TLS-RPT record (RFC 8460 §3): whether reporters find one, and where reports go.

use leptos::prelude::*;
use leptos_router::components::A;
use stslens_core::check::{RecordStatus, Report};

/// The `_smtp._tls` record's status and destinations.
#[component]
pub fn TlsRptStatus(report: RwSignal<Option<Report>>) -> impl IntoView {
    let tlsrpt = move || report.with(|r| r.as_ref().map(|r| r.tlsrpt.clone()));
    view! {
        <section class="card" aria-labelledby="tlsrpt-h" id="tlsrpt">
            <h2 id="tlsrpt-h">"TLS reporting"</h2>
            {move || tlsrpt().map(|t| {
                let (tone, text) = match t.status {
                    RecordStatus::Valid => ("ok", "valid"),
                    RecordStatus::Missing => ("warning", "missing"),
                    RecordStatus::Multiple => ("error", "several records"),
                    RecordStatus::Invalid => ("error", "invalid"),
                    RecordStatus::LookupFailed => ("error", "lookup failed"),
                    RecordStatus::NotChecked => ("info", "not checked"),
                };
                let about = match t.status {
                    RecordStatus::Valid => "Senders that support TLS-RPT send daily reports of TLS successes and failures to:",
                    RecordStatus::Missing => "Without it, nobody tells you when senders fail to deliver over TLS, which matters most in testing mode.",
                    _ => "Reporters send no reports while the record cannot be used; the findings above say why.",
                };
                view! {
                    <p><code>{t.name.clone()}</code>" "<span class=format!("badge {tone}")>{text}</span></p>
                    <p>{about}</p>
                    {(!t.rua.is_empty()).then(|| view! {
                        <ul class="rua">{t.rua.iter().map(|u| view! { <li><code class="break">{u.clone()}</code></li> }).collect_view()}</ul>
                        <p class="hint">"Open the reports you receive in the "<A href="/reports">"report viewer"</A>"."</p>
                    })}
                }
            })}
        </section>
    }
}
