//! `muxdeck`: parse the command line, load the config, then open the TUI or run a
//! subcommand. Every failure is one line on stderr and an exit code (2: usage or config,
//! 1: the operation failed).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::error::ErrorKind;
use clap::{CommandFactory, Parser};

use cli::{Cli, Command, ConfigAction, InitArgs, SessionCommand};
use muxdeck::config::{self, ConfigSource};
use muxdeck::engine::Engine;

fn main() -> ExitCode {
    // A shell asking for completions (`COMPLETE=bash muxdeck -- muxdeck stop ''`) is
    // answered here, and muxdeck exits.
    cli::complete::note_asking_shell();
    clap_complete::CompleteEnv::with_factory(Cli::command)
        .var(cli::complete::COMPLETE_VAR)
        .complete();
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let source = config::locate(cli.config.as_deref());
    let command = match cli.command {
        Some(Command::Config {
            action: ConfigAction::Init(init),
        }) if init.captures() => Run::Init(init),
        Some(Command::Config { action }) => return cli::config(action, &source),
        Some(Command::Completions { shell }) => {
            return print_with(|out| cli::complete::write_script(shell, out));
        }
        Some(Command::Man) => {
            return print_with(|out| cli::manpage::write_page(Cli::command(), out));
        }
        Some(Command::Session(c)) => Run::Session(c),
        None => Run::Screen,
    };
    let config = match config::load(&source) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("muxdeck: {e}");
            return ExitCode::from(2);
        }
    };
    let Some(runtime) = runtime() else {
        return ExitCode::from(1);
    };
    let engine = Engine::new(config);
    // Without a terminal (a pipe, cron, CI) there is no screen to open: print the list.
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let code = match command {
        Run::Screen if interactive => run_tui(&runtime, engine, source),
        Run::Screen => run_command(&runtime, &engine, LIST),
        Run::Session(c) => run_command(&runtime, &engine, c),
        Run::Init(init) => {
            let file = source.path().map_or_else(
                || std::path::PathBuf::from("config.yml"),
                |p| p.to_path_buf(),
            );
            block_on_command(&runtime, async {
                let mut out = std::io::stdout().lock();
                cli::config_init(&engine, &init, &file, &mut out).await
            })
        }
    };
    // Children of follow streams are killed on drop; do not wait for blocking readers.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
    code
}

/// Prints what `write` writes to stdout; a closed stdout (`| head`) is not an error.
fn print_with(write: impl FnOnce(&mut dyn std::io::Write) -> std::io::Result<()>) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match write(&mut out).and_then(|()| std::io::Write::flush(&mut out)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("muxdeck: cannot write output: {e}");
            ExitCode::from(1)
        }
    }
}

/// What needs the engine: the screen, a subcommand about sessions, or `config init` of
/// sessions that run.
enum Run {
    Screen,
    Session(SessionCommand),
    Init(InitArgs),
}

/// What muxdeck does without a subcommand and without a terminal.
const LIST: SessionCommand = SessionCommand::List {
    json: false,
    backend: None,
    hosts: Vec::new(),
    stats: false,
    sort: None,
    reverse: false,
};

/// The async runtime; None (said on stderr) when the system cannot give one.
fn runtime() -> Option<tokio::runtime::Runtime> {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => Some(r),
        Err(e) => {
            eprintln!("muxdeck: cannot start the async runtime: {e}");
            None
        }
    }
}

/// The interactive screen; a bad `keys:` is a config error (2), anything else 1.
fn run_tui(runtime: &tokio::runtime::Runtime, engine: Engine, source: ConfigSource) -> ExitCode {
    match runtime.block_on(muxdeck::tui::run(engine, source)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e @ muxdeck::tui::TuiError::Keys { .. }) => {
            eprintln!("muxdeck: {e}");
            ExitCode::from(2)
        }
        Err(e) => {
            eprintln!("muxdeck: {e}");
            ExitCode::from(1)
        }
    }
}

/// A subcommand about sessions; a closed stdout (`| head`) is not an error.
fn run_command(
    runtime: &tokio::runtime::Runtime,
    engine: &Engine,
    command: SessionCommand,
) -> ExitCode {
    block_on_command(runtime, cli::run(engine, command))
}

/// Runs a subcommand to its exit code; its error is one line on stderr.
fn block_on_command(
    runtime: &tokio::runtime::Runtime,
    command: impl std::future::Future<Output = Result<i32, cli::CliError>>,
) -> ExitCode {
    let code = runtime.block_on(async {
        match command.await {
            Ok(code) => code,
            Err(cli::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => {
                eprintln!("muxdeck: {e}");
                e.exit_code()
            }
        }
    });
    ExitCode::from(u8::try_from(code).unwrap_or(1))
}

/// Help and version print in full (exit 0); every usage error is one line on stderr, as
/// every other error is, with exit code 2.
fn usage_error(e: &clap::Error) -> ExitCode {
    match e.kind() {
        ErrorKind::DisplayHelp | ErrorKind::DisplayVersion => {
            // Printing help can only fail on a closed stdout: nothing left to tell anyone.
            let _ = e.print();
            ExitCode::SUCCESS
        }
        _ => {
            eprintln!("muxdeck: {}", cli::usage_line(&e.render().to_string()));
            ExitCode::from(2)
        }
    }
}
