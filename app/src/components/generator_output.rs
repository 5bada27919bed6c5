//! What the generator produced: the self-check, the policy file, the DNS records, hosting
//! snippets and the rollout checklist. Each block updates in place as the form changes, so open
//! `<details>` and focus survive typing.

use super::findings_list::FindingsList;
use super::output_block::OutputBlock;
use super::rich_text::RichText;
use super::rollout_checklist::RolloutChecklist;
use crate::checker::protocol::Generated;
use leptos::prelude::*;
use stslens_core::Severity;

/// The output sections for `generated` (rendered only while it is `Some`). `on_new_id` asks the
/// page for a fresh id from the clock.
#[component]
pub fn GeneratorOutput(
    #[prop(into)] generated: Signal<Option<Generated>>,
    on_new_id: Callback<()>,
) -> impl IntoView {
    // One derived signal per piece of text, so each block re-renders alone.
    let pick = move |f: fn(&Generated) -> String| {
        Signal::derive(move || generated.with(|g| g.as_ref().map(f).unwrap_or_default()))
    };
    let findings = Signal::derive(move || {
        generated.with(|g| g.as_ref().map(|g| g.findings.clone()).unwrap_or_default())
    });
    let steps = Signal::derive(move || {
        generated.with(|g| g.as_ref().map(|g| g.rollout.clone()).unwrap_or_default())
    });
    let static_notes = Signal::derive(move || {
        generated.with(|g| {
            g.as_ref()
                .map(|g| g.hosting.static_site.notes.clone())
                .unwrap_or_default()
        })
    });
    let count = move |s: Severity| findings.with(|f| f.iter().filter(|f| f.severity == s).count());
    let verdict = move || {
        let (errors, warnings) = (count(Severity::Error), count(Severity::Warning));
        match (errors, warnings) {
            (0, 0) => {
                "The linters that judge published records find nothing to fix in this output."
                    .to_owned()
            }
            (0, n) => format!(
                "Valid: no errors. {n} warning{} below {} your attention before you publish.",
                if n == 1 { "" } else { "s" },
                if n == 1 { "needs" } else { "need" }
            ),
            (n, _) => format!(
                "{n} error{} in the generated output: this is a bug in StsLens, please report it.",
                if n == 1 { "" } else { "s" }
            ),
        }
    };
    let valid = move || generated.with(|g| g.as_ref().is_some_and(|g| g.valid));
    let clean = move || valid() && count(Severity::Warning) == 0;
    let warned = move || valid() && count(Severity::Warning) != 0;

    let policy_url = pick(|g| g.policy.url.clone());
    let id = pick(|g| g.dns.sts.id.clone());
    let certificate = pick(|g| g.hosting.certificate.clone());

    view! {
        <section class="card verdict" class:healthy=clean class:warned=warned class:broken=move || !valid()
            aria-labelledby="gen-check-h">
            <h2 id="gen-check-h">
                {move || if valid() { "Self-check: valid" } else { "Self-check: errors" }}
            </h2>
            <p>{verdict}</p>
            <FindingsList findings=findings/>
        </section>

        <section class="card" aria-labelledby="gen-policy-h">
            <h2 id="gen-policy-h">"Policy file"</h2>
            <p>"Serve this file at "<code class="break">{policy_url}</code>", exactly as it is."</p>
            <OutputBlock label="mta-sts.txt" text=pick(|g| g.policy.text.clone()) id="gen-out-policy"/>
        </section>

        <section class="card" aria-labelledby="gen-dns-h">
            <h2 id="gen-dns-h">"DNS records"</h2>
            <p class="hint">
                "Publish the TXT records once the policy file is served. Many DNS panels want only the part of the "
                "name before your zone, such as "<code>"_mta-sts"</code>"."
            </p>
            <h3>"MTA-STS"</h3>
            <div class="record-pair">
                <OutputBlock label="Name" text=pick(|g| g.dns.sts.record.name.clone()) id="gen-out-sts-name"/>
                <OutputBlock label="TXT value" text=pick(|g| g.dns.sts.record.value.clone()) id="gen-out-sts-value"/>
            </div>
            <div class="row small">
                <span>"The id "<code>{id}</code>" is the time now (UTC) from your clock. Every change to the policy needs a new one."</span>
                <button type="button" class="small secondary" on:click=move |_| on_new_id.run(())>"New id"</button>
            </div>
            <h3>"TLS reporting"</h3>
            <div class="record-pair">
                <OutputBlock label="Name" text=pick(|g| g.dns.tlsrpt.record.name.clone()) id="gen-out-rpt-name"/>
                <OutputBlock label="TXT value" text=pick(|g| g.dns.tlsrpt.record.value.clone()) id="gen-out-rpt-value"/>
            </div>
            <h3>"As zone-file lines"</h3>
            <OutputBlock
                label="Zone file"
                text=pick(|g| g.dns.zone.clone())
                id="gen-out-zone"
                note="The policy host needs an address too: the commented lines show the record to add."
            />
        </section>

        <section class="card" aria-labelledby="gen-host-h">
            <h2 id="gen-host-h">"Hosting"</h2>
            <div class="notice info">{move || view! { <RichText text=certificate.get()/> }}</div>
            <OutputBlock
                label="Check what senders see"
                text=pick(|g| g.hosting.verify.clone())
                id="gen-out-verify"
                note="Expect 200 text/plain. Senders follow no redirect."
            />
            <details open>
                <summary>"nginx"</summary>
                <OutputBlock label="nginx configuration" text=pick(|g| g.hosting.nginx.clone()) id="gen-out-nginx"/>
            </details>
            <details>
                <summary>"Caddy"</summary>
                <OutputBlock label="Caddyfile" text=pick(|g| g.hosting.caddy.clone()) id="gen-out-caddy"/>
            </details>
            <details>
                <summary>"A static host (GitHub Pages, Netlify, Cloudflare Pages)"</summary>
                <ul>
                    {move || static_notes.get().into_iter().map(|n| view! { <li><RichText text=n/></li> }).collect_view()}
                </ul>
                <OutputBlock label="_headers" text=pick(|g| g.hosting.static_site.headers_file.clone()) id="gen-out-headers"/>
            </details>
        </section>

        <section class="card" aria-labelledby="gen-rollout-h">
            <h2 id="gen-rollout-h">"Rollout checklist"</h2>
            <RolloutChecklist steps=steps/>
        </section>
    }
}
