//! Citations and bibliographies in pasted essays, found by small text scanners.
//!
//! Essays copied from the web or a word processor carry in-text citations
//! ("(Davies 1989, 1029)", `"[3]"`, "end.¹²", "Ibid., 45") and a bibliography,
//! often run together on one line after the last paragraph. Later stages should
//! neither read a citation as words of the argument nor a bibliography entry as
//! a sentence, so this module finds them:
//! - [`citations`]: the byte ranges of the in-text citations of a sentence;
//! - [`is_references_heading`]: "References", "Works Cited", ...;
//! - [`references_start`]: where a trailing run of bibliography entries begins
//!   in a block that may start with prose;
//! - [`reference_entries`]: the entries of a bibliography, one per line or run
//!   together;
//! - [`match_reference`]: the entry a citation points to.
//!
//! No model and no regex: each pattern is a short hand-written grammar over a
//! cursor (`Cur`). Every scanner looks a bounded distance ahead, so the whole
//! work stays linear in the input, and all offsets are byte offsets on char
//! boundaries.

use super::{any_byte, any_pair};
use std::ops::Range;

/// A cursor over a string; every method either consumes what it matched and
/// returns true/`Some`, or leaves the position unchanged.
#[derive(Clone, Copy)]
struct Cur<'a> {
    s: &'a str,
    i: usize,
}

impl<'a> Cur<'a> {
    fn new(s: &'a str) -> Self {
        Cur { s, i: 0 }
    }

    fn rest(&self) -> &'a str {
        &self.s[self.i..]
    }

    fn peek(&self) -> Option<char> {
        self.rest().chars().next()
    }

    fn done(&self) -> bool {
        self.i == self.s.len()
    }

    /// Skips whitespace; true when there was some.
    fn ws(&mut self) -> bool {
        let r = self.rest();
        let n = r.len() - r.trim_start().len();
        self.i += n;
        n > 0
    }

    /// Consumes `lit` (ASCII case-insensitive).
    fn eat(&mut self, lit: &str) -> bool {
        let r = self.rest().as_bytes();
        if r.len() >= lit.len() && r[..lit.len()].eq_ignore_ascii_case(lit.as_bytes()) {
            self.i += lit.len();
            true
        } else {
            false
        }
    }

    /// Consumes `lit` when no letter or digit follows it.
    fn eat_word(&mut self, lit: &str) -> bool {
        let save = self.i;
        if self.eat(lit) && !self.peek().is_some_and(char::is_alphanumeric) {
            return true;
        }
        self.i = save;
        false
    }

    /// Consumes a run of ASCII digits (at most `max`, none may follow).
    fn digits(&mut self, max: usize) -> Option<&'a str> {
        let r = self.rest();
        let n = r.bytes().take_while(u8::is_ascii_digit).count();
        if n == 0 || n > max {
            return None;
        }
        self.i += n;
        Some(&r[..n])
    }

    /// Consumes a word of letters (also `'`, `’` and `-` inside).
    fn word(&mut self) -> Option<&'a str> {
        let r = self.rest();
        let mut end = 0;
        for (k, c) in r.char_indices() {
            if c.is_alphabetic() || (k > 0 && matches!(c, '\'' | '’' | '-')) {
                end = k + c.len_utf8();
            } else {
                break;
            }
        }
        let w = r[..end].trim_end_matches(['\'', '’', '-']);
        if w.is_empty() {
            return None;
        }
        self.i += w.len();
        Some(w)
    }

    /// Consumes a capitalised word of two letters or more.
    fn capword(&mut self) -> Option<&'a str> {
        let save = self.i;
        match self.word() {
            Some(w)
                if w.chars().next().is_some_and(char::is_uppercase) && w.chars().count() > 1 =>
            {
                Some(w)
            }
            _ => {
                self.i = save;
                None
            }
        }
    }

    /// Consumes an initial: one capital letter and a full stop ("J.", also "J.-P.").
    fn initial(&mut self) -> bool {
        let save = self.i;
        let mut any = false;
        loop {
            let r = self.rest();
            let mut cs = r.chars();
            match (cs.next(), cs.next()) {
                (Some(c), Some('.')) if c.is_uppercase() => {
                    self.i += c.len_utf8() + 1;
                    any = true;
                    self.eat("-");
                }
                _ => break,
            }
        }
        if !any || self.peek().is_some_and(char::is_alphanumeric) {
            self.i = save;
            return false;
        }
        true
    }
}

/// Words that open a parenthesis or a sentence without being a surname.
const NOT_NAMES: &[&str] = &[
    "A",
    "About",
    "Act",
    "After",
    "Again",
    "Age",
    "Ages",
    "Also",
    "Although",
    "An",
    "And",
    "Appendix",
    "April",
    "Around",
    "Article",
    "As",
    "At",
    "August",
    "Because",
    "Before",
    "Besides",
    "Between",
    "Born",
    "But",
    "By",
    "Ca",
    "Chapter",
    "Circa",
    "Class",
    "Clearly",
    "Consequently",
    "December",
    "Died",
    "During",
    "Episode",
    "Fall",
    "February",
    "Fig",
    "Figure",
    "Finally",
    "First",
    "For",
    "From",
    "Furthermore",
    "Grade",
    "He",
    "Hence",
    "However",
    "If",
    "In",
    "Indeed",
    "Instead",
    "It",
    "January",
    "July",
    "June",
    "Just",
    "Level",
    "Line",
    "Lines",
    "March",
    "May",
    "Meanwhile",
    "Moreover",
    "Nearly",
    "Nevertheless",
    "No",
    "Note",
    "November",
    "Now",
    "Number",
    "October",
    "Of",
    "On",
    "Once",
    "Only",
    "Or",
    "Over",
    "Overall",
    "Page",
    "Part",
    "Phase",
    "Question",
    "Room",
    "Second",
    "Section",
    "See",
    "September",
    "She",
    "Similarly",
    "Since",
    "So",
    "Spring",
    "Step",
    "Still",
    "Summer",
    "Table",
    "That",
    "The",
    "Then",
    "There",
    "These",
    "They",
    "Third",
    "This",
    "Those",
    "Though",
    "Thus",
    "To",
    "Today",
    "Type",
    "Under",
    "Unlike",
    "Until",
    "Version",
    "Vol",
    "Volume",
    "We",
    "When",
    "While",
    "Winter",
    "Year",
    "Years",
    "Yet",
];

fn is_name(w: &str) -> bool {
    !NOT_NAMES.contains(&w)
}

/// Lower-case words inside a name ("Department of Health", "van der Berg").
const NAME_PARTICLES: &[&str] = &[
    "da", "de", "del", "den", "der", "di", "du", "for", "la", "le", "of", "on", "the", "van", "von",
];

/// A name of one to five capitalised words, with particles between them.
fn name(c: &mut Cur) -> Option<usize> {
    let save = c.i;
    let mut words = 0;
    loop {
        let before = c.i;
        if words > 0 && !c.ws() {
            break;
        }
        let mut particle = Cur { s: c.s, i: c.i };
        while let Some(w) = particle.word() {
            if !NAME_PARTICLES.contains(&w) || !particle.ws() {
                break;
            }
            c.i = particle.i;
        }
        if words < 5 && c.capword().is_some() {
            words += 1;
        } else {
            c.i = before;
            break;
        }
    }
    if words == 0 {
        c.i = save;
        return None;
    }
    Some(words)
}

