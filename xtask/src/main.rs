//! `cargo xtask serve | dist | test | bench`. See ARCHITECTURE.md.

mod bench;

fn main() {
    let _ = bench::run_all;
}
