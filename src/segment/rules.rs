//! Rule-based English sentence boundary detection of one paragraph.
//!
//! The hot loop is a byte scanner: a 256-entry table marks the few bytes that can
//! end a sentence (`.` `?` `!` `\n` and 0xE2, the lead byte of `…` and of the
//! bullets), everything else is skipped at one compare per byte. At a candidate
//! the rules look a bounded distance back (the word before the full stop) and
//! ahead (closing quotes, the next word), so the whole pass is linear in the
//! paragraph length and allocates nothing beyond the pushed ranges.
//!
//! The rules, in the order the scanner applies them:
//! - runs of `.`/`…` (also spaced `. . .`) are ellipses: they end a sentence only
//!   before a capital, and a spaced three-dot ellipsis never does (it marks an
//!   omission inside a quotation); `word. . . . Next` ends after `word.`;
//! - `?` and `!` runs end a sentence unless a lower-case word follows `!`
//!   ("Yahoo! in") or a closing quote/bracket then a lower-case word follows;
//! - a full stop is judged by the word before it (ordinary word, number, known
//!   abbreviation class, dotted abbreviation like `U.S.`, single-letter initial,
//!   list marker at the start of the sentence) and the word after it (capital,
//!   lower case, digit, other), see [`decide`];
//! - a full stop glued to a capitalised word ("end.Next") ends a sentence when
//!   the token is not part of a URL or e-mail address;
//! - a citation right after the full stop (`[12]`, `(Davies 1989)`) stays with
//!   the sentence before it;
//! - a line without final punctuation ends a sentence when it is a list item,
//!   is followed by one, or is a short heading followed by a capitalised line;
//! - a bullet (`•`, `⁃`, ...) after whitespace starts a new sentence, and a
//!   paragraph that opens with an enumerator (`1.`, `1)`, `1.)`, `a.`) is first
//!   cut before each following enumerator in sequence ("1) x 2) y").

use super::abbreviations::{self as abbr, Abbrev, MAX_ABBREV};
use super::Segmenter;
use std::ops::Range;

/// The default rule-based segmenter for English essays.
#[derive(Debug, Clone, Default)]
pub struct RuleSegmenter {}

impl Segmenter for RuleSegmenter {
    fn split(&self, paragraph: &str, out: &mut Vec<Range<usize>>) {
        split_lists(paragraph, out);
    }
}

/// Bytes that may end a sentence; everything else is skipped by the hot loop.
static CANDIDATE: [bool; 256] = {
    let mut t = [false; 256];
    t[b'.' as usize] = true;
    t[b'?' as usize] = true;
    t[b'!' as usize] = true;
    t[b'\n' as usize] = true;
    t[0xE2] = true;
    t
};

/// True if the 8-byte `chunk` may hold a candidate byte (SWAR zero-byte test
/// per candidate value; false positives only fall back to the byte loop).
#[inline]
fn chunk_has_candidate(chunk: &[u8]) -> bool {
    const LO: u64 = 0x0101_0101_0101_0101;
    const HI: u64 = 0x8080_8080_8080_8080;
    let mut a = [0u8; 8];
    a.copy_from_slice(chunk);
    let x = u64::from_le_bytes(a);
    let has = |c: u8| {
        let y = x ^ (LO * u64::from(c));
        y.wrapping_sub(LO) & !y & HI
    };
    (has(b'.') | has(b'?') | has(b'!') | has(b'\n') | has(0xE2)) != 0
}

/// Bound on every look-ahead/look-back, so each candidate costs O(1).
const LOOK: usize = 64;

#[inline]
fn is_ws(c: u8) -> bool {
    matches!(c, b' ' | b'\t' | b'\n' | b'\r' | 0x0B | 0x0C)
}

/// Length of the whitespace character at `i` that the rules look past: ASCII
/// whitespace or a no-break space (common after full stops in pasted text).
#[inline]
fn ws_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(&c) if is_ws(c) => 1,
        Some(0xC2) if b.get(i + 1) == Some(&0xA0) => 2,
        _ => 0,
    }
}

/// Length of the closing quote or bracket at `i`, or 0.
#[inline]
fn closer_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"' | b'\'' | b')' | b']' | b'}') => 1,
        // ” ’
        Some(0xE2) if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x9D | 0x99)) => 3,
        // »
        Some(0xC2) if b.get(i + 1) == Some(&0xBB) => 2,
        _ => 0,
    }
}