/// A year: 1000-2099 with an optional letter ("2003a"), "n.d.", "in press", "forthcoming".
fn year(c: &mut Cur) -> bool {
    let save = c.i;
    if c.eat("n.d.") || c.eat("n. d.") || c.eat_word("in press") || c.eat_word("forthcoming") {
        return true;
    }
    if let Some(d) = c.digits(4) {
        if d.len() == 4 && (1000..2100).contains(&d.parse::<u32>().unwrap_or(0)) {
            let mut after = *c;
            if after.peek().is_some_and(|ch| ch.is_ascii_lowercase()) {
                after.i += 1;
            }
            if !after.peek().is_some_and(char::is_alphanumeric) {
                c.i = after.i;
                return true;
            }
        }
    }
    c.i = save;
    false
}

/// Page numbers: "42", "42-45", "42–45, 50", "iv" is not one.
fn pages(c: &mut Cur) -> bool {
    let save = c.i;
    let mut any = false;
    loop {
        let before = c.i;
        if any {
            c.ws();
            if !(c.eat(",") || c.eat_word("and") || c.eat("&")) {
                c.i = before;
                break;
            }
            c.ws();
        }
        if c.digits(5).is_none() {
            c.i = before;
            break;
        }
        any = true;
        let dash = c.i;
        c.ws();
        if c.eat("-") || c.eat("–") || c.eat("—") {
            c.ws();
            if c.digits(5).is_none() {
                c.i = dash;
            }
        } else {
            c.i = dash;
        }
        if c.peek().is_some_and(char::is_alphanumeric) {
            c.i = save;
            return false;
        }
    }
    if !any {
        c.i = save;
    }
    any
}

/// A page marker: "p.", "pp.", "para.", "ch.", "§", ...
fn page_marker(c: &mut Cur) -> bool {
    for m in [
        "pp.", "p.", "paras.", "para.", "chap.", "ch.", "sec.", "fig.", "ll.", "l.", "¶", "§",
    ] {
        if c.eat(m) {
            return true;
        }
    }
    c.eat_word("pp") || c.eat_word("p") || c.eat_word("at") || c.eat_word("line")
}

/// An optional locator after a year or name: ", p. 4", ": 45", " 1029", ", para. 3".
fn locator(c: &mut Cur) {
    let save = c.i;
    c.ws();
    if c.eat(",") || c.eat(":") {
        c.ws();
    }
    if page_marker(c) {
        c.ws();
    }
    if !pages(c) {
        c.i = save;
    }
}

/// Authors: "Smith", "Smith and Jones", "Smith, Jones, & Lee", "Smith et al.".
/// Returns whether the first word has a lower-case letter (not an acronym).
fn authors(c: &mut Cur) -> Option<bool> {
    let start = c.i;
    name(c)?;
    // The first capitalised word, after any particles ("van der Berg").
    let first = c.s[start..c.i]
        .split_whitespace()
        .find(|w| w.chars().next().is_some_and(char::is_uppercase))?;
    if !is_name(first) {
        c.i = start;
        return None;
    }
    let mixed = first.chars().any(char::is_lowercase);
    loop {
        let before = c.i;
        c.ws();
        if c.eat_word("et al.") || c.eat_word("et al") {
            break;
        }
        let comma = c.eat(",");
        c.ws();
        let joined = c.eat_word("and") || c.eat("&");
        c.ws();
        if (comma || joined) && name(c).is_some() {
            continue;
        }
        c.i = before;
        break;
    }
    Some(mixed)
}

/// One citation inside brackets (a part between semicolons).
fn citation_part(part: &str) -> bool {
    let mut c = Cur::new(part.trim());
    loop {
        c.ws();
        if c.eat_word("see also") || c.eat_word("see") || c.eat("cf.") || c.eat("e.g.,") {
            continue;
        }
        if c.eat("e.g.") || c.eat("qtd. in") || c.eat_word("as cited in") || c.eat_word("cited in")
        {
            continue;
        }
        if c.eat_word("quoted in") {
            continue;
        }
        break;
    }
    c.ws();
    if c.eat_word("ibid") {
        c.eat(".");
        locator(&mut c);
        c.ws();
        return c.done();
    }
    if page_marker(&mut c) {
        c.ws();
        return pages(&mut c) && {
            c.ws();
            c.done()
        };
    }
    let Some(mixed) = authors(&mut c) else {
        return false;
    };
    c.ws();
    let comma = c.eat(",");
    c.ws();
    if year(&mut c) {
        loop {
            let before = c.i;
            c.ws();
            if c.eat(",") {
                c.ws();
                if year(&mut c) {
                    continue;
                }
            }
            c.i = before;
            break;
        }
        locator(&mut c);
        c.ws();
        return c.done();
    }
    // MLA author-page: "(Smith 42)"; not an acronym ("COVID 19") nor "(Smith, 3)".
    mixed && !comma && pages(&mut c) && {
        c.ws();
        c.done()
    }
}

/// Whether bracketed text is a citation.
fn bracket_citation(inner: &str, square: bool, before: &str) -> bool {
    if square {
        // Numeric: "3", "3, 5", "3-5", "1, 3–5", "3, p. 4".
        let mut c = Cur::new(inner.trim());
        let mut ok = false;
        loop {
            c.ws();
            if c.digits(3).is_none() {
                break;
            }
            ok = true;
            c.ws();
            if c.eat("-") || c.eat("–") || c.eat("—") {
                c.ws();
                if c.digits(3).is_none() {
                    ok = false;
                    break;
                }
                c.ws();
            }
            if !c.eat(",") {
                break;
            }
            let mut p = c;
            p.ws();
            if page_marker(&mut p) {
                c.i = p.i;
                c.ws();
                ok = pages(&mut c);
                c.ws();
                break;
            }
        }
        if ok && c.done() {
            return true;
        }
    }
    if inner.split(';').all(citation_part) {
        return true;
    }
    // A year alone needs a locator ("(2010, p. 4)") or "et al." before it.
    let mut c = Cur::new(inner.trim());
    if year(&mut c) {
        if c.done() {
            return before.trim_end().ends_with("et al.");
        }
        let at = c.i;
        locator(&mut c);
        c.ws();
        return c.i > at && c.done();
    }
    false
}

const SUPERSCRIPTS: &str = "⁰¹²³⁴⁵⁶⁷⁸⁹";

fn is_superscript_digit(c: char) -> bool {
    SUPERSCRIPTS.contains(c)
}

/// Short words after which glued digits are a locator ("p.12"), not a note.
const NOT_BEFORE_NOTE: &[&str] = &[
    "art", "bk", "cf", "ch", "chap", "ed", "eds", "eq", "ex", "fig", "l", "ll", "n", "nn", "no",
    "nos", "op", "p", "para", "pp", "pt", "ref", "sec", "tab", "v", "vol", "vols", "vs",
];

/// The word of letters ending at byte `end` of `s`.
fn word_before(s: &str, end: usize) -> &str {
    let start = s[..end]
        .char_indices()
        .rev()
        .take_while(|&(_, c)| c.is_alphabetic())
        .last()
        .map_or(end, |(k, _)| k);
    &s[start..end]
}

