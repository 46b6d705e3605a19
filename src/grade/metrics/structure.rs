//! The argument's shape, from the map's edges only: which side of the
//! thesis each sentence argues (following edges to a root, flipping at
//! attacks) and the longest supports/attacks chain (the essay's depth), both
//! robust to the cycles a hand-made map may hold.

use crate::argument::{Link, Relation};
use std::collections::HashSet;

/// Whether each sentence is against the thesis: follow the first outgoing edge
/// (`first_out`) to a root, flipping at each attack. Each path is walked once
/// and remembered, so a long chain costs linear time. Maps are forests; should
/// a path run into a cycle, its sentences take the flips of a walk of at most
/// n steps.
pub(super) fn sides(first_out: &[Option<Link>]) -> Vec<bool> {
    let n = first_out.len();
    let walk = |i: usize| {
        let mut flips = false;
        let mut cur = i;
        for _ in 0..n {
            match first_out[cur] {
                Some(e) => {
                    flips ^= e.relation == Relation::Attacks;
                    cur = e.target;
                    if cur == i {
                        break;
                    }
                }
                None => break,
            }
        }
        flips
    };
    let mut memo: Vec<Option<bool>> = vec![None; n];
    let mut seen_in = vec![usize::MAX; n];
    let mut path = Vec::new();
    for i in 0..n {
        path.clear();
        let mut cur = i;
        // The flips after the end of `path`, when known.
        let base = loop {
            if let Some(b) = memo[cur] {
                break Some(b);
            }
            if seen_in[cur] == i {
                break None; // a cycle
            }
            seen_in[cur] = i;
            path.push(cur);
            match first_out[cur] {
                Some(e) => cur = e.target,
                None => break Some(false), // a root: no flips
            }
        };
        match base {
            Some(mut b) => {
                for &p in path.iter().rev() {
                    b ^= first_out[p].is_some_and(|e| e.relation == Relation::Attacks);
                    memo[p] = Some(b);
                }
            }
            None => {
                for &p in &path {
                    memo[p] = Some(walk(p));
                }
            }
        }
    }
    memo.into_iter().map(|b| b.unwrap_or(false)).collect()
}

/// Longest chain of edges (length, sentences from start to root).
pub(super) fn longest_chain(n: usize, edges: &[Link]) -> (usize, Vec<usize>) {
    if edges.is_empty() {
        return (0, Vec::new());
    }
    let (len, next) = acyclic_lengths(n, edges).unwrap_or_else(|| relaxed_lengths(n, edges));
    let Some(start) = (0..n).max_by_key(|&i| (len[i], std::cmp::Reverse(i))) else {
        return (0, Vec::new());
    };
    let mut chain = vec![start];
    let mut seen = HashSet::from([start]);
    let mut cur = start;
    while let Some(t) = next[cur] {
        if !seen.insert(t) {
            break;
        }
        chain.push(t);
        cur = t;
    }
    (chain.len() - 1, chain)
}

/// Longest path from each sentence and its first step, in one pass over the
/// sentences in reverse topological order (sinks first); `None` when the
/// edges hold a cycle. Among equally long steps the earliest edge wins.
fn acyclic_lengths(n: usize, edges: &[Link]) -> Option<(Vec<usize>, Vec<Option<usize>>)> {
    let mut out_degree = vec![0usize; n];
    let mut into: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (k, e) in edges.iter().enumerate() {
        out_degree[e.source] += 1;
        into[e.target].push(k);
    }
    let mut len = vec![0usize; n];
    let mut step: Vec<Option<usize>> = vec![None; n]; // the chosen edge
    let mut ready: Vec<usize> = (0..n).filter(|&i| out_degree[i] == 0).collect();
    let mut done = 0;
    while let Some(t) = ready.pop() {
        done += 1;
        for &k in &into[t] {
            let s = edges[k].source;
            let cand = len[t] + 1;
            if cand > len[s] || (cand == len[s] && step[s].is_some_and(|b| k < b)) {
                len[s] = cand;
                step[s] = Some(k);
            }
            out_degree[s] -= 1;
            if out_degree[s] == 0 {
                ready.push(s);
            }
        }
    }
    let next = step.iter().map(|k| k.map(|k| edges[k].target)).collect();
    (done == n).then_some((len, next))
}

/// Longest path lengths by repeated relaxation, capped at n: the fallback for
/// edges with a cycle, which the linker never produces.
fn relaxed_lengths(n: usize, edges: &[Link]) -> (Vec<usize>, Vec<Option<usize>>) {
    let mut len = vec![0usize; n];
    let mut next: Vec<Option<usize>> = vec![None; n];
    for _ in 0..n {
        let mut changed = false;
        for e in edges {
            let cand = len[e.target] + 1;
            if cand > len[e.source] && cand <= n {
                len[e.source] = cand;
                next[e.source] = Some(e.target);
                changed = true;
            }
        }
        if !changed {
            break;
        }
    }
    (len, next)
}