/// Length of the opening quote at `i`, or 0.
#[inline]
fn opener_len(b: &[u8], i: usize) -> usize {
    match b.get(i) {
        Some(b'"' | b'\'') => 1,
        // “ ‘
        Some(0xE2) if b.get(i + 1) == Some(&0x80) && matches!(b.get(i + 2), Some(0x9C | 0x98)) => 3,
        // «
        Some(0xC2) if b.get(i + 1) == Some(&0xAB) => 2,
        _ => 0,
    }
}

/// True if a horizontal ellipsis `…` starts at `i`.
#[inline]
fn is_ellipsis(b: &[u8], i: usize) -> bool {
    b.get(i) == Some(&0xE2) && b.get(i + 1) == Some(&0x80) && b.get(i + 2) == Some(&0xA6)
}

/// Length of the bullet character at `i` (`•` `‣` `⁃` `◦` `●` `▪` `■` `➢`), or 0.
#[inline]
fn bullet_len(b: &[u8], i: usize) -> usize {
    if b.get(i) != Some(&0xE2) {
        return 0;
    }
    match (b.get(i + 1), b.get(i + 2)) {
        (Some(0x80), Some(0xA2 | 0xA3))
        | (Some(0x81), Some(0x83))
        | (Some(0x97), Some(0xA6 | 0x8F))
        | (Some(0x96), Some(0xAA | 0xA0))
        | (Some(0x9E), Some(0xA2)) => 3,
        _ => 0,
    }
}

/// True if `seg` (a sentence's text up to, not including, a `.` or `)`) is a
/// list enumerator: an optional bullet, then 1-3 digits, one letter, or a short
/// roman numeral.
fn is_enumerator(seg: &[u8]) -> bool {
    let mut i = 0;
    let bl = bullet_len(seg, 0);
    if bl > 0 {
        i = bl;
    } else if matches!(seg.first(), Some(b'-' | b'*')) {
        i = 1;
    }
    while i < seg.len() && is_ws(seg[i]) {
        i += 1;
    }
    let rest = &seg[i..];
    match rest.len() {
        1 => rest[0].is_ascii_alphanumeric(),
        2..=3 if rest.iter().all(u8::is_ascii_digit) => true,
        2..=4 => {
            rest.iter().all(|c| matches!(c, b'i' | b'v' | b'x'))
                || rest.iter().all(|c| matches!(c, b'I' | b'V' | b'X'))
        }
        _ => false,
    }
}

/// True if a list item marker (bullet, `-`/`*` item, or enumerator followed by
/// `.`/`)` and a space) starts at `i`.
pub(super) fn starts_with_marker(b: &[u8], i: usize) -> bool {
    if bullet_len(b, i) > 0 {
        return true;
    }
    match b.get(i) {
        Some(b'-' | b'*') => return b.get(i + 1).is_some_and(|&c| is_ws(c)),
        Some(c) if c.is_ascii_alphanumeric() => {}
        _ => return false,
    }
    let mut j = i;
    while j < b.len() && j - i < 4 && b[j].is_ascii_alphanumeric() {
        j += 1;
    }
    if !is_enumerator(&b[i..j]) {
        return false;
    }
    // "1. " "1) " "1.) " "a. "
    let mut k = j;
    if b.get(k) == Some(&b'.') {
        k += 1;
    }
    if b.get(k) == Some(&b')') {
        k += 1;
    }
    k > j && b.get(k).is_some_and(|&c| is_ws(c))
}

/// What a full stop follows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Prev {
    /// An ordinary word, or anything unrecognised (`)`, `%`, `"`).
    Word,
    /// Digits ("$100.00.", "1026.253.553.").
    Number,
    /// A single lower-case letter that is no abbreviation.
    Letter,
    /// A single capital letter: `true` when it likely ends a sentence ("you and
    /// I.", "an A."), `false` for a name initial ("Jonas E. Smith").
    Initial(bool),
    /// A known abbreviation.
    Abbrev(Abbrev),
    /// A dotted abbreviation ("U.S.", "a.m."); `true` for ones that never end a
    /// sentence ("e.g.", "i.e.").
    Dotted(bool),
}

/// The first word after a boundary candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Next {
    End,
    Upper,
    Lower,
    Digit,
    Other,
}

/// Whether a full stop after `prev`, followed (after optional closing quotes,
/// `closed`) by whitespace and then `next`, ends the sentence. `starter` says
/// whether the next word is a common sentence opener ("How", "The").
fn decide(prev: Prev, closed: bool, next: Next, starter: bool) -> bool {
    let wordlike = matches!(prev, Prev::Word | Prev::Number | Prev::Letter);
    match next {
        Next::End => true,
        // Sloppy writing starts sentences in lower case; but after an
        // abbreviation, or inside quotes/brackets ("great.' she said"), a
        // lower-case word continues the sentence.
        Next::Lower => wordlike && !closed,
        Next::Digit | Next::Other => wordlike,
        Next::Upper => match prev {
            Prev::Word | Prev::Number | Prev::Letter | Prev::Initial(true) => true,
            Prev::Initial(false) => false,
            Prev::Abbrev(Abbrev::Title | Abbrev::Inline) => false,
            Prev::Abbrev(Abbrev::Numeric | Abbrev::Plain) => true,
            Prev::Dotted(inline) => !inline && starter,
        },
    }
}