/// Footnote markers: superscript digits after a word or punctuation, and plain
/// digits glued after sentence punctuation ("end.12").
fn note_markers(s: &str, out: &mut Vec<Range<usize>>) {
    let mut iter = s.char_indices().peekable();
    while let Some((k, c)) = iter.next() {
        let prev = s[..k].chars().next_back();
        if is_superscript_digit(c) {
            let mut end = k + c.len_utf8();
            while let Some(&(j, d)) = iter.peek() {
                if is_superscript_digit(d) || matches!(d, '⁻' | ',') {
                    end = j + d.len_utf8();
                    iter.next();
                } else {
                    break;
                }
            }
            let end = k + s[k..end].trim_end_matches([',', '⁻']).len();
            let ok = match prev {
                Some(p) if p.is_alphabetic() => word_before(s, k).chars().count() >= 3,
                Some(p) => !p.is_whitespace() && !p.is_ascii_digit(),
                None => false,
            };
            if ok {
                out.push(k..end);
            }
        } else if c.is_ascii_digit() {
            let end = k + s[k..].bytes().take_while(u8::is_ascii_digit).count();
            while iter.peek().is_some_and(|&(j, _)| j < end) {
                iter.next();
            }
            if glued_note(s, k, end) {
                out.push(k..end);
            }
        }
    }
}

/// Whether the digits `s[k..end]` are a note number glued after punctuation.
fn glued_note(s: &str, k: usize, end: usize) -> bool {
    if end - k > 3 || s[k..].starts_with('0') {
        return false;
    }
    // "end.12" ends a sentence: a lower-case word after it means a missing
    // space ("happy.9 percent").
    let after = &s[end..];
    if after.chars().next().is_some_and(|c| !c.is_whitespace())
        || after
            .trim_start()
            .chars()
            .next()
            .is_some_and(char::is_lowercase)
    {
        return false;
    }
    // Back over closing quotes to sentence punctuation, then a word.
    let mut j = k;
    let mut punct = false;
    for (p, c) in s[..k].char_indices().rev().take(3) {
        if matches!(c, '"' | '”' | '’' | '\'') {
            j = p;
        } else if matches!(c, '.' | '?' | '!') {
            j = p;
            punct = true;
            break;
        } else {
            break;
        }
    }
    if !punct {
        return false;
    }
    let w = word_before(s, j);
    if w.chars().count() < 2 || NOT_BEFORE_NOTE.contains(&w.to_lowercase().as_str()) {
        return false;
    }
    // After the last whitespace character, which may take several bytes.
    let token_start = s[..k]
        .char_indices()
        .rev()
        .find(|(_, c)| c.is_whitespace())
        .map_or(0, |(p, c)| p + c.len_utf8());
    let token = &s[token_start..end];
    !(token.contains('/') || token.contains('@') || token.contains("www"))
}

/// "ibid." or "Ibid., 45" outside brackets.
fn ibid(s: &str, out: &mut Vec<Range<usize>>) {
    let lower = s.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find("ibid").map(|p| p + from) {
        from = p + 4;
        if s[..p]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric)
        {
            continue;
        }
        let mut c = Cur { s, i: p + 4 };
        if c.peek().is_some_and(char::is_alphanumeric) {
            continue;
        }
        c.eat(".");
        locator(&mut c);
        out.push(p..c.i);
    }
}

/// Which of the scanners of [`citations`] can find something in `b`
/// (brackets, note markers, "ibid").
fn scanners(b: &[u8]) -> (bool, bool, bool) {
    // Most sentences cite nothing: each scanner runs only when a byte it
    // needs is there (every sentence of a batch passes through here).
    // The tests are exact: each lets through every sentence its scanner can
    // find something in. A bracketed citation needs an opening and a closing
    // bracket.
    let brackets =
        any_byte(b, |c| c == b'(' || c == b'[') && any_byte(b, |c| c == b')' || c == b']');
    // `note_markers` finds a superscript digit (¹²³ are C2 B9/B2/B3, ⁰ and
    // ⁴-⁹ E2 81 B0/B4-B9) or, through `glued_note`, an ASCII digit right after
    // sentence punctuation or a closing quote (’ and ” end in 99 and 9D).
    // Most paragraphs have none of the second bytes: one light pass first.
    let notes = any_byte(b, |c| c.is_ascii_digit() || c >= 0xB0)
        && any_pair(b, |p, c| {
            (c.is_ascii_digit() & matches!(p, b'.' | b'?' | b'!' | b'"' | b'\'' | 0x99 | 0x9D))
                | ((p == 0xC2) & matches!(c, 0xB2 | 0xB3 | 0xB9))
                | ((p == 0x81) & (0xB0..=0xB9).contains(&c))
        });
    // "ibid" in any case (`| 0x20` lowers exactly the two cases of a letter),
    // four shifted slices rather than `windows`, so that it vectorises.
    let ibids = b.len() >= 4
        && b.iter().zip(&b[1..]).zip(&b[2..]).zip(&b[3..]).fold(
            false,
            |a, (((&w, &x), &y), &z)| {
                a | ((w | 0x20 == b'i')
                    & (x | 0x20 == b'b')
                    & (y | 0x20 == b'i')
                    & (z | 0x20 == b'd'))
            },
        );
    (brackets, notes, ibids)
}

/// Whether a text may hold an in-text citation: [`citations`] finds none in
/// any part of a text without one (its tests hold for parts of a text only if
/// they hold for the text), so a paragraph can spare its sentences the tests.
pub(crate) fn may_cite(text: &str) -> bool {
    let (brackets, notes, ibids) = scanners(text.as_bytes());
    brackets || notes || ibids
}

/// In-text citations in a sentence: author-year "(Davies 1989, 1029)", "(Smith and Jones, 2003)",
/// "(Smith et al. 2010, p. 4)", several in one pair of parentheses "(Smith 2001; Lee 2004)" -> one citation,
/// MLA author-page "(Smith 42)", "(Smith 42-45)", numeric `"[3]"`, `"[3, 5]"`, `"[3-5]"`, footnote markers
/// (superscript digits ¹²³, or a digit glued after final punctuation or a word like "end.12" only when
/// unambiguous), "ibid." / "Ibid., 45" / "(ibid.)". Not citations: "(see below)", "(1)" list numbers,
/// "(in 1990)", `"[sic]"`, years in prose, "(e.g. cars)".
///
/// Bracketed citations include their brackets. The ranges are ascending and
/// do not overlap.
pub fn citations(sentence: &str) -> Vec<Range<usize>> {
    let s = sentence;
    let b = s.as_bytes();
    let mut out = Vec::new();
    let (brackets, notes, ibids) = scanners(b);
    if !(brackets || notes || ibids) {
        return out;
    }
    // Brackets are ASCII, so bytes give the same offsets as chars.
    let mut open: Option<(usize, u8)> = None;
    for (k, &c) in b.iter().enumerate().filter(|_| brackets) {
        match c {
            b'(' | b'[' => open = Some((k, c)),
            b')' | b']' => {
                if let Some((o, oc)) = open.take() {
                    let square = oc == b'[';
                    let inner = &s[o + 1..k];
                    if square == (c == b']')
                        && inner.len() <= 300
                        && bracket_citation(inner, square, &s[..o])
                    {
                        out.push(o..k + 1);
                    }
                }
            }
            _ => {}
        }
    }
    let mut extra = Vec::new();
    if notes {
        note_markers(s, &mut extra);
    }
    if ibids {
        ibid(s, &mut extra);
    }
    out.sort_by_key(|r| r.start);
    // Bracketed citations win over markers inside them ("(ibid.)").
    let bracketed = out.len();
    for r in extra {
        let i = out[..bracketed].partition_point(|o| o.end <= r.start);
        if out[..bracketed].get(i).is_none_or(|o| o.start >= r.end) {
            out.push(r);
        }
    }
    out.sort_by_key(|r| r.start);
    out
}

