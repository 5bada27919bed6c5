//! `ReportStore` over the whole fixture corpus: with no filter it counts exactly what `Ingest`
//! counts, and each filter narrows the aggregate to the matching part of it.

mod reports;

use reports::{fixture, fixtures_dir};
use stslens_core::tlsrpt::{Filter, Ingest, ReportStore, Summary};

fn corpus() -> (Ingest, ReportStore) {
    let mut names: Vec<String> = std::fs::read_dir(fixtures_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| !n.ends_with(".md") && !n.starts_with('.'))
        .collect();
    names.sort();
    let (mut ingest, mut store) = (Ingest::new(), ReportStore::new());
    for name in &names {
        ingest.add_with(name, &fixture(name), |found| store.keep(found));
    }
    // Every fixture once more: all of them are duplicates now (or never merge, lacking a key).
    for name in &names {
        ingest.add_with(&format!("again/{name}"), &fixture(name), |found| {
            store.keep(found)
        });
    }
    (ingest, store)
}

fn summary(ingest: &Ingest, store: &ReportStore, filter: &Filter) -> Summary {
    store.summary(filter, ingest.summary().inputs, ingest.errors())
}

#[test]
fn with_no_filter_the_store_counts_what_ingest_counts() {
    let (ingest, store) = corpus();
    let all = ingest.summary();
    assert!(all.reports > 20 && all.duplicates > 20, "{}", all.reports);
    assert!(!all.errors.is_empty(), "the negatives are in the corpus");
    assert_eq!(summary(&ingest, &store, &Filter::default()), all);
    assert_eq!(store.len() as u64, all.reports);
}

#[test]
fn organizations_partition_the_reports() {
    let (ingest, store) = corpus();
    let all = ingest.summary();
    let (mut reports, mut duplicates, mut ok, mut failed) = (0, 0, 0, 0);
    for row in &all.by_organization {
        let only = Filter {
            organizations: vec![row.organization.clone()],
            ..Filter::default()
        };
        let part = summary(&ingest, &store, &only);
        assert_eq!(part.by_organization, vec![row.clone()]);
        reports += part.reports;
        duplicates += part.duplicates;
        ok += part.totals.successful_sessions;
        failed += part.totals.failed_sessions;
    }
    assert_eq!((reports, duplicates), (all.reports, all.duplicates));
    assert_eq!(
        (ok, failed),
        (all.totals.successful_sessions, all.totals.failed_sessions)
    );
}

#[test]
fn each_day_gives_its_daily_row() {
    let (ingest, store) = corpus();
    let all = ingest.summary();
    let dated: Vec<_> = all.daily.iter().filter(|d| d.date.is_some()).collect();
    assert!(dated.len() > 5);
    for row in dated {
        let day = Filter {
            from: row.date,
            to: row.date,
            ..Filter::default()
        };
        let part = summary(&ingest, &store, &day);
        assert_eq!(part.daily, vec![*row]);
        assert_eq!(part.reports, row.reports);
    }
    let period = all.period.unwrap();
    let whole = Filter {
        from: Some(period.first_day),
        to: Some(period.last_day),
        ..Filter::default()
    };
    let undated = all.daily.iter().find(|d| d.date.is_none());
    assert_eq!(
        summary(&ingest, &store, &whole).reports,
        all.reports - undated.map_or(0, |d| d.reports)
    );
}

#[test]
fn a_result_type_keeps_only_its_failures_and_the_policies_that_had_them() {
    let (ingest, store) = corpus();
    let all = ingest.summary();
    assert!(all.result_types.len() >= 3);
    for row in &all.result_types {
        let only = Filter {
            result_types: vec![row.result_type.clone()],
            ..Filter::default()
        };
        let part = summary(&ingest, &store, &only);
        assert_eq!(part.result_types, vec![row.clone()]);
        assert_eq!(part.totals.failed_sessions_in_details, row.failed_sessions);
        let mx: u64 = part.by_mx.iter().map(|m| m.failed_sessions).sum();
        let ips: u64 = part.by_sending_ip.iter().map(|m| m.failed_sessions).sum();
        assert_eq!((mx, ips), (row.failed_sessions, row.failed_sessions));
        assert!(part.reports >= 1 && part.reports <= all.reports);
        let mut rows = 0;
        store.rows(&only, |r| {
            assert_eq!(r.result_type.unwrap_or("(missing)"), row.result_type);
            rows += 1;
        });
        assert!(rows >= 1);
    }
}
