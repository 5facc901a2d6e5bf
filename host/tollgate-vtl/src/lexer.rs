//! The token manager: a faithful port of the lexer Apache Velocity 1.7 generates with JavaCC
//! from `Parser.jjt` (the version AWS API Gateway runs).
//!
//! Velocity's whitespace behaviour lives almost entirely here: `#set(` eats the spaces and tabs
//! that start its token, a directive's closing `)` eats trailing spaces plus one newline,
//! `#end`/`#else` do the same, `##` comments eat their newline. Rather than re-deriving those
//! rules, this module reproduces the lexical states, their state stack and the longest-match
//! rule of the generated token manager, so the byte-exact output follows from the same
//! machine. Rules are listed in `Parser.jjt`'s declaration order: on equal match lengths the
//! earlier rule wins, exactly as JavaCC decides.
//!
//! It never panics on any input: every rule bounds its reads, and a state the grammar has no
//! rule for is a lexical error ([`LexError`]).

/// A lexical state of Velocity 1.7's token manager.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum State {
    Default,
    PreDirective,
    Directive,
    Reference,
    RefModifier,
    RefMod2,
    RefIndex,
    SingleLineComment,
    FormalComment,
    MultiLineComment,
    TextBlock,
}

/// The kinds of token the parser sees.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Kind {
    Eof,
    IndexLBracket,
    IndexRBracket,
    LBracket,
    RBracket,
    Comma,
    DoubleDot,
    Colon,
    LeftCurley,
    RightCurley,
    LParen,
    RParen,
    RefMod2RParen,
    EscapeDirective,
    SetDirective,
    SingleLineCommentStart,
    DoubleEscape,
    Escape,
    Text,
    SingleLineComment,
    FormalComment,
    MultiLineComment,
    TextBlock,
    Whitespace,
    StringLiteral,
    True,
    False,
    Newline,
    Minus,
    Plus,
    Multiply,
    Divide,
    Modulus,
    LogicalAnd,
    LogicalOr,
    LogicalLt,
    LogicalLe,
    LogicalGt,
    LogicalGe,
    LogicalEquals,
    LogicalNotEquals,
    LogicalNot,
    Equals,
    End,
    IfDirective,
    ElseIfDirective,
    ElseDirective,
    IntegerLiteral,
    FloatingPointLiteral,
    Word,
    BracketedWord,
    Identifier,
    Dot,
    LCurly,
    RCurly,
    EmptyIndex,
}

/// One token: its kind, its image (the text it matched, MORE prefixes included, as JavaCC
/// builds it), where it starts, and the images of the special tokens just before it.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub(crate) kind: Kind,
    pub(crate) image: String,
    pub(crate) line: u32,
    pub(crate) column: u32,
    /// Images of the special tokens (reference/directive terminators) that precede this
    /// token, oldest first. Velocity renders their `$`/`#` characters before a text token.
    pub(crate) specials: Vec<String>,
}

/// A lexical error: no rule of the current state matches.
#[derive(Debug)]
pub(crate) struct LexError {
    pub(crate) line: u32,
    pub(crate) column: u32,
    pub(crate) message: String,
}

/// What a matched rule is, in JavaCC's terms.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Class {
    Token,
    More,
    Skip,
    Special,
}

/// The rules of `Parser.jjt`, in declaration order.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Rule {
    IndexLBracket,
    IndexRBracket,
    LBracket,
    RBracket,
    Comma,
    DoubleDot,
    Colon,
    LeftCurley,
    RightCurley,
    LParen,
    RParen,
    RefMod2RParen,
    EscapeDirective,
    SetDirective,
    Dollar,
    DollarBang,
    TextBlockStart,
    FormalCommentStart,
    MultiLineCommentStart,
    Hash,
    SingleLineCommentStart,
    DoubleEscape,
    Escape,
    Text,
    SingleLineComment,
    FormalComment,
    MultiLineComment,
    TextBlockEnd,
    CommentSkip,
    TextBlockMore,
    Whitespace,
    StringLiteral,
    True,
    False,
    Newline,
    Minus,
    Plus,
    Multiply,
    Divide,
    Modulus,
    LogicalAnd,
    LogicalOr,
    LogicalLt,
    LogicalLe,
    LogicalGt,
    LogicalGe,
    LogicalEquals,
    LogicalNotEquals,
    LogicalNot,
    Equals,
    End,
    IfDirective,
    ElseIfDirective,
    ElseDirective,
    IntegerLiteral,
    FloatingPointLiteral,
    Word,
    BracketedWord,
    Identifier,
    Dot,
    LCurly,
    RCurly,
    ReferenceTerminator,
    DirectiveTerminator,
    EmptyIndex,
}