/// Whether a line is a bibliography heading: "References", "Works Cited", "Bibliography",
/// "Sources", "Works Consulted", "Reference List", optionally with "#", trailing ":" or in caps.
pub fn is_references_heading(line: &str) -> bool {
    let t = line
        .trim()
        .trim_start_matches('#')
        .trim_matches(|c: char| c.is_whitespace() || matches!(c, '*' | '_' | ':' | '.'));
    if t.len() > 40 {
        return false;
    }
    let t = t
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase();
    matches!(
        t.as_str(),
        "references"
            | "reference"
            | "reference list"
            | "list of references"
            | "works cited"
            | "work cited"
            | "works consulted"
            | "works referenced"
            | "bibliography"
            | "select bibliography"
            | "sources"
            | "sources cited"
            | "sources consulted"
            | "literature cited"
            | "citations"
            | "notes"
            | "endnotes"
    )
}

/// How a bibliography entry opens.
#[derive(Clone, Copy, PartialEq)]
enum Opening {
    /// "Smith, J." / "Smith, John, and Jane Doe." / "World Health Organization. 2010."
    Author,
    /// "3." / "3)" / "[3]" then a capital or a quote.
    Numbered(u32),
}

/// The author block (or number) an entry opens with at the start of `s`:
/// its kind and end.
fn opening(s: &str) -> Option<(Opening, usize)> {
    let mut c = Cur::new(s);
    // Numbered: "12. ", "12) ", "[12] ".
    let square = c.eat("[");
    if let Some(d) = c.digits(3) {
        let n: u32 = d.parse().ok()?;
        let closed = if square {
            c.eat("]")
        } else {
            c.eat(".") || c.eat(")")
        };
        if closed
            && c.ws()
            && c.peek()
                .is_some_and(|ch| ch.is_uppercase() || "\"“'‘".contains(ch))
        {
            return Some((Opening::Numbered(n), c.i));
        }
        return None;
    }
    if square {
        return None;
    }
    let first = c.capword()?;
    if !is_name(first) {
        return None;
    }
    c.i = 0;
    name(&mut c)?;
    if !c.eat(",") {
        // Organisation: "World Health Organization. (2010)." / "Rittersporn. 1993."
        if !c.eat(".") {
            return None;
        }
        let end = c.i;
        c.ws();
        let paren = c.eat("(");
        let dated = year(&mut c) && if paren { c.eat(")") } else { c.eat(".") };
        return dated.then_some((Opening::Author, end));
    }
    // "Surname, Given Names", then co-authors: "Smith, J., & Lee, K." (surname
    // first) or "Getty, J. Arch, and Gabor T. Rittersporn" (given names first).
    loop {
        if given_names(&mut c) == 0 {
            return None;
        }
        let before = c.i;
        c.ws();
        let comma = c.eat(",");
        c.ws();
        if c.eat_word("et al.") || c.eat("eds.") || c.eat("ed.") {
            return Some((Opening::Author, c.i));
        }
        let joined = c.eat_word("and") || c.eat("&");
        c.ws();
        if comma || joined {
            let co = c.i;
            if name(&mut c).is_some() && c.eat(",") {
                continue;
            }
            c.i = co;
            if given_names(&mut c) > 0 {
                break;
            }
        }
        c.i = before;
        break;
    }
    // Ends with a full stop (an initial's or its own), or at the end of `s`.
    if c.s[..c.i].ends_with('.') || c.eat(".") || c.done() {
        return Some((Opening::Author, c.i));
    }
    None
}

/// Given names: one to four initials or capitalised words; how many.
fn given_names(c: &mut Cur) -> usize {
    let mut n = 0;
    loop {
        let before = c.i;
        c.ws();
        if n < 4 && (c.initial() || c.capword().is_some()) {
            n += 1;
        } else {
            c.i = before;
            return n;
        }
    }
}

/// Byte offsets where dated years, "n.d." or URLs start: what makes a text an entry.
fn evidence(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    // Each mark but a year holds a pair of bytes ("://", "ww", "i:", ".d")
    // that prose seldom has; without one, only the digits need a look (this
    // runs on the tail of every block).
    let marks = any_pair(b, |p, c| {
        ((p == b':') & (c == b'/'))
            | ((p == b'w') & (c == b'w'))
            | ((p == b'i') & (c == b':'))
            | ((p == b'.') & (c == b'd'))
    });
    if !marks {
        return years(text);
    }
    let mut out = Vec::new();
    let mut k = 0;
    while k < b.len() {
        let boundary = k == 0 || !b[k - 1].is_ascii_alphanumeric();
        if boundary && b[k].is_ascii_digit() {
            if year_at(text, k) {
                out.push(k);
            }
            k += b[k..].iter().take_while(|x| x.is_ascii_digit()).count();
            continue;
        }
        if boundary
            && (b[k..].starts_with(b"http://")
                || b[k..].starts_with(b"https://")
                || b[k..].starts_with(b"www.")
                || b[k..].starts_with(b"doi:")
                || b[k..].starts_with(b"n.d."))
        {
            out.push(k);
        }
        k += 1;
    }
    out
}

/// Whether a year as bibliographies set it starts at `k`, a digit after no
/// letter or digit: "(2010", "2010.", "Press, 2010", ... not "in 1968 and".
fn year_at(text: &str, k: usize) -> bool {
    let mut c = Cur { s: text, i: k };
    let set_off =
        text[..k].ends_with('(') || text[..k].ends_with(", ") || text[..k].ends_with(". ");
    year(&mut c) && (set_off || c.rest().starts_with(['.', ',', ')', ':']))
}

/// [`evidence`] of a text without URLs or "n.d.": its years. Skips 32 bytes
/// at a time to the next digit.
fn years(text: &str) -> Vec<usize> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    if !any_byte(b, |c| c.is_ascii_digit()) {
        return out;
    }
    let mut k = 0;
    loop {
        while b.len() - k >= 32 && !any_byte(&b[k..k + 32], |c| c.is_ascii_digit()) {
            k += 32;
        }
        let Some(d) = b[k..].iter().position(u8::is_ascii_digit) else {
            return out;
        };
        k += d;
        if (k == 0 || !b[k - 1].is_ascii_alphanumeric()) && year_at(text, k) {
            out.push(k);
        }
        k += b[k..].iter().take_while(|x| x.is_ascii_digit()).count();
    }
}

/// How far from the end of a block [`references_start`] looks for the last
/// entry's year or URL: an entry's length and then some.
const TAIL: usize = 1000;

/// How far after an entry's start its year (or URL) may be.
const EVIDENCE_WINDOW: usize = 400;

fn has_evidence(ev: &[usize], at: usize) -> bool {
    let i = ev.partition_point(|&p| p < at);
    ev.get(i).is_some_and(|&p| p < at + EVIDENCE_WINDOW)
}

