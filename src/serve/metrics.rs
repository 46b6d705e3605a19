//! Prometheus text at `GET /metrics`: requests by route and status, a latency
//! histogram by route, essays analysed, records failed, requests rejected.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

/// Upper bounds of the latency buckets, in seconds.
const BUCKETS: [f64; 12] = [
    0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 10.0,
];

#[derive(Default)]
struct Histogram {
    /// Cumulative counts per bucket, then +Inf.
    counts: [u64; BUCKETS.len() + 1],
    sum: f64,
}

/// The server's counters.
#[derive(Default)]
pub(crate) struct Metrics {
    requests: Mutex<BTreeMap<(String, u16), u64>>,
    latency: Mutex<BTreeMap<String, Histogram>>,
    rejected: Mutex<BTreeMap<&'static str, u64>>,
    essays: AtomicU64,
    failed: AtomicU64,
}

impl Metrics {
    /// Counts a finished request.
    pub fn request(&self, route: &str, status: u16, took: Duration) {
        if let Ok(mut m) = self.requests.lock() {
            *m.entry((route.to_string(), status)).or_default() += 1;
        }
        if let Ok(mut m) = self.latency.lock() {
            let h = m.entry(route.to_string()).or_default();
            let s = took.as_secs_f64();
            for (i, b) in BUCKETS.iter().enumerate() {
                if s <= *b {
                    h.counts[i] += 1;
                }
            }
            h.counts[BUCKETS.len()] += 1;
            h.sum += s;
        }
    }

    /// Counts a request turned away (`reason`: `queue_full`, `unauthorized`, ...).
    pub fn rejected(&self, reason: &'static str) {
        if let Ok(mut m) = self.rejected.lock() {
            *m.entry(reason).or_default() += 1;
        }
    }

    /// Counts analysed essays and failed records.
    pub fn records(&self, analysed: u64, failed: u64) {
        self.essays.fetch_add(analysed, Ordering::Relaxed);
        self.failed.fetch_add(failed, Ordering::Relaxed);
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> String {
        let mut s = String::new();
        s.push_str("# HELP essaymap_http_requests_total HTTP requests by route and status.\n");
        s.push_str("# TYPE essaymap_http_requests_total counter\n");
        if let Ok(m) = self.requests.lock() {
            for ((route, status), n) in m.iter() {
                let _ = writeln!(
                    s,
                    "essaymap_http_requests_total{{route=\"{}\",status=\"{status}\"}} {n}",
                    label(route)
                );
            }
        }
        s.push_str(
            "# HELP essaymap_http_request_duration_seconds Time to the response head, by route.\n",
        );
        s.push_str("# TYPE essaymap_http_request_duration_seconds histogram\n");
        if let Ok(m) = self.latency.lock() {
            for (route, h) in m.iter() {
                let route = label(route);
                for (i, b) in BUCKETS.iter().enumerate() {
                    let _ = writeln!(
                        s,
                        "essaymap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{b}\"}} {}",
                        h.counts[i]
                    );
                }
                let total = h.counts[BUCKETS.len()];
                let _ = writeln!(
                    s,
                    "essaymap_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {total}"
                );
                let _ = writeln!(
                    s,
                    "essaymap_http_request_duration_seconds_sum{{route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    s,
                    "essaymap_http_request_duration_seconds_count{{route=\"{route}\"}} {total}"
                );
            }
        }
        s.push_str("# HELP essaymap_essays_analysed_total Essays analysed (analyze and batch).\n");
        s.push_str("# TYPE essaymap_essays_analysed_total counter\n");
        let _ = writeln!(
            s,
            "essaymap_essays_analysed_total {}",
            self.essays.load(Ordering::Relaxed)
        );
        s.push_str(
            "# HELP essaymap_records_failed_total Batch records answered with an error line.\n",
        );
        s.push_str("# TYPE essaymap_records_failed_total counter\n");
        let _ = writeln!(
            s,
            "essaymap_records_failed_total {}",
            self.failed.load(Ordering::Relaxed)
        );
        s.push_str("# HELP essaymap_requests_rejected_total Requests turned away, by reason.\n");
        s.push_str("# TYPE essaymap_requests_rejected_total counter\n");
        if let Ok(m) = self.rejected.lock() {
            for (reason, n) in m.iter() {
                let _ = writeln!(
                    s,
                    "essaymap_requests_rejected_total{{reason=\"{reason}\"}} {n}"
                );
            }
        }
        s
    }
}

/// A label value with `\`, `"` and newlines escaped.
fn label(v: &str) -> String {
    v.replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn histogram_buckets_are_cumulative() {
        let m = Metrics::default();
        m.request("/v1/analyze", 200, Duration::from_millis(3));
        m.request("/v1/analyze", 200, Duration::from_millis(300));
        m.request("/v1/analyze", 503, Duration::from_micros(10));
        let t = m.render();
        assert!(t.contains("essaymap_http_requests_total{route=\"/v1/analyze\",status=\"200\"} 2"));
        assert!(t.contains("le=\"0.001\"} 1"));
        assert!(t.contains("le=\"0.005\"} 2"));
        assert!(t.contains("le=\"+Inf\"} 3"));
    }
}