use Rule as R;
use State as S;

const ALL_RULES: &[Rule] = &[
    R::IndexLBracket,
    R::IndexRBracket,
    R::LBracket,
    R::RBracket,
    R::Comma,
    R::DoubleDot,
    R::Colon,
    R::LeftCurley,
    R::RightCurley,
    R::LParen,
    R::RParen,
    R::RefMod2RParen,
    R::EscapeDirective,
    R::SetDirective,
    R::Dollar,
    R::DollarBang,
    R::TextBlockStart,
    R::FormalCommentStart,
    R::MultiLineCommentStart,
    R::Hash,
    R::SingleLineCommentStart,
    R::DoubleEscape,
    R::Escape,
    R::Text,
    R::SingleLineComment,
    R::FormalComment,
    R::MultiLineComment,
    R::TextBlockEnd,
    R::CommentSkip,
    R::TextBlockMore,
    R::Whitespace,
    R::StringLiteral,
    R::True,
    R::False,
    R::Newline,
    R::Minus,
    R::Plus,
    R::Multiply,
    R::Divide,
    R::Modulus,
    R::LogicalAnd,
    R::LogicalOr,
    R::LogicalLt,
    R::LogicalLe,
    R::LogicalGt,
    R::LogicalGe,
    R::LogicalEquals,
    R::LogicalNotEquals,
    R::LogicalNot,
    R::Equals,
    R::End,
    R::IfDirective,
    R::ElseIfDirective,
    R::ElseDirective,
    R::IntegerLiteral,
    R::FloatingPointLiteral,
    R::Word,
    R::BracketedWord,
    R::Identifier,
    R::Dot,
    R::LCurly,
    R::RCurly,
    R::ReferenceTerminator,
    R::DirectiveTerminator,
    R::EmptyIndex,
];

impl Rule {
    fn class(self) -> Class {
        match self {
            R::Dollar
            | R::DollarBang
            | R::TextBlockStart
            | R::FormalCommentStart
            | R::MultiLineCommentStart
            | R::Hash
            | R::TextBlockMore => Class::More,
            R::CommentSkip => Class::Skip,
            R::ReferenceTerminator | R::DirectiveTerminator => Class::Special,
            _ => Class::Token,
        }
    }