fn is_url(token: &str) -> bool {
    ["http://", "https://", "www.", "doi:"]
        .iter()
        .any(|p| token.starts_with(p))
}

/// A piece of a bibliography: an entry, or (when `entry` is false) text that
/// does not open like one (a cut-short first entry, a heading, prose).
struct Piece {
    range: Range<usize>,
    entry: bool,
}

/// Cuts `text` into pieces at the starts of entries: at a line that opens
/// like an entry or follows a line ending a sentence, and inside a line after
/// a full stop or a URL where an author block (or the next number) starts.
fn pieces(text: &str) -> Vec<Piece> {
    let ev = evidence(text);
    let mut out: Vec<Piece> = Vec::new();
    let mut cur: Option<(usize, bool, usize)> = None; // start, entry, indent
    let mut last_num: Option<u32> = None;
    let mut prev_terminal = false;
    let mut pos = 0;
    let close = |out: &mut Vec<Piece>, start: usize, end: usize, entry: bool| {
        let r = trim_range(text, start..end);
        if !r.is_empty() {
            out.push(Piece { range: r, entry });
        }
    };
    for line in text.split_inclusive('\n') {
        let line_start = pos;
        pos += line.len();
        let trimmed = line.trim();
        if trimmed.is_empty() {
            continue;
        }
        let indent = line.len() - line.trim_start().len();
        let t = line_start + indent;
        let line_end = t + trimmed.len();
        let open = opening(&text[t..line_end]);
        let numbered_ok = |n: u32, last: Option<u32>| last.is_none_or(|l| n == l + 1 || n == 1);
        let opens = match open {
            Some((Opening::Numbered(n), _)) => {
                numbered_ok(n, last_num) && (last_num.is_some() || has_evidence(&ev, t))
            }
            Some((Opening::Author, _)) => has_evidence(&ev, t),
            None => false,
        };
        let starts_lower = trimmed.chars().next().is_some_and(char::is_lowercase);
        let new_piece = match cur {
            None => true,
            Some((_, _, first_indent)) => {
                opens || (prev_terminal && !starts_lower && indent <= first_indent)
            }
        };
        if new_piece {
            if let Some((s, e, _)) = cur.take() {
                close(&mut out, s, line_start, e);
            }
            cur = Some((t, opens, indent));
            if let (true, Some((Opening::Numbered(n), _))) = (opens, open) {
                last_num = Some(n);
            }
        }
        // Entries run together inside the line.
        let mut k = t;
        while let Some(off) = text[k..line_end].find(char::is_whitespace) {
            let token_end = k + off;
            let token = &text[k..token_end];
            let next = token_end + text[token_end..line_end].len()
                - text[token_end..line_end].trim_start().len();
            k = next;
            if next >= line_end {
                break;
            }
            let ends = token.ends_with('.')
                || token.ends_with(".\"")
                || token.ends_with(".”")
                || is_url(token);
            if !ends {
                continue;
            }
            let Some((kind, _)) = opening(&text[next..line_end]) else {
                continue;
            };
            // The next number in a numbered list needs no year.
            let numbered_next =
                matches!(kind, Opening::Numbered(n) if last_num.is_some_and(|l| n == l + 1));
            if !numbered_next && !has_evidence(&ev, next) {
                continue;
            }
            let Some((start, entry, indent)) = cur else {
                continue;
            };
            match kind {
                Opening::Numbered(n) if last_num.is_some_and(|l| n != l + 1) => continue,
                Opening::Numbered(n) => last_num = Some(n),
                Opening::Author => {
                    // The piece so far must hold more than its own author block.
                    let so_far = text[start..next].trim_end();
                    if entry {
                        if let Some((Opening::Author, end)) = opening(so_far) {
                            if so_far[end..].trim().is_empty() {
                                continue;
                            }
                        }
                    }
                }
            }
            close(&mut out, start, next, entry);
            cur = Some((next, true, indent));
        }
        prev_terminal = trimmed.ends_with(['.', '"', '”'])
            || trimmed.split_whitespace().last().is_some_and(is_url);
    }
    if let Some((s, e, _)) = cur {
        close(&mut out, s, text.len(), e);
    }
    out
}

fn trim_range(text: &str, r: Range<usize>) -> Range<usize> {
    let s = &text[r.clone()];
    let lead = s.len() - s.trim_start().len();
    r.start + lead..r.start + lead + s.trim().len()
}

/// Sentence-like units of `s`: full stops before whitespace or the end, not
/// after a one-letter initial.
fn units(s: &str) -> usize {
    let b = s.as_bytes();
    (0..b.len())
        .filter(|&k| {
            b[k] == b'.'
                && b.get(k + 1).is_none_or(|c| c.is_ascii_whitespace())
                && word_before(s, k).chars().count() != 1
                && (k == 0 || b[k - 1] != b'.')
        })
        .count()
        .max(1)
}

/// Whether the last unit of `s` reads like the end of an entry (publisher,
/// year, page range, URL, access date).
fn ends_like_entry(s: &str) -> bool {
    let s = s.trim_end();
    let body = s.strip_suffix('.').unwrap_or(s);
    let last = body.rsplit(". ").next().unwrap_or(body);
    if !evidence(last).is_empty() {
        return true;
    }
    let keys = [
        "Press",
        "University",
        "Publish",
        "Books",
        "Accessed",
        "Retrieved",
        "pp.",
        "vol.",
    ];
    if keys.iter().any(|k| last.contains(k)) {
        return true;
    }
    // "Place: Publisher" or a page range "813-861".
    let place = last.split_once(": ").is_some_and(|(a, b)| {
        a.chars().next().is_some_and(char::is_uppercase)
            && b.chars().next().is_some_and(char::is_uppercase)
    });
    place
        || last
            .as_bytes()
            .windows(3)
            .any(|w| w[0].is_ascii_digit() && w[1] == b'-' && w[2].is_ascii_digit())
}

/// The start of the last cut in `s`: an ellipsis glued to the next word
/// ("...lture"), as a site leaves when it cuts a text short.
fn last_cut(s: &str) -> Option<usize> {
    let mut found = None;
    for (k, c) in s.char_indices() {
        if c.is_alphanumeric() {
            let before = &s[..k];
            let dots = before.len() - before.trim_end_matches(['.', '…']).len();
            let ell = &before[before.len() - dots..];
            if ell.contains('…') || dots >= 3 {
                found = Some(k - dots);
            }
        }
    }
    found
}

