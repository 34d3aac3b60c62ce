//! Where each item of a top-level list is written: a small reader for flow
//! (`key: [a, "b"]`) and block (`- a`) lists of scalars, so that a diagnostic
//! about the tenth of ten equal items points at the tenth, in time linear in
//! the list. Anything else (nested lists, mappings) falls back to the first
//! matching token ([`locate_item`]).

use super::{locate_item, locate_key};
use crate::diagnostic::Position;

/// One item of a top-level list as written in the source.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListItem {
    /// Where the item starts (its opening quote, if quoted), 1-based.
    pub position: Position,
    /// Its text without quotes (escapes left as written).
    pub text: String,
}

/// A position-tracking reader over YAML source.
struct Cursor<'a> {
    chars: std::iter::Peekable<std::str::Chars<'a>>,
    line: usize,
    col: usize,
}

impl Cursor<'_> {
    fn peek(&mut self) -> Option<char> {
        self.chars.peek().copied()
    }
    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.col = 1;
        } else {
            self.col += 1;
        }
        Some(c)
    }
    fn here(&self) -> Position {
        Position {
            line: self.line,
            col: self.col,
        }
    }
    /// Skips blanks, line breaks and `#` comments.
    fn skip_space(&mut self) {
        while let Some(c) = self.peek() {
            if c == '#' {
                while self.peek().is_some_and(|c| c != '\n') {
                    self.bump();
                }
            } else if c.is_whitespace() {
                self.bump();
            } else {
                break;
            }
        }
    }
    /// Reads a quoted scalar after its opening `quote`; `None` if it is not closed.
    fn quoted(&mut self, quote: char) -> Option<String> {
        let mut text = String::new();
        loop {
            let c = self.bump()?;
            if c == quote {
                // In single quotes, '' is a quote; in double quotes, \ escapes.
                if quote == '\'' && self.peek() == Some('\'') {
                    text.push(c);
                    self.bump();
                    continue;
                }
                return Some(text);
            }
            text.push(c);
            if quote == '"' && c == '\\' {
                text.push(self.bump()?);
            }
        }
    }
}

/// Every item of the list under top-level `key`, in order, when it is a flow
/// list (`key: [a, "b"]`, possibly over several lines) or a block list (`- a`
/// lines) of plain or quoted scalars; empty for anything else (a scalar, a
/// nested list or mapping). Linear in the size of the list.
pub fn list_items(yaml: &str, key: &str) -> Vec<ListItem> {
    let Some(key_pos) = locate_key(yaml, key) else {
        return Vec::new();
    };
    let line_start: usize = yaml
        .split_inclusive('\n')
        .take(key_pos.line - 1)
        .map(str::len)
        .sum();
    let line = yaml[line_start..].lines().next().unwrap_or("");
    let Some(colon) = line.find(':') else {
        return Vec::new();
    };
    let after = &line[colon + 1..];
    let value = after.trim_start();
    if value.starts_with('[') {
        let at = colon + 1 + (after.len() - value.len());
        let mut cursor = Cursor {
            chars: yaml[line_start + at..].chars().peekable(),
            line: key_pos.line,
            col: line[..at].chars().count() + 1,
        };
        return flow_items(&mut cursor).unwrap_or_default();
    }
    if value.is_empty() || value.starts_with('#') {
        return block_items(yaml, key_pos.line).unwrap_or_default();
    }
    Vec::new()
}

fn flow_items(cursor: &mut Cursor) -> Option<Vec<ListItem>> {
    cursor.bump(); // the opening bracket
    let mut items = Vec::new();
    loop {
        cursor.skip_space();
        let position = cursor.here();
        let text = match cursor.peek()? {
            ']' => return Some(items),
            '[' | '{' | ',' => return None,
            quote @ ('"' | '\'') => {
                cursor.bump();
                cursor.quoted(quote)?
            }
            _ => {
                let mut text = String::new();
                while let Some(c) = cursor.peek() {
                    if matches!(c, ',' | ']' | '\n') || c == '#' && text.ends_with(' ') {
                        break;
                    }
                    text.push(c);
                    cursor.bump();
                }
                let text = text.trim_end().to_string();
                if text.contains(": ") || text.ends_with(':') {
                    return None; // a mapping inside the list
                }
                text
            }
        };
        items.push(ListItem { position, text });
        cursor.skip_space();
        match cursor.bump()? {
            ',' => {}
            ']' => return Some(items),
            _ => return None,
        }
    }
}

