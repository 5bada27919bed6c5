//! One module per subcommand. Each exposes `Args` (clap) and `run(args) -> Outcome`.

pub mod check;
pub mod generate;
pub mod lint;
pub mod pattern;
pub mod render;
pub mod report;
pub mod serve;

/// How a command ended, mapped onto the contract's exit codes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: the input is fine.
    Fine,
    /// Exit 1: the input has errors; the full result was still printed.
    InputErrors,
    /// Exit 2: usage or I/O failure; the command could not run.
    Failed,
}

impl Outcome {
    /// The process exit code for this outcome.
    pub fn code(self) -> i32 {
        match self {
            Outcome::Fine => 0,
            Outcome::InputErrors => 1,
            Outcome::Failed => 2,
        }
    }
}

/// Prints `stslens: <message>` to stderr and returns [`Outcome::Failed`].
pub fn fail(message: impl std::fmt::Display) -> Outcome {
    eprintln!("stslens: {message}");
    Outcome::Failed
}