    /// Whether the rule is declared for lexical state `s`.
    fn in_state(self, s: State) -> bool {
        use State::*;
        match self {
            R::IndexLBracket => matches!(s, Reference | RefModifier),
            R::IndexRBracket => s == RefIndex,
            R::LBracket
            | R::RBracket
            | R::Comma
            | R::DoubleDot
            | R::Colon
            | R::LeftCurley
            | R::RightCurley => matches!(s, Directive | RefMod2),
            R::LParen => matches!(s, Directive | RefModifier),
            R::RParen => s == Directive,
            R::RefMod2RParen => s == RefMod2,
            R::EscapeDirective => s == Default,
            R::SetDirective => matches!(s, Default | Reference | RefModifier | RefMod2),
            R::Dollar
            | R::DollarBang
            | R::TextBlockStart
            | R::FormalCommentStart
            | R::MultiLineCommentStart
            | R::Hash => true,
            R::SingleLineCommentStart => {
                matches!(s, Default | PreDirective | Directive | Reference)
            }
            R::DoubleEscape | R::Escape | R::Text => s == Default,
            R::SingleLineComment => s == SingleLineComment,
            R::FormalComment => s == FormalComment,
            R::MultiLineComment => s == MultiLineComment,
            R::TextBlockEnd | R::TextBlockMore => s == TextBlock,
            R::CommentSkip => matches!(s, SingleLineComment | FormalComment | MultiLineComment),
            R::Whitespace | R::StringLiteral => matches!(s, Directive | RefMod2 | RefIndex),
            R::True | R::False => {
                matches!(s, Reference | Directive | RefModifier | RefMod2 | RefIndex)
            }
            R::Newline
            | R::Minus
            | R::Plus
            | R::Multiply
            | R::Divide
            | R::Modulus
            | R::LogicalAnd
            | R::LogicalOr
            | R::LogicalLt
            | R::LogicalLe
            | R::LogicalGt
            | R::LogicalGe
            | R::LogicalEquals
            | R::LogicalNotEquals
            | R::LogicalNot
            | R::Equals => s == Directive,
            R::End | R::IfDirective | R::ElseIfDirective | R::ElseDirective => s == PreDirective,
            R::IntegerLiteral | R::FloatingPointLiteral => {
                matches!(s, PreDirective | Directive | RefMod2 | RefIndex)
            }
            R::Word | R::BracketedWord => matches!(s, PreDirective | Directive),
            R::Identifier | R::Dot => matches!(s, Reference | RefModifier | RefMod2),
            R::LCurly | R::RCurly | R::ReferenceTerminator => matches!(s, Reference | RefModifier),
            R::DirectiveTerminator => s == PreDirective,
            R::EmptyIndex => matches!(s, Default | Reference),
        }
    }

    fn kind(self) -> Kind {
        match self {
            R::IndexLBracket => Kind::IndexLBracket,
            R::IndexRBracket => Kind::IndexRBracket,
            R::LBracket => Kind::LBracket,
            R::RBracket => Kind::RBracket,
            R::Comma => Kind::Comma,
            R::DoubleDot => Kind::DoubleDot,
            R::Colon => Kind::Colon,
            R::LeftCurley => Kind::LeftCurley,
            R::RightCurley => Kind::RightCurley,
            R::LParen => Kind::LParen,
            R::RParen => Kind::RParen,
            R::RefMod2RParen => Kind::RefMod2RParen,
            R::EscapeDirective => Kind::EscapeDirective,
            R::SetDirective => Kind::SetDirective,
            R::SingleLineCommentStart => Kind::SingleLineCommentStart,
            R::DoubleEscape => Kind::DoubleEscape,
            R::Escape => Kind::Escape,
            R::Text => Kind::Text,
            R::SingleLineComment => Kind::SingleLineComment,
            R::FormalComment => Kind::FormalComment,
            R::MultiLineComment => Kind::MultiLineComment,
            R::TextBlockEnd => Kind::TextBlock,
            R::Whitespace => Kind::Whitespace,
            R::StringLiteral => Kind::StringLiteral,
            R::True => Kind::True,
            R::False => Kind::False,
            R::Newline => Kind::Newline,
            R::Minus => Kind::Minus,
            R::Plus => Kind::Plus,
            R::Multiply => Kind::Multiply,
            R::Divide => Kind::Divide,
            R::Modulus => Kind::Modulus,
            R::LogicalAnd => Kind::LogicalAnd,
            R::LogicalOr => Kind::LogicalOr,
            R::LogicalLt => Kind::LogicalLt,
            R::LogicalLe => Kind::LogicalLe,
            R::LogicalGt => Kind::LogicalGt,
            R::LogicalGe => Kind::LogicalGe,
            R::LogicalEquals => Kind::LogicalEquals,
            R::LogicalNotEquals => Kind::LogicalNotEquals,
            R::LogicalNot => Kind::LogicalNot,
            R::Equals => Kind::Equals,
            R::End => Kind::End,
            R::IfDirective => Kind::IfDirective,
            R::ElseIfDirective => Kind::ElseIfDirective,
            R::ElseDirective => Kind::ElseDirective,
            R::IntegerLiteral => Kind::IntegerLiteral,
            R::FloatingPointLiteral => Kind::FloatingPointLiteral,
            R::Word => Kind::Word,
            R::BracketedWord => Kind::BracketedWord,
            R::Identifier => Kind::Identifier,
            R::Dot => Kind::Dot,
            R::LCurly => Kind::LCurly,
            R::RCurly => Kind::RCurly,
            R::EmptyIndex => Kind::EmptyIndex,
            // MORE, SKIP and SPECIAL rules never produce a parser token.
            _ => Kind::Eof,
        }
    }
}

