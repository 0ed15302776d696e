//! What `muxdeck logs` prints of a real tmux pane is what the pane holds: colored lines
//! cost what tmux's own capture costs, and following a flood never loses lines without a
//! marker where they went missing.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::io::Read;
use std::process::Stdio;
use std::time::{Duration, Instant};

use support::{DEFAULT_TIMEOUT, TmuxWorld, muxdeck, run_ok, unique};

const WAIT: Duration = Duration::from_secs(30);

/// The marker `muxdeck logs -f` prints for a gap (see `src/cli.rs`), parsed.
fn skipped(line: &str) -> Option<u64> {
    line.strip_prefix("… ")?
        .strip_suffix(" lines skipped (output too fast) …")?
        .parse()
        .ok()
}

/// Number of SGR sequences before the first character of text.
fn leading_sgr(line: &str) -> usize {
    let mut rest = line;
    let mut n = 0;
    while let Some(after) = rest.strip_prefix("\x1b[") {
        let Some(end) = after.find('m') else { break };
        rest = &after[end + 1..];
        n += 1;
    }
    n
}

/// A server on `sock` whose new panes keep `limit` history rows.
fn server_with_history(tw: &TmuxWorld, sock: &str, limit: u32) {
    tw.new_session(sock, &unique("base"), "exec sleep 600");
    tw.tmux_ok(
        sock,
        ["set-option", "-g", "history-limit", &limit.to_string()],
    );
}

#[test]
fn colored_tmux_lines_cost_what_tmux_capture_costs() {
    let tw = TmuxWorld::new();
    let (name, sock) = (unique("tfid"), unique("sock"));
    server_with_history(&tw, &sock, 10_000);
    tw.new_session(
        &sock,
        &name,
        "i=1; while [ $i -le 3000 ]; do printf '\\033[35mline\\033[0m %s \\033[32mok\\033[0m\\n' $i; \
         i=$((i+1)); done; exec sleep 600",
    );
    let target = format!("={name}:");
    tw.wait_for_text(&sock, &target, "line 3000 ok", WAIT);

    let theirs = tw.tmux_ok(
        &sock,
        [
            "capture-pane",
            "-p",
            "-e",
            "-J",
            "-S",
            "-3000",
            "-t",
            &target,
        ],
    );
    let theirs: Vec<&str> = theirs.trim_end_matches('\n').lines().collect();
    let theirs = &theirs[theirs.len() - 3000..];
    let ours = run_ok(
        tw.apply(&mut muxdeck(None))
            .args(["logs", &name, "-n", "3000"]),
        DEFAULT_TIMEOUT,
    );
    let ours: Vec<&str> = ours.lines().collect();

    assert_eq!(ours.len(), 3000);
    assert!(ours[2999].contains("3000"), "{:?}", ours[2999]);
    for (i, line) in ours.iter().enumerate() {
        assert!(
            leading_sgr(line) <= 1,
            "line {i} starts with several SGR sequences: {line:?}"
        );
        assert_eq!(
            muxdeck::logs::plain_text(line),
            muxdeck::logs::plain_text(theirs[i]),
            "line {i}"
        );
    }
    let size = |v: &[&str]| v.iter().map(|l| l.len() + 1).sum::<usize>();
    let (ours, theirs) = (size(&ours), size(theirs));
    assert!(
        ours <= theirs + 4 * 3000,
        "muxdeck printed {ours} bytes where tmux's capture is {theirs}"
    );
}

#[test]
fn a_followed_tmux_flood_marks_every_gap_where_it_is() {
    const LIMIT: u64 = 2000;
    let per_trim = LIMIT / 10;
    let tw = TmuxWorld::new();
    let (name, sock) = (unique("tflood"), unique("sock"));
    server_with_history(&tw, &sock, LIMIT as u32);
    tw.new_session(&sock, &name, "seq 1 1000000000; exec sleep 600");
    let target = format!("={name}:");
    tw.wait_for_text(&sock, &target, "1", WAIT);

    let mut child = tw
        .apply(&mut muxdeck(None))
        .args(["logs", "-f", "-n", "0", &name])
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .expect("muxdeck logs -f starts");
    let mut stdout = child.stdout.take().expect("piped stdout");
    let reader = std::thread::spawn(move || {
        let mut all = Vec::new();
        let _ = stdout.read_to_end(&mut all);
        all
    });
    let until = Instant::now() + Duration::from_secs(8);
    while Instant::now() < until && child.try_wait().ok().flatten().is_none() {
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
    let out = String::from_utf8_lossy(&reader.join().expect("reader")).into_owned();

    let mut lines: Vec<&str> = out.lines().collect();
    // The last line may have been cut by the kill.
    lines.pop();
    let (mut prev, mut marked, mut gaps, mut numbers) = (None::<u64>, 0u64, 0usize, 0usize);
    for (i, line) in lines.iter().enumerate() {
        if let Some(n) = skipped(line) {
            assert!(n > 0, "line {i}: an empty marker");
            marked += n;
            continue;
        }
        let x: u64 = line
            .parse()
            .unwrap_or_else(|_| panic!("line {i}: neither a number nor a marker: {line:?}"));
        numbers += 1;
        if let Some(p) = prev {
            assert!(x > p, "line {i}: {x} after {p}");
            let missing = x - p - 1;
            if missing > 0 {
                gaps += 1;
                assert!(
                    marked > 0,
                    "line {i}: {missing} lines missing between {p} and {x} without a marker"
                );
                // A lower bound: tmux may drop more whole tenths of its history between
                // two reads than any count from outside it can tell.
                assert!(
                    marked <= missing && (missing - marked).is_multiple_of(per_trim),
                    "line {i}: marker says {marked}, {missing} missing between {p} and {x}"
                );
            } else {
                // The one case that cannot be told from a loss: reported as one drop.
                assert!(
                    marked == 0 || marked == per_trim,
                    "line {i}: marker says {marked} where nothing is missing"
                );
            }
        }
        prev = Some(x);
        marked = 0;
    }
    assert!(
        numbers > 1000,
        "too little output followed: {numbers} numbers"
    );
    eprintln!("{numbers} numbers, {gaps} gaps, all marked");
}
