//! One self-contained HTML page: the argument map as an inline SVG tree above
//! the essay, with sentences highlighted by role. No network, no CDN, no
//! external fonts: a few lines of CSS and JS are inlined, so the file can be
//! mailed to a student or opened offline.
//!
//! Layout is a tidy-tree in the SVG's own coordinates, computed here so the page
//! needs no layout library: each node's row is its depth in the forest (issue,
//! then thesis, claims, evidence; a node without a parent sits on its kind's
//! row), leaves take consecutive columns in depth-first text order and a parent
//! is centred over its children, so edges never cross between subtrees.
//! The drawing scales down to the page's width (a viewBox and `max-width`, no
//! script needed) and zoom buttons enlarge it inside its own scrolling box, so
//! no box is cut off and the page never scrolls sideways.
//! Hovering a node or a sentence highlights both; clicking a node (or Enter on
//! it) scrolls to its sentence. Every piece of essay text is HTML-escaped.
//!
//! Only prose is highlighted by role: headings, list items and page furniture
//! are shown muted with their kind as a tag, and references are listed in a
//! numbered "References" section after the essay. In-text citations are marked
//! and link to the reference they name, which links back to them.

use super::{node_name, out_err, palette, relation_colour, shorten, wrap, Analysis, Renderer};
use crate::argument::Relation;
use crate::argument::{MapIndex, NodeKind};
use crate::document::{Document, Kind, Sentence};
use crate::error::Result;
use std::collections::HashMap;
use std::io::Write;
use std::ops::Range;

/// Self-contained HTML renderer.
#[derive(Debug, Clone, Copy, Default)]
pub struct HtmlRenderer;

/// `s` escaped for HTML text and attribute values.
pub(crate) fn escape(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => o.push_str("&amp;"),
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&#39;"),
            c => o.push(c),
        }
    }
    o
}

/// A citation as the page marks it: its byte range in the sentence's text and
/// the reference sentence it links to.
type Marked = (Range<usize>, Option<usize>);

/// Each sentence's citations that fit its text, in order and not overlapping;
/// a link is kept only when it points to a reference sentence.
fn citations(d: &Document) -> Vec<Vec<Marked>> {
    d.sentences
        .iter()
        .map(|s| {
            let byte = |cp: usize| {
                let k = cp.checked_sub(s.start)?;
                s.text
                    .char_indices()
                    .map(|(b, _)| b)
                    .chain([s.text.len()])
                    .nth(k)
            };
            let mut last = 0;
            s.citations
                .iter()
                .filter_map(|c| {
                    let (a, b) = (byte(c.start)?, byte(c.end)?);
                    if a < last || b <= a {
                        return None;
                    }
                    last = b;
                    let to = c
                        .reference
                        .filter(|&r| d.sentences.get(r).map(|t| t.kind) == Some(Kind::Reference));
                    Some((a..b, to))
                })
                .collect()
        })
        .collect()
}

/// `s`'s text, escaped, each citation marked (`id="c{sentence}-{k}"`) and, when
/// it names a reference, a link to that reference's sentence.
fn marked_text(s: &Sentence, cites: &[Marked]) -> String {
    let mut h = String::with_capacity(s.text.len() + 16);
    let mut last = 0;
    for (k, (r, to)) in cites.iter().enumerate() {
        h.push_str(&escape(&s.text[last..r.start]));
        let t = escape(&s.text[r.clone()]);
        h.push_str(&match to {
            Some(to) => format!(
                "<a class=\"cite\" id=\"c{}-{k}\" href=\"#s{to}\" title=\"go to the reference\">{t}</a>",
                s.index
            ),
            None => format!(
                "<cite class=\"cite\" id=\"c{}-{k}\" title=\"no matching entry in the references\">{t}</cite>",
                s.index
            ),
        });
        last = r.end;
    }
    h.push_str(&escape(&s.text[last..]));
    h
}

const NODE_W: f64 = 170.0;
const NODE_H: f64 = 74.0;
const COL_W: f64 = 190.0;
const ROW_H: f64 = 120.0;
const MARGIN: f64 = 20.0;