struct Saved {
    lparen: i32,
    rparen: i32,
    state: State,
}

/// The token manager. `pos` indexes `chars`; tokens are produced on demand because the parser
/// switches the lexical state between tokens (as Velocity's `Directive()` production does).
pub(crate) struct Lexer {
    chars: Vec<char>,
    /// 1-based line and column of every char (and one past the end).
    lines: Vec<(u32, u32)>,
    pos: usize,
    pub(crate) state: State,
    lparen: i32,
    rparen: i32,
    stack: Vec<Saved>,
    in_comment: bool,
    pub(crate) in_set: bool,
    pending_specials: Vec<String>,
}

fn is_letter(c: char) -> bool {
    c.is_ascii_alphabetic()
}

fn is_directive_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_' || c == '@'
}

fn is_identifier_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_'
}

fn is_newline_start(c: char) -> bool {
    c == '\n' || c == '\r'
}

impl Lexer {
    pub(crate) fn new(source: &str) -> Lexer {
        let chars: Vec<char> = source.chars().collect();
        let mut lines = Vec::with_capacity(chars.len() + 1);
        let (mut line, mut column) = (1u32, 1u32);
        let mut previous_cr = false;
        for &c in &chars {
            lines.push((line, column));
            if c == '\n' {
                if !previous_cr {
                    line = line.saturating_add(1);
                }
                column = 1;
            } else if c == '\r' {
                line = line.saturating_add(1);
                column = 1;
            } else {
                column = column.saturating_add(1);
            }
            previous_cr = c == '\r';
        }
        lines.push((line, column));
        Lexer {
            chars,
            lines,
            pos: 0,
            state: State::Default,
            lparen: 0,
            rparen: 0,
            stack: Vec::new(),
            in_comment: false,
            in_set: false,
            pending_specials: Vec::new(),
        }
    }

    /// The position (line, column) of char index `i`.
    pub(crate) fn position(&self, i: usize) -> (u32, u32) {
        self.lines[i.min(self.lines.len() - 1)]
    }

    fn at(&self, i: usize) -> Option<char> {
        self.chars.get(i).copied()
    }

    fn starts_with(&self, i: usize, s: &str) -> bool {
        (i..).zip(s.chars()).all(|(j, c)| self.at(j) == Some(c))
    }

    // ----- the state stack (TOKEN_MGR_DECLS of Parser.jjt) -----

    pub(crate) fn state_stack_pop(&mut self) -> bool {
        match self.stack.pop() {
            None => {
                self.lparen = 0;
                self.state = State::Default;
                false
            }
            Some(saved) => {
                self.lparen = saved.lparen;
                self.rparen = saved.rparen;
                self.state = saved.state;
                true
            }
        }
    }

    fn state_stack_push(&mut self) {
        self.stack.push(Saved {
            lparen: self.lparen,
            rparen: self.rparen,
            state: self.state,
        });
        self.lparen = 0;
    }

    fn rparen_handler(&mut self) {
        let mut closed = self.in_comment;
        while !closed {
            if self.lparen > 0 {
                if self.lparen == self.rparen + 1 {
                    self.state_stack_pop();
                } else {
                    self.rparen += 1;
                }
                closed = true;
            } else if !self.state_stack_pop() {
                break;
            }
        }
    }

    /// Velocity's `isLeftParenthesis()`: whether the next non-whitespace char is `(`.
    pub(crate) fn is_left_parenthesis(&self) -> bool {
        let mut i = self.pos;
        while let Some(c) = self.at(i) {
            if c == '(' {
                return true;
            }
            if c != ' ' && c != '\n' && c != '\r' && c != '\t' {
                return false;
            }
            i += 1;
        }
        false
    }

    // ----- matching -----