/// Splits `p`, first cutting before enumerators when the paragraph opens with
/// one ("1) The first item 2) The second item"), then scanning each item.
fn split_lists(p: &str, out: &mut Vec<Range<usize>>) {
    let b = p.as_bytes();
    let mut s = 0;
    while s < b.len() && is_ws(b[s]) {
        s += 1;
    }
    let Some(mut marker) = Enumerator::parse(b, s) else {
        scan(p, 0, out);
        return;
    };
    let mut from = 0;
    let mut i = marker.len;
    while i < b.len() {
        if is_ws(b[i - 1]) && marker.next_at(b, i) {
            scan(&p[..i], from, out);
            from = i;
        }
        i += 1;
    }
    scan(p, from, out);
}

/// An enumerator that opens a paragraph, and the one expected next.
#[derive(Debug)]
struct Enumerator {
    /// Numeric value, or the letter's byte.
    value: u32,
    letter: bool,
    /// Punctuation after it: ".", ")" or ".)".
    style: &'static [u8],
    /// Bytes the opening enumerator takes.
    len: usize,
}

impl Enumerator {
    fn parse(b: &[u8], s: usize) -> Option<Enumerator> {
        let mut j = s;
        while j < b.len() && j - s < 3 && b[j].is_ascii_digit() {
            j += 1;
        }
        let (value, letter) = if j > s {
            let mut v = 0u32;
            for &c in &b[s..j] {
                v = v * 10 + u32::from(c - b'0');
            }
            (v, false)
        } else if matches!(b.get(s), Some(b'a' | b'A')) {
            j = s + 1;
            (u32::from(b[s]), true)
        } else {
            return None;
        };
        let style: &'static [u8] = if b[j..].starts_with(b".)") {
            b".)"
        } else if b[j..].starts_with(b")") {
            b")"
        } else if b[j..].starts_with(b".") {
            b"."
        } else {
            return None;
        };
        let end = j + style.len();
        if !b.get(end).is_some_and(|&c| is_ws(c)) {
            return None;
        }
        Some(Enumerator {
            value,
            letter,
            style,
            len: end,
        })
    }

    /// True if the successor enumerator, followed by whitespace, starts at `i`;
    /// advances to it.
    fn next_at(&mut self, b: &[u8], i: usize) -> bool {
        let want = self.value + 1;
        let mut buf = [0u8; 12];
        let mut n = 0;
        if self.letter {
            match u8::try_from(want) {
                Ok(c) if c.is_ascii_alphabetic() => {
                    buf[0] = c;
                    n = 1;
                }
                _ => return false,
            }
        } else {
            // Decimal digits of `want`, most significant first, no allocation.
            let mut v = want;
            loop {
                buf[n] = b'0' + (v % 10) as u8;
                n += 1;
                v /= 10;
                if v == 0 || n == buf.len() {
                    break;
                }
            }
            buf[..n].reverse();
        }
        let rest = &b[i..];
        if !rest.starts_with(&buf[..n]) || !rest[n..].starts_with(self.style) {
            return false;
        }
        let end = i + n + self.style.len();
        if !b.get(end).is_some_and(|&c| is_ws(c)) {
            return false;
        }
        self.value = want;
        true
    }
}

/// Pushes the trimmed, non-empty sentences of `p[from..]`.
fn scan(p: &str, from: usize, out: &mut Vec<Range<usize>>) {
    let mut s = Scanner {
        p,
        b: p.as_bytes(),
        start: from,
        trimmed: None,
        line_start: from,
        out,
    };
    s.run(from);
}

struct Scanner<'a, 'o> {
    p: &'a str,
    b: &'a [u8],
    /// Start of the current sentence (may be whitespace).
    start: usize,
    /// Cached first non-whitespace byte of the current sentence.
    trimmed: Option<usize>,
    /// Start of the current line.
    line_start: usize,
    out: &'o mut Vec<Range<usize>>,
}

