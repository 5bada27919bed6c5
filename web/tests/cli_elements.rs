//! Element bombs, CLI side: reports whose JSON is small for the memory their model takes
//! (thousands of empty failure details, `{}`, a few bytes each and about 1 KiB once parsed).
//! `stslens report` must refuse one past the element cap, naming it, and count the rest; and
//! many reports just under the cap must not pile up in memory while they wait to be counted.
//!
//! Alone in its test binary so that nothing else runs beside the measured child.

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// A report of one policy with `details` empty failure details.
fn empty_details(id: usize, details: usize) -> String {
    let details = vec!["{}"; details].join(",");
    format!(
        r#"{{"organization-name":"o","report-id":"{id}","policies":[{{"summary":{{"total-successful-session-count":1,"total-failure-session-count":0}},"failure-details":[{details}]}}]}}"#
    )
}

/// Runs `stslens report --json FILES` and returns its exit code, JSON output, stderr and peak
/// RSS in MiB (from wait4, so it is this child's own).
fn run_report(files: &[PathBuf]) -> (i32, Value, String, i64) {
    // Reaped below by wait4, which (unlike `Child::wait`) also gives this child's rusage.
    #[allow(clippy::zombie_processes)]
    let child = Command::new(env!("CARGO_BIN_EXE_stslens"))
        .arg("report")
        .arg("--json")
        .args(files)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let pid = child.id() as libc::pid_t;
    let (mut stdout, mut stderr) = (child.stdout.unwrap(), child.stderr.unwrap());
    let err = std::thread::spawn(move || {
        let mut text = String::new();
        std::io::Read::read_to_string(&mut stderr, &mut text).unwrap();
        text
    });
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut stdout, &mut out).unwrap();
    let stderr = err.join().unwrap();
    let mut status = 0;
    let mut usage = std::mem::MaybeUninit::<libc::rusage>::zeroed();
    // SAFETY: wait4 writes the status and a complete `rusage` into the pointers it is given.
    let rc = unsafe { libc::wait4(pid, &mut status, 0, usage.as_mut_ptr()) };
    assert_eq!(rc, pid, "wait4 failed");
    // SAFETY: initialised by the successful call above.
    let peak_kib = unsafe { usage.assume_init() }.ru_maxrss;
    assert!(libc::WIFEXITED(status), "stslens did not exit: {status}");
    let json = serde_json::from_slice(&out).unwrap();
    (libc::WEXITSTATUS(status), json, stderr, peak_kib / 1024)
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn a_report_past_the_element_cap_is_refused_by_name_and_the_others_are_counted() {
    let dir = scratch("cli_elements_bomb");
    // 20 MiB of `{}`: about 7 million elements, 7 GiB and 40 s before the cap.
    let bomb = dir.join("bomb.json");
    std::fs::write(&bomb, empty_details(0, (20 * 1024 * 1024 - 200) / 3)).unwrap();
    let good = dir.join("good.json");
    std::fs::write(&good, empty_details(1, 2)).unwrap();

    let (code, v, stderr, peak_mib) = run_report(&[bomb.clone(), good]);
    assert_eq!(code, 1, "an input failed: {stderr}");
    assert_eq!(v["reports"], 1, "the good report is counted");
    let errors = v["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 1, "{errors:?}");
    let bomb = bomb.to_string_lossy().into_owned();
    assert_eq!(errors[0]["source"], bomb.as_str());
    let message = errors[0]["message"].as_str().unwrap();
    assert!(message.contains("more than 100,000 elements"), "{message}");
    assert!(
        stderr.contains(&format!("stslens: {bomb}: {message}")),
        "{stderr}"
    );
    eprintln!("element bomb: peak RSS {peak_mib} MiB");
    assert!(peak_mib < 200, "peak RSS {peak_mib} MiB");
}

#[test]
fn many_reports_just_under_the_element_cap_do_not_pile_up_in_memory() {
    let dir = scratch("cli_elements_many");
    // Each 150 KB of JSON and about 50 MiB once parsed. Weighed by their JSON, all eight fit
    // the workers' 16 MiB budget for inputs waiting to be counted, and the run peaked at
    // 320 MiB; weighed by what they hold, a few at a time are in memory.
    let files: Vec<PathBuf> = (0..8)
        .map(|i| {
            let path = dir.join(format!("{i}.json"));
            std::fs::write(&path, empty_details(i, 49_999)).unwrap();
            path
        })
        .collect();
    let (code, v, stderr, peak_mib) = run_report(&files);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(v["reports"], 8);
    assert_eq!(v["totals"]["successful_sessions"], 8);
    eprintln!("8 reports of 50,000 elements: peak RSS {peak_mib} MiB");
    assert!(peak_mib < 200, "peak RSS {peak_mib} MiB");
}
