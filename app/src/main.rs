//! Entry point: mounts [`stslens_app::App`] on `<body>`.

fn main() {
    leptos::mount::mount_to_body(stslens_app::App);
}
