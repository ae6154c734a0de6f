//! The `spotcheck` command line, as the end-to-end tests run it.

fn main() -> std::process::ExitCode {
    spotcheck::cli::main()
}