/// Position of each map node: (column centre, row).
pub(crate) fn layout(a: &Analysis, m: &MapIndex) -> HashMap<i64, (f64, usize)> {
    let kind_row = |k: NodeKind| match k {
        NodeKind::Issue => 0,
        NodeKind::Thesis => 1,
        NodeKind::Claim => 2,
        NodeKind::Evidence => 3,
    };
    let mut pos: HashMap<i64, (f64, usize)> = HashMap::new();
    let mut next_col = 0.0;
    // Roots: the issue first, then in text order (node order already is).
    let roots = a.map.roots();
    // Nodes already placed or on the way: a node is drawn once, under its
    // first parent, even in a map read from elsewhere with cycles or with
    // several edges leaving one node.
    let mut seen: std::collections::HashSet<i64> = roots.iter().copied().collect();
    // Iterative post-order so deep chains cannot overflow the stack.
    for root in roots {
        let Some(rn) = m.node(root) else { continue };
        let mut stack: Vec<(i64, usize, bool)> = vec![(root, kind_row(rn.kind), false)];
        while let Some((id, row, expanded)) = stack.pop() {
            if pos.contains_key(&id) {
                continue;
            }
            let kids: Vec<i64> = if expanded {
                Vec::new()
            } else {
                m.children(id)
                    .iter()
                    .copied()
                    .filter(|&k| seen.insert(k))
                    .collect()
            };
            if kids.is_empty() && !expanded {
                pos.insert(id, (next_col, row));
                next_col += 1.0;
            } else if !expanded {
                stack.push((id, row, true));
                for k in kids.into_iter().rev() {
                    let kr = m.node(k).map_or(row + 1, |n| kind_row(n.kind).max(row + 1));
                    stack.push((k, kr, false));
                }
            } else {
                let xs: Vec<f64> = m
                    .children(id)
                    .iter()
                    .filter_map(|k| pos.get(k).map(|p| p.0))
                    .collect();
                let x = match (xs.first(), xs.last()) {
                    (Some(a), Some(b)) => (a + b) / 2.0,
                    _ => {
                        next_col += 1.0;
                        next_col - 1.0
                    }
                };
                pos.insert(id, (x, row));
            }
        }
    }
    // Shift rows up if the top ones are empty (no issue, say).
    let min_row = pos.values().map(|p| p.1).min().unwrap_or(0);
    for p in pos.values_mut() {
        p.1 -= min_row;
    }
    pos
}

fn svg(a: &Analysis, index: &MapIndex) -> String {
    let pos = layout(a, index);
    let cols = pos.values().map(|p| p.0).fold(0.0, f64::max) + 1.0;
    let rows = pos.values().map(|p| p.1).max().map_or(0, |r| r + 1);
    let width = (cols * COL_W + 2.0 * MARGIN).max(400.0);
    let height = rows as f64 * ROW_H + 2.0 * MARGIN;
    let centre = |id: i64| {
        pos.get(&id).map(|&(c, r)| {
            (
                MARGIN + c * COL_W + COL_W / 2.0,
                MARGIN + r as f64 * ROW_H + NODE_H / 2.0,
            )
        })
    };
    let mut s = format!(
        "<svg id=\"map\" xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:.0}\" \
         height=\"{height:.0}\" viewBox=\"0 0 {width:.0} {height:.0}\" role=\"img\" \
         aria-label=\"argument map\">\n<defs>"
    );
    for r in [Relation::Supports, Relation::Attacks, Relation::Answers] {
        s.push_str(&format!(
            "<marker id=\"arrow-{r}\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" \
             markerWidth=\"7\" markerHeight=\"7\" orient=\"auto-start-reverse\">\
             <path d=\"M0,0 L10,5 L0,10 z\" fill=\"{}\"/></marker>",
            relation_colour(r)
        ));
    }
    s.push_str("</defs>\n");
    for e in &a.map.edges {
        let (Some((sx, sy)), Some((tx, ty))) = (centre(e.source), centre(e.target)) else {
            continue;
        };
        // From the top of the source to the bottom of the target (or sideways
        // when both sit on one row).
        let (y1, y2) = if sy > ty {
            (sy - NODE_H / 2.0, ty + NODE_H / 2.0)
        } else if sy < ty {
            (sy + NODE_H / 2.0, ty - NODE_H / 2.0)
        } else {
            (sy, ty)
        };
        let dash = if e.relation == Relation::Attacks {
            " stroke-dasharray=\"6 4\""
        } else {
            ""
        };
        let c = relation_colour(e.relation);
        let my = (y1 + y2) / 2.0;
        s.push_str(&format!(
            "<g class=\"edge\" data-id=\"{}\"><path d=\"M{sx:.1},{y1:.1} C{sx:.1},{my:.1} \
             {tx:.1},{my:.1} {tx:.1},{y2:.1}\" fill=\"none\" stroke=\"{c}\" stroke-width=\"2\"{dash} \
             marker-end=\"url(#arrow-{})\"/><title>{} {:.2}</title></g>\n",
            e.source, e.relation, e.relation, e.confidence
        ));
    }
    for n in &a.map.nodes {
        let Some((cx, cy)) = centre(n.id) else {
            continue;
        };
        let (fill, border, _) = palette(n.kind);
        let (x, y) = (cx - NODE_W / 2.0, cy - NODE_H / 2.0);
        let stroke = if n.stance == Some(crate::argument::Stance::Against) {
            relation_colour(Relation::Attacks)
        } else {
            border
        };
        s.push_str(&format!(
            "<g class=\"node kind-{}\" data-id=\"{}\" tabindex=\"0\"><title>{}</title>\
             <rect x=\"{x:.1}\" y=\"{y:.1}\" width=\"{NODE_W}\" height=\"{NODE_H}\" rx=\"8\" \
             fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"1.5\"/>\
             <text x=\"{:.1}\" y=\"{:.1}\"><tspan class=\"nm\" x=\"{:.1}\" dy=\"0\">{}</tspan>",
            n.kind.as_str(),
            n.id,
            escape(a.node_text(n)),
            x + 8.0,
            y + 16.0,
            x + 8.0,
            escape(&node_name(n)),
        ));
        let mut lines = wrap(&shorten(a.node_text(n), 84), 28);
        if lines.len() > 3 {
            // Three lines fit the box; mark the cut.
            lines.truncate(3);
            if let Some(last) = lines.last_mut() {
                if !last.ends_with('…') {
                    last.push('…');
                }
            }
        }
        for line in &lines {
            s.push_str(&format!(
                "<tspan x=\"{:.1}\" dy=\"15\">{}</tspan>",
                x + 8.0,
                escape(line)
            ));
        }
        s.push_str("</text></g>\n");
    }
    s.push_str("</svg>");
    s
}

