//! What the config loader refuses before YAML sees the text: anything but a regular file,
//! more than [`MAX_CONFIG_BYTES`], and nesting deeper than [`MAX_DEPTH`]. libyaml takes
//! time quadratic in the nesting depth (200 KB of `[[[…` took 36 s), so the depth is
//! measured by a linear scan first.

use std::fs::{File, Metadata, OpenOptions};
use std::io::Read;
use std::os::unix::fs::{FileTypeExt, OpenOptionsExt};
use std::path::Path;

/// Largest config file read: 1 MiB, some thousand times a real one.
pub const MAX_CONFIG_BYTES: u64 = 1 << 20;

/// Deepest nesting accepted. A real config nests 4 levels (`sessions` › name › `env` ›
/// key); at this depth libyaml is still fast on a file of [`MAX_CONFIG_BYTES`].
pub const MAX_DEPTH: usize = 32;

/// Why a config file was not read.
#[derive(Debug)]
pub enum ReadFailure {
    /// Opening or reading failed (including: it does not exist).
    Io(std::io::Error),
    /// Not a regular file; what it is instead ("named pipe (FIFO)", "folder"...).
    NotAFile(&'static str),
    /// Larger than [`MAX_CONFIG_BYTES`].
    TooLarge,
}

/// Reads a config file: refuses what is not a regular file without reading from it
/// (a FIFO would block, `/dev/zero` would never end), and reads at most one byte beyond
/// [`MAX_CONFIG_BYTES`], so a file that grows while read is refused too.
pub fn read_config_file(path: &Path) -> Result<String, ReadFailure> {
    // The path is looked at first so that a device is never even opened (opening one can
    // have effects of its own); the opened file is looked at again, in case the path was
    // replaced in between. O_NONBLOCK keeps that open from waiting for a FIFO's writer.
    check_regular(&std::fs::metadata(path).map_err(ReadFailure::Io)?)?;
    let file = OpenOptions::new()
        .read(true)
        .custom_flags(libc::O_NONBLOCK)
        .open(path)
        .map_err(ReadFailure::Io)?;
    check_regular(&file.metadata().map_err(ReadFailure::Io)?)?;
    read_capped(file)
}

fn check_regular(meta: &Metadata) -> Result<(), ReadFailure> {
    let t = meta.file_type();
    let kind = if t.is_file() {
        return if meta.len() > MAX_CONFIG_BYTES {
            Err(ReadFailure::TooLarge)
        } else {
            Ok(())
        };
    } else if t.is_dir() {
        "folder"
    } else if t.is_fifo() {
        "named pipe (FIFO)"
    } else if t.is_char_device() {
        "character device"
    } else if t.is_block_device() {
        "block device"
    } else if t.is_socket() {
        "socket"
    } else {
        "special file"
    };
    Err(ReadFailure::NotAFile(kind))
}

fn read_capped(file: File) -> Result<String, ReadFailure> {
    let mut bytes = Vec::new();
    file.take(MAX_CONFIG_BYTES + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadFailure::Io)?;
    if u64::try_from(bytes.len()).map_or(true, |n| n > MAX_CONFIG_BYTES) {
        return Err(ReadFailure::TooLarge);
    }
    String::from_utf8(bytes).map_err(|e| {
        ReadFailure::Io(std::io::Error::new(
            std::io::ErrorKind::InvalidData,
            format!("not UTF-8 text (byte {})", e.utf8_error().valid_up_to()),
        ))
    })
}

/// Where the nesting first goes deeper than [`MAX_DEPTH`]: 1-based line and column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TooDeep {
    /// Line.
    pub line: usize,
    /// Column.
    pub column: usize,
}

/// Measures how deep `text` nests, in one pass, and stops at the first place deeper than
/// [`MAX_DEPTH`].
///
/// Hand-written because no YAML event parser without `unsafe` is among the dependencies,
/// and this only needs a bound, not a parse: block levels are the open indentation
/// columns (a `- ` entry is a level of its own, also at its parent's column), flow levels
/// are open `[`/`{`, skipping quoted scalars, comments and block scalar bodies. A scalar
/// counts as a level too, so the measure errs high by one, never low on valid YAML;
/// invalid YAML that it misjudges is refused by serde_yaml anyway.
pub fn check_depth(text: &str) -> Result<(), TooDeep> {
    let mut scan = Scan::default();
    for (i, line) in text.lines().enumerate() {
        scan.line(line, i + 1)?;
    }
    Ok(())
}

/// The kind of a block level: a sequence entry may share its parent mapping's column.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Level {
    Seq,
    Node,
}