    /// Length (in chars) of the match of `rule` at `i`, if any.
    fn match_len(&self, rule: Rule, i: usize) -> Option<usize> {
        let c = self.at(i)?;
        let lit = |s: &str| {
            if self.starts_with(i, s) {
                Some(s.chars().count())
            } else {
                None
            }
        };
        match rule {
            R::IndexLBracket | R::LBracket => lit("["),
            R::IndexRBracket | R::RBracket => lit("]"),
            R::Comma => lit(","),
            R::DoubleDot => lit(".."),
            R::Colon => lit(":"),
            R::LeftCurley | R::LCurly => lit("{"),
            R::RightCurley | R::RCurly => lit("}"),
            R::LParen => lit("("),
            R::RefMod2RParen => lit(")"),
            R::RParen => {
                if c != ')' {
                    return None;
                }
                Some(1 + self.trailing_newline(i + 1))
            }
            R::EscapeDirective => {
                // ("\\\\")* "\\#" (WORD | BRACKETED_WORD)
                let mut j = i;
                while self.starts_with(j, "\\\\") {
                    j += 2;
                }
                // Backtrack over the doubled escapes to find a "\#".
                loop {
                    if self.starts_with(j, "\\#")
                        && let Some(w) = self.word_len(j + 2)
                    {
                        return Some(j + 2 + w - i);
                    }
                    if j < i + 2 {
                        return None;
                    }
                    j -= 2;
                }
            }
            R::SetDirective => {
                let mut j = i;
                while matches!(self.at(j), Some(' ' | '\t')) {
                    j += 1;
                }
                if self.starts_with(j, "#set") {
                    j += 4;
                } else if self.starts_with(j, "#{set}") {
                    j += 6;
                } else {
                    return None;
                }
                while self.at(j) == Some(' ') {
                    j += 1;
                }
                if self.at(j) == Some('(') {
                    Some(j + 1 - i)
                } else {
                    None
                }
            }
            R::Dollar => {
                let mut j = i;
                while self.at(j) == Some('\\') {
                    j += 1;
                }
                if self.at(j) == Some('$') {
                    Some(j + 1 - i)
                } else {
                    None
                }
            }
            R::DollarBang => {
                let mut j = i;
                while self.at(j) == Some('\\') {
                    j += 1;
                }
                if self.at(j) != Some('$') {
                    return None;
                }
                j += 1;
                while self.at(j) == Some('\\') {
                    j += 1;
                }
                if self.at(j) == Some('!') {
                    Some(j + 1 - i)
                } else {
                    None
                }
            }
            R::TextBlockStart => lit("#[["),
            R::FormalCommentStart => {
                if self.starts_with(i, "#**") && matches!(self.at(i + 3), Some(ch) if ch != '#') {
                    Some(4)
                } else {
                    None
                }
            }
            R::MultiLineCommentStart => lit("#*"),
            R::Hash => lit("#"),
            R::SingleLineCommentStart => lit("##"),
            R::DoubleEscape => lit("\\\\"),
            R::Escape => lit("\\"),
            R::Text => {
                let mut j = i;
                while matches!(self.at(j), Some(ch) if ch != '$' && ch != '#' && ch != '\\') {
                    j += 1;
                }
                if j > i { Some(j - i) } else { None }
            }
            R::SingleLineComment | R::Newline => {
                if self.starts_with(i, "\r\n") {
                    Some(2)
                } else if is_newline_start(c) {
                    Some(1)
                } else {
                    None
                }
            }
            R::FormalComment | R::MultiLineComment => lit("*#"),
            R::TextBlockEnd => lit("]]#"),
            R::CommentSkip | R::TextBlockMore | R::ReferenceTerminator | R::DirectiveTerminator => {
                Some(1)
            }
            R::Whitespace => {
                let mut j = i;
                while matches!(self.at(j), Some(' ' | '\t' | '\n' | '\r')) {
                    j += 1;
                }
                if j > i { Some(j - i) } else { None }
            }
            R::StringLiteral => self.string_literal_len(i),
            R::True => lit("true"),
            R::False => lit("false"),
            R::Minus => lit("-"),
            R::Plus => lit("+"),
            R::Multiply => lit("*"),
            R::Divide => lit("/"),
            R::Modulus => lit("%"),
            R::LogicalAnd => lit("&&").or_else(|| lit("and")),
            R::LogicalOr => lit("||").or_else(|| lit("or")),
            R::LogicalLt => lit("<").or_else(|| lit("lt")),
            R::LogicalLe => lit("<=").or_else(|| lit("le")),
            R::LogicalGt => lit(">").or_else(|| lit("gt")),
            R::LogicalGe => lit(">=").or_else(|| lit("ge")),
            R::LogicalEquals => lit("==").or_else(|| lit("eq")),
            R::LogicalNotEquals => lit("!=").or_else(|| lit("ne")),
            R::LogicalNot => lit("!").or_else(|| lit("not")),
            R::Equals => lit("="),
            R::End => {
                let base = lit("end").or_else(|| lit("{end}"))?;
                Some(base + self.trailing_newline(i + base))
            }
            R::IfDirective => lit("if").or_else(|| lit("{if}")),
            R::ElseIfDirective => lit("elseif").or_else(|| lit("{elseif}")),
            R::ElseDirective => {
                let base = lit("else").or_else(|| lit("{else}"))?;
                Some(base + self.trailing_newline(i + base))
            }
            R::IntegerLiteral => {
                let mut j = i;
                if self.at(j) == Some('-') {
                    j += 1;
                }
                let digits = j;
                while matches!(self.at(j), Some('0'..='9')) {
                    j += 1;
                }
                if j == digits {
                    return None;
                }
                if self.starts_with(j, "..") {
                    j += 2;
                }
                Some(j - i)
            }
            R::FloatingPointLiteral => self.float_len(i),
            R::Word => self.word_len(i),
            R::BracketedWord => {
                if c != '{' {
                    return None;
                }
                let first = self.at(i + 1)?;
                if !(is_letter(first) || first == '_') {
                    return None;
                }
                let mut j = i + 2;
                while matches!(self.at(j), Some(ch) if is_directive_char(ch)) {
                    j += 1;
                }
                if self.at(j) == Some('}') {
                    Some(j + 1 - i)
                } else {
                    None
                }
            }
            R::Identifier => {
                if !(c.is_ascii_alphabetic() || c == '_') {
                    return None;
                }
                let mut j = i + 1;
                while matches!(self.at(j), Some(ch) if is_identifier_char(ch)) {
                    j += 1;
                }
                Some(j - i)
            }
            R::Dot => {
                if c == '.' && matches!(self.at(i + 1), Some(ch) if ch.is_ascii_alphabetic()) {
                    Some(2)
                } else {
                    None
                }
            }
            R::EmptyIndex => lit("$[")
                .or_else(|| lit("$!["))
                .or_else(|| lit("$\\!["))
                .or_else(|| lit("$.")),
        }
    }

