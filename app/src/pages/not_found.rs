//! Any path the router does not know.

use leptos::prelude::*;
use leptos_router::components::A;

/// The 404 page.
#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1>"Page not found"</h1>
        <p>"There is nothing at this address. "<A href="/">"Check a domain"</A>" or "<A href="/reports">"open reports"</A>"."</p>
    }
}
