//! The `spotcheck` binary.

fn main() -> std::process::ExitCode {
    spotcheck::cli::main()
}
