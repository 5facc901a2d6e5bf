//! Where each member of the source text is: a JSON pointer → line and column index, so that
//! semantic errors (found on the parsed `serde_json::Value`, which has no spans) can name the
//! line of the member they are about.
//!
//! YAML is walked with `saphyr-parser`'s span-aware event stream; JSON with a small scanner of
//! its own (JSON parsed as YAML would not give the same columns for every input). A member is
//! located at its key (`type: lambda` → the `t`), an array element at its first character.
//! Both walks also report duplicate keys, which the parsers behind `serde_json::Value` would
//! silently collapse to the last one.
//!
//! The index is best effort: it never fails an import. A pointer it cannot find (inside an
//! alias, after a scan error) resolves to its nearest indexed ancestor.

use std::collections::{HashMap, HashSet};
use std::iter::Peekable;
use std::str::Chars;

use saphyr_parser::{Event, Parser, Span};

use super::pointer;

/// A 1-based line and column (columns count characters).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) struct Position {
    pub(crate) line: usize,
    pub(crate) column: usize,
}

/// A key that occurs twice in one mapping: the pointer it names and where it occurs again.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct DuplicateKey {
    pub(crate) pointer: String,
    pub(crate) position: Position,
}

/// Pointer → position of the members of one document.
#[derive(Debug, Default)]
pub(crate) struct PositionIndex {
    positions: HashMap<String, Position>,
    duplicates: Vec<DuplicateKey>,
}

impl PositionIndex {
    /// The position of `pointer`, or of its nearest ancestor that has one.
    pub(crate) fn locate(&self, mut pointer: &str) -> Option<Position> {
        loop {
            if let Some(position) = self.positions.get(pointer) {
                return Some(*position);
            }
            pointer = pointer::parent(pointer)?;
        }
    }

    pub(crate) fn duplicates(&self) -> &[DuplicateKey] {
        &self.duplicates
    }

    fn record(&mut self, pointer: String, position: Position) {
        self.positions.entry(pointer).or_insert(position);
    }

    /// Indexes a YAML document (the first one of the stream).
    pub(crate) fn from_yaml(text: &str) -> PositionIndex {
        let mut walk = YamlWalk::default();
        let mut parser = Parser::new_from_str(text);
        while let Some(Ok((event, span))) = parser.next_event() {
            if !walk.event(event, span) {
                break;
            }
        }
        walk.index
    }

    /// Indexes a JSON document. The text is expected to be valid JSON (it has been parsed
    /// already); on anything unexpected the scan stops and keeps what it found.
    pub(crate) fn from_json(text: &str) -> PositionIndex {
        let mut scan = JsonScan {
            chars: text.chars().peekable(),
            line: 1,
            column: 1,
            index: PositionIndex::default(),
        };
        scan.skip_whitespace();
        let start = scan.position();
        scan.index.record(String::new(), start);
        // A scan stopped by malformed input keeps what it indexed so far.
        let _complete = scan.value("");
        scan.index
    }
}

fn position_of(span: Span) -> Position {
    Position {
        line: span.start.line(),
        column: span.start.col() + 1,
    }
}

/// What the YAML walk knows about the key of the mapping entry being read.
enum PendingKey {
    /// The next node is a key.
    Expected,
    /// A scalar key was read; the next node is its value.
    Scalar { text: String, position: Position },
    /// A key that is a collection or an alias: its value cannot be named by a pointer.
    Unnamed,
}

enum Frame {
    Mapping {
        /// `None` inside something a pointer cannot name.
        pointer: Option<String>,
        key: PendingKey,
        seen: HashSet<String>,
    },
    Sequence {
        pointer: Option<String>,
        next: usize,
    },
}

#[derive(Default)]
struct YamlWalk {
    stack: Vec<Frame>,
    index: PositionIndex,
    root_seen: bool,
}

