//! Running commands: each one is echoed before it runs, and a failure says which command failed.

use std::ffi::OsStr;
use std::fmt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Why a task failed, in words for the user.
#[derive(Debug)]
pub struct Fail(String);

impl Fail {
    /// A failure with a message.
    pub fn msg(m: impl Into<String>) -> Fail {
        Fail(m.into())
    }
    /// A file-system failure on `path`.
    pub fn io(path: &Path, e: std::io::Error) -> Fail {
        Fail(format!("{}: {e}", path.display()))
    }
}

impl fmt::Display for Fail {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// The workspace root (the parent of xtask/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("xtask lives in the workspace")
        .to_owned()
}

/// A command to run from the workspace root, echoed unless `quiet`.
pub struct Cmd {
    inner: Command,
    shown: String,
    quiet: bool,
}

impl Cmd {
    /// `program`, run from the workspace root.
    pub fn new(program: impl AsRef<OsStr>) -> Cmd {
        let mut inner = Command::new(program.as_ref());
        inner.current_dir(root());
        Cmd {
            inner,
            shown: program.as_ref().to_string_lossy().into_owned(),
            quiet: false,
        }
    }
    /// Adds one argument.
    pub fn arg(mut self, a: impl AsRef<OsStr>) -> Cmd {
        self.shown.push(' ');
        self.shown.push_str(&a.as_ref().to_string_lossy());
        self.inner.arg(a);
        self
    }
    /// Adds arguments.
    pub fn args<I, S>(mut self, args: I) -> Cmd
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        for a in args {
            self = self.arg(a);
        }
        self
    }
    /// Sets an environment variable.
    pub fn env(mut self, k: impl AsRef<OsStr>, v: impl AsRef<OsStr>) -> Cmd {
        self.inner.env(k, v);
        self
    }
    /// Runs in `dir` instead of the workspace root.
    pub fn current_dir(mut self, dir: impl AsRef<Path>) -> Cmd {
        self.inner.current_dir(dir);
        self
    }
    /// Does not echo the command (for probes like `--version`).
    pub fn quiet(mut self) -> Cmd {
        self.quiet = true;
        self
    }
    /// Runs with inherited stdio; fails unless it exits 0.
    pub fn run(mut self) -> Result<(), Fail> {
        if !self.quiet {
            eprintln!("$ {}", self.shown);
        }
        let status = self
            .inner
            .status()
            .map_err(|e| Fail(format!("could not start `{}`: {e}", self.shown)))?;
        if status.success() {
            Ok(())
        } else {
            Err(Fail(format!("`{}` failed ({status})", self.shown)))
        }
    }
    /// Runs capturing stdout; fails unless it exits 0.
    pub fn output(mut self) -> Result<String, Fail> {
        let out = self
            .inner
            .stderr(Stdio::null())
            .output()
            .map_err(|e| Fail(format!("could not start `{}`: {e}", self.shown)))?;
        if out.status.success() {
            Ok(String::from_utf8_lossy(&out.stdout).into_owned())
        } else {
            Err(Fail(format!("`{}` failed ({})", self.shown, out.status)))
        }
    }
}

/// PATH with `dir` in front, for tools installed into the project.
pub fn path_with(dir: &Path) -> std::ffi::OsString {
    let mut paths = vec![dir.to_owned()];
    if let Some(p) = std::env::var_os("PATH") {
        paths.extend(std::env::split_paths(&p));
    }
    std::env::join_paths(paths).expect("PATH entries contain no separator")
}
