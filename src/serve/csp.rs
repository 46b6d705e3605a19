//! Content-Security-Policies of the pages served. Pages made by `render` and
//! `report` carry their own inline scripts: they are allowed by hash, never
//! with `'unsafe-inline'`, so a script smuggled into essay text could not run
//! even if escaping failed. The hashes are taken at start-up from pages
//! rendered for a short essay written here, so they follow the renderers.

use crate::analyzer::Analyzer;
use crate::document::Essay;
use crate::render::{self, Format};
use crate::report;
use base64::Engine;
use sha2::{Digest, Sha256};

/// Base of every policy: nothing from elsewhere, no plugins, no forms, no
/// framing by other sites.
const BASE: &str = "default-src 'none'; base-uri 'none'; form-action 'none'; \
                    img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'";

/// The policies, computed once.
pub(crate) struct Policies {
    /// The web app (its script file, and the rendered pages it shows in
    /// `srcdoc` frames, which inherit this policy).
    pub app: String,
    /// HTML answers of the API.
    pub page: String,
}

impl Policies {
    pub fn new(analyzer: &Analyzer) -> crate::Result<Policies> {
        let essay = Essay::new(
            "Schools should start later. Teenagers sleep later than adults, so early \
             classes cost them sleep. A 2014 study found that later starts raised grades.",
        )
        .id("csp-probe");
        let analysis = analyzer.analyze(essay)?;
        let mut pages = vec![render::to_string(&analysis, Format::Html)?];
        let line = render::to_string(&analysis, Format::Jsonl)?;
        let grader = crate::grade::Grader::default();
        if let Ok(entry) = report::parse_line(&line, 1, &grader, false) {
            let data = report::ClassData {
                essays: vec![entry],
                ..Default::default()
            };
            pages.push(report::html::class_page(&data, &["e.html".into()], "probe"));
            pages.push(report::html::essay_page(&data.essays[0], "class.html"));
        }
        let mut hashes: Vec<String> = pages.iter().flat_map(|p| script_hashes(p)).collect();
        hashes.sort();
        hashes.dedup();
        let hashes = hashes.join(" ");
        Ok(Policies {
            app: format!(
                "{BASE}; script-src 'self' {hashes}; connect-src 'self'; frame-src 'self'; \
                 frame-ancestors 'none'"
            ),
            page: format!("{BASE}; script-src {hashes}; frame-ancestors 'self'"),
        })
    }
}

/// `'sha256-...'` of the body of each inline `<script>` of `html`.
pub(crate) fn script_hashes(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(i) = rest.find("<script>") {
        let body = &rest[i + "<script>".len()..];
        let Some(end) = body.find("</script>") else {
            break;
        };
        let digest = Sha256::digest(&body.as_bytes()[..end]);
        out.push(format!(
            "'sha256-{}'",
            base64::engine::general_purpose::STANDARD.encode(digest)
        ));
        rest = &body[end..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_each_inline_script() {
        let h = script_hashes("<p>x</p><script>a()</script><script>b()</script>");
        assert_eq!(h.len(), 2);
        assert_ne!(h[0], h[1]);
        assert!(h[0].starts_with("'sha256-") && h[0].ends_with("='"));
    }

    #[test]
    fn policies_allow_the_renderers_scripts_by_hash_only() {
        let p = Policies::new(&Analyzer::embedded().unwrap()).unwrap();
        assert!(p.page.contains("'sha256-"));
        assert!(!p.page.contains("script-src 'unsafe-inline'"));
        assert!(p.app.contains("script-src 'self' 'sha256-"));
    }
}
