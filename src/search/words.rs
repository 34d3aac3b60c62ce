//! The distinct words of a text, for the search index: each word once
//! (ignoring case), in its first spelling and in order of first use. Words are
//! runs of letters and digits. [`WordCollector`] takes the text in pieces, as
//! the Markdown renderer hands them over, so a body's words are collected while
//! it is rendered; the tests compare it with the plain way
//! ([`reference_words`](super::reference_words)) on every cut of tricky texts.

/// Each word of `text` once (ignoring case), in order of first use. Words are
/// runs of letters and digits, the way the search splits text.
pub fn distinct_words(text: &str) -> String {
    let mut words = WordCollector::default();
    words.push(text);
    words.finish()
}

/// Collects the distinct words of a text that arrives in pieces, such as the
/// text events of a Markdown body: each word once (ignoring case, as Unicode
/// lowercases it), in its first spelling and in order of first use,
/// space-separated. A word may continue from one piece into the next (the
/// pieces `foo` and `bar` make the word `foobar`) unless [`WordCollector::boundary`]
/// comes between them.
#[derive(Default)]
pub struct WordCollector {
    /// The distinct words so far.
    out: String,
    /// The lowercase forms of the words in `out`.
    seen: LowercaseSet,
    /// The start of a word that may go on in the next piece.
    partial: String,
    /// Scratch space for lowercasing non-ASCII words.
    lower: String,
}

impl WordCollector {
    /// Adds a piece of text.
    pub fn push(&mut self, text: &str) {
        let bytes = text.as_bytes();
        let mut start = 0; // of the current word within `text`
        let mut at = 0;
        while at < bytes.len() {
            let b = bytes[at];
            if b.is_ascii_alphanumeric() {
                at += 1;
                continue;
            }
            let len = if b.is_ascii() {
                1
            } else {
                let c = text[at..].chars().next().expect("`at` is a char boundary");
                if c.is_alphanumeric() {
                    at += c.len_utf8();
                    continue;
                }
                c.len_utf8()
            };
            self.end_word(&text[start..at]);
            at += len;
            start = at;
        }
        self.partial.push_str(&text[start..]);
    }

    /// Ends the current word, if any: what comes next starts a new one.
    pub fn boundary(&mut self) {
        self.end_word("");
    }

    /// The distinct words, space-separated.
    pub fn finish(mut self) -> String {
        self.take()
    }

    /// The distinct words, space-separated, leaving the collector empty but
    /// with its buffers, ready for another text.
    pub fn take(&mut self) -> String {
        self.boundary();
        let words = self.out.as_str().to_owned(); // exactly as long as it needs to be
        self.out.clear();
        self.seen.clear();
        words
    }

    /// Ends the word made of `partial` and then `tail` (either may be empty).
    fn end_word(&mut self, tail: &str) {
        if self.partial.is_empty() {
            self.add(tail);
        } else {
            let mut word = std::mem::take(&mut self.partial);
            word.push_str(tail);
            self.add(&word);
            word.clear();
            self.partial = word; // keeps its allocation for the next split word
        }
    }

    /// Adds `word` (letters and digits only) to the output unless it is empty
    /// or was seen already.
    fn add(&mut self, word: &str) {
        if word.is_empty() {
            return;
        }
        let new = if let Some(key) = short_ascii_key(word) {
            self.seen.insert_short(key)
        } else if word.is_ascii() {
            self.lower.clear();
            self.lower.push_str(word);
            self.lower.make_ascii_lowercase();
            self.seen.insert_long(&self.lower)
        } else {
            if word.contains('Σ') {
                // Lowercase sigma depends on its place in the word (σ or ς);
                // `str::to_lowercase` knows how.
                self.lower = word.to_lowercase();
            } else {
                self.lower.clear();
                self.lower.extend(word.chars().flat_map(char::to_lowercase));
            }
            self.seen.insert_long(&self.lower)
        };
        if new {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.out.push_str(word);
        }
    }
}

