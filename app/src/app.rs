//! The application shell: header with navigation, the routes of design §5, footer.

use crate::pages::{
    about::About, check::CheckPage, generate::Generate, home::Home, not_found::NotFound,
    reports::Reports, settings::SettingsPage,
};
use leptos::prelude::*;
use leptos_router::{
    components::{A, Route, Router, Routes},
    path,
};

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <Router>
            <a class="skip-link" href="#content">"Skip to content"</a>
            <header class="site-header">
                <div class="bar">
                    <A href="/" exact=true attr:class="brand">
                        <Logo/>
                        "StsLens"
                    </A>
                    <nav class="site-nav" aria-label="Main">
                        <A href="/" exact=true>"Check"</A>
                        <A href="/reports">"Reports"</A>
                        <A href="/generate">"Generate"</A>
                        <A href="/settings">"Settings"</A>
                        <A href="/about">"About"</A>
                    </nav>
                </div>
            </header>
            <main id="content" tabindex="-1">
                <Routes fallback=|| view! { <NotFound/> }>
                    <Route path=path!("/") view=Home/>
                    <Route path=path!("/check/:domain") view=CheckPage/>
                    <Route path=path!("/settings") view=SettingsPage/>
                    <Route path=path!("/about") view=About/>
                    <Route path=path!("/generate") view=Generate/>
                    <Route path=path!("/reports") view=Reports/>
                </Routes>
            </main>
            <footer class="site-footer">
                "StsLens checks MTA-STS (RFC 8461) and TLS-RPT (RFC 8460). Reports you open never leave your browser."
            </footer>
        </Router>
    }
}

/// A padlock over an envelope, drawn inline so no image request is needed.
#[component]
fn Logo() -> impl IntoView {
    view! {
        <svg viewBox="0 0 24 24" aria-hidden="true" fill="none" stroke="currentColor" stroke-width="1.8">
            <rect x="2.5" y="8" width="19" height="13" rx="2"/>
            <path d="M3 9l9 6 9-6"/>
            <path d="M8.5 8V6a3.5 3.5 0 0 1 7 0v2"/>
        </svg>
    }
}
