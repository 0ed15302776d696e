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

/// Like [`quote`], for a command that must fit on one line (the requests of the host's
/// channel, read with `read -r`): each newline becomes `'"$nl"'`, which the shell that
/// evaluates the line reads back as a newline when its variable `nl` holds one.
pub fn quote_one_line(word: &[u8]) -> Vec<u8> {
    let quoted = quote(word);
    let mut out = Vec::with_capacity(quoted.len());
    for &b in &quoted {
        if b == b'\n' {
            out.extend_from_slice(b"'\"$nl\"'");
        } else {
            out.push(b);
        }
    }
    out
}

/// Words joined into one line, each quoted by [`quote_one_line`].
pub fn one_line<'a>(words: impl IntoIterator<Item = &'a OsStr>) -> OsString {
    let mut line = Vec::new();
    for (i, w) in words.into_iter().enumerate() {
        if i > 0 {
            line.push(b' ');
        }
        line.extend(quote_one_line(w.as_bytes()));
    }
    OsString::from_vec(line)
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

    /// What `shell` makes of `line`: the words it passes to printf, NUL-separated. `nl`
    /// holds a newline, as in the host channel's loop, and the line is `eval`ed as there.
    fn words_seen_by(shell: &str, line: &[u8]) -> Option<Vec<u8>> {
        let mut script = b"printf '%s\\0' ".to_vec();
        script.extend_from_slice(line);
        let out = std::process::Command::new(shell)
            .arg("-c")
            .arg(OsString::from_vec(script))
            .output()
            .ok()?;
        out.status.success().then_some(out.stdout)
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(64))]

        /// Any bytes but NUL (which no argument can hold) come back whole through sh and
        /// bash (bash adds brace expansion, which `{a,b}` would trigger unquoted).
        #[test]
        fn random_words_survive_a_round_trip_through_the_shells(
            words in proptest::collection::vec(
                proptest::collection::vec(1u8..=255, 0..24), 1..4)
        ) {
            let os: Vec<OsString> = words.iter().map(|w| OsString::from_vec(w.clone())).collect();
            let line = command_line(os.iter().map(OsString::as_os_str));
            let mut expected = Vec::new();
            for w in &words {
                expected.extend_from_slice(w);
                expected.push(0);
            }
            for shell in ["sh", "bash"] {
                let seen = words_seen_by(shell, line.as_bytes());
                proptest::prop_assert_eq!(seen.as_ref(), Some(&expected), "{} read {:?}", shell, line);
            }
        }

        /// A line for the channel is one line, and `eval` with `nl` set reads it back.
        #[test]
        fn one_line_words_survive_eval(
            words in proptest::collection::vec(
                proptest::collection::vec(1u8..=255, 0..24), 1..4)
        ) {
            let os: Vec<OsString> = words.iter().map(|w| OsString::from_vec(w.clone())).collect();
            let line = one_line(os.iter().map(OsString::as_os_str));
            proptest::prop_assert!(!line.as_bytes().contains(&b'\n'));
            let mut expected = Vec::new();
            for w in &words {
                expected.extend_from_slice(w);
                expected.push(0);
            }
            let mut eval = b"nl='\n'; line=".to_vec();
            eval.extend_from_slice(&quote(&[b"printf '%s\\0' ".as_slice(), line.as_bytes()].concat()));
            eval.extend_from_slice(b"; eval \"$line\"");
            for shell in ["sh", "bash"] {
                let out = std::process::Command::new(shell)
                    .arg("-c")
                    .arg(OsString::from_vec(eval.clone()))
                    .output()
                    .ok()
                    .filter(|o| o.status.success())
                    .map(|o| o.stdout);
                proptest::prop_assert_eq!(out.as_ref(), Some(&expected), "{} read {:?}", shell, line);
            }
        }

        /// Printable text full of shell syntax, the likely names, also survives.
        #[test]
        fn shell_syntax_survives_a_round_trip(word in "[ -~]{0,30}") {
            let line = command_line([OsStr::new(&word)]);
            let mut expected = word.clone().into_bytes();
            expected.push(0);
            for shell in ["sh", "bash"] {
                let seen = words_seen_by(shell, line.as_bytes());
                proptest::prop_assert_eq!(seen.as_ref(), Some(&expected), "{} read {:?}", shell, line);
            }
        }
    }

    #[test]
    fn words_are_joined_with_spaces() {
        let words = [OsStr::new("tmux"), OsStr::new("-L"), OsStr::new("a b")];
        assert_eq!(command_line(words), OsString::from("tmux -L 'a b'"));
    }
}