impl Scanner<'_, '_> {
    fn run(&mut self, from: usize) {
        let b = self.b;
        let n = b.len();
        let mut i = from;
        while i < n {
            if !CANDIDATE[usize::from(b[i])] {
                // Skip eight bytes at once when none of them is a candidate.
                i += match b.get(i..i + 8) {
                    Some(chunk) if !chunk_has_candidate(chunk) => 8,
                    _ => 1,
                };
                continue;
            }
            i = match b[i] {
                b'.' => self.full_stop(i),
                b'?' | b'!' => self.exclamation(i),
                b'\n' => self.newline(i),
                _ => {
                    if is_ellipsis(b, i) {
                        self.full_stop(i)
                    } else {
                        let bl = bullet_len(b, i);
                        if bl > 0 && i > 0 && is_ws(b[i - 1]) {
                            self.cut(i);
                        }
                        i + bl.max(1)
                    }
                }
            };
        }
        self.cut(n);
    }

    /// Ends the current sentence at `end` (exclusive) and starts the next there.
    fn cut(&mut self, end: usize) {
        if end <= self.start {
            return;
        }
        let seg = &self.p[self.start..end];
        let t = seg.trim_start();
        let s = self.start + (seg.len() - t.len());
        let t = t.trim_end();
        if !t.is_empty() {
            self.out.push(s..s + t.len());
        }
        self.start = end;
        self.trimmed = None;
    }

    /// First non-whitespace byte of the current sentence (or the scan point).
    fn trimmed_start(&mut self, upto: usize) -> usize {
        if let Some(t) = self.trimmed {
            return t;
        }
        let mut t = self.start;
        while t < upto && is_ws(self.b[t]) {
            t += 1;
        }
        if t < upto {
            self.trimmed = Some(t);
        }
        t
    }

    /// Skips closing quotes/brackets from `i`; returns the position after them.
    fn skip_closers(&self, mut i: usize) -> usize {
        for _ in 0..8 {
            let l = closer_len(self.b, i);
            if l == 0 {
                break;
            }
            i += l;
        }
        i
    }

    /// Classifies the word after the whitespace at `i`. Returns the kind, where
    /// the next non-whitespace character is, and whether the word is a common
    /// sentence opener.
    fn next_word(&self, i: usize) -> (Next, usize, bool) {
        let b = self.b;
        let mut w = i;
        loop {
            let l = ws_len(b, w);
            if l == 0 {
                break;
            }
            if w - i >= LOOK {
                return (Next::Other, w, false);
            }
            w += l;
        }
        if w >= b.len() {
            return (Next::End, w, false);
        }
        let mut q = w;
        for _ in 0..4 {
            let l = opener_len(b, q);
            if l == 0 {
                break;
            }
            q += l;
        }
        let Some(&c) = b.get(q) else {
            return (Next::Other, w, false);
        };
        let kind = if c.is_ascii_uppercase() {
            let mut e = q;
            while e < b.len() && e - q <= 16 && b[e].is_ascii_alphabetic() {
                e += 1;
            }
            let starter = (e == b.len() || !b[e].is_ascii_alphanumeric())
                && abbr::is_sentence_starter(&b[q..e]);
            return (Next::Upper, w, starter);
        } else if c.is_ascii_lowercase() {
            Next::Lower
        } else if c.is_ascii_digit() {
            Next::Digit
        } else if c >= 0x80 && bullet_len(b, q) == 0 {
            match self.p.get(q..).and_then(|s| s.chars().next()) {
                Some(ch) if ch.is_uppercase() => Next::Upper,
                Some(ch) if ch.is_lowercase() => Next::Lower,
                _ => Next::Other,
            }
        } else {
            Next::Other
        };
        (kind, w, false)
    }

    /// The word before the one starting at `j` (skipping spaces), as a slice.
    fn word_before(&self, j: usize) -> &[u8] {
        let b = self.b;
        let lo = self.start.max(j.saturating_sub(24));
        let mut e = j;
        while e > lo && is_ws(b[e - 1]) {
            e -= 1;
        }
        let mut s = e;
        while s > lo && b[s - 1].is_ascii_alphanumeric() {
            s -= 1;
        }
        &b[s..e]
    }