/// The lowercase form of an ASCII word of at most 16 letters and digits, as a
/// number: its bytes, little-endian, zero-padded (words hold no zero bytes, so
/// different words give different numbers, and never 0).
fn short_ascii_key(word: &str) -> Option<u128> {
    let bytes = word.as_bytes();
    if bytes.len() > 16 {
        return None;
    }
    // Byte by byte rather than copying: short copies of varying length are calls to memcpy.
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

/// A set of lowercase words: short ASCII ones as numbers, others in one text
/// buffer. Both tables are open-addressing arrays kept at most half full, so
/// no word costs an allocation of its own.
#[derive(Default)]
struct LowercaseSet {
    /// Keys from [`short_ascii_key`], 0 for an empty slot; the length is zero
    /// or a power of two.
    short: Vec<u128>,
    /// How many keys `short` holds.
    short_count: usize,
    /// Every other member, one after the other.
    text: String,
    /// Each of those members' end in `text` (its start is the previous one's end).
    ends: Vec<u32>,
    /// Slots for them: 0 when empty, else the member's index plus one; the
    /// length is zero or a power of two.
    slots: Vec<u32>,
}

impl LowercaseSet {
    /// Removes every member, keeping small tables for reuse.
    fn clear(&mut self) {
        // Clearing costs the table's size: after an unusually long text, start afresh.
        const KEEP: usize = 4096;
        if self.short.len() > KEEP {
            self.short = Vec::new();
        } else if self.short_count > 0 {
            self.short.fill(0);
        }
        self.short_count = 0;
        if self.slots.len() > KEEP {
            self.slots = Vec::new();
        } else if !self.ends.is_empty() {
            self.slots.fill(0);
        }
        self.text.clear();
        self.ends.clear();
    }

    /// Inserts a key from [`short_ascii_key`]; whether it was new.
    fn insert_short(&mut self, key: u128) -> bool {
        if self.short_count * 2 >= self.short.len() {
            let size = (self.short.len() * 2).max(64);
            let old = std::mem::replace(&mut self.short, vec![0; size]);
            for key in old.into_iter().filter(|&k| k != 0) {
                let slot = self.short_slot(key);
                self.short[slot] = key;
            }
        }
        let slot = self.short_slot(key);
        if self.short[slot] == key {
            return false;
        }
        self.short[slot] = key;
        self.short_count += 1;
        true
    }

    /// The slot holding `key`, or the empty slot where it belongs.
    fn short_slot(&self, key: u128) -> usize {
        let mask = self.short.len() - 1;
        // Multiplicative hashing: the top bits of the product depend on every bit of the key.
        let low = key as u64;
        let high = (key >> 64) as u64;
        let hash =
            (low.wrapping_mul(0x9e37_79b9_7f4a_7c15) ^ high).wrapping_mul(0xff51_afd7_ed55_8ccd);
        let mut slot = (hash >> (64 - self.short.len().trailing_zeros())) as usize;
        while self.short[slot] != 0 && self.short[slot] != key {
            slot = (slot + 1) & mask;
        }
        slot
    }

    /// Inserts a lowercase word that has no short key; whether it was new.
    fn insert_long(&mut self, word: &str) -> bool {
        if self.ends.len() * 2 >= self.slots.len() {
            self.slots = vec![0; (self.slots.len() * 2).max(64)];
            for i in 0..self.ends.len() {
                let slot = self.long_slot(self.member(i));
                self.slots[slot] = u32::try_from(i + 1).expect("a body has under 4 G words");
            }
        }
        let slot = self.long_slot(word);
        if self.slots[slot] != 0 {
            return false;
        }
        self.text.push_str(word);
        let end = u32::try_from(self.text.len()).expect("a body's words fit in 4 GB");
        self.ends.push(end);
        self.slots[slot] = u32::try_from(self.ends.len()).expect("as above");
        true
    }

    /// The slot holding `word`, or the empty slot where it belongs.
    fn long_slot(&self, word: &str) -> usize {
        let mask = self.slots.len() - 1;
        let mut slot = hash(word.as_bytes()) as usize & mask;
        loop {
            match self.slots[slot] {
                0 => return slot,
                member if self.member(member as usize - 1) == word => return slot,
                _ => slot = (slot + 1) & mask,
            }
        }
    }

    fn member(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }
}

/// FNV-1a over the bytes, folded 8 bytes at a time.
fn hash(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut chunks = bytes.chunks_exact(8);
    for chunk in &mut chunks {
        let mut word = [0u8; 8];
        word.copy_from_slice(chunk);
        hash = (hash ^ u64::from_le_bytes(word)).wrapping_mul(0x0000_0100_0000_01b3);
        hash ^= hash >> 29;
    }
    for &b in chunks.remainder() {
        hash = (hash ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3);
    }
    // The low bits pick the slot: fold the well-mixed high bits into them.
    hash ^ (hash >> 32)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::search::reference_words;

    #[test]
    fn distinct_words_keep_their_first_spelling_and_order() {
        assert_eq!(
            distinct_words("Care, and care: the CARE team's care-plan; Team."),
            "Care and the team s plan"
        );
    }

    #[test]
    fn words_match_the_reference_however_the_text_is_cut() {
        let texts = [
            "Care, and care: the CARE team's care-plan; Team.",
            "Ärzte ärzte ÄRZTE und Ärztinnen; İstanbul istanbul İSTANBUL i̇stanbul",
            "ΟΔΟΣ οδος Οδός ΣΟΦΟΣ σοφος σοφοσ ΣΣ",
            "x1 X1 2x 2X 42 042 a_b a-b",
            "internationalisation INTERNATIONALISATION internationalisations \
             abcdefghijklmnop ABCDEFGHIJKLMNOP abcdefghijklmnopq abcdefghijklmnopQ",
            "日本語 テキスト 日本語, ﬁne FINE ǅemal ǆemal Straße STRASSE",
            "tab\tnew\nline\r\ncrlf\u{a0}nbsp\u{2009}thin a\u{301}b",
            "",
            "  ,,  ",
        ];
        for text in texts {
            // No `<` or `&` in these, so the text is its own HTML.
            let reference = reference_words(text);
            assert_eq!(distinct_words(text), reference, "{text:?}");
            // A word may span pieces: every cut gives the same words.
            for (cut, _) in text.char_indices() {
                let mut words = WordCollector::default();
                words.push(&text[..cut]);
                words.push(&text[cut..]);
                assert_eq!(words.finish(), reference, "{text:?} cut at {cut}");
            }
        }
    }

    #[test]
    fn boundaries_end_words_and_pieces_join_them() {
        let mut words = WordCollector::default();
        for piece in ["fo", "o", "bar"] {
            words.push(piece);
        }
        words.boundary();
        words.boundary();
        words.push("Foobar baz");
        words.boundary();
        words.push("qux");
        assert_eq!(words.finish(), "foobar baz qux");
    }

    #[test]
    fn many_words_grow_the_tables() {
        // Enough distinct short and long words to make both tables grow a few times.
        let text: String = (0..3000)
            .map(|i| format!("w{i} W{i} longwordnumber{i}x{i} Ü{i} ü{i} "))
            .collect();
        assert_eq!(distinct_words(&text), reference_words(&text));
        assert_eq!(distinct_words(&text).split(' ').count(), 3000 * 3);
    }
}
