//! The one owner of the real terminal. `enter` and `exit` are idempotent, `exit` runs on
//! drop, and a panic hook restores the screen before the panic message prints, so the
//! user's terminal comes back on every path, and exactly once.

use std::cell::Cell;
use std::io::{Stdout, Write, stdout};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use crossterm::cursor::Show;
use crossterm::event::{DisableMouseCapture, EnableMouseCapture};
use crossterm::execute;
use crossterm::terminal::{
    Clear, ClearType, EnterAlternateScreen, LeaveAlternateScreen, disable_raw_mode, enable_raw_mode,
};
use ratatui::Terminal;
use ratatui::backend::CrosstermBackend;

/// Whether the terminal is in TUI mode. One flag for the whole process, shared by
/// [`Tui`], [`restore`] and the panic hook, so the terminal is put back exactly once.
/// Putting it back twice is not harmless: leaving the alternate screen makes terminals
/// (xterm, tmux) move the cursor back to where it was when the screen was entered, even
/// when already on the main screen. After a panic, the hook restored the terminal and the
/// message printed, then the drop of [`Tui`] restored it again: the cursor jumped above
/// the message and the shell's next lines overwrote it.
static ACTIVE: AtomicBool = AtomicBool::new(false);

/// Held while a frame is written and while the terminal is put back, so a panic hook on
/// another thread never leaves the alternate screen in the middle of a frame (the rest of
/// the frame would land on the user's screen, over the panic message).
static SCREEN: Mutex<()> = Mutex::new(());

/// Set once the panic hook has put the terminal back and printed the panic message, so the
/// event loop's own last line comes after it, never inside it.
static PANIC_REPORTED: AtomicBool = AtomicBool::new(false);

thread_local! {
    /// Whether this thread holds [`SCREEN`] for a frame: a panic inside the frame must not
    /// wait for the lock its own thread holds.
    static DRAWING: Cell<bool> = const { Cell::new(false) };
}

/// Whether the terminal is in TUI mode. False while the TUI runs means something else
/// (the panic hook, after a panic in a background task) gave the terminal back.
pub fn active() -> bool {
    ACTIVE.load(Ordering::SeqCst)
}

/// Runs `paint` while the terminal is in TUI mode and no one can put it back meanwhile;
/// `None` when it is no longer in TUI mode (a background task panicked).
pub fn while_active<R>(paint: impl FnOnce() -> R) -> Option<R> {
    let _held = SCREEN.lock().unwrap_or_else(PoisonError::into_inner);
    if !active() {
        return None;
    }
    DRAWING.with(|d| d.set(true));
    let painted = paint();
    DRAWING.with(|d| d.set(false));
    Some(painted)
}

/// Waits, at most `limit`, until the panic hook has printed its message: the terminal was
/// given back by a panic on another thread, and what the app prints next belongs below it.
pub fn await_panic_report(limit: Duration) {
    let started = Instant::now();
    while !PANIC_REPORTED.load(Ordering::SeqCst) && started.elapsed() < limit {
        std::thread::sleep(Duration::from_millis(5));
    }
}

/// The terminal in TUI mode (raw, alternate screen, mouse reporting) between `enter` and
/// `exit`.
pub struct Tui {
    /// The ratatui terminal.
    pub terminal: Terminal<CrosstermBackend<Stdout>>,
    /// Whether `enter` turns mouse reporting on (the config's `mouse:`). Off, the
    /// terminal keeps the mouse for its own text selection.
    mouse: bool,
}

/// Puts the terminal back: mouse off (whether or not it was on: turning it off is
/// harmless), main screen, cooked mode, cursor visible. Safe to
/// call at any time and more than once: only the first call after entering does anything.
pub fn restore() {
    let _held = if DRAWING.with(Cell::get) {
        None
    } else {
        Some(SCREEN.lock().unwrap_or_else(PoisonError::into_inner))
    };
    if !ACTIVE.swap(false, Ordering::SeqCst) {
        return;
    }
    let mut out = stdout();
    let _ = execute!(out, DisableMouseCapture, LeaveAlternateScreen, Show);
    let _ = disable_raw_mode();
    let _ = out.flush();
}

/// Makes panics restore the terminal first, so the message is readable and the shell usable.
pub fn install_panic_hook() {
    let previous = std::panic::take_hook();
    std::panic::set_hook(Box::new(move |info| {
        restore();
        previous(info);
        PANIC_REPORTED.store(true, Ordering::SeqCst);
    }));
}

impl Tui {
    /// A terminal on stdout, not yet entered; `mouse` turns mouse reporting on while in.
    pub fn new(mouse: bool) -> std::io::Result<Self> {
        Ok(Tui {
            terminal: Terminal::new(CrosstermBackend::new(stdout()))?,
            mouse,
        })
    }

    /// Turns mouse reporting on or off, now if the screen is in TUI mode, else at the
    /// next `enter` (a config reload changed `mouse:`).
    pub fn set_mouse(&mut self, on: bool) -> std::io::Result<()> {
        if on == self.mouse {
            return Ok(());
        }
        self.mouse = on;
        if active() {
            if on {
                execute!(stdout(), EnableMouseCapture)?;
            } else {
                execute!(stdout(), DisableMouseCapture)?;
            }
        }
        Ok(())
    }

    /// Raw mode, alternate screen, mouse if asked for; clears so the next draw paints
    /// everything.
    pub fn enter(&mut self) -> std::io::Result<()> {
        if active() {
            return Ok(());
        }
        enable_raw_mode()?;
        ACTIVE.store(true, Ordering::SeqCst);
        execute!(stdout(), EnterAlternateScreen, Clear(ClearType::All))?;
        if self.mouse {
            execute!(stdout(), EnableMouseCapture)?;
        }
        // A new ratatui terminal has blank buffers, so its first draw paints every cell of
        // the blank screen. Not `Terminal::clear`: it asks the terminal where the cursor is,
        // and after a hand-over that query fails at once ("cursor position could not be
        // read"), woken by the wake-up the dropped `EventStream` left pending, which made
        // muxdeck exit on the way back from every attach.
        self.terminal = Terminal::new(CrosstermBackend::new(stdout()))?;
        Ok(())
    }

    /// Back to the user's terminal as it was.
    pub fn exit(&mut self) {
        restore();
    }
}

impl Drop for Tui {
    fn drop(&mut self) {
        self.exit();
    }
}