/// Where a run of bibliography entries starts in a block of text (a paragraph or line that may
/// begin with prose), as a byte offset; None when the block holds no such run at its end.
/// Everything from there to the end of the block must be entries. A block that is entirely
/// entries returns Some(0) (also when its first entry is cut short, as in the seed essay's
/// "...lture in revolutionary Russia. Ithaca: Cornell University Press.").
///
/// A heading line before the entries is not part of the run.
pub fn references_start(block: &str) -> Option<usize> {
    // The last entry carries a year, "n.d." or a URL near its start, so a
    // block without one in its tail holds no run of entries (every block of
    // a batch passes through here).
    let mut tail = block.len().saturating_sub(TAIL);
    while !block.is_char_boundary(tail) {
        tail += 1;
    }
    if evidence(&block[tail..]).is_empty() {
        return None;
    }
    let ps = pieces(block);
    let first = ps.iter().rposition(|p| !p.entry).map_or(0, |i| i + 1);
    if first == ps.len() {
        return None;
    }
    let run = ps[first].range.start;
    let Some(before) = first.checked_sub(1).map(|i| &ps[i]) else {
        return Some(0);
    };
    // A cut-short first entry: the tail of the piece before, from a cut or
    // from the start of the block, of at most a few units.
    let text = &block[before.range.clone()];
    if ends_like_entry(text) && !is_references_heading(text) {
        if let Some(cut) = last_cut(text) {
            if units(&text[cut..]) <= 3 {
                return Some(if first == 1 && cut == 0 {
                    0
                } else {
                    before.range.start + cut
                });
            }
        } else if first == 1
            && units(text) <= 2
            && !text.contains('\n')
            && text.chars().next().is_some_and(char::is_lowercase)
        {
            // Cut mid-word or mid-sentence, without a marker.
            return Some(0);
        }
    }
    Some(run)
}

/// The entries of a bibliography (one per line, or run together on one line), each trimmed:
/// APA "Smith, J. (2010). Title. Publisher.", MLA "Smith, John. Title. Publisher, 2010.",
/// Chicago author-date "Smith, John. 2010. Title. Publisher.", notes style "1. John Smith,
/// Title (City: Publisher, 2010), 45." Initials, "et al.", "Accessed May 07, 2014.", URLs,
/// page ranges and quoted titles inside an entry must not split it.
///
/// A heading line ("References") is not an entry.
pub fn reference_entries(text: &str) -> Vec<Range<usize>> {
    pieces(text)
        .into_iter()
        .map(|p| p.range)
        .filter(|r| !is_references_heading(&text[r.clone()]))
        .collect()
}

/// What a citation names: numbers, or (surnames, year) per part.
enum Target {
    Numbers(Vec<u32>),
    Works(Vec<(Vec<String>, Option<String>)>),
}

fn target(citation: &str) -> Option<Target> {
    let t = citation.trim();
    let sup: String = t
        .chars()
        .map(|c| {
            SUPERSCRIPTS.find(c).map_or(c, |k| {
                // SUPERSCRIPTS is in digit order; find gives a byte offset.
                let d = SUPERSCRIPTS[..k].chars().count() as u8;
                char::from(b'0' + d)
            })
        })
        .collect();
    let inner = sup.trim_matches(|c: char| matches!(c, '(' | ')' | '[' | ']') || c.is_whitespace());
    if inner.to_ascii_lowercase().starts_with("ibid") {
        return None;
    }
    let nums: Vec<u32> = inner
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .filter_map(|s| s.parse().ok())
        .collect();
    if inner
        .chars()
        .all(|c| c.is_ascii_digit() || c == ',' || c.is_whitespace())
    {
        return (!nums.is_empty()).then_some(Target::Numbers(nums));
    }
    let mut works = Vec::new();
    for part in inner.split(';') {
        let mut c = Cur::new(part);
        let mut names = Vec::new();
        let mut yr = None;
        while !c.done() {
            let at = c.i;
            if year(&mut c) {
                yr = Some(part[at..c.i].to_lowercase());
                break;
            }
            if let Some(w) = c.capword() {
                if is_name(w) && w != "Ibid" {
                    names.push(w.to_lowercase());
                }
            } else if c.word().is_none() {
                c.i += c.peek().map_or(1, char::len_utf8);
            }
        }
        if !names.is_empty() {
            works.push((names, yr));
        }
    }
    (!works.is_empty()).then_some(Target::Works(works))
}

/// Whether `word` occurs in `hay` as a whole word (case-insensitive).
fn has_word(hay: &str, word: &str) -> bool {
    let hay = hay.to_lowercase();
    let mut from = 0;
    while let Some(p) = hay[from..].find(word).map(|p| p + from) {
        let end = p + word.len();
        let left = !hay[..p]
            .chars()
            .next_back()
            .is_some_and(char::is_alphanumeric);
        let right = !hay[end..].chars().next().is_some_and(char::is_alphanumeric);
        if left && right {
            return true;
        }
        from = p + word.chars().next().map_or(1, char::len_utf8);
    }
    false
}

/// The author part of an entry: its author block, else its first 100 bytes.
fn entry_authors(entry: &str) -> &str {
    let e = entry.trim();
    match opening(e) {
        Some((Opening::Author, end)) => &e[..end],
        _ => {
            let mut end = e.len().min(100);
            while !e.is_char_boundary(end) {
                end -= 1;
            }
            e[..end].split(['(', ':']).next().unwrap_or("")
        }
    }
}

