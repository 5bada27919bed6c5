//! Entry point of the StsLens web app: mounts [`App`] on `<body>`.

mod app;

fn main() {
    leptos::mount::mount_to_body(app::App);
}