    /// Classifies the token before the full stop at `i`.
    fn prev(&self, i: usize) -> Prev {
        let b = self.b;
        let lo = self.start.max(i.saturating_sub(32));
        let mut j = i;
        while j > lo && (b[j - 1].is_ascii_alphanumeric() || b[j - 1] == b'.') {
            j -= 1;
        }
        while j < i && b[j] == b'.' {
            j += 1;
        }
        let tok = &b[j..i];
        if tok.is_empty() {
            // "N°. 5"
            if i >= 3 && b[i - 2] == 0xC2 && b[i - 1] == 0xB0 && matches!(b[i - 3], b'N' | b'n') {
                return Prev::Abbrev(Abbrev::Numeric);
            }
            return Prev::Word;
        }
        if j == lo && j > self.start {
            // Longer than the look-back: an ordinary long token.
            return Prev::Word;
        }
        if j > 0 && b[j - 1] >= 0x80 {
            // The ASCII tail of a word with non-ASCII letters ("Noël").
            return Prev::Word;
        }
        let mut word = tok;
        if tok.contains(&b'.') {
            let dotted = tok.len() <= 16
                && tok.split(|&c| c == b'.').all(|part| {
                    (1..=2).contains(&part.len()) && part.iter().all(u8::is_ascii_alphabetic)
                });
            if dotted {
                let mut buf = [0u8; 16];
                let lower = &mut buf[..tok.len()];
                lower.copy_from_slice(tok);
                lower.make_ascii_lowercase();
                return Prev::Dotted(abbr::dotted_inline(lower));
            }
            if let Some(k) = tok.iter().rposition(|&c| c == b'.') {
                word = &tok[k + 1..];
            }
        }
        if word.is_empty() {
            return Prev::Word;
        }
        if word.iter().all(u8::is_ascii_digit) {
            return Prev::Number;
        }
        if word.iter().any(u8::is_ascii_digit) || word.len() > MAX_ABBREV {
            return Prev::Word;
        }
        let mut buf = [0u8; MAX_ABBREV];
        let lower = &mut buf[..word.len()];
        lower.copy_from_slice(word);
        lower.make_ascii_lowercase();
        if word.len() == 1 && word[0].is_ascii_uppercase() {
            let before = self.word_before(i - 1);
            let lower_before = before.first().is_some_and(u8::is_ascii_lowercase);
            // "got a D. What", "an A. My": a grade or a letter, not an initial.
            let ends = (word[0] == b'I' && lower_before) || abbr::before_letter_noun(before);
            return Prev::Initial(ends);
        }
        match abbr::lookup(lower) {
            // "Main St." / "5th st." is a street; "St. Michael" a saint.
            Some(Abbrev::Title) if lower == b"st" => {
                let before = self.word_before(i - word.len());
                if before
                    .first()
                    .is_some_and(|c| c.is_ascii_uppercase() || c.is_ascii_digit())
                {
                    Prev::Abbrev(Abbrev::Plain)
                } else {
                    Prev::Abbrev(Abbrev::Title)
                }
            }
            Some(a) => Prev::Abbrev(a),
            None if word.len() == 1 => Prev::Letter,
            None => Prev::Word,
        }
    }

    /// True if text glued after the full stop at `i` starts a new sentence
    /// ("end.Next"): a lower-case word before, a capitalised word after, and no
    /// sign of a URL, e-mail address or file name around.
    fn glued(&self, i: usize) -> bool {
        let b = self.b;
        let (Some(&c1), Some(&c2)) = (b.get(i + 1), b.get(i + 2)) else {
            return false;
        };
        if !c1.is_ascii_uppercase() || !c2.is_ascii_lowercase() {
            return false;
        }
        let lo = self.start.max(i.saturating_sub(LOOK));
        let mut j = i;
        while j > lo && b[j - 1].is_ascii_lowercase() {
            j -= 1;
        }
        if i - j < 2 || abbr::lookup(&b[j..i]).is_some() {
            return false;
        }
        let mut k = j;
        while k > lo && !is_ws(b[k - 1]) {
            k -= 1;
            if matches!(b[k], b'@' | b'/' | b'.' | b':' | b'_' | b'\\') {
                return false;
            }
        }
        let hi = b.len().min(i + 1 + LOOK);
        for &c in &b[i + 1..hi] {
            if is_ws(c) {
                break;
            }
            if matches!(c, b'@' | b'/' | b':' | b'_' | b'\\') {
                return false;
            }
        }
        true
    }

    /// True if the full stop at `i` is a dot of a web address that has a space
    /// after it ("www. example. com/page. html"), an artefact common in
    /// student essays; `w` is where the next word starts.
    fn spaced_url(&self, i: usize, w: usize) -> bool {
        let b = self.b;
        let before = self.word_before(i);
        if before.eq_ignore_ascii_case(b"www") {
            return true;
        }
        let mut e = w;
        while e < b.len() && e - w < 8 && b[e].is_ascii_lowercase() {
            e += 1;
        }
        let after_ok = !matches!(b.get(e), Some(c) if c.is_ascii_alphanumeric());
        after_ok && abbr::is_web_suffix(&b[w..e])
    }

