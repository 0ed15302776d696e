//! The one place where words become text for a remote shell. `ssh` joins everything after
//! the destination into a single string that the remote user's shell parses again, so every
//! word muxdeck sends is quoted here, and nothing else builds remote command text.

use std::ffi::{OsStr, OsString};
use std::os::unix::ffi::{OsStrExt, OsStringExt};

/// Bytes a POSIX shell, bash and zsh all read as themselves outside quotes. Everything else
/// is quoted: bash expands `{a,b}`, zsh expands a leading `=` and `~`, and every shell
/// reads `$`, `` ` ``, `;`, `|`, `&`, blanks, globs and newlines.
fn plain(b: u8) -> bool {
    b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'/' | b':' | b'@' | b'+' | b'-')
}

/// One word quoted so that a POSIX shell (and bash, zsh) reads it back byte for byte: as
/// it is when it holds only plain characters, else in single quotes, where nothing is
/// special but the single quote itself, written as `'\''`. Empty is `''`.
pub fn quote(word: &[u8]) -> Vec<u8> {
    if !word.is_empty() && word.iter().all(|&b| plain(b)) {
        return word.to_vec();
    }
    let mut out = Vec::with_capacity(word.len() + 2);
    out.push(b'\'');
    for &b in word {
        if b == b'\'' {
            out.extend_from_slice(b"'\\''");
        } else {
            out.push(b);
        }
    }
    out.push(b'\'');
    out
}

/// Words joined into one command line for a remote shell, each quoted by [`quote`].
pub fn command_line<'a>(words: impl IntoIterator<Item = &'a OsStr>) -> OsString {
    let mut line = Vec::new();
    for (i, w) in words.into_iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        line.extend(quote(w.as_bytes()));
    }
    OsString::from_vec(line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_stay_as_they_are() {
        assert_eq!(quote(b"list-panes"), b"list-panes");
        assert_eq!(quote(b"/run/tmux"), b"/run/tmux");
    }

    #[test]
    fn everything_else_is_single_quoted() {
        assert_eq!(quote(b""), b"''");
        assert_eq!(quote(b"a;b"), b"'a;b'");
        assert_eq!(quote(b"x$(touch /tmp/pwned)"), b"'x$(touch /tmp/pwned)'");
        assert_eq!(quote(b"'-rf'"), b"''\\''-rf'\\'''");
        assert_eq!(quote(b"{a,b}"), b"'{a,b}'");
        assert_eq!(quote(b"=ls"), b"'=ls'");
        assert_eq!(quote(b"~root"), b"'~root'");
    }

    #[test]
    fn words_are_joined_with_spaces() {
        let words = [OsStr::new("tmux"), OsStr::new("-L"), OsStr::new("a b")];
        assert_eq!(command_line(words), OsString::from("tmux -L 'a b'"));
    }
}
