//! Build script: records the git commit the binary is built from, for `muxdeck --version`.
//! Outside a git checkout of this crate (a crate tarball, a source package) the commit is
//! `unknown`; a checkout of some other repository around the sources is not mistaken for it.

use std::path::Path;
use std::process::Command;

fn main() {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").unwrap_or_default();
    let commit = commit_of(Path::new(&manifest_dir)).unwrap_or_else(|| "unknown".into());
    println!("cargo:rustc-env=MUXDECK_COMMIT={commit}");
    println!("cargo:rerun-if-changed=build.rs");
}

/// `git rev-parse --short HEAD` of the checkout whose top folder is `dir`, and the files
/// whose change means another commit (so cargo runs this again).
fn commit_of(dir: &Path) -> Option<String> {
    let top = git(dir, &["rev-parse", "--show-toplevel"])?;
    let same = Path::new(&top).canonicalize().ok()? == dir.canonicalize().ok()?;
    if !same {
        return None;
    }
    // HEAD moves on checkout; the branch's ref (or packed-refs) on commit.
    let mut watched = vec!["HEAD".to_string(), "packed-refs".to_string()];
    watched.extend(git(dir, &["symbolic-ref", "-q", "HEAD"]));
    for what in &watched {
        // A path that does not exist would make cargo run this script on every build.
        if let Some(p) = git(dir, &["rev-parse", "--git-path", what])
            && dir.join(&p).exists()
        {
            println!("cargo:rerun-if-changed={}", dir.join(p).display());
        }
    }
    git(dir, &["rev-parse", "--short", "HEAD"])
}

/// One git call's trimmed output, None when git is missing or fails.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git")
        .args(args)
        .current_dir(dir)
        .output()
        .ok()?;
    let text = String::from_utf8(out.stdout).ok()?;
    let text = text.trim();
    (out.status.success() && !text.is_empty()).then(|| text.to_string())
}