    /// End of a citation right after a sentence end ("[12]", "(Davies 1989,
    /// 1029)"), so it stays with that sentence.
    fn citation_end(&self, w: usize) -> Option<usize> {
        let b = self.b;
        let close = match b.get(w) {
            Some(b'[') => b']',
            Some(b'(') => b')',
            _ => return None,
        };
        let max = if close == b']' { 16 } else { 48 };
        let hi = b.len().min(w + 1 + max);
        let rel = b[w + 1..hi].iter().position(|&c| c == close)?;
        let inner = &b[w + 1..w + 1 + rel];
        if !inner.iter().any(u8::is_ascii_digit) {
            return None;
        }
        let ok = if close == b']' {
            inner
                .iter()
                .all(|&c| c.is_ascii_digit() || matches!(c, b',' | b'-' | b' '))
        } else {
            inner.first().is_some_and(u8::is_ascii_uppercase)
                && !inner.iter().any(|&c| matches!(c, b'(' | b'\n'))
        };
        if !ok {
            return None;
        }
        let mut end = w + 1 + rel + 1;
        if b.get(end) == Some(&b'.') {
            end += 1;
        }
        (end == b.len() || is_ws(b[end])).then_some(end)
    }

    /// Ends the sentence at `end`, or after a citation following it.
    fn cut_with_citation(&mut self, end: usize, next_at: usize) -> usize {
        let end = self.citation_end(next_at).unwrap_or(end);
        self.cut(end);
        end
    }

    /// Handles a `.` or `…` at `i`; returns where scanning resumes.
    fn full_stop(&mut self, i: usize) -> usize {
        let b = self.b;
        let n = b.len();
        // Contiguous run of dots and ellipses.
        let mut end = i;
        let mut dots = 0;
        loop {
            if b.get(end) == Some(&b'.') {
                dots += 1;
                end += 1;
            } else if is_ellipsis(b, end) {
                dots += 3;
                end += 3;
            } else {
                break;
            }
        }
        // Spaced ellipsis ". . ." (only if the spaces make it one).
        let mut spaced = false;
        if dots == 1 {
            let mut e = end;
            let mut d = 1;
            while b.get(e) == Some(&b' ') && b.get(e + 1) == Some(&b'.') {
                d += 1;
                e += 2;
            }
            if d >= 3 {
                spaced = true;
                dots = d;
                end = e;
            }
        }
        let k = self.skip_closers(end);
        let closed = k > end;
        if k >= n {
            return n;
        }
        if ws_len(b, k) == 0 {
            if dots == 1 && !closed && self.glued(i) {
                self.cut(i + 1);
            }
            return k.max(i + 1);
        }
        let (next, w, starter) = self.next_word(k);
        if dots >= 3 {
            if next == Next::Upper {
                let attached = i > 0 && !is_ws(b[i - 1]);
                if spaced && dots >= 4 && attached {
                    // "compounds. . . . The": a full stop, then an ellipsis
                    // opening the next sentence.
                    self.cut(i + 1);
                } else if !(spaced && dots == 3) {
                    return self.cut_with_citation(k, w).max(k);
                }
            }
            return k;
        }
        let t = self.trimmed_start(i);
        if i >= t && i - t <= 12 && is_enumerator(&b[t..i]) {
            return k;
        }
        if next == Next::Lower && !closed && self.spaced_url(i, w) {
            return k;
        }
        if decide(self.prev(i), closed, next, starter) {
            return self.cut_with_citation(k, w).max(k);
        }
        k
    }

    /// Handles a run of `?`/`!` at `i`.
    fn exclamation(&mut self, i: usize) -> usize {
        let b = self.b;
        let n = b.len();
        let mut end = i;
        let mut question = false;
        loop {
            match b.get(end) {
                Some(b'?') => question = true,
                Some(b'!' | b'.') => {}
                _ if is_ellipsis(b, end) => {
                    end += 2;
                }
                _ => break,
            }
            end += 1;
        }
        let k = self.skip_closers(end);
        let closed = k > end;
        if k >= n {
            return n;
        }
        if ws_len(b, k) == 0 {
            let glued = !closed
                && b[k].is_ascii_uppercase()
                && b.get(k + 1).is_some_and(u8::is_ascii_lowercase);
            if glued {
                self.cut(k);
            }
            return k;
        }
        let (next, w, _) = self.next_word(k);
        let split = match next {
            Next::Lower => !closed && question,
            _ => true,
        };
        if split {
            return self.cut_with_citation(k, w).max(k);
        }
        k
    }