#[derive(Default)]
struct Scan {
    /// Open block levels: column and kind.
    block: Vec<(usize, Level)>,
    /// Open flow collections.
    flow: usize,
    /// The quote of a quoted scalar still open at the end of the previous line.
    quote: Option<char>,
    /// Inside a block scalar (`|`, `>`) whose node starts at this column: lines indented
    /// deeper are its text.
    block_scalar: Option<usize>,
}

impl Scan {
    fn line(&mut self, line: &str, number: usize) -> Result<(), TooDeep> {
        let indent = line.len() - line.trim_start_matches(' ').len();
        let rest = &line[indent..];
        if let Some(parent) = self.block_scalar {
            if rest.is_empty() || indent > parent {
                return Ok(());
            }
            self.block_scalar = None;
        }
        let mut col = indent;
        if self.quote.is_none() && self.flow == 0 {
            if rest.is_empty() || rest.starts_with('#') {
                return Ok(());
            }
            if indent == 0 && (rest.starts_with("---") || rest.starts_with("...")) {
                self.block.clear();
                return Ok(());
            }
            col = self.block_levels(line, indent, number)?;
        }
        self.inline(line, col, number)
    }

    /// Opens the block levels of a line that starts in block context: one per leading
    /// `- `/`? `/`: ` indicator, and one for the node after them. Returns the node's column.
    fn block_levels(&mut self, line: &str, indent: usize, number: usize) -> Result<usize, TooDeep> {
        let bytes = line.as_bytes();
        let mut col = indent;
        loop {
            let indicator = matches!(bytes.get(col), Some(b'-' | b'?' | b':'))
                && matches!(bytes.get(col + 1), None | Some(b' '));
            if !indicator {
                break;
            }
            self.open(col, Level::Seq, number)?;
            col += 1;
            while bytes.get(col) == Some(&b' ') {
                col += 1;
            }
        }
        if col < bytes.len() && bytes[col] != b'#' {
            self.open(col, Level::Node, number)?;
        }
        Ok(col)
    }

    fn open(&mut self, col: usize, kind: Level, number: usize) -> Result<(), TooDeep> {
        while let Some(&(c, k)) = self.block.last() {
            if c > col || (c == col && k == Level::Seq && kind == Level::Node) {
                self.block.pop();
            } else {
                break;
            }
        }
        if self.block.last() != Some(&(col, kind)) {
            self.block.push((col, kind));
        }
        self.check(number, col)
    }

    fn check(&self, line: usize, col: usize) -> Result<(), TooDeep> {
        if self.block.len() + self.flow > MAX_DEPTH {
            return Err(TooDeep {
                line,
                column: col + 1,
            });
        }
        Ok(())
    }

    /// Follows quotes, flow brackets and comments from byte `from` to the end of the line,
    /// and notes a block scalar that starts here.
    fn inline(&mut self, line: &str, from: usize, number: usize) -> Result<(), TooDeep> {
        // The character just before, and the last one that is not a space: a quote or a
        // bracket opens something only where a value starts (`key: [`, `- '`, `[a, "`),
        // not inside a plain scalar (`command: echo [x`, `don't`).
        let mut prev: Option<char> = None;
        let mut significant: Option<char> = None;
        let mut header = false;
        // Inside a plain scalar of block context: nothing opens until a `: ` ends a key.
        let mut plain = false;
        let mut chars = line[from..].char_indices().peekable();
        while let Some((i, c)) = chars.next() {
            if let Some(q) = self.quote {
                if q == '"' && c == '\\' {
                    chars.next();
                } else if c == q {
                    if q == '\'' && chars.peek().is_some_and(|(_, n)| *n == '\'') {
                        chars.next();
                    } else {
                        self.quote = None;
                    }
                }
                prev = Some(c);
                significant = Some(c);
                continue;
            }
            let starts_value = !plain
                && prev.is_none_or(|p| " [{,:-?".contains(p))
                && significant.is_none_or(|p| "[{,:-?".contains(p));
            match c {
                '#' if prev.is_none_or(char::is_whitespace) => break,
                '"' | '\'' if starts_value => self.quote = Some(c),
                '[' | '{' if self.flow > 0 || starts_value => {
                    self.flow += 1;
                    self.check(number, from + i)?;
                }
                ']' | '}' if self.flow > 0 => self.flow -= 1,
                '|' | '>' if self.flow == 0 && starts_value => header = true,
                ' ' => {}
                _ if header && matches!(c, '+' | '-' | '1'..='9') => {}
                ':' if self.flow == 0 && chars.peek().is_none_or(|(_, n)| *n == ' ') => {
                    header = false;
                    plain = false;
                }
                _ => {
                    header = false;
                    plain = self.flow == 0;
                }
            }
            prev = Some(c);
            if c != ' ' {
                significant = Some(c);
            }
        }
        if header && self.quote.is_none() && self.flow == 0 {
            self.block_scalar = Some(from);
        }
        Ok(())
    }
}
