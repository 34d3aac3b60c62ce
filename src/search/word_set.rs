//! The set behind [`WordCollector`](super::WordCollector): words seen so far,
//! ignoring case. It answers exactly as a `HashSet` of each word's
//! `str::to_lowercase` does (the test below compares them), but most words of a
//! body are short and ASCII, and for those it keeps the lowercase form as a
//! number instead of a `String`: no copy, no allocation, a number to hash.
//! With a plain `HashSet<String>` of lowercase words, collecting the words of
//! 18,000 generated bodies took some 40 % more CPU time (about 200 ms, an
//! estimated 3–4 % of the build's wall time on two cores).

use std::collections::HashSet;

use foldhash::fast::FixedState;

/// Words seen so far, compared without regard to case.
#[derive(Default)]
pub(super) struct WordSet {
    /// Short ASCII words, as [`short_ascii_key`] gives them.
    short: HashSet<u128, FixedState>,
    /// Every other word, lowercased.
    long: HashSet<String, FixedState>,
    /// Scratch space for lowercasing a word.
    lower: String,
}

impl WordSet {
    /// Adds `word`; whether it was new (in any spelling).
    pub(super) fn insert(&mut self, word: &str) -> bool {
        if let Some(key) = short_ascii_key(word) {
            return self.short.insert(key);
        }
        if word.is_ascii() {
            self.lower.clear();
            self.lower.push_str(word);
            self.lower.make_ascii_lowercase();
        } else {
            // Lowercase sigma depends on its place in the word (σ or ς);
            // `str::to_lowercase` knows how.
            self.lower = word.to_lowercase();
            // A few letters lowercase to ASCII (the Kelvin sign to `k`).
            if let Some(key) = short_ascii_key(&self.lower) {
                return self.short.insert(key);
            }
        }
        // Looked up before it is copied: most words of a body are repeats.
        !self.long.contains(&self.lower) && self.long.insert(self.lower.clone())
    }

    /// Removes every member, keeping the tables for the next text.
    pub(super) fn clear(&mut self) {
        self.short.clear();
        self.long.clear();
    }
}

/// The lowercase form of an ASCII word of at most 16 letters and digits (as
/// [`WordCollector`](super::WordCollector) splits them), as a number: its bytes,
/// little-endian, zero-padded (words hold no zero bytes, so different words
/// give different numbers).
fn short_ascii_key(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    // Byte by byte rather than copying (short copies of varying length are
    // calls to memcpy), into two halves (shifts of a u128 cost more).
    let (mut low, mut high) = (0u64, 0u64);
    for (i, &b) in bytes.iter().enumerate() {
        if !b.is_ascii() {
            return None;
        }
        // Setting bit 5 lowercases an ASCII letter and leaves a digit as it is.
        let b = u64::from(b | 0x20);
        if i < 8 {
            low |= b << (8 * i);
        } else {
            high |= b << (8 * (i - 8));
        }
    }
    Some(u128::from(low) | u128::from(high) << 64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_as_a_hash_set_of_lowercase_strings_does() {
        let mut set = WordSet::default();
        let mut plain = HashSet::new();
        // Enough words to make the tables grow a few times: short and long,
        // ASCII or not, in several spellings, with repeats.
        let words: Vec<String> = (0..6000)
            .map(|i| match i % 6 {
                0 => format!("w{}", i / 3),
                1 => format!("W{}", i / 7),
                2 => "Ü".repeat(i % 40),
                3 => format!("longwordnumber{i}X"),
                4 => [
                    "ΟΔΟΣ",
                    "οδος",
                    "Οδός",
                    "abcdefghijklmnop",
                    "ABCDEFGHIJKLMNOPQ",
                    "KELVIN",
                    "\u{212A}elvin",
                ][i % 7]
                    .into(),
                _ => format!("z{i}"),
            })
            .collect();
        for round in 0..2 {
            for word in &words {
                let expected = plain.insert(word.to_lowercase());
                assert_eq!(set.insert(word), expected, "{word:?} in round {round}");
            }
            set.clear();
            plain.clear();
        }
    }
}
