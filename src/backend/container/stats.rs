//! `stats --no-stream --format json`: CPU and memory of every running container. Podman
//! prints one array with lowercase fields and SI sizes (`2.634MB`); docker prints one object
//! a line with its own field names and binary sizes (`2.684MiB`). Both give percentages as
//! text (`6.49%`) and a short id.

use serde::Deserialize;

/// One container's use now.
#[derive(Debug, Clone, PartialEq)]
pub struct ContainerStat {
    /// The id as `stats` prints it: a prefix of the full id (12 characters).
    pub id_prefix: String,
    /// CPU in percent of one core; None when the runtime has no figure yet (`--`).
    pub cpu_percent: Option<f64>,
    /// Memory in use, bytes.
    pub memory_bytes: Option<u64>,
}

impl ContainerStat {
    /// Whether this line is about the container of full id `id`.
    pub fn is_for(&self, id: &str) -> bool {
        !self.id_prefix.is_empty() && id.starts_with(&self.id_prefix)
    }
}

#[derive(Debug, Deserialize)]
struct Line {
    #[serde(alias = "ID", alias = "Id", default)]
    id: String,
    #[serde(alias = "CPUPerc", alias = "CPU", default)]
    cpu_percent: Option<String>,
    #[serde(alias = "MemUsage", default)]
    mem_usage: Option<String>,
}

/// Parses the output of either runtime.
pub fn parse_stats(text: &str) -> Result<Vec<ContainerStat>, serde_json::Error> {
    let trimmed = text.trim();
    let lines: Vec<Line> = if trimmed.is_empty() {
        Vec::new()
    } else if trimmed.starts_with('[') {
        serde_json::from_str(trimmed)?
    } else {
        trimmed
            .lines()
            .filter(|l| !l.trim().is_empty())
            .map(serde_json::from_str)
            .collect::<Result<_, _>>()?
    };
    Ok(lines
        .into_iter()
        .map(|l| ContainerStat {
            id_prefix: l.id,
            cpu_percent: l.cpu_percent.as_deref().and_then(percent),
            memory_bytes: l
                .mem_usage
                .as_deref()
                .and_then(|m| m.split('/').next())
                .and_then(size),
        })
        .collect())
}

/// `6.49%` → 6.49.
fn percent(text: &str) -> Option<f64> {
    text.trim()
        .trim_end_matches('%')
        .parse()
        .ok()
        .filter(|v: &f64| v.is_finite() && *v >= 0.0)
}

/// `2.634MB` (SI, podman) or `2.684MiB` (binary, docker) → bytes.
fn size(text: &str) -> Option<u64> {
    let t = text.trim();
    let split = t
        .find(|c: char| !(c.is_ascii_digit() || c == '.'))
        .unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    let n: f64 = num.parse().ok()?;
    let factor: f64 = match unit.trim().to_ascii_lowercase().as_str() {
        "" | "b" => 1.0,
        "kb" => 1e3,
        "mb" => 1e6,
        "gb" => 1e9,
        "tb" => 1e12,
        "kib" => 1024.0,
        "mib" => 1024.0 * 1024.0,
        "gib" => 1024.0 * 1024.0 * 1024.0,
        "tib" => 1024.0 * 1024.0 * 1024.0 * 1024.0,
        _ => return None,
    };
    let bytes = (n * factor).round();
    // A size is never negative, and anything past u64 is no real figure.
    (0.0..1.8e19).contains(&bytes).then(|| {
        #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
        let b = bytes as u64;
        b
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> String {
        let path = format!(
            "{}/tests/fixtures/captured/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"))
    }

    #[test]
    fn podman_stats() {
        let s = parse_stats(&fixture("podman-stats.json")).expect("parses");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].id_prefix, "b6ec8a433f28");
        assert_eq!(s[0].cpu_percent, Some(6.49));
        assert_eq!(s[0].memory_bytes, Some(2_634_000));
        assert!(s[0].is_for("b6ec8a433f28f350bfa60ff3344aac782ef7b9d36a588e83e161ed7e52abc2ec"));
        assert!(!s[0].is_for("b6ec8a43"));
    }

    #[test]
    fn docker_stats() {
        let s = parse_stats(&fixture("docker-stats.json")).expect("parses");
        assert_eq!(s.len(), 2);
        assert_eq!(s[0].id_prefix, "42095532e27d");
        assert_eq!(s[0].cpu_percent, Some(0.0));
        assert_eq!(s[0].memory_bytes, Some(568 * 1024));
        assert_eq!(s[1].memory_bytes, Some(2_814_378)); // 2.684 MiB
    }

    #[test]
    fn figures_a_runtime_does_not_have_yet() {
        let s = parse_stats(r#"[{"id":"abc","cpu_percent":"--","mem_usage":"-- / --"}]"#)
            .expect("parses");
        assert_eq!((s[0].cpu_percent, s[0].memory_bytes), (None, None));
        assert!(parse_stats("").expect("empty").is_empty());
        assert!(parse_stats("{oops").is_err());
        assert_eq!(size("1.5GB"), Some(1_500_000_000));
        assert_eq!(size("12 parsecs"), None);
    }
}