fn block_items(yaml: &str, key_line: usize) -> Option<Vec<ListItem>> {
    let mut items = Vec::new();
    for (i, line) in yaml.lines().enumerate().skip(key_line) {
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        let Some(rest) = trimmed
            .strip_prefix('-')
            .filter(|r| r.is_empty() || r.starts_with([' ', '\t']))
        else {
            if line.starts_with([' ', '\t']) {
                return None; // a continued or nested value
            }
            break;
        };
        let value = rest.trim_start();
        let col = line.len() - value.len();
        let value = match value.find(" #") {
            Some(comment) => &value[..comment],
            None => value,
        }
        .trim_end();
        let text = match value.chars().next() {
            None | Some('[' | '{' | '-') => return None,
            Some(quote @ ('"' | '\'')) if value.len() >= 2 && value.ends_with(quote) => {
                value[1..value.len() - 1].to_string()
            }
            Some(_) if value.contains(": ") || value.ends_with(':') => return None,
            Some(_) => value.to_string(),
        };
        items.push(ListItem {
            position: Position {
                line: i + 1,
                col: line[..col].chars().count() + 1,
            },
            text,
        });
    }
    Some(items)
}

/// Points diagnostics at the items of one key's list: the `index`-th item
/// itself where the list is a simple one (so that the tenth of ten equal items
/// is found at its own place, not at the first), else the first token equal to
/// the item ([`locate_item`]). The list is read once, when first needed.
pub struct ItemLocator<'a> {
    yaml: &'a str,
    key: &'a str,
    items: std::cell::OnceCell<Vec<ListItem>>,
}

impl<'a> ItemLocator<'a> {
    /// A locator for the list under top-level `key`.
    pub fn new(yaml: &'a str, key: &'a str) -> Self {
        ItemLocator {
            yaml,
            key,
            items: std::cell::OnceCell::new(),
        }
    }

    /// Where the `index`-th item (0-based), whose text is `item`, is written.
    pub fn at(&self, index: usize, item: &str) -> Option<Position> {
        let items = self.items.get_or_init(|| list_items(self.yaml, self.key));
        match items.get(index) {
            // Text with escapes (`"\e[2K"`) cannot be compared as written.
            Some(found) if found.text == item || found.text.contains('\\') => Some(found.position),
            _ => locate_item(self.yaml, self.key, item),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_item_of_a_list_is_found_at_its_own_place() {
        let yaml = "id: P1\nsectors: [health, 'helth', \"helth\", helth # note\n  , helth]\nclusters:\n  - a\n  - \"b\" # x\n  -   a\nnext: 1\n";
        let flow = list_items(yaml, "sectors");
        let at: Vec<_> = flow
            .iter()
            .map(|i| (i.text.as_str(), i.position.line, i.position.col))
            .collect();
        assert_eq!(
            at,
            [
                ("health", 2, 11),
                ("helth", 2, 19),
                ("helth", 2, 28),
                ("helth", 2, 37),
                ("helth", 3, 5)
            ]
        );
        let block = list_items(yaml, "clusters");
        let at: Vec<_> = block
            .iter()
            .map(|i| (i.text.as_str(), i.position.line, i.position.col))
            .collect();
        assert_eq!(at, [("a", 5, 5), ("b", 6, 5), ("a", 7, 7)]);
        // Not simple lists: nothing, so callers fall back to the first token.
        assert!(list_items("k: [a, [b]]\n", "k").is_empty());
        assert!(list_items("k: [a, {b: c}]\n", "k").is_empty());
        assert!(list_items("k:\n  - a: 1\n", "k").is_empty());
        assert!(list_items("k: a\n", "k").is_empty());
        let locator = ItemLocator::new(yaml, "sectors");
        assert_eq!(locator.at(3, "helth"), Some(Position { line: 2, col: 37 }));
        // An index that does not match the text falls back to the first token.
        assert_eq!(locator.at(0, "helth"), Some(Position { line: 2, col: 19 }));
    }
}
