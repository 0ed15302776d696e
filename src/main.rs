//! `muxdeck`: parse the command line, load the config, then open the TUI or run a
//! subcommand. Every failure is one line on stderr and an exit code (2: usage or config,
//! 1: the operation failed).

mod cli;

use std::io::IsTerminal;
use std::process::ExitCode;

use clap::Parser;
use clap::error::ErrorKind;

use cli::{Cli, Command, ConfigAction};
use muxdeck::config;
use muxdeck::engine::Engine;

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => return usage_error(&e),
    };
    let source = config::locate(cli.config.as_deref());
    if let Some(Command::Config {
        action: ConfigAction::Path,
    }) = &cli.command
    {
        return match source.path() {
            Some(p) => {
                println!("{}", p.display());
                ExitCode::SUCCESS
            }
            None => {
                eprintln!("muxdeck: no config folder is known on this system; use --config PATH");
                ExitCode::from(2)
            }
        };
    }
    let config = match config::load(&source) {
        Ok(c) => c,
        Err(e) => {
            eprintln!("muxdeck: {e}");
            return ExitCode::from(2);
        }
    };
    if let Some(Command::Config {
        action: ConfigAction::Check,
    }) = &cli.command
    {
        match &config.path {
            Some(p) if p.exists() => println!(
                "config {} is valid: {} session{}",
                p.display(),
                config.sessions.len(),
                if config.sessions.len() == 1 { "" } else { "s" }
            ),
            _ => println!("no config file: muxdeck runs on discovery alone"),
        }
        return ExitCode::SUCCESS;
    }
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("muxdeck: cannot start the async runtime: {e}");
            return ExitCode::from(1);
        }
    };
    let engine = Engine::new(config);
    // Without a terminal (a pipe, cron, CI) there is no screen to open: print the list.
    let interactive = std::io::stdin().is_terminal() && std::io::stdout().is_terminal();
    let command = match cli.command {
        None if !interactive => Some(Command::List {
            json: false,
            backend: None,
        }),
        other => other,
    };
    let Some(command) = command else {
        let result = runtime.block_on(muxdeck::tui::run(engine, source));
        runtime.shutdown_timeout(std::time::Duration::from_millis(100));
        return match result {
            Ok(()) => ExitCode::SUCCESS,
            Err(e @ muxdeck::tui::TuiError::Keys { .. }) => {
                eprintln!("muxdeck: {e}");
                ExitCode::from(2)
            }
            Err(e) => {
                eprintln!("muxdeck: {e}");
                ExitCode::from(1)
            }
        };
    };
    let code = runtime.block_on(async {
        match cli::run(&engine, command).await {
            Ok(code) => code,
            Err(cli::CliError::Output(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => 0,
            Err(e) => {
                eprintln!("muxdeck: {e}");
                e.exit_code()
            }
        }
    });
    // Children of follow streams are killed on drop; do not wait for blocking readers.
    runtime.shutdown_timeout(std::time::Duration::from_millis(100));
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