/// The entry (index into `entries`) a citation points to, by author surname(s) and year
/// (author-year), surname (author-page), or number (`[3]` -> the third numbered entry / third entry);
/// None when nothing matches unambiguously.
///
/// "ibid." points to the previous citation and so matches nothing here; a
/// citation of several works matches when all its matches are one entry.
pub fn match_reference(citation: &str, entries: &[&str]) -> Option<usize> {
    match target(citation)? {
        Target::Numbers(ns) => {
            let [n] = ns[..] else {
                return None;
            };
            let numbered: Vec<usize> = (0..entries.len())
                .filter(|&i| {
                    matches!(opening(entries[i].trim()), Some((Opening::Numbered(m), _)) if m == n)
                })
                .collect();
            match numbered[..] {
                [i] => Some(i),
                [] if n >= 1 && (n as usize) <= entries.len() => Some(n as usize - 1),
                _ => None,
            }
        }
        Target::Works(works) => {
            let mut found = None;
            for (names, yr) in &works {
                let hits: Vec<usize> = (0..entries.len())
                    .filter(|&i| {
                        let a = entry_authors(entries[i]);
                        names.iter().all(|n| has_word(a, n))
                            && yr.as_ref().is_none_or(|y| has_word(entries[i], y))
                    })
                    .collect();
                // Several hits: prefer the one whose first author is the first name.
                let hits = if hits.len() > 1 {
                    hits.into_iter()
                        .filter(|&i| {
                            let a = entry_authors(entries[i]).to_lowercase();
                            let a = a.trim_start_matches(|c: char| !c.is_alphabetic());
                            a.starts_with(names[0].as_str())
                                || a.split(',').next().is_some_and(|f| has_word(f, &names[0]))
                        })
                        .collect()
                } else {
                    hits
                };
                match (hits[..].first(), hits.len(), found) {
                    (Some(&i), 1, None) => found = Some(i),
                    (Some(&i), 1, Some(f)) if f == i => {}
                    (None, _, _) => {}
                    _ => return None,
                }
            }
            found
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cites(s: &str) -> Vec<&str> {
        citations(s).into_iter().map(|r| &s[r]).collect()
    }

    fn entries(t: &str) -> Vec<&str> {
        reference_entries(t).into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn author_year_citations() {
        let cases = [
            (
                "Output fell by half (Davies 1989, 1029).",
                "(Davies 1989, 1029)",
            ),
            (
                "Schools improved (Smith and Jones, 2003).",
                "(Smith and Jones, 2003)",
            ),
            (
                "Costs rose (Smith et al. 2010, p. 4) last year.",
                "(Smith et al. 2010, p. 4)",
            ),
            ("Costs rose (Smith et al., 2010).", "(Smith et al., 2010)"),
            (
                "This is disputed (Smith 2001; Lee 2004).",
                "(Smith 2001; Lee 2004)",
            ),
            (
                "Teens sleep less (Hale & Cho, 2019, pp. 12–14).",
                "(Hale & Cho, 2019, pp. 12–14)",
            ),
            ("It was new (Brown, 2003a).", "(Brown, 2003a)"),
            ("It was new (see Brown 2003).", "(see Brown 2003)"),
            ("No date is given (Park, n.d.).", "(Park, n.d.)"),
            (
                "Rates vary (World Health Organization 2020).",
                "(World Health Organization 2020)",
            ),
            (
                "The claim (van der Berg 1999: 45) holds.",
                "(van der Berg 1999: 45)",
            ),
            ("Alvarez et al. (2015) found the same.", "(2015)"),
            ("It found the same (2015, p. 8).", "(2015, p. 8)"),
        ];
        for (s, want) in cases {
            assert_eq!(cites(s), [want], "{s}");
        }
    }

    #[test]
    fn mla_author_page_citations() {
        assert_eq!(cites("Grief is private (Morrison 42)."), ["(Morrison 42)"]);
        assert_eq!(
            cites("Grief is private (Morrison 42-45)."),
            ["(Morrison 42-45)"]
        );
        assert_eq!(
            cites("As noted (Hall and Ray 7), it is."),
            ["(Hall and Ray 7)"]
        );
        assert_eq!(cites("A quote (p. 17) ends here."), ["(p. 17)"]);
    }

    #[test]
    fn numeric_citations() {
        assert_eq!(cites("Bees dance [3]."), ["[3]"]);
        assert_eq!(
            cites("Bees dance [3, 5] and sing [3-5]."),
            ["[3, 5]", "[3-5]"]
        );
        assert_eq!(cites("Bees dance [1, 4–6]."), ["[1, 4–6]"]);
        assert_eq!(cites("Bees dance [7, p. 2]."), ["[7, p. 2]"]);
    }

    #[test]
    fn footnote_markers() {
        assert_eq!(cites("The harvest failed.¹² Then famine came."), ["¹²"]);
        assert_eq!(cites("The harvest failed¹ and then"), ["¹"]);
        assert_eq!(cites("The harvest failed.12 Then famine came."), ["12"]);
        assert_eq!(cites("He said \"never.\"3"), ["3"]);
        assert_eq!(cites("It ended in failure!4"), ["4"]);
        // Not notes: exponents, decimals, page and volume numbers, URLs.
        assert!(cites("Energy is mc² and area is 3 m².").is_empty());
        assert!(cites("Pi is 3.14 and it costs $5.50 at 10.30 today.").is_empty());
        assert!(cites("See p.12 and vol.3 of it.").is_empty());
        assert!(cites("Visit example.com/page.12 now.").is_empty());
        assert!(cites("It was version 2.0 in 2010.").is_empty());
        assert!(cites("She was happy.9 percent were not, on May,3 too.").is_empty());
    }

    #[test]
    fn ibid_citations() {
        assert_eq!(cites("Ibid., 45."), ["Ibid., 45"]);
        assert_eq!(cites("ibid."), ["ibid."]);
        assert_eq!(cites("The same holds (ibid.)."), ["(ibid.)"]);
        assert_eq!(cites("The same holds (Ibid., p. 9)."), ["(Ibid., p. 9)"]);
        assert!(cites("A fibid is not a word.").is_empty());
    }

    #[test]
    fn not_citations() {
        for s in [
            "This is explained later (see below).",
            "First (1) we eat, then (2) we sleep.",
            "The wall fell (in 1990) at last.",
            "The wall fell (In 1990) at last.",
            "He wrote \"teh\" [sic] twice.",
            "In 1990 the wall fell, and by 2001 it was gone.",
            "Some vehicles (e.g. cars) pollute.",
            "This happened (May 2010) in town.",
            "See the chart (Table 3) and (Figure 2).",
            "The virus (COVID 19) spread.",
            "The Berlin Wall (1989) fell.",
            "Nothing here [...] at all [a].",
            "",
        ] {
            assert!(cites(s).is_empty(), "{s}: {:?}", cites(s));
        }
    }

    #[test]
    fn several_citations_in_a_sentence() {
        let s = "Some agree (Lee 2004), others do not [2], and one wavers.³";
        assert_eq!(cites(s), ["(Lee 2004)", "[2]", "³"]);
    }

    #[test]
    fn references_headings() {
        for h in [
            "References",
            "REFERENCES",
            "Works Cited",
            "## Works Cited:",
            "Bibliography",
            "  sources  ",
            "Works Consulted",
            "Reference List:",
            "**References**",
        ] {
            assert!(is_references_heading(h), "{h}");
        }
        for h in ["References are useful.", "My sources say so", "Work", ""] {
            assert!(!is_references_heading(h), "{h}");
        }
    }

    const APA: [&str; 3] = [
        "Baker, T. R., & Cole, M. (2018). Sleep and school: A study. Journal of Youth, 12(3), 45–67. https://doi.org/10.1000/jy.2018.3",
        "Dunn, A. (2020). Rest matters (2nd ed.). Harbor Press.",
        "National Sleep Council. (2019). Teen sleep facts. Retrieved from https://example.org/facts",
    ];
    const MLA: [&str; 3] = [
        "Okafor, Grace. The River Years. Lantern Books, 2011.",
        "Price, Dana, and Miles Ortega. \"Night Shifts.\" City Review, vol. 8, no. 2, 2015, pp. 33-51.",
        "Quinn, Ellis, et al. Field Notes: Essays. Marsh, 2009. Accessed May 07, 2014.",
    ];
    const CHICAGO: [&str; 3] = [
        "Abbott, K. Lane, and Rosa M. Ferreira. 1997. \"Grain and Power: A First Look at the Records.\" Rural History Review 211-240.",
        "Hollis, Peter. 1985. \"Canals.\" Online Atlas of Rivers. Accessed June 3, 2016.",
        "Ward, Nina. 2002. Mill Towns under Strain: Labour and Protest. Leeds: Northgate Press.",
    ];
    const NOTES: [&str; 3] = [
        "1. John Carver, Harbour Lights (Boston: Tidewater, 2010), 45.",
        "2. Mei Tanaka, \"Salt Roads,\" Coastal Studies 4, no. 1 (2012): 7-19.",
        "3. Carver, Harbour Lights, 52.",
    ];

    #[test]
    fn entries_one_per_line_and_run_together() {
        for style in [APA, MLA, CHICAGO, NOTES] {
            let lines = style.join("\n");
            assert_eq!(entries(&lines), style, "one per line");
            let run = style.join(" ");
            assert_eq!(entries(&run), style, "run together");
            let headed = format!("Works Cited\n\n{lines}\n");
            assert_eq!(entries(&headed), style, "with a heading");
            assert_eq!(references_start(&lines), Some(0));
            assert_eq!(references_start(&run), Some(0));
            assert_eq!(references_start(&headed), headed.find(style[0]));
        }
    }

    #[test]
    fn wrapped_entries_stay_whole() {
        let t = "Dunn, A. (2020). Rest matters: A long title that\n    wraps onto a second line. Harbor Press.\nOkafor, G. (2011). The river years. Lantern.";
        assert_eq!(entries(t).len(), 2);
        assert!(entries(t)[0].ends_with("Harbor Press."));
    }

    #[test]
    fn cut_short_first_entry() {
        let run = format!(
            "...ilway towns of the north. Leeds: Northgate Press. {}",
            CHICAGO.join(" ")
        );
        let e = entries(&run);
        assert_eq!(e[0], "...ilway towns of the north. Leeds: Northgate Press.");
        assert_eq!(e[1..], CHICAGO);
        assert_eq!(references_start(&run), Some(0));
        let run = format!("ilway towns. Leeds: Northgate Press. {}", CHICAGO.join(" "));
        assert_eq!(references_start(&run), Some(0));
    }

    #[test]
    fn references_after_prose() {
        let prose =
            "Canals changed the towns. Trade grew quickly in 1840 and after (Ward 2002, 17).";
        let block = format!("{prose} {}", CHICAGO.join(" "));
        assert_eq!(references_start(&block), Some(prose.len() + 1));
        let cut = format!("{prose} Yet the mills... ... middle of paper ... ...ilway towns of the north. Leeds: Northgate Press. {}", CHICAGO.join(" "));
        let at = references_start(&cut).unwrap();
        assert!(cut[at..].starts_with("...ilway towns"));
        assert_eq!(references_start(prose), None);
        assert_eq!(references_start(""), None);
        assert_eq!(references_start("References"), None);
        let prose2 = "However, Stalin. Indeed, Lenin said so in 1917. Smith, however, disagreed in 2001. It came to Russia. 1917 was the year.";
        assert_eq!(references_start(prose2), None);
    }

    #[test]
    fn inner_dots_do_not_split_entries() {
        // Initials, et al., access dates, URLs, page ranges, quoted titles and
        // title words with commas stay inside their entry.
        let t = "Vance, Lee. Bread, Land, and Peace. Red Kite, 2001. Young, P. Q., Zhou, R., & Amir, S. (2016). \"Dust.\" Soil, 3, 1-9. https://x.org/a.b Zeller, Anna. 1990. \"On Salt.\" Sea 4-9.";
        assert_eq!(
            entries(t),
            [
                "Vance, Lee. Bread, Land, and Peace. Red Kite, 2001.",
                "Young, P. Q., Zhou, R., & Amir, S. (2016). \"Dust.\" Soil, 3, 1-9. https://x.org/a.b",
                "Zeller, Anna. 1990. \"On Salt.\" Sea 4-9.",
            ]
        );
    }

    #[test]
    fn matching_citations_to_entries() {
        let chicago: Vec<&str> = CHICAGO.to_vec();
        assert_eq!(match_reference("(Ward 2002, 17)", &chicago), Some(2));
        assert_eq!(
            match_reference("(Abbott and Ferreira 1997)", &chicago),
            Some(0)
        );
        assert_eq!(match_reference("(Ferreira 1997)", &chicago), Some(0));
        assert_eq!(match_reference("(Ward 1999)", &chicago), None);
        assert_eq!(match_reference("(Davies 1989, 1029)", &chicago), None);
        let mla: Vec<&str> = MLA.to_vec();
        assert_eq!(match_reference("(Okafor 42)", &mla), Some(0));
        assert_eq!(match_reference("(Quinn et al. 12)", &mla), Some(2));
        let apa: Vec<&str> = APA.to_vec();
        assert_eq!(
            match_reference("(Baker & Cole, 2018, p. 50)", &apa),
            Some(0)
        );
        assert_eq!(
            match_reference("(Dunn, 2020; Baker & Cole, 2018)", &apa),
            None
        );
        assert_eq!(
            match_reference("(National Sleep Council, 2019)", &apa),
            Some(2)
        );
        let notes: Vec<&str> = NOTES.to_vec();
        assert_eq!(match_reference("[2]", &notes), Some(1));
        assert_eq!(match_reference("³", &notes), Some(2));
        assert_eq!(match_reference("3", &notes), Some(2));
        assert_eq!(match_reference("[4]", &notes), None);
        assert_eq!(match_reference("[2]", &apa), Some(1));
        assert_eq!(match_reference("[2, 3]", &apa), None);
        assert_eq!(match_reference("ibid.", &apa), None);
        // Same surname and year twice: ambiguous; the first author wins.
        let two = ["Reed, A. (2001). One. P.", "Reed, B. (2001). Two. P."];
        assert_eq!(match_reference("(Reed 2001)", &two), None);
        let two = [
            "Reed, A. (2001). One. P.",
            "Lo, C., & Reed, B. (2001). Two. P.",
        ];
        assert_eq!(match_reference("(Reed 2001)", &two), Some(0));
    }

    fn check_ranges(s: &str, rs: &[Range<usize>]) -> Result<(), String> {
        let mut last = 0;
        for r in rs {
            if r.start < last || r.start > r.end || r.end > s.len() {
                return Err(format!("bad range {r:?} in {s:?}"));
            }
            if !s.is_char_boundary(r.start) || !s.is_char_boundary(r.end) {
                return Err(format!("not a char boundary {r:?} in {s:?}"));
            }
            last = r.end;
        }
        Ok(())
    }

    proptest::proptest! {
        #[test]
        fn never_panics_and_ranges_are_sound(s in "\\PC{0,200}") {
            check_ranges(&s, &citations(&s)).map_err(proptest::test_runner::TestCaseError::fail)?;
            check_ranges(&s, &reference_entries(&s)).map_err(proptest::test_runner::TestCaseError::fail)?;
            if let Some(k) = references_start(&s) {
                proptest::prop_assert!(k <= s.len() && s.is_char_boundary(k));
            }
            is_references_heading(&s);
            let es: Vec<&str> = s.split('\n').collect();
            if let Some(i) = match_reference(&s, &es) {
                proptest::prop_assert!(i < es.len());
            }
        }

        #[test]
        fn never_panics_on_bibliography_like_text(
            parts in proptest::collection::vec(
                proptest::sample::select(vec![
                    "Smith", ",", " ", "J.", "(2010)", ".", "\n", "and", "&", "et al.", "1.", "[3]",
                    "(", ")", "[", "]", "¹", "é", "…", "...", "ibid", "p.", "42", "-", "–", "\"",
                    "https://a.b", "n.d.", ";", ":", "Press", "Lee", "1999",
                ]),
                0..60,
            )
        ) {
            let s: String = parts.concat();
            check_ranges(&s, &citations(&s)).map_err(proptest::test_runner::TestCaseError::fail)?;
            let es = reference_entries(&s);
            check_ranges(&s, &es).map_err(proptest::test_runner::TestCaseError::fail)?;
            if let Some(k) = references_start(&s) {
                proptest::prop_assert!(k <= s.len() && s.is_char_boundary(k));
            }
            let es: Vec<&str> = es.into_iter().map(|r| &s[r]).collect();
            for c in citations(&s) {
                if let Some(i) = match_reference(&s[c], &es) {
                    proptest::prop_assert!(i < es.len());
                }
            }
        }
    }

    #[test]
    fn large_input_is_fine() {
        let s = "Smith, J. (2010). A title end.12 So (Lee 2004). Press. ".repeat(100_000);
        assert!(s.len() > 5_000_000);
        assert_eq!(citations(&s).len(), 200_000);
        assert_eq!(reference_entries(&s).len(), 100_000);
        assert_eq!(references_start(&s), Some(0));
    }
}