    /// `( " " | "\t" )* ( "\n" | "\r" | "\r\n" )` at `i`, or nothing.
    fn trailing_newline(&self, i: usize) -> usize {
        let mut j = i;
        while matches!(self.at(j), Some(' ' | '\t')) {
            j += 1;
        }
        if self.starts_with(j, "\r\n") {
            j + 2 - i
        } else if matches!(self.at(j), Some('\n' | '\r')) {
            j + 1 - i
        } else {
            0
        }
    }

    fn word_len(&self, i: usize) -> Option<usize> {
        let c = self.at(i)?;
        if !(is_letter(c) || c == '_' || c == '@') {
            return None;
        }
        let mut j = i + 1;
        while matches!(self.at(j), Some(ch) if is_directive_char(ch)) {
            j += 1;
        }
        Some(j - i)
    }

    fn float_len(&self, i: usize) -> Option<usize> {
        // ("-")? DIGIT+ "." DIGIT* EXP? | ("-")? "." DIGIT+ EXP? | ("-")? DIGIT+ EXP
        let mut j = i;
        if self.at(j) == Some('-') {
            j += 1;
        }
        let int_start = j;
        while matches!(self.at(j), Some('0'..='9')) {
            j += 1;
        }
        let int_digits = j - int_start;
        let exponent = |k: usize| -> usize {
            let mut m = k;
            if !matches!(self.at(m), Some('e' | 'E')) {
                return 0;
            }
            m += 1;
            if matches!(self.at(m), Some('+' | '-')) {
                m += 1;
            }
            let digits = m;
            while matches!(self.at(m), Some('0'..='9')) {
                m += 1;
            }
            if m == digits { 0 } else { m - k }
        };
        if self.at(j) == Some('.') {
            let mut k = j + 1;
            let frac = k;
            while matches!(self.at(k), Some('0'..='9')) {
                k += 1;
            }
            if int_digits == 0 && k == frac {
                return None;
            }
            let e = exponent(k);
            return Some(k + e - i);
        }
        if int_digits > 0 {
            let e = exponent(j);
            if e > 0 {
                return Some(j + e - i);
            }
        }
        None
    }

