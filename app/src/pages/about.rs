//! `/about`: what StsLens does, how, and what it does with your data.

use leptos::prelude::*;
use leptos_router::components::A;

/// The about page: privacy first, then how each part works.
#[component]
pub fn About() -> impl IntoView {
    view! {
        <h1>"About StsLens"</h1>
        <p class="lead">
            "StsLens helps mail administrators get MTA-STS (RFC 8461) and SMTP TLS Reporting (RFC 8460) right: "
            "it checks a domain's records and policy the way a sending mail server does, reads TLS-RPT reports, "
            "and generates correct records with a safe rollout plan."
        </p>

        <h2>"Privacy"</h2>
        <ul>
            <li><strong>"Reports stay in your browser."</strong>" TLS-RPT files you open on the "
                <A href="/reports">"Reports"</A>" page are unpacked and aggregated by WebAssembly in this tab. "
                "Nothing is uploaded, stored or sent anywhere; closing the tab forgets them."</li>
            <li><strong>"Checks are made from your browser."</strong>" DNS questions go to the DNS-over-HTTPS resolver "
                "chosen in "<A href="/settings">"Settings"</A>" (Cloudflare by default), and the policy file is "
                "fetched directly from the domain's own policy host."</li>
            <li><strong>"The relay only when needed."</strong>" A browser cannot speak SMTP, and many policy hosts "
                "do not allow cross-origin reads. For those two steps StsLens asks the relay of the server that "
                "serves this page, if it has one, giving it only the host name to test."</li>
            <li><strong>"History is local."</strong>" The list of your past checks is kept in this browser's local "
                "storage, so StsLens can tell you when a policy changed without its id changing. Clear it in Settings."</li>
            <li>"No cookies, no analytics, no external fonts or scripts."</li>
        </ul>

        <h2>"How a check works"</h2>
        <ol>
            <li>"In one round, all at once: the MX records, the "<code>"_mta-sts"</code>" and "
                <code>"_smtp._tls"</code>" TXT records, the address of "<code>"mta-sts.<domain>"</code>
                ", and the policy file at "<code>"https://mta-sts.<domain>/.well-known/mta-sts.txt"</code>"."</li>
            <li>"Once the MX hosts are known, all at once: a STARTTLS probe of every MX (through the relay) and "
                "their DANE TLSA records."</li>
            <li>"Every answer is judged against the RFCs: record and policy syntax, the fetch rules (status 200, "
                "no redirects, "<code>"text/plain"</code>", at most 64 KiB), whether every MX is covered by a policy "
                "pattern, certificates, and what a compliant sender such as Gmail or Microsoft 365 would do with "
                "each MX in the current mode."</li>
        </ol>
        <p>"Where implementations disagree, StsLens follows the RFC text and says so in the finding."</p>

        <h2>"Self-hosting and the command line"</h2>
        <p>"The same engine ships as one binary, "<code>"stslens"</code>", which serves this site with its relay "
            "and works as a command-line tool ("<code>"stslens check"</code>", "<code>"lint"</code>", "
            <code>"report"</code>", "<code>"generate"</code>") for monitoring and CI."</p>
    }
}
