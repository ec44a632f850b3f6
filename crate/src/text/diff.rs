//! Where two short texts differ, as character ranges of each: for highlighting what a person compares by eye
//! (a configured issuer against a token's `iss`), never for deciding anything.
//!
//! A longest-common-subsequence over characters after the common prefix and suffix are set aside, bounded: the
//! middles are compared only up to [`MAX_MIDDLE`] characters each (larger middles are one differing range), so the
//! work is at most `MAX_MIDDLE²` steps whatever the input.

/// The longest middle (after the common prefix and suffix) compared character by character.
pub(crate) const MAX_MIDDLE: usize = 160;

/// A half-open range of character (Unicode scalar value) positions, `[start, end)`.
pub type Span = [usize; 2];

/// The ranges of `a` and of `b` that the other text does not share, in order. Both empty when the texts are equal.
/// When the two middles have little in common (less than half of the shorter one), each middle is one range: a
/// scatter of coincidentally shared letters would only hide what differs.
pub fn differing_spans(a: &str, b: &str) -> (Vec<Span>, Vec<Span>) {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    let prefix = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let suffix = a[prefix..]
        .iter()
        .rev()
        .zip(b[prefix..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let (am, bm) = (&a[prefix..a.len() - suffix], &b[prefix..b.len() - suffix]);
    let whole = |m: &[char]| -> Vec<Span> {
        if m.is_empty() {
            Vec::new()
        } else {
            vec![[prefix, prefix + m.len()]]
        }
    };
    if am.is_empty() || bm.is_empty() || am.len() > MAX_MIDDLE || bm.len() > MAX_MIDDLE {
        return (whole(am), whole(bm));
    }
    let (keep_a, keep_b, common) = lcs_marks(am, bm);
    if common * 2 < am.len().min(bm.len()) {
        return (whole(am), whole(bm));
    }
    (ranges(&keep_a, prefix), ranges(&keep_b, prefix))
}

/// For each character of `a` and of `b`, whether it belongs to one longest common subsequence; and its length.
fn lcs_marks(a: &[char], b: &[char]) -> (Vec<bool>, Vec<bool>, usize) {
    let (n, m) = (a.len(), b.len());
    // table[i][j]: LCS length of a[i..] and b[j..], row-major in one vector.
    let width = m + 1;
    let mut table = vec![0u16; (n + 1) * width];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            table[i * width + j] = if a[i] == b[j] {
                table[(i + 1) * width + j + 1] + 1
            } else {
                table[(i + 1) * width + j].max(table[i * width + j + 1])
            };
        }
    }
    let (mut keep_a, mut keep_b) = (vec![false; n], vec![false; m]);
    let (mut i, mut j) = (0, 0);
    while i < n && j < m {
        if a[i] == b[j] {
            keep_a[i] = true;
            keep_b[j] = true;
            i += 1;
            j += 1;
        } else if table[(i + 1) * width + j] >= table[i * width + j + 1] {
            i += 1;
        } else {
            j += 1;
        }
    }
    (keep_a, keep_b, usize::from(table[0]))
}

/// The runs of `false` in `kept` as ranges offset by `offset`; a shared run of one character between two
/// differing runs is folded into them (a lone coincidence reads as noise).
fn ranges(kept: &[bool], offset: usize) -> Vec<Span> {
    let mut out: Vec<Span> = Vec::new();
    for (i, k) in kept.iter().enumerate() {
        if *k {
            continue;
        }
        let at = offset + i;
        match out.last_mut() {
            Some(last) if last[1] + 1 >= at => last[1] = at + 1,
            _ => out.push([at, at + 1]),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::differing_spans;

    #[test]
    fn equal_texts_have_no_spans() {
        assert_eq!(differing_spans("abc", "abc"), (vec![], vec![]));
    }

    #[test]
    fn an_insertion_is_a_span_of_the_longer_text_only() {
        assert_eq!(
            differing_spans("https://x/clerk", "https://x/clerk-other"),
            (vec![], vec![[15, 21]])
        );
    }

    #[test]
    fn a_changed_scheme_and_host_are_two_spans() {
        let (a, b) = differing_spans("https://a.clerk.dev", "http://b.clerk.dev");
        assert_eq!(a, vec![[4, 5], [8, 9]]);
        assert_eq!(b, vec![[7, 8]]);
    }

    #[test]
    fn unrelated_texts_differ_as_a_whole() {
        assert_eq!(
            differing_spans("convex", "Auth0ClientIdStandin"),
            (vec![[0, 6]], vec![[0, 20]])
        );
    }

    #[test]
    fn positions_count_characters_not_bytes() {
        assert_eq!(differing_spans("éa", "éb"), (vec![[1, 2]], vec![[1, 2]]));
    }

    #[test]
    fn long_middles_are_bounded() {
        let a = "x".repeat(10_000);
        let b = "y".repeat(10_000);
        assert_eq!(
            differing_spans(&a, &b),
            (vec![[0, 10_000]], vec![[0, 10_000]])
        );
    }
}
