//! `cargo xtask bench`: every benchmark in one run, printed as one table of figures and ratios.
//!
//! Each benchmark is a module with `pub fn run(ctx: &Ctx) -> Result<Vec<Figure>, String>`; this file
//! runs them in order and prints the table. A benchmark that cannot run returns `Err` with the
//! reason, which is printed in its row instead of a figure, and the others still run.

mod browser_reports;
mod check;
mod micro;
mod relay;
mod report;
mod site;

use std::path::PathBuf;

/// What a benchmark gets to work with.
pub struct Ctx {
    /// The workspace root.
    pub root: PathBuf,
    /// A scratch directory under target/ for generated inputs.
    pub scratch: PathBuf,
}

/// One measured figure, optionally against its budget.
#[derive(Debug, Clone)]
pub struct Figure {
    /// What was measured, e.g. "report ingestion vs parsedmarc".
    pub name: String,
    /// The measured value, formatted with its unit, e.g. "73.2x" or "212 KiB".
    pub value: String,
    /// The budget, e.g. ">= 50x"; empty when the figure is informative only.
    pub budget: String,
    /// Whether the budget is met (`None` when there is no budget).
    pub met: Option<bool>,
}

/// The benchmarks, in the order they run.
type Bench = (&'static str, fn(&Ctx) -> Result<Vec<Figure>, String>);

const BENCHES: &[Bench] = &[
    ("report ingestion vs parsedmarc", report::run),
    ("report viewer in the browser", browser_reports::run),
    ("domain check vs its critical path", check::run),
    ("relay: 200 concurrent probes", relay::run),
    ("micro-benchmarks (criterion)", micro::run),
    ("site first load", site::run),
];

/// Runs every benchmark whose name contains `only` (all when `None`) and prints the table.
/// Fails if a budget is missed or a benchmark errored.
pub fn run_all(ctx: &Ctx, only: Option<&str>) -> Result<(), String> {
    let mut rows: Vec<Figure> = Vec::new();
    let chosen: Vec<&Bench> = BENCHES
        .iter()
        .filter(|(name, _)| only.is_none_or(|o| name.contains(o)))
        .collect();
    if chosen.is_empty() {
        let names: Vec<&str> = BENCHES.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "no benchmark matches {only:?}; there are: {}",
            names.join(", ")
        ));
    }
    for (name, bench) in chosen {
        eprintln!("xtask bench: running {name}");
        match bench(ctx) {
            Ok(figures) => rows.extend(figures),
            Err(why) => rows.push(Figure {
                name: (*name).to_owned(),
                value: format!("FAILED: {why}"),
                budget: String::new(),
                met: Some(false),
            }),
        }
    }
    if rows.is_empty() {
        return Err(format!(
            "no benchmark is named like {:?}",
            only.unwrap_or("")
        ));
    }
    print_table(&rows);
    if rows.iter().any(|r| r.met == Some(false)) {
        return Err("some benchmarks missed their budget or failed (see the table)".into());
    }
    Ok(())
}

fn print_table(rows: &[Figure]) {
    let w0 = rows.iter().map(|r| r.name.len()).max().unwrap_or(0).max(9);
    let w1 = rows.iter().map(|r| r.value.len()).max().unwrap_or(0).max(6);
    let w2 = rows
        .iter()
        .map(|r| r.budget.len())
        .max()
        .unwrap_or(0)
        .max(6);
    println!(
        "{:<w0$}  {:>w1$}  {:<w2$}  status",
        "benchmark", "figure", "budget"
    );
    for r in rows {
        let status = match r.met {
            Some(true) => "ok",
            Some(false) => "MISSED",
            None => "",
        };
        println!(
            "{:<w0$}  {:>w1$}  {:<w2$}  {status}",
            r.name, r.value, r.budget
        );
    }
}
