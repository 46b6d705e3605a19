//! Inline SVG charts for the class page: histograms of one metric across essays
//! and bar charts of categories. Plain SVG strings, no library and no script, so
//! the page stays self-contained and renders the same in every browser and in
//! print. Every bar carries a `<title>` with its exact count (hover tooltip).

use crate::render::panel::escape;
use std::fmt::Write;

/// One bar: its axis label, its height (a count) and its tooltip.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Bar {
    pub label: String,
    pub count: usize,
    pub tooltip: String,
}

/// How a metric's values are binned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Binning {
    /// Whole numbers: one bar per value while the range is small.
    Counts,
    /// Shares between 0 and 1: ten bins of 10%.
    Share,
    /// Any other number: ten equal bins over the observed range.
    Continuous,
}

const MAX_INTEGER_BARS: usize = 16;

/// Bins `values` into bars.
pub(crate) fn histogram(values: &[f64], binning: Binning) -> Vec<Bar> {
    let vals: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if vals.is_empty() {
        return Vec::new();
    }
    let lo = vals.iter().copied().fold(f64::INFINITY, f64::min);
    let hi = vals.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let n = vals.len();
    let essays = |c: usize| format!("{c} of {n} essays");
    match binning {
        Binning::Counts if hi - lo < MAX_INTEGER_BARS as f64 => {
            let (lo, hi) = (lo.round() as i64, hi.round() as i64);
            (lo..=hi)
                .map(|v| {
                    let count = vals.iter().filter(|x| x.round() as i64 == v).count();
                    Bar {
                        label: v.to_string(),
                        count,
                        tooltip: format!("{v}: {}", essays(count)),
                    }
                })
                .collect()
        }
        Binning::Share => (0..10)
            .map(|b| {
                let (a, z) = (b as f64 / 10.0, (b + 1) as f64 / 10.0);
                let count = vals
                    .iter()
                    .filter(|&&x| x >= a && (x < z || (b == 9 && x <= 1.0)))
                    .count();
                Bar {
                    label: format!("{}", b * 10),
                    count,
                    tooltip: format!("{}–{}%: {}", b * 10, (b + 1) * 10, essays(count)),
                }
            })
            .collect(),
        _ => {
            // Ten bins; whole-number metrics keep whole-number bin edges.
            let integer = binning == Binning::Counts;
            let mut width = (hi - lo) / 10.0;
            if integer {
                width = width.ceil().max(1.0);
            }
            if width <= 0.0 {
                width = 1.0;
            }
            (0..10)
                .map(|b| {
                    let a = lo + width * b as f64;
                    let z = a + width;
                    let count = vals
                        .iter()
                        .filter(|&&x| x >= a && (x < z || (b == 9 && x <= hi)))
                        .count();
                    // Labels short enough not to run into each other.
                    let fmt = |v: f64| {
                        if integer || width >= 5.0 {
                            format!("{v:.0}")
                        } else if width >= 0.5 {
                            format!("{v:.1}")
                        } else {
                            format!("{v:.2}")
                        }
                    };
                    Bar {
                        label: fmt(a),
                        count,
                        tooltip: format!("{}–{}: {}", fmt(a), fmt(z), essays(count)),
                    }
                })
                .collect()
        }
    }
}

const W: f64 = 300.0;
const H: f64 = 150.0;
const PAD_L: f64 = 40.0;
const PAD_B: f64 = 34.0;
const PAD_T: f64 = 12.0;