impl YamlWalk {
    /// Handles one event; `false` once the first document is complete.
    fn event(&mut self, event: Event<'_>, span: Span) -> bool {
        let position = position_of(span);
        match event {
            Event::Scalar(text, ..) => self.node(Some(text.into_owned()), position, None),
            Event::Alias(_) => self.node(None, position, None),
            Event::MappingStart(..) => self.node(None, position, Some(true)),
            Event::SequenceStart(..) => self.node(None, position, Some(false)),
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
                if self.stack.is_empty() {
                    return false;
                }
            }
            Event::DocumentEnd => return !self.root_seen,
            Event::StreamStart | Event::StreamEnd | Event::DocumentStart(_) | Event::Nothing => {}
        }
        true
    }

    /// A node starts: a scalar (`scalar` is its text), an alias, or a collection
    /// (`collection` is `Some(true)` for a mapping, `Some(false)` for a sequence).
    fn node(&mut self, scalar: Option<String>, position: Position, collection: Option<bool>) {
        let pointer = match self.stack.last_mut() {
            None => {
                if self.root_seen {
                    return;
                }
                self.root_seen = true;
                self.index.record(String::new(), position);
                Some(String::new())
            }
            Some(Frame::Sequence { pointer, next }) => {
                let element = pointer
                    .as_deref()
                    .map(|parent| pointer::index(parent, *next));
                *next += 1;
                if let Some(element) = &element {
                    self.index.record(element.clone(), position);
                }
                element
            }
            Some(Frame::Mapping { pointer, key, seen }) => {
                match std::mem::replace(key, PendingKey::Expected) {
                    PendingKey::Expected => {
                        // This node is a key.
                        *key = match scalar {
                            Some(text) => {
                                if let Some(parent) = pointer.as_deref()
                                    && !seen.insert(text.clone())
                                {
                                    self.index.duplicates.push(DuplicateKey {
                                        pointer: pointer::child(parent, &text),
                                        position,
                                    });
                                }
                                PendingKey::Scalar { text, position }
                            }
                            None => PendingKey::Unnamed,
                        };
                        if collection.is_some() {
                            // A collection used as a key: nothing in it can be named.
                            self.push(None, collection);
                        }
                        return;
                    }
                    PendingKey::Scalar {
                        text,
                        position: key_position,
                    } => {
                        let member = pointer
                            .as_deref()
                            .map(|parent| pointer::child(parent, &text));
                        if let Some(member) = &member {
                            self.index.record(member.clone(), key_position);
                        }
                        member
                    }
                    PendingKey::Unnamed => None,
                }
            }
        };
        self.push(pointer, collection);
    }

    fn push(&mut self, pointer: Option<String>, collection: Option<bool>) {
        match collection {
            Some(true) => self.stack.push(Frame::Mapping {
                pointer,
                key: PendingKey::Expected,
                seen: HashSet::new(),
            }),
            Some(false) => self.stack.push(Frame::Sequence { pointer, next: 0 }),
            None => {}
        }
    }
}

/// A scanner over JSON text that records where each member starts.
struct JsonScan<'a> {
    chars: Peekable<Chars<'a>>,
    line: usize,
    column: usize,
    index: PositionIndex,
}

