//! Throughput of the log normalizer on typical session output.
//!
//! Run with `cargo bench --bench normalize` (add `-- --quick` for a short run).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use muxdeck::logs::Normalizer;

/// About 1 MiB of input made by repeating `line(i)`.
fn corpus(line: impl Fn(usize) -> String) -> Vec<u8> {
    let mut out = Vec::with_capacity(1 << 20);
    let mut i = 0;
    while out.len() < 1 << 20 {
        out.extend_from_slice(line(i).as_bytes());
        i += 1;
    }
    out
}

/// Plain ASCII log lines.
fn plain() -> Vec<u8> {
    corpus(|i| {
        format!(
            "2024-05-01T12:00:{:02}.{:03}Z INFO  server::http: request handled method=GET \
             path=/api/v1/items/{i} status=200 latency={}.{}ms\n",
            i % 60,
            i % 1000,
            i % 17,
            i % 10
        )
    })
}

/// Colored logger output (tracing-subscriber / env_logger style SGR).
fn colored() -> Vec<u8> {
    corpus(|i| {
        let (level, color) = match i % 4 {
            0 => ("ERROR", "31"),
            1 => (" WARN", "33"),
            2 => (" INFO", "32"),
            _ => ("DEBUG", "34"),
        };
        format!(
            "\x1b[2m2024-05-01T12:00:{:02}.{:03}Z\x1b[0m \x1b[{color}m{level}\x1b[0m \
             \x1b[2mserver::http\x1b[0m\x1b[2m:\x1b[0m request handled \x1b[3mmethod\x1b[0m\x1b[2m=\x1b[0mGET \
             \x1b[3mpath\x1b[0m\x1b[2m=\x1b[0m/api/v1/items/{i} \x1b[3mstatus\x1b[0m\x1b[2m=\x1b[0m200\n",
            i % 60,
            i % 1000
        )
    })
}

/// Progress bars redrawn with `\r` (several updates per line).
fn progress() -> Vec<u8> {
    corpus(|i| {
        let mut s = String::new();
        for pct in (0..=100).step_by(10) {
            let done = pct / 5;
            s.push_str(&format!(
                "\rDownloading layer {i:08x}: [{}>{}] {pct:3}%",
                "=".repeat(done),
                " ".repeat(20 - done)
            ));
        }
        s.push('\n');
        s
    })
}

fn bench(c: &mut Criterion) {
    let mut group = c.benchmark_group("normalize");
    for (name, input) in [
        ("plain_ascii", plain()),
        ("colored", colored()),
        ("progress_cr", progress()),
    ] {
        group.throughput(Throughput::Bytes(input.len() as u64));
        // The normalizer as shipped, and the same through `vte` alone: the fast paths
        // stay only while the first beats the second.
        for (variant, make) in [
            ("", Normalizer::new as fn() -> Normalizer),
            ("/vte_only", || {
                Normalizer::reference(muxdeck::logs::DEFAULT_MAX_LINE_CHARS)
            }),
        ] {
            group.bench_function(format!("{name}{variant}"), |b| {
                let mut out = Vec::with_capacity(16 * 1024);
                b.iter(|| {
                    let mut n = make();
                    out.clear();
                    // Feed in 64 KiB chunks, as a pipe reader would.
                    for chunk in input.chunks(64 * 1024) {
                        n.feed(black_box(chunk), &mut out);
                    }
                    n.finish(&mut out);
                    black_box(out.len())
                });
            });
        }
    }
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