/// A vertical bar chart with a caption.
pub(crate) fn bar_chart(caption: &str, x_label: &str, bars: &[Bar]) -> String {
    let mut s = String::new();
    let _ = write!(
        s,
        "<figure class=\"chart\"><svg viewBox=\"0 0 {W} {H}\" width=\"100%\" role=\"img\" aria-label=\"{}\" xmlns=\"http://www.w3.org/2000/svg\">",
        escape(caption)
    );
    let max = bars.iter().map(|b| b.count).max().unwrap_or(0).max(1);
    let plot_w = W - PAD_L - 6.0;
    let plot_h = H - PAD_B - PAD_T;
    // Axes and the top gridline with its value.
    let _ = write!(
        s,
        "<line x1=\"{PAD_L}\" y1=\"{PAD_T}\" x2=\"{PAD_L}\" y2=\"{y0}\" class=\"axis\"/><line x1=\"{PAD_L}\" y1=\"{y0}\" x2=\"{x1}\" y2=\"{y0}\" class=\"axis\"/><line x1=\"{PAD_L}\" y1=\"{PAD_T}\" x2=\"{x1}\" y2=\"{PAD_T}\" class=\"grid\"/><text x=\"{tx}\" y=\"{ty}\" class=\"tick\" text-anchor=\"end\">{max}</text><text x=\"{tx}\" y=\"{y0}\" class=\"tick\" text-anchor=\"end\">0</text>",
        y0 = H - PAD_B,
        x1 = W - 6.0,
        tx = PAD_L - 3.0,
        ty = PAD_T + 4.0,
    );
    if bars.is_empty() {
        let _ = write!(
            s,
            "<text x=\"{}\" y=\"{}\" class=\"tick\" text-anchor=\"middle\">no data</text>",
            W / 2.0,
            H / 2.0
        );
    }
    let slot = plot_w / bars.len().max(1) as f64;
    let label_every = (bars.len() / 10).max(1);
    for (i, b) in bars.iter().enumerate() {
        let h = plot_h * b.count as f64 / max as f64;
        let x = PAD_L + slot * i as f64 + slot * 0.1;
        let y = H - PAD_B - h;
        let _ = write!(
            s,
            "<rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{:.1}\" height=\"{h:.1}\" class=\"bar\"><title>{}</title></rect>",
            slot * 0.8,
            escape(&b.tooltip)
        );
        if b.count > 0 && slot >= 14.0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"val\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.4,
                y - 2.0,
                b.count
            );
        }
        if i % label_every == 0 {
            let _ = write!(
                s,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"tick\" text-anchor=\"middle\">{}</text>",
                x + slot * 0.4,
                H - PAD_B + 12.0,
                escape(&b.label)
            );
        }
    }
    let _ = write!(
        s,
        "<text x=\"{:.1}\" y=\"{:.1}\" class=\"xlabel\" text-anchor=\"middle\">{}</text></svg><figcaption>{}</figcaption></figure>",
        PAD_L + plot_w / 2.0,
        H - 6.0,
        escape(x_label),
        escape(caption)
    );
    s
}

/// Horizontal bars, one row per item: `(label, count, css class)`, scaled to `of`.
pub(crate) fn hbar_rows(rows: &[(String, usize, &str)], of: usize) -> String {
    let mut s = String::from("<div class=\"hbars\">");
    for (label, count, class) in rows {
        let pct = if of > 0 {
            *count as f64 * 100.0 / of as f64
        } else {
            0.0
        };
        let _ = write!(
            s,
            "<div class=\"hrow\"><span class=\"hlabel\">{}</span><svg class=\"hsvg\" viewBox=\"0 0 100 10\" preserveAspectRatio=\"none\" xmlns=\"http://www.w3.org/2000/svg\"><rect x=\"0\" y=\"0\" width=\"{pct:.1}\" height=\"10\" class=\"bar {class}\"><title>{count} of {of} essays</title></rect></svg><span class=\"hcount\">{count} ({pct:.0}%)</span></div>",
            label
        );
    }
    s.push_str("</div>");
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_histogram_has_a_bar_per_value() {
        let bars = histogram(&[1.0, 3.0, 3.0, 2.0], Binning::Counts);
        let counts: Vec<usize> = bars.iter().map(|b| b.count).collect();
        assert_eq!(counts, [1, 1, 2]);
        assert_eq!(bars[0].label, "1");
    }

    #[test]
    fn wide_integer_range_is_binned_into_ten() {
        let vals: Vec<f64> = (0..300).map(f64::from).collect();
        let bars = histogram(&vals, Binning::Counts);
        assert_eq!(bars.len(), 10);
        assert_eq!(bars.iter().map(|b| b.count).sum::<usize>(), 300);
    }

    #[test]
    fn shares_fall_into_ten_bins_including_one() {
        let bars = histogram(&[0.0, 0.05, 0.5, 1.0, f64::NAN], Binning::Share);
        assert_eq!(bars.iter().map(|b| b.count).sum::<usize>(), 4);
        assert_eq!(bars[9].count, 1);
    }

    #[test]
    fn chart_is_svg_with_escaped_labels() {
        let svg = bar_chart("a<b", "x", &histogram(&[1.0], Binning::Counts));
        assert!(svg.contains("<svg") && svg.contains("a&lt;b") && !svg.contains("a<b"));
        assert!(bar_chart("empty", "x", &[]).contains("no data"));
    }
}