impl JsonScan<'_> {
    fn position(&self) -> Position {
        Position {
            line: self.line,
            column: self.column,
        }
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.chars.next()?;
        if c == '\n' {
            self.line += 1;
            self.column = 1;
        } else {
            self.column += 1;
        }
        Some(c)
    }

    fn skip_whitespace(&mut self) {
        while self
            .chars
            .peek()
            .is_some_and(|c| matches!(c, ' ' | '\t' | '\n' | '\r'))
        {
            self.bump();
        }
    }

    /// Scans one value; `None` when the text is not as expected.
    fn value(&mut self, pointer: &str) -> Option<()> {
        self.skip_whitespace();
        match self.chars.peek()? {
            '{' => self.object(pointer),
            '[' => self.array(pointer),
            '"' => self.string().map(drop),
            _ => {
                while self
                    .chars
                    .peek()
                    .is_some_and(|c| !matches!(c, ',' | ']' | '}' | ' ' | '\t' | '\n' | '\r'))
                {
                    self.bump();
                }
                Some(())
            }
        }
    }

    fn object(&mut self, pointer: &str) -> Option<()> {
        self.bump();
        let mut seen = HashSet::new();
        loop {
            self.skip_whitespace();
            match self.chars.peek()? {
                '}' => {
                    self.bump();
                    return Some(());
                }
                '"' => {}
                _ => return None,
            }
            let key_position = self.position();
            let key = self.string()?;
            let member = pointer::child(pointer, &key);
            if !seen.insert(key) {
                self.index.duplicates.push(DuplicateKey {
                    pointer: member.clone(),
                    position: key_position,
                });
            }
            self.index.record(member.clone(), key_position);
            self.skip_whitespace();
            if self.bump()? != ':' {
                return None;
            }
            self.value(&member)?;
            self.skip_whitespace();
            match self.bump()? {
                ',' => {}
                '}' => return Some(()),
                _ => return None,
            }
        }
    }

    fn array(&mut self, pointer: &str) -> Option<()> {
        self.bump();
        let mut next = 0;
        loop {
            self.skip_whitespace();
            if self.chars.peek()? == &']' {
                self.bump();
                return Some(());
            }
            let element = pointer::index(pointer, next);
            next += 1;
            self.index.record(element.clone(), self.position());
            self.value(&element)?;
            self.skip_whitespace();
            match self.bump()? {
                ',' => {}
                ']' => return Some(()),
                _ => return None,
            }
        }
    }

    /// Scans a string literal and returns its unescaped text.
    fn string(&mut self) -> Option<String> {
        if self.bump()? != '"' {
            return None;
        }
        let mut text = String::new();
        loop {
            match self.bump()? {
                '"' => return Some(text),
                '\\' => match self.bump()? {
                    'b' => text.push('\u{8}'),
                    'f' => text.push('\u{c}'),
                    'n' => text.push('\n'),
                    'r' => text.push('\r'),
                    't' => text.push('\t'),
                    'u' => {
                        let high = self.hex4()?;
                        let code = if (0xD800..0xDC00).contains(&high) {
                            if self.bump()? != '\\' || self.bump()? != 'u' {
                                return None;
                            }
                            let low = self.hex4()?;
                            0x10000 + ((high - 0xD800) << 10) + (low.checked_sub(0xDC00)?)
                        } else {
                            high
                        };
                        text.push(char::from_u32(code).unwrap_or(char::REPLACEMENT_CHARACTER));
                    }
                    other => text.push(other),
                },
                c => text.push(c),
            }
        }
    }

    fn hex4(&mut self) -> Option<u32> {
        let mut value = 0;
        for _ in 0..4 {
            value = value * 16 + self.bump()?.to_digit(16)?;
        }
        Some(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(line: usize, column: usize) -> Option<Position> {
        Some(Position { line, column })
    }

    #[test]
    fn yaml_members_are_located_at_their_keys() {
        let text = "openapi: 3.0.1\npaths:\n  /items:\n    get:\n      x-amazon-apigateway-integration:\n        type: lambda\n";
        let index = PositionIndex::from_yaml(text);
        assert_eq!(index.locate(""), at(1, 1));
        assert_eq!(index.locate("/openapi"), at(1, 1));
        assert_eq!(index.locate("/paths/~1items"), at(3, 3));
        assert_eq!(
            index.locate("/paths/~1items/get/x-amazon-apigateway-integration/type"),
            at(6, 9)
        );
    }

    #[test]
    fn yaml_sequence_elements_and_flow_collections() {
        let text = "tags:\n  - name: a\n  - {name: b, x: [1, 2]}\n";
        let index = PositionIndex::from_yaml(text);
        assert_eq!(index.locate("/tags/0"), at(2, 5));
        assert_eq!(index.locate("/tags/0/name"), at(2, 5));
        assert_eq!(index.locate("/tags/1"), at(3, 5));
        assert_eq!(index.locate("/tags/1/x/1"), at(3, 22));
    }

    #[test]
    fn unknown_pointers_fall_back_to_the_nearest_ancestor() {
        let text = "paths:\n  /items:\n    get: {}\n";
        let index = PositionIndex::from_yaml(text);
        assert_eq!(
            index.locate("/paths/~1items/get/x-amazon-apigateway-integration"),
            at(3, 5)
        );
    }

    #[test]
    fn yaml_duplicate_keys_are_reported() {
        let text = "paths:\n  /a:\n    get: {}\n    get: {}\n";
        let index = PositionIndex::from_yaml(text);
        assert_eq!(
            index.duplicates(),
            &[DuplicateKey {
                pointer: "/paths/~1a/get".to_owned(),
                position: Position { line: 4, column: 5 }
            }]
        );
    }

    #[test]
    fn yaml_complex_keys_and_aliases_do_not_derail_the_walk() {
        let text = "base: &b\n  k: 1\n? [x, y]\n: {z: 1}\nother: *b\nlast: 2\n";
        let index = PositionIndex::from_yaml(text);
        assert_eq!(index.locate("/base/k"), at(2, 3));
        assert_eq!(index.locate("/other"), at(5, 1));
        assert_eq!(index.locate("/last"), at(6, 1));
    }

    #[test]
    fn json_members_and_elements_are_located() {
        let text =
            "{\n  \"paths\": {\n    \"/items\": {\"get\": {\"x\": [1, {\"a\\/b\": 2}]}}\n  }\n}\n";
        let index = PositionIndex::from_json(text);
        assert_eq!(index.locate(""), at(1, 1));
        assert_eq!(index.locate("/paths"), at(2, 3));
        assert_eq!(index.locate("/paths/~1items"), at(3, 5));
        assert_eq!(index.locate("/paths/~1items/get/x/1"), at(3, 33));
        assert_eq!(index.locate("/paths/~1items/get/x/1/a~1b"), at(3, 34));
    }

    #[test]
    fn json_duplicate_keys_are_reported() {
        let index = PositionIndex::from_json("{\"a\": 1,\n \"a\": 2}");
        assert_eq!(
            index.duplicates(),
            &[DuplicateKey {
                pointer: "/a".to_owned(),
                position: Position { line: 2, column: 2 }
            }]
        );
    }

    #[test]
    fn json_unicode_escapes_in_keys() {
        let index = PositionIndex::from_json("{\"\\u00e9\\ud83d\\ude00\": 1}");
        assert_eq!(index.locate("/\u{e9}\u{1F600}"), at(1, 2));
    }
}
