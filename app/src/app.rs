//! The application shell.

use leptos::prelude::*;

/// The root component.
#[component]
pub fn App() -> impl IntoView {
    view! {
        <main>
            <h1>"StsLens"</h1>
            <p>"MTA-STS and TLS-RPT, checked in your browser."</p>
        </main>
    }
}