    /// Handles a line break at `i` inside the paragraph.
    fn newline(&mut self, i: usize) -> usize {
        let b = self.b;
        let ls = self.line_start.max(self.start);
        self.line_start = i + 1;
        let mut e = i;
        while e > ls && is_ws(b[e - 1]) {
            e -= 1;
        }
        if e == ls {
            return i + 1;
        }
        // Lines ending in terminal punctuation were judged by its rule.
        let mut t = e;
        while t > ls && matches!(b[t - 1], b'"' | b'\'' | b')' | b']') {
            t -= 1;
        }
        let last = b[t.max(ls + 1) - 1];
        if matches!(last, b'.' | b'?' | b'!') || (t >= ls + 3 && is_ellipsis(b, t - 3)) {
            return i + 1;
        }
        let mut nl = i + 1;
        while nl < b.len() && nl - i < LOOK && is_ws(b[nl]) {
            nl += 1;
        }
        if nl >= b.len() {
            return i + 1;
        }
        let mut cur = ls;
        while cur < e && is_ws(b[cur]) {
            cur += 1;
        }
        let split = if starts_with_marker(b, nl) || starts_with_marker(b, cur) {
            true
        } else if matches!(last, b',' | b';' | b'-' | b'&') || e - cur > 70 {
            false
        } else {
            let (next, _, _) = self.next_word(i + 1);
            matches!(next, Next::Upper | Next::Digit)
        };
        if split {
            self.cut(i);
        }
        i + 1
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn split(t: &str) -> Vec<&str> {
        let mut out = Vec::new();
        RuleSegmenter::default().split(t, &mut out);
        out.into_iter().map(|r| &t[r]).collect()
    }

    #[test]
    fn chunk_skip_never_misses_a_candidate() {
        for pos in 0..8 {
            for c in 0..=255u8 {
                let mut chunk = [b'a'; 8];
                chunk[pos] = c;
                if CANDIDATE[usize::from(c)] {
                    assert!(chunk_has_candidate(&chunk), "byte {c:#x} at {pos}");
                }
            }
        }
        assert!(!chunk_has_candidate(b"abcdefgh"));
    }

    #[test]
    fn plain_prose() {
        assert_eq!(
            split("Phones distract pupils. They should be banned! Should they?"),
            [
                "Phones distract pupils.",
                "They should be banned!",
                "Should they?"
            ]
        );
    }

    #[test]
    fn abbreviations() {
        assert_eq!(
            split("Dr. Lee met Mrs. Park at 9 a.m. on Monday. They talked."),
            ["Dr. Lee met Mrs. Park at 9 a.m. on Monday.", "They talked."]
        );
        assert_eq!(
            split("Pets, e.g. cats and dogs, help. Many vets agree, i.e. most of them."),
            [
                "Pets, e.g. cats and dogs, help.",
                "Many vets agree, i.e. most of them."
            ]
        );
        assert_eq!(
            split("We sold pens, paper, etc. The shop closed."),
            ["We sold pens, paper, etc.", "The shop closed."]
        );
        assert_eq!(
            split("Schools in the U.S. have long days. In the U.K. They do not."),
            [
                "Schools in the U.S. have long days.",
                "In the U.K.",
                "They do not."
            ]
        );
        assert_eq!(
            split("It was Lincoln vs. Douglas. See No. 4 and p. 12 for more."),
            [
                "It was Lincoln vs. Douglas.",
                "See No. 4 and p. 12 for more."
            ]
        );
        assert_eq!(
            split("She lives on Main St. The house is blue."),
            ["She lives on Main St.", "The house is blue."]
        );
    }

    #[test]
    fn initials() {
        assert_eq!(
            split("The book by J. Arch Getty is long. I liked it."),
            ["The book by J. Arch Getty is long.", "I liked it."]
        );
        assert_eq!(
            split("My brother got an A. My sister got a B. Both were happy."),
            [
                "My brother got an A.",
                "My sister got a B.",
                "Both were happy."
            ]
        );
        assert_eq!(
            split("They benched him for that D. What a shame."),
            ["They benched him for that D.", "What a shame."]
        );
    }

    #[test]
    fn numbers_money_dates() {
        assert_eq!(
            split("Prices rose 4.5% in 2019. Tickets cost $12.50. On 3.4.2020 it fell."),
            [
                "Prices rose 4.5% in 2019.",
                "Tickets cost $12.50.",
                "On 3.4.2020 it fell."
            ]
        );
        assert_eq!(
            split("The vote was 52.3 to 47.7 percent. 45 people left."),
            ["The vote was 52.3 to 47.7 percent.", "45 people left."]
        );
    }

    #[test]
    fn ellipses() {
        assert_eq!(
            split("I waited... Nobody came. It was quiet… too quiet."),
            ["I waited...", "Nobody came.", "It was quiet… too quiet."]
        );
        assert_eq!(split("Well… Maybe not."), ["Well…", "Maybe not."]);
    }

    #[test]
    fn citations_stay_with_their_sentence() {
        assert_eq!(
            split("Crime fell sharply (Moreno 2004, 17). Critics disagree."),
            ["Crime fell sharply (Moreno 2004, 17).", "Critics disagree."]
        );
        assert_eq!(
            split("Towns with libraries prospered. [12] Others declined [13]. Why?"),
            [
                "Towns with libraries prospered. [12]",
                "Others declined [13].",
                "Why?"
            ]
        );
        assert_eq!(
            split("Reading helps. (Osei 1999) It also relaxes."),
            ["Reading helps. (Osei 1999)", "It also relaxes."]
        );
    }

    #[test]
    fn quotes_and_brackets() {
        assert_eq!(
            split("He said, “Stop.” Then he left. (It was late.) We slept."),
            [
                "He said, “Stop.”",
                "Then he left.",
                "(It was late.)",
                "We slept."
            ]
        );
        assert_eq!(
            split("“Why?” she asked. “Because.”"),
            ["“Why?” she asked.", "“Because.”"]
        );
    }

    #[test]
    fn exclamations_and_questions() {
        assert_eq!(
            split("Really?! No way!! Who knew?? Me."),
            ["Really?!", "No way!!", "Who knew??", "Me."]
        );
        assert_eq!(
            split("He shops at Walmart! on Sundays. why not? it is cheap"),
            [
                "He shops at Walmart! on Sundays.",
                "why not?",
                "it is cheap"
            ]
        );
    }

    #[test]
    fn lists() {
        assert_eq!(
            split("1) Sleep more 2) Eat well 3) Walk daily"),
            ["1) Sleep more", "2) Eat well", "3) Walk daily"]
        );
        assert_eq!(
            split("My reasons are:\n1. Cost\n2. Safety\n- Also time"),
            ["My reasons are:", "1. Cost", "2. Safety", "- Also time"]
        );
        assert_eq!(
            split("Pros: • cheap • fast • simple"),
            ["Pros:", "• cheap", "• fast", "• simple"]
        );
    }

    #[test]
    fn headings_and_line_breaks() {
        assert_eq!(
            split("Why Phones Matter\nPhones are useful. They help."),
            ["Why Phones Matter", "Phones are useful.", "They help."]
        );
        // A hard-wrapped sentence stays whole.
        assert_eq!(
            split("Students who use phones in class tend to\nlose focus quickly."),
            ["Students who use phones in class tend to\nlose focus quickly."]
        );
    }

    #[test]
    fn urls_and_emails() {
        assert_eq!(
            split("Mail me at kim.lee@school.org. See www.school.org/News.html too."),
            [
                "Mail me at kim.lee@school.org.",
                "See www.school.org/News.html too."
            ]
        );
    }

    #[test]
    fn spaced_web_addresses() {
        // Some essays have a space after every dot of an address.
        assert_eq!(
            split("See www. safe-roads. org/facts. html for data. it is free."),
            [
                "See www. safe-roads. org/facts. html for data.",
                "it is free."
            ]
        );
    }

    #[test]
    fn no_break_space_after_full_stop() {
        assert_eq!(
            split("Schools differ.\u{a0}I like mine."),
            ["Schools differ.", "I like mine."]
        );
    }

    #[test]
    fn sloppy_writing() {
        assert_eq!(
            split("i think phones are bad.They distract us. also they cost money"),
            [
                "i think phones are bad.",
                "They distract us.",
                "also they cost money"
            ]
        );
    }

    #[test]
    fn degenerate_inputs() {
        assert!(split("").is_empty());
        assert!(split(" \n\t ").is_empty());
        assert_eq!(split("..."), ["..."]);
        assert_eq!(split("?!"), ["?!"]);
        assert_eq!(split("• "), ["•"]);
        assert_eq!(split("\n.\n"), ["."]);
    }

    #[test]
    fn huge_input_is_linear() {
        // 5 MB of pathological and ordinary text; a quadratic pass would take
        // minutes. No timing assertion, just that it finishes and covers it.
        let patterns = ["a.", "\n", " ", ". . ", "1) ", "word", "U.S.", "x?!", "…"];
        for pat in patterns {
            let t = pat.repeat(5_000_000 / pat.len());
            let mut out = Vec::new();
            RuleSegmenter::default().split(&t, &mut out);
            let covered: usize = out.iter().map(|r| r.len()).sum();
            assert!(covered <= t.len());
        }
        let prose = "The cat sat. It was Mr. Lee's cat, e.g. a good one! ".repeat(100_000);
        let mut out = Vec::new();
        RuleSegmenter::default().split(&prose, &mut out);
        assert_eq!(out.len(), 200_000);
    }
}