    /// The longest match of Velocity's STRING_LITERAL at `i`. Every backslash alternative of
    /// the regular expression is subsumed by "any char but the quote", so a literal is a quote,
    /// then anything where a doubled quote stands for one, then a quote.
    fn string_literal_len(&self, i: usize) -> Option<usize> {
        let quote = self.at(i)?;
        if quote != '"' && quote != '\'' {
            return None;
        }
        let mut j = i + 1;
        let mut end = None;
        loop {
            match self.at(j) {
                None => break,
                Some(ch) if ch == quote => {
                    end = Some(j + 1 - i);
                    if self.at(j + 1) == Some(quote) {
                        j += 2;
                    } else {
                        break;
                    }
                }
                Some(_) => j += 1,
            }
        }
        end
    }

    fn longest(&self, i: usize) -> Option<(Rule, usize)> {
        let mut best: Option<(Rule, usize)> = None;
        for &rule in ALL_RULES {
            if !rule.in_state(self.state) {
                continue;
            }
            if let Some(len) = self.match_len(rule, i)
                && best.is_none_or(|(_, l)| len > l)
            {
                best = Some((rule, len));
            }
        }
        best
    }

    fn lex_error(&self, at: usize, message: String) -> LexError {
        let (line, column) = self.position(at);
        LexError {
            line,
            column,
            message,
        }
    }

