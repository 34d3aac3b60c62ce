//! The distinct words of a text, for the search index: each word once
//! (ignoring case), in its first spelling and in order of first use. Words are
//! runs of letters and digits. [`WordCollector`] takes the text in pieces, as
//! the Markdown renderer hands them over, so a body's words are collected while
//! it is rendered; the tests compare it with the plain way
//! ([`reference_words`](super::reference_words)) on every cut of tricky texts.

use super::word_set::WordSet;

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
    /// The words in `out`, ignoring case.
    seen: WordSet,
    /// The start of a word that may go on in the next piece.
    partial: String,
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
        if !word.is_empty() && self.seen.insert(word) {
            if !self.out.is_empty() {
                self.out.push(' ');
            }
            self.out.push_str(word);
        }
    }
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
            "\u{212A}elvin kelvin KELVIN \u{212A} k \u{212A}\u{212A}",
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