const STYLE: &str = "
body{font-family:system-ui,-apple-system,'Segoe UI',Helvetica,Arial,sans-serif;margin:0;
  color:#212121;background:#fafafa}
header{padding:16px 24px;background:#fff;border-bottom:1px solid #ddd}
h1{font-size:20px;margin:0 0 6px}
.legend span{display:inline-block;margin-right:14px;font-size:13px}
.sw{display:inline-block;width:12px;height:12px;border-radius:3px;vertical-align:-1px;
  margin-right:4px;border:1px solid #0003}
#mapsec{background:#fff;border-bottom:1px solid #ddd;padding:4px 8px}
#mapbox{overflow:auto;max-width:100%}
#map{display:block;margin:0 auto;max-width:100%;height:auto}
#mapbox.zoomed #map{max-width:none}
.zoom{display:flex;gap:6px;align-items:center;font-size:13px;padding:2px 0 4px}
.zoom[hidden]{display:none}
.zoom button{font:inherit;min-width:2.2em;padding:2px 8px;border:1px solid #bbb;border-radius:4px;background:#f5f5f5;cursor:pointer}
.zoom button:focus-visible,.node:focus-visible{outline:3px solid #e67e22}
nav.jump{font-size:13px;margin:2px 0 6px}nav.jump a{margin-right:12px}
.back{font-size:13px}
.prompt{margin:0 0 4px;font-size:14px;color:#424242}
svg text{font-size:11px;fill:#212121;pointer-events:none}
svg .nm{font-weight:600}
.node{cursor:pointer}
.node.hl rect,.node:focus rect{stroke-width:4;filter:drop-shadow(0 0 4px #0006)}
.edge.hl path{stroke-width:4}
main{max-width:900px;margin:0 auto;padding:16px 24px;line-height:1.7;font-size:16px;overflow-wrap:break-word}
.title{font-weight:600}
.s{border-radius:3px;padding:1px 2px}
.s.claim{background:#e3f2fd;box-shadow:inset 0 -2px #1565c0}
.s.evidence{background:#e8f5e9;box-shadow:inset 0 -2px #2e7d32}
.s.thesis{background:#fff3e0;box-shadow:inset 0 -2px #e65100;font-weight:600}
.s.question,.s.issue{background:#ede7f6;box-shadow:inset 0 -2px #5e35b1}
.s.against{box-shadow:inset 0 -2px #c62828}
.s.hl{outline:3px solid #ffb300;background:#fff8e1}
.tag{font-size:10px;color:#616161;vertical-align:super;margin-left:1px}
#assessment{max-width:900px;margin:0 auto;padding:0 24px 24px;overflow-wrap:break-word}
.s:target,.cite:target{outline:3px solid #e67e22}
.s.kind-heading,.s.kind-list_item,.s.kind-furniture{color:#616161}
.s.kind-heading{font-weight:600}
.s.kind-furniture{font-size:13px;font-style:italic}
.cite{font-style:normal;border-bottom:1px dotted #616161}
a.cite{color:#0d47a1;border:0}
a:focus-visible{outline:3px solid #e67e22}
#references{font-size:14px;line-height:1.5}
#references h2{font-size:17px}
.citedby{font-size:12px;color:#616161}
dl.metrics{display:grid;grid-template-columns:max-content auto;gap:2px 12px;font-size:14px}
dl.metrics dt{color:#555}dl.metrics dd{margin:0}
";

const SCRIPT: &str = "
(function(){
  function all(id){return document.querySelectorAll('[data-id=\"'+id+'\"]');}
  function clear(){document.querySelectorAll('.hl').forEach(function(x){x.classList.remove('hl');});}
  function on(id){clear();all(id).forEach(function(x){x.classList.add('hl');});}
  document.querySelectorAll('.node,.s[data-id]').forEach(function(el){
    var id=el.getAttribute('data-id');
    el.addEventListener('mouseenter',function(){on(id);});
    el.addEventListener('focus',function(){on(id);});
    el.addEventListener('keydown',function(ev){
      if(ev.key==='Enter'||ev.key===' '){ev.preventDefault();el.dispatchEvent(new MouseEvent('click',{bubbles:true}));}
    });
    el.addEventListener('click',function(ev){
      if(ev.target.closest&&ev.target.closest('a')){return;}
      on(id);
      var t=document.getElementById('s'+id)||document.getElementById('issue');
      if(t&&el.classList.contains('node')){t.scrollIntoView({block:'center',behavior:'smooth'});}
      else{var n=document.querySelector('.node[data-id=\"'+id+'\"]');
        if(n&&n.scrollIntoView){n.scrollIntoView({block:'nearest',inline:'center'});}}
    });
  });
  // Zoom: 0 means fit the width (the CSS default, which needs no script).
  var svg=document.getElementById('map'),box=document.getElementById('mapbox'),
      bar=document.getElementById('zoom'),val=document.getElementById('zoomval');
  if(svg&&box&&bar&&svg.viewBox&&svg.viewBox.baseVal){
    var w=svg.viewBox.baseVal.width,ht=svg.viewBox.baseVal.height,z=0;
    var fit=function(){return Math.min(1,box.clientWidth/w);};
    var set=function(nz){
      z=nz;
      box.classList.toggle('zoomed',z>0);
      svg.style.width=z?(w*z)+'px':'';svg.style.height=z?(ht*z)+'px':'';
      val.textContent='shown at '+Math.round((z||fit())*100)+'%';
    };
    bar.hidden=false;
    bar.addEventListener('click',function(ev){
      var b=ev.target.closest('button');if(!b){return;}
      var k=b.getAttribute('data-zoom'),cur=z||fit();
      if(k==='fit'){set(0);}else if(k==='1'){set(1);}
      else if(k==='in'){set(Math.min(4,cur*1.25));}else{set(Math.max(0.1,cur/1.25));}
    });
    set(0);
  }
  document.body.setAttribute('data-ready','1');
})();
";

impl Renderer for HtmlRenderer {
    fn render(&self, a: &Analysis, out: &mut dyn Write) -> Result<()> {
        out.write_all(page(a, &PageParts::default()).as_bytes())
            .map_err(out_err)
    }
}

/// What a page around one essay adds to [`HtmlRenderer`]'s own: the class
/// report's essay pages head the page with the essay's id, link back to the
/// class page and list the metrics, but highlight and map the essay with this
/// very code, so the two pages never tell different stories.
#[derive(Debug, Default)]
pub(crate) struct PageParts<'a> {
    /// Heading in place of "Argument map: TITLE".
    pub heading: Option<&'a str>,
    /// `(href, text)` of a link back, shown first in the header.
    pub back: Option<(&'a str, &'a str)>,
    /// Ready HTML put after the feedback and rubric (escaped by the caller).
    pub extra: &'a str,
}

/// The whole page for `a`, with `parts` added.
pub(crate) fn page(a: &Analysis, parts: &PageParts) -> String {
    let title = a
        .doc
        .title
        .as_deref()
        .or(a.doc.id.as_deref())
        .unwrap_or("Essay");
    let heading = parts
        .heading
        .map_or_else(|| format!("Argument map: {title}"), str::to_string);
    let mut h = String::with_capacity(a.doc.text.len() * 3 + 8192);
    h.push_str("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n");
    h.push_str("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n");
    h.push_str(&format!(
        "<title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n<header>",
        escape(&heading)
    ));
    if let Some((href, text)) = parts.back {
        h.push_str(&format!(
            "<a class=\"back\" href=\"{}\">&#8592; {}</a>",
            escape(href),
            escape(text)
        ));
    }
    h.push_str(&format!("<h1>{}</h1>", escape(&heading)));
    if parts.heading.is_some() {
        if let Some(t) = &a.doc.title {
            h.push_str(&format!("<p class=\"prompt\">Prompt: {}</p>", escape(t)));
        }
    }
    h.push_str("<nav class=\"jump\" aria-label=\"sections\"><a href=\"#mapsec\">Map</a><a href=\"#essay\">Essay</a>");
    if a.assessment.is_some() {
        h.push_str("<a href=\"#feedback\">Feedback</a><a href=\"#rubric\">Rubric suggestion</a>");
    }
    h.push_str("</nav><div class=\"legend\">");
    for k in [
        NodeKind::Issue,
        NodeKind::Thesis,
        NodeKind::Claim,
        NodeKind::Evidence,
    ] {
        let (fill, border, name) = palette(k);
        h.push_str(&format!(
            "<span><i class=\"sw\" style=\"background:{fill};border-color:{border}\"></i>{name}</span>"
        ));
    }
    for r in [Relation::Supports, Relation::Attacks, Relation::Answers] {
        h.push_str(&format!(
            "<span style=\"color:{}\">&#8594; {r}</span>",
            relation_colour(r)
        ));
    }
    let edges = a.map.edges.len();
    let nodes = a.map.nodes.len();
    h.push_str(&format!(
        "<span>{nodes} nodes, {edges} edges. Hover or click a box or a sentence.</span></div></header>\n"
    ));
    // The map is drawn to fit the page's width; the zoom buttons (shown once
    // the script runs) enlarge it inside its own scrolling box, so the page
    // itself never scrolls sideways.
    h.push_str(
        "<section id=\"mapsec\" aria-label=\"argument map\"><div class=\"zoom\" id=\"zoom\" \
         role=\"group\" aria-label=\"map zoom\" hidden>\
         <button type=\"button\" data-zoom=\"fit\">Fit width</button>\
         <button type=\"button\" data-zoom=\"out\" aria-label=\"zoom out\">&#8722;</button>\
         <button type=\"button\" data-zoom=\"in\" aria-label=\"zoom in\">+</button>\
         <button type=\"button\" data-zoom=\"1\">100%</button>\
         <output id=\"zoomval\"></output></div><div id=\"mapbox\">",
    );
    let index = a.map.index();
    h.push_str(&svg(a, &index));
    h.push_str("</div></section>\n<main id=\"essay\">\n");
    let issue_is_title = index.node(crate::argument::ISSUE_ID).is_some();
    if let Some(t) = &a.doc.title {
        let (cls, data) = if issue_is_title {
            (
                " s issue",
                format!(" data-id=\"{}\"", crate::argument::ISSUE_ID),
            )
        } else {
            ("", String::new())
        };
        h.push_str(&format!(
            "<p class=\"title{cls}\" id=\"issue\"{data}>{}</p>\n",
            escape(t)
        ));
    }
    let cites = citations(&a.doc);
    // Per reference: the citations that point to it, for back-links.
    let mut cited_by: HashMap<usize, Vec<(usize, usize)>> = HashMap::new();
    for (s, cs) in a.doc.sentences.iter().zip(&cites) {
        for (k, (_, r)) in cs.iter().enumerate() {
            if let Some(r) = r {
                cited_by.entry(*r).or_default().push((s.index, k));
            }
        }
    }
    let mut open: Option<usize> = None;
    let mut refs = Vec::new();
    for (s, cs) in a.doc.sentences.iter().zip(&cites) {
        if s.kind == Kind::Reference {
            refs.push((s, cs));
            continue;
        }
        if open == Some(s.paragraph) {
            h.push(' ');
        } else {
            if open.is_some() {
                h.push_str("</p>\n");
            }
            h.push_str(&format!("<p data-paragraph=\"{}\">", s.paragraph));
            open = Some(s.paragraph);
        }
        let text = marked_text(s, cs);
        if !s.kind.is_prose() {
            // Headings, list items and furniture: shown as what they are.
            let kind = s.kind.as_str();
            h.push_str(&format!(
                "<span class=\"s kind-{kind}\" id=\"s{}\" title=\"S{} {kind}\">{text}</span>\
                     <sup class=\"tag\">{} {}</sup>",
                s.index,
                s.index + 1,
                s.index + 1,
                kind.replace('_', " ")
            ));
            continue;
        }
        let node = index.node(s.index as i64);
        let mut cls = vec!["s".to_string()];
        if let Some(l) = s.label {
            cls.push(l.as_str().to_string());
        }
        if let Some(n) = node {
            if !cls.iter().any(|c| c == n.kind.as_str()) {
                cls.push(n.kind.as_str().to_string());
            }
            if n.stance == Some(crate::argument::Stance::Against) {
                cls.push("against".into());
            }
        }
        let tip = match (node, s.label) {
            (Some(n), _) => {
                let to = index
                    .parent(n.id)
                    .map(|e| {
                        let t = if e.target < 0 {
                            "the issue".to_string()
                        } else {
                            format!("S{}", e.target + 1)
                        };
                        format!(", {} {t} ({:.0}%)", e.relation, e.confidence * 100.0)
                    })
                    .unwrap_or_default();
                format!("{}{to}", node_name(n))
            }
            (None, Some(l)) => format!("S{} {l}", s.index + 1),
            (None, None) => format!("S{}", s.index + 1),
        };
        h.push_str(&format!(
                "<span class=\"{}\" id=\"s{}\" data-id=\"{}\" title=\"{}\">{text}</span><sup class=\"tag\">{}</sup>",
                cls.join(" "),
                s.index,
                s.index,
                escape(&tip),
                s.index + 1
            ));
    }
    if open.is_some() {
        h.push_str("</p>\n");
    }
    if !refs.is_empty() {
        h.push_str("<section id=\"references\"><h2>References</h2>\n<ol>\n");
        for (s, cs) in refs {
            h.push_str(&format!(
                "<li><span class=\"s kind-reference\" id=\"s{}\" title=\"S{} reference\">{}</span>",
                s.index,
                s.index + 1,
                marked_text(s, cs)
            ));
            if let Some(by) = cited_by.get(&s.index) {
                h.push_str(" <span class=\"citedby\">cited in");
                for (i, k) in by {
                    h.push_str(&format!(" <a href=\"#c{i}-{k}\">S{}</a>", i + 1));
                }
                h.push_str("</span>");
            }
            h.push_str("</li>\n");
        }
        h.push_str("</ol></section>\n");
    }
    h.push_str("</main>\n");
    // Grading assistance: feedback items link to the sentences above.
    if a.assessment.is_some() || !parts.extra.is_empty() {
        h.push_str("<aside id=\"assessment\">");
        if let Some(asmt) = &a.assessment {
            let anchor = |i: usize| format!("s{i}");
            h.push_str(&format!(
                "<style>{}</style>{}{}",
                crate::render::panel::PANEL_CSS,
                crate::render::panel::feedback_panel(asmt, &anchor),
                crate::render::panel::rubric_table(asmt, &anchor)
            ));
        }
        h.push_str(parts.extra);
        h.push_str("</aside>\n");
    }
    h.push_str(&format!("<script>{SCRIPT}</script>\n</body>\n</html>\n"));
    h
}

#[cfg(test)]
mod tests {
    use super::super::fixture;
    use super::*;

    #[test]
    fn layout_puts_parents_above_children() {
        let a = fixture::analysis();
        let pos = layout(&a, &a.map.index());
        assert_eq!(pos.len(), a.map.nodes.len());
        for e in &a.map.edges {
            assert!(pos[&e.source].1 > pos[&e.target].1, "{e:?}");
        }
        assert_eq!(pos[&crate::argument::ISSUE_ID].1, 0);
        // Columns are distinct per row.
        let mut seen = std::collections::HashSet::new();
        for (x, r) in pos.values() {
            assert!(seen.insert((r, (*x * 10.0) as i64)));
        }
    }

    #[test]
    fn layout_ends_on_maps_with_cycles_and_two_parents() {
        use crate::argument::Edge;
        let mut a = fixture::analysis();
        let edge = |source, target| Edge {
            source,
            target,
            relation: Relation::Supports,
            confidence: 1.0,
        };
        // 1 leaves twice, 1 and 3 form a cycle.
        a.map.edges = vec![edge(1, 0), edge(1, 3), edge(3, 1), edge(5, 5)];
        let pos = layout(&a, &a.map.index());
        assert!(pos.contains_key(&0) && pos.contains_key(&1));
        assert!(page(&a, &PageParts::default()).contains("<svg id=\"map\""));
    }

    #[test]
    fn the_map_fits_the_page_width_with_zoom_controls() {
        // A map far wider than a laptop screen: forty claims side by side.
        let text: String = (0..40)
            .map(|i| format!("Claim number {i} is true.\n\n"))
            .collect();
        let mut d =
            crate::segment::document(&crate::segment::RuleSegmenter::default(), None, None, text);
        for s in &mut d.sentences {
            s.label = Some(crate::Label::Claim);
        }
        let links = crate::link::Linker::link(&crate::link::NearestClaimLinker, &d);
        let a = Analysis::new(d.clone(), crate::argument::ArgumentMap::build(&d, &links));
        let h = page(&a, &PageParts::default());
        let open = &h[h.find("<svg id=\"map\"").unwrap()..];
        let open = &open[..open.find('>').unwrap()];
        let width: f64 = open
            .split("width=\"")
            .nth(1)
            .unwrap()
            .split('"')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        assert!(width > 2000.0, "{open}");
        // The drawing scales with its box (viewBox + max-width), and zooms in
        // its own scrolling box, not the page's.
        assert!(
            open.contains(&format!("viewBox=\"0 0 {width:.0} ")),
            "{open}"
        );
        assert!(STYLE.contains("#map{display:block;margin:0 auto;max-width:100%;height:auto}"));
        assert!(STYLE.contains("#mapbox{overflow:auto;max-width:100%}"));
        for z in ["fit", "in", "out", "1"] {
            assert!(
                h.contains(&format!("<button type=\"button\" data-zoom=\"{z}\"")),
                "{z}"
            );
        }
    }

    #[test]
    fn page_is_self_contained_and_escaped() {
        let a = fixture::analysis();
        let mut out = Vec::new();
        HtmlRenderer.render(&a, &mut out).unwrap();
        let h = String::from_utf8(out).unwrap();
        assert!(h.starts_with("<!DOCTYPE html>"));
        assert!(
            !h.contains("http://") || h.matches("http://").count() == 1,
            "only the SVG xmlns"
        );
        assert!(!h.contains("https://") && !h.contains("src="));
        assert!(h.contains("&lt;less&gt;") && !h.contains("<less>"));
        assert!(h.contains("id=\"s3\" data-id=\"3\""));
        assert_eq!(h.matches("<g class=\"node").count(), a.map.nodes.len());
        assert!(h.contains("class=\"s claim against\""));
    }

    /// An essay of our own with page furniture, a works-cited list whose second
    /// entry carries markup, and a citation to each entry, labelled as the
    /// pipeline labels (prose only) and graded.
    fn cited() -> Analysis {
        let text = "Towns should close their centres to cars. After Ghent shut its core \
                    to through traffic, cycling rose by a quarter (Moreau 2019, 44). \
                    Footfall in the <b>shops</b> rose as well (Lindqvist 2021).\n\n\
                    Cars also make streets loud. Night traffic keeps families awake.\n\n\
                    Page 2 of 3\n\nWorks Cited\n\n\
                    Moreau, Alice. 2019. Streets Without Engines. Lyon: Presses du Rhone.\n\
                    Lindqvist, Per. 2021. \"><img src=x onerror=alert(1)> <script>alert(1)</script>. \
                    Urban Review 12: 33-51.\n";
        let mut d = crate::segment::document(
            &crate::segment::RuleSegmenter::default(),
            None,
            None,
            text.into(),
        );
        for s in &mut d.sentences {
            s.label = Some(match (s.kind.is_prose(), s.position_in_paragraph) {
                (false, _) => crate::Label::Other,
                (true, 0) => crate::Label::Claim,
                (true, _) => crate::Label::Evidence,
            });
        }
        // A citation over markup, pointing to the second reference.
        let refs: Vec<usize> = d
            .sentences
            .iter()
            .filter(|s| s.kind == Kind::Reference)
            .map(|s| s.index)
            .collect();
        let s = &mut d.sentences[2];
        let at = s.start + s.text[..s.text.find("<b>").unwrap()].chars().count();
        s.citations.insert(
            0,
            crate::document::Citation {
                start: at,
                end: at + "<b>shops</b>".len(),
                text: "<b>shops</b>".into(),
                reference: refs.last().copied(),
            },
        );
        let links = crate::link::Linker::link(&crate::link::NearestClaimLinker, &d);
        let map = crate::argument::ArgumentMap::build(&d, &links);
        let assessment = crate::grade::Grader::default().grade_map(&d, &map);
        Analysis {
            assessment: Some(assessment),
            ..Analysis::new(d, map)
        }
    }

    #[test]
    fn references_are_listed_and_citations_link_to_them() {
        let a = cited();
        let kinds: Vec<Kind> = a.doc.sentences.iter().map(|s| s.kind).collect();
        let refs = kinds.iter().filter(|&&k| k == Kind::Reference).count();
        assert_eq!(refs, 2, "{kinds:?}");
        assert!(kinds.contains(&Kind::Furniture), "{kinds:?}");
        let mut out = Vec::new();
        HtmlRenderer.render(&a, &mut out).unwrap();
        let h = String::from_utf8(out).unwrap();

        // One numbered item per reference, after the essay.
        let (essay, list) = h.split_once("<section id=\"references\">").unwrap();
        let list = &list[..list.find("</section>").unwrap()];
        assert!(list.contains("<ol>"));
        assert_eq!(list.matches("<li>").count(), refs);
        assert!(!essay.contains("kind-reference"));
        // Every citation is marked; every in-page link has its target.
        let marked = h.matches("class=\"cite\"").count();
        let cited: usize = a.doc.sentences.iter().map(|s| s.citations.len()).sum();
        assert_eq!(marked, cited);
        assert!(h.matches("<a class=\"cite\"").count() >= 2);
        for href in h.split("href=\"#").skip(1) {
            let id = &href[..href.find('"').unwrap()];
            assert!(h.contains(&format!(" id=\"{id}\"")), "no target for #{id}");
        }
        // Back-links from each reference to the citations of it.
        assert_eq!(list.matches("<a href=\"#c").count(), 3, "{list}");
        // No role on references, headings or furniture.
        for s in a.doc.sentences.iter().filter(|s| !s.kind.is_prose()) {
            let span = format!(
                "<span class=\"s kind-{}\" id=\"s{}\" title=",
                s.kind.as_str(),
                s.index
            );
            assert!(h.contains(&span), "{span}");
        }
        // Markup in a citation or a reference is text.
        assert!(h.contains("&lt;b&gt;shops&lt;/b&gt;</a>"));
        assert!(h.contains("&quot;&gt;&lt;img src=x onerror=alert(1)&gt;"));
        assert!(!h.contains("<img") && !h.contains("<b>shops"));
        assert_eq!(h.matches("<script>").count(), 1, "only the page's own");
        // The feedback on uncited evidence renders like any other item.
        let feedback = &a.assessment.as_ref().unwrap().feedback;
        assert!(
            feedback.iter().any(|f| f.code == "uncited_evidence"),
            "{feedback:?}"
        );
        for f in feedback {
            assert!(h.contains(&format!("data-code=\"{}\"", f.code)), "{f:?}");
        }
    }

    #[test]
    fn empty_document_renders() {
        let a = Analysis::new(
            crate::segment::document(
                &crate::segment::RuleSegmenter::default(),
                None,
                None,
                String::new(),
            ),
            crate::argument::ArgumentMap::default(),
        );
        let mut out = Vec::new();
        HtmlRenderer.render(&a, &mut out).unwrap();
        assert!(String::from_utf8(out).unwrap().contains("<svg"));
    }
}