    /// The next token, running every lexical action of the rules it goes through.
    pub(crate) fn next_token(&mut self) -> Result<Token, LexError> {
        'token: loop {
            let start = self.pos;
            if start >= self.chars.len() {
                let (line, column) = self.position(start);
                return Ok(Token {
                    kind: Kind::Eof,
                    image: String::new(),
                    line,
                    column,
                    specials: std::mem::take(&mut self.pending_specials),
                });
            }
            loop {
                let Some((rule, len)) = self.longest(self.pos) else {
                    let found = self
                        .at(self.pos)
                        .map(|c| format!("{c:?}"))
                        .unwrap_or_else(|| "<EOF>".to_owned());
                    let after: String = self.chars[start..self.pos].iter().collect();
                    let message = if after.is_empty() {
                        format!("Lexical error: encountered {found}")
                    } else {
                        format!("Lexical error: encountered {found} after {after:?}")
                    };
                    return Err(self.lex_error(self.pos, message));
                };
                self.pos += len;
                match rule.class() {
                    Class::More => {
                        self.more_action(rule);
                        if self.pos >= self.chars.len() {
                            let after: String = self.chars[start..self.pos].iter().collect();
                            return Err(self.lex_error(
                                self.pos,
                                format!("Lexical error: encountered <EOF> after {after:?}"),
                            ));
                        }
                    }
                    Class::Skip => continue 'token,
                    Class::Special => {
                        // Both special rules back up the char they matched.
                        self.pos -= 1;
                        let image: String = self.chars[start..self.pos].iter().collect();
                        if rule == R::DirectiveTerminator {
                            // inDirective = false
                        }
                        self.state_stack_pop();
                        self.pending_specials.push(image);
                        continue 'token;
                    }
                    Class::Token => {
                        let mut image: Option<String> = None;
                        self.token_action(rule, &mut image);
                        let image =
                            image.unwrap_or_else(|| self.chars[start..self.pos].iter().collect());
                        let (line, column) = self.position(start);
                        return Ok(Token {
                            kind: rule.kind(),
                            image,
                            line,
                            column,
                            specials: std::mem::take(&mut self.pending_specials),
                        });
                    }
                }
            }
        }
    }

    fn more_action(&mut self, rule: Rule) {
        match rule {
            R::Dollar | R::DollarBang if !self.in_comment => {
                if self.state == S::Reference {
                    self.state_stack_pop();
                }
                self.state_stack_push();
                self.state = S::Reference;
            }
            R::TextBlockStart if !self.in_comment => {
                self.in_comment = true;
                self.state_stack_push();
                self.state = S::TextBlock;
            }
            R::FormalCommentStart if !self.in_comment => {
                self.pos -= 1;
                self.in_comment = true;
                self.state_stack_push();
                self.state = S::FormalComment;
            }
            R::MultiLineCommentStart if !self.in_comment => {
                self.in_comment = true;
                self.state_stack_push();
                self.state = S::MultiLineComment;
            }
            R::Hash if !self.in_comment => {
                if matches!(self.state, S::Reference | S::RefModifier) {
                    self.state_stack_pop();
                }
                self.state_stack_push();
                self.state = S::PreDirective;
            }
            _ => {}
        }
    }

    fn token_action(&mut self, rule: Rule, image: &mut Option<String>) {
        match rule {
            R::IndexLBracket => {
                self.state_stack_push();
                self.state = S::RefIndex;
            }
            R::IndexRBracket => {
                self.state_stack_pop();
            }
            R::LParen => {
                if !self.in_comment {
                    self.lparen += 1;
                }
                if self.state == S::RefModifier {
                    self.state = S::RefMod2;
                }
            }
            R::RParen => self.rparen_handler(),
            R::RefMod2RParen => self.state = S::Reference,
            R::SetDirective if !self.in_comment => {
                self.state_stack_push();
                self.in_set = true;
                self.state = S::Directive;
                self.lparen += 1;
            }
            R::SingleLineCommentStart if !self.in_comment => {
                if self.state == S::Reference {
                    self.state_stack_pop();
                }
                self.in_comment = true;
                self.state_stack_push();
                self.state = S::SingleLineComment;
            }
            R::SingleLineComment | R::FormalComment | R::MultiLineComment | R::TextBlockEnd => {
                self.in_comment = false;
                self.state_stack_pop();
            }
            R::StringLiteral if self.state == S::Directive && !self.in_set && self.lparen == 0 => {
                self.state_stack_pop();
            }
            R::Newline => {
                self.state_stack_pop();
                self.in_set = false;
            }
            R::End | R::ElseDirective => {
                self.state_stack_pop();
            }
            R::IfDirective | R::ElseIfDirective => self.state = S::Directive,
            R::IntegerLiteral => {
                let start_state = self.state;
                if self.pos >= 2
                    && self.chars.get(self.pos - 2) == Some(&'.')
                    && self.chars.get(self.pos - 1) == Some(&'.')
                    && self.matched_int_with_dots()
                {
                    self.pos -= 2;
                }
                if self.lparen == 0
                    && !self.in_set
                    && start_state != S::RefMod2
                    && start_state != S::RefIndex
                {
                    self.state_stack_pop();
                }
            }
            R::FloatingPointLiteral
                if self.lparen == 0 && !self.in_set && self.state != S::RefMod2 =>
            {
                self.state_stack_pop();
            }
            R::Dot => {
                self.pos -= 1;
                *image = Some(".".to_owned());
                self.state = S::RefModifier;
            }
            R::RCurly => {
                self.state_stack_pop();
            }
            _ => {}
        }
    }

    /// Whether the integer literal just matched ended with its optional `..` (a range start).
    fn matched_int_with_dots(&self) -> bool {
        // The literal is ("-")? DIGIT+ (".")?: the two chars before `pos` are "..", and the
        // char before them is a digit.
        self.pos >= 3 && matches!(self.chars.get(self.pos - 3), Some('0'..='9'))
    }
}
