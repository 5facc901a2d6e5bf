//! The parser: Velocity 1.7's grammar (`Parser.jjt`), production by production, over the
//! tokens of [`crate::lexer`], building the tree of [`crate::ast`].
//!
//! Like the generated JavaCC parser it fetches tokens lazily: `#foo` switches the lexer into
//! its directive state right after the directive's name, before any token past the name has
//! been read, so lookahead never crosses that point. Nesting is bounded ([`MAX_DEPTH`]) so a
//! pathological template is a compile error, never a stack overflow.

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use crate::CompileError;
use crate::ast::{BinaryOp, Block, Expr, Macro, Modifier, Node, Pos, Reference};
use crate::lexer::{Kind, Lexer, State, Token};

/// Deepest nesting of blocks, expressions and string interpolations the parser accepts.
pub(crate) const MAX_DEPTH: usize = 128;

/// The pluggable directives Velocity 1.7 registers by default, and whether each takes a block.
fn directive_is_block(name: &str) -> Option<bool> {
    match name {
        "foreach" | "define" | "macro" | "literal" => Some(true),
        "include" | "parse" | "evaluate" | "break" | "stop" => Some(false),
        _ => None,
    }
}

/// What parsing a template yields.
pub(crate) struct Parsed {
    pub(crate) nodes: Block,
    pub(crate) macros: HashMap<String, Arc<Macro>>,
}

pub(crate) fn parse(source: &str) -> Result<Parsed, CompileError> {
    let mut parser = Parser::new(source, Pos { line: 1, column: 1 }, 0);
    let nodes = parser.process()?;
    Ok(Parsed {
        nodes,
        macros: parser.macros,
    })
}

/// A directive argument (`DirectiveArg()`): an expression or a bare word.
enum Arg {
    Expr(Expr, Pos),
    Word(String, Pos),
}

struct Parser {
    lexer: Lexer,
    buffer: VecDeque<Token>,
    /// Where this source starts in the template (string literals are parsed as templates of
    /// their own; their errors are reported where they stand in the outer template).
    origin: Pos,
    depth: usize,
    macros: HashMap<String, Arc<Macro>>,
    /// Images of consumed tokens, while a directive or reference records its literal text
    /// (Velocity's `literal()`: the token images from its first to its last token).
    recorders: Vec<String>,
}

type PResult<T> = Result<T, CompileError>;

fn can_start_statement(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::IfDirective
            | Kind::Identifier
            | Kind::LCurly
            | Kind::SingleLineCommentStart
            | Kind::MultiLineComment
            | Kind::FormalComment
            | Kind::TextBlock
            | Kind::SetDirective
            | Kind::EscapeDirective
            | Kind::DoubleEscape
            | Kind::Word
            | Kind::BracketedWord
            | Kind::Text
            | Kind::Dot
            | Kind::RParen
            | Kind::LParen
            | Kind::IntegerLiteral
            | Kind::FloatingPointLiteral
            | Kind::StringLiteral
            | Kind::Escape
            | Kind::RCurly
            | Kind::EmptyIndex
    )
}

fn describe(token: &Token) -> String {
    if token.kind == Kind::Eof {
        "<EOF>".to_owned()
    } else {
        format!("{:?}", token.image)
    }
}

impl Parser {
    fn new(source: &str, origin: Pos, depth: usize) -> Parser {
        Parser {
            lexer: Lexer::new(source),
            buffer: VecDeque::new(),
            origin,
            depth,
            macros: HashMap::new(),
            recorders: Vec::new(),
        }
    }

    fn pos_of(&self, line: u32, column: u32) -> Pos {
        if line <= 1 {
            Pos {
                line: self.origin.line,
                column: self.origin.column.saturating_add(column.saturating_sub(1)),
            }
        } else {
            Pos {
                line: self.origin.line.saturating_add(line - 1),
                column,
            }
        }
    }

    fn error_at(&self, pos: Pos, message: impl Into<String>) -> CompileError {
        CompileError {
            line: pos.line,
            column: pos.column,
            message: message.into(),
        }
    }

    fn fill(&mut self, n: usize) -> PResult<()> {
        while self.buffer.len() <= n {
            match self.lexer.next_token() {
                Ok(token) => self.buffer.push_back(token),
                Err(e) => {
                    let pos = self.pos_of(e.line, e.column);
                    return Err(self.error_at(pos, e.message));
                }
            }
        }
        Ok(())
    }

    fn peek(&mut self, n: usize) -> PResult<&Token> {
        self.fill(n)?;
        Ok(&self.buffer[n])
    }

    fn kind(&mut self, n: usize) -> PResult<Kind> {
        Ok(self.peek(n)?.kind)
    }

    fn next(&mut self) -> PResult<Token> {
        self.fill(0)?;
        let token = self.buffer.pop_front().unwrap_or_else(|| Token {
            kind: Kind::Eof,
            image: String::new(),
            line: 0,
            column: 0,
            specials: Vec::new(),
        });
        for record in &mut self.recorders {
            record.push_str(&token.image);
        }
        Ok(token)
    }

    fn token_pos(&self, token: &Token) -> Pos {
        self.pos_of(token.line, token.column)
    }

    fn unexpected(&mut self, expected: &str) -> CompileError {
        match self.peek(0) {
            Ok(token) => {
                let token = token.clone();
                let pos = self.token_pos(&token);
                self.error_at(
                    pos,
                    format!("Encountered {} but expected {expected}", describe(&token)),
                )
            }
            Err(e) => e,
        }
    }

    fn expect(&mut self, kind: Kind, expected: &str) -> PResult<Token> {
        if self.kind(0)? == kind {
            self.next()
        } else {
            Err(self.unexpected(expected))
        }
    }

    fn optional(&mut self, kind: Kind) -> PResult<bool> {
        if self.kind(0)? == kind {
            self.next()?;
            Ok(true)
        } else {
            Ok(false)
        }
    }

    fn enter(&mut self) -> PResult<()> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            let token = self.peek(0)?.clone();
            let pos = self.token_pos(&token);
            return Err(self.error_at(
                pos,
                format!("Template nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    // ----- statements -----

    fn process(&mut self) -> PResult<Block> {
        let mut nodes = Vec::new();
        loop {
            let kind = self.kind(0)?;
            if kind == Kind::Eof {
                return Ok(nodes);
            }
            if !can_start_statement(kind) {
                return Err(self.unexpected("text, a reference or a directive"));
            }
            self.statement(&mut nodes)?;
        }
    }

    fn statements(&mut self) -> PResult<Block> {
        let mut nodes = Vec::new();
        while can_start_statement(self.kind(0)?) {
            self.statement(&mut nodes)?;
        }
        Ok(nodes)
    }

    fn statement(&mut self, out: &mut Block) -> PResult<()> {
        self.enter()?;
        let result = self.statement_inner(out);
        self.leave();
        result
    }

    fn statement_inner(&mut self, out: &mut Block) -> PResult<()> {
        let kind = self.kind(0)?;
        match kind {
            Kind::IfDirective => self.if_statement(out),
            Kind::Identifier => {
                let reference = self.reference()?;
                out.push(Node::Reference(reference));
                Ok(())
            }
            Kind::LCurly if self.kind(1)? == Kind::Identifier => {
                let reference = self.reference()?;
                out.push(Node::Reference(reference));
                Ok(())
            }
            Kind::SingleLineCommentStart => {
                let token = self.next()?;
                if let Some(at) = token.image.find("##") {
                    push_text(out, &token.image[..at]);
                }
                self.optional(Kind::SingleLineComment)?;
                Ok(())
            }
            Kind::MultiLineComment | Kind::FormalComment => {
                self.next()?;
                Ok(())
            }
            Kind::TextBlock => {
                let token = self.next()?;
                let image = token.image.as_str();
                let inner = match image.find("#[[") {
                    Some(at) if image.len() >= at + 6 => &image[at + 3..image.len() - 3],
                    _ => "",
                };
                push_text(out, inner);
                Ok(())
            }
            Kind::SetDirective => self.set_directive(out),
            Kind::EscapeDirective => {
                let token = self.next()?;
                let text = self.escaped_directive(&token.image);
                push_text(out, &text);
                Ok(())
            }
            Kind::DoubleEscape => self.escape(out),
            Kind::Word | Kind::BracketedWord => self.directive(out),
            _ => {
                // Text(): every token kind that renders as itself.
                let token = self.next()?;
                let text = token_literal(&token);
                push_text(out, &text);
                Ok(())
            }
        }
    }

    fn is_known_directive_or_macro(&self, name: &str) -> bool {
        directive_is_block(name).is_some() || self.macros.contains_key(name)
    }

    /// `escapedDirective()` of Parser.jjt.
    fn escaped_directive(&self, image: &str) -> String {
        let last = image.rfind('\\').unwrap_or(0);
        let directive = &image[last + 1..];
        let mut tag = directive.get(1..).unwrap_or("");
        if tag.starts_with('{') && tag.len() >= 2 {
            tag = &tag[1..tag.len() - 1];
        }
        let recognised = self.is_known_directive_or_macro(tag)
            || matches!(tag, "if" | "end" | "set" | "else" | "elseif");
        if recognised {
            format!("{}{}", &image[..last / 2], directive)
        } else {
            image.to_owned()
        }
    }

    /// `Escape()`: a run of `\\` pairs; before a directive each pair renders one backslash.
    fn escape(&mut self, out: &mut Block) -> PResult<()> {
        let mut count = 0usize;
        while self.kind(0)? == Kind::DoubleEscape {
            self.next()?;
            count += 1;
        }
        let next = self.peek(0)?.clone();
        let control = match next.kind {
            Kind::IfDirective | Kind::ElseDirective | Kind::ElseIfDirective | Kind::End => true,
            _ => {
                let mut chars = next.image.chars();
                if chars.next().is_none() {
                    // Velocity takes `image.substring(1)` of the next token: at the end of the
                    // template that throws, and the template fails to parse.
                    let pos = self.token_pos(&next);
                    return Err(
                        self.error_at(pos, "Parser error: escape sequence at end of template")
                    );
                }
                self.is_known_directive_or_macro(chars.as_str())
            }
        };
        let unit = if control { "\\" } else { "\\\\" };
        push_text(out, &unit.repeat(count));
        Ok(())
    }

    fn if_statement(&mut self, out: &mut Block) -> PResult<()> {
        self.next()?; // #if
        self.optional(Kind::Whitespace)?;
        self.expect(Kind::LParen, "'(' after #if")?;
        let condition = self.expression()?;
        self.expect(Kind::RParen, "')' closing the #if condition")?;
        let body = self.statements()?;
        let mut branches = vec![(condition, body)];
        while self.kind(0)? == Kind::ElseIfDirective {
            self.next()?;
            self.optional(Kind::Whitespace)?;
            self.expect(Kind::LParen, "'(' after #elseif")?;
            let condition = self.expression()?;
            self.expect(Kind::RParen, "')' closing the #elseif condition")?;
            let body = self.statements()?;
            branches.push((condition, body));
        }
        let otherwise = if self.kind(0)? == Kind::ElseDirective {
            self.next()?;
            Some(self.statements()?)
        } else {
            None
        };
        self.expect(Kind::End, "#end closing #if")?;
        out.push(Node::If {
            branches,
            otherwise,
        });
        Ok(())
    }

    fn set_directive(&mut self, out: &mut Block) -> PResult<()> {
        let set = self.next()?;
        let pos = self.token_pos(&set);
        self.optional(Kind::Whitespace)?;
        if !matches!(self.kind(0)?, Kind::Identifier | Kind::LCurly) {
            return Err(self.unexpected("a reference to assign to in #set"));
        }
        let target = self.reference()?;
        self.optional(Kind::Whitespace)?;
        self.expect(Kind::Equals, "'=' in #set")?;
        let value = self.expression()?;
        self.expect(Kind::RParen, "')' closing #set")?;
        self.lexer.in_set = false;
        self.optional(Kind::Newline)?;
        out.push(Node::Set { target, value, pos });
        Ok(())
    }

    /// `Directive()`: a pluggable directive, a macro definition or call, or `#word` text.
    fn directive(&mut self, out: &mut Block) -> PResult<()> {
        // The name token is the only token fetched so far.
        self.recorders.push(String::new());
        let result = self.directive_inner(out);
        self.recorders.pop();
        result
    }

    fn directive_inner(&mut self, out: &mut Block) -> PResult<()> {
        let token = self.next()?;
        let pos = self.token_pos(&token);
        let name = if token.kind == Kind::BracketedWord {
            token
                .image
                .get(2..token.image.len().saturating_sub(1))
                .unwrap_or("")
                .to_owned()
        } else {
            token.image.get(1..).unwrap_or("").to_owned()
        };
        let is_block = match directive_is_block(&name) {
            Some(block) => block,
            None => name.starts_with('@'),
        };
        let known = directive_is_block(&name).is_some();
        self.lexer.state = State::Directive;

        if !self.lexer.is_left_parenthesis() {
            if name == "macro" {
                return Err(
                    self.error_at(pos, "A macro declaration requires at least a name argument")
                );
            }
            // Not a directive call: back to text.
            self.lexer.state_stack_pop();
            match name.as_str() {
                "break" => out.push(Node::Break),
                "stop" => out.push(Node::Stop),
                _ if known && !is_block => out.push(Node::Unsupported { name, pos }),
                _ if known => {
                    // A block directive without arguments: Velocity fails to initialise it.
                    return Err(self.error_at(pos, format!("#{name} requires arguments")));
                }
                _ => push_text(out, &format!("#{name}")),
            }
            return Ok(());
        }

        self.optional(Kind::Whitespace)?;
        self.expect(Kind::LParen, "'('")?;
        let mut args = Vec::new();
        loop {
            // LOOKAHEAD(2) [WS] [COMMA [WS]] DirectiveArg
            let k0 = self.kind(0)?;
            let starts = if is_arg_start(k0) {
                true
            } else if k0 == Kind::Whitespace {
                let k1 = self.kind(1)?;
                is_arg_start(k1) || k1 == Kind::Comma
            } else if k0 == Kind::Comma {
                let k1 = self.kind(1)?;
                is_arg_start(k1) || k1 == Kind::Whitespace
            } else {
                false
            };
            if !starts {
                break;
            }
            self.optional(Kind::Whitespace)?;
            if self.optional(Kind::Comma)? {
                self.optional(Kind::Whitespace)?;
            }
            let arg_pos = self.peek(0)?.clone();
            let arg_pos = self.token_pos(&arg_pos);
            let arg = self.directive_arg()?;
            if let Arg::Word(word, _) = &arg {
                let index = args.len();
                let allowed =
                    (name == "macro" && index == 0) || !known || (name == "foreach" && index == 1);
                if !allowed {
                    return Err(self.error_at(
                        arg_pos,
                        format!("Invalid arg #{index} in directive #{name}: {word}"),
                    ));
                }
            } else if name == "macro" && args.is_empty() {
                return Err(self.error_at(
                    arg_pos,
                    "Invalid first arg in #macro() directive - must be a word token (no ' or \" surrounding)",
                ));
            }
            args.push(arg);
        }
        self.optional(Kind::Whitespace)?;
        self.expect(Kind::RParen, "')' closing the directive's arguments")?;
        let literal = self.recorders.pop().unwrap_or_default();
        self.recorders.push(String::new());

        if !is_block {
            match name.as_str() {
                "break" => out.push(Node::Break),
                "stop" => out.push(Node::Stop),
                _ if known => out.push(Node::Unsupported { name, pos }),
                _ => {
                    let args = args
                        .into_iter()
                        .map(|arg| match arg {
                            Arg::Expr(e, _) => e,
                            Arg::Word(w, _) => Expr::Str(w.into()),
                        })
                        .collect();
                    out.push(Node::MacroCall {
                        name,
                        args,
                        literal,
                        pos,
                    });
                }
            }
            return Ok(());
        }

        let body = self.statements()?;
        self.expect(Kind::End, &format!("#end closing #{name}"))?;
        match name.as_str() {
            "foreach" => {
                let mut args = args.into_iter();
                let variable =
                    match args.next() {
                        Some(Arg::Expr(Expr::Reference(r), _)) if r.modifiers.is_empty() => {
                            r.root.clone()
                        }
                        _ => return Err(self.error_at(
                            pos,
                            "#foreach: the first argument must be a simple reference like $item",
                        )),
                    };
                match args.next() {
                    Some(Arg::Word(w, _)) if w == "in" => {}
                    Some(Arg::Word(_, p) | Arg::Expr(_, p)) => {
                        return Err(
                            self.error_at(p, "#foreach: expected 'in' as the second argument")
                        );
                    }
                    None => {
                        return Err(
                            self.error_at(pos, "#foreach: expected 'in' as the second argument")
                        );
                    }
                }
                let iterable = match args.next() {
                    Some(Arg::Expr(e, _)) => e,
                    _ => {
                        return Err(
                            self.error_at(pos, "#foreach: expected something to iterate over")
                        );
                    }
                };
                if args.next().is_some() {
                    return Err(self.error_at(pos, "#foreach: too many arguments"));
                }
                out.push(Node::Foreach {
                    variable,
                    iterable,
                    body,
                    pos,
                });
            }
            "define" => {
                let name = match args.as_slice() {
                    [Arg::Expr(Expr::Reference(r), _)] if r.modifiers.is_empty() => r.root.clone(),
                    _ => {
                        return Err(self
                            .error_at(pos, "#define: expected one simple reference like $block"));
                    }
                };
                out.push(Node::Define {
                    name,
                    body: Arc::new(body),
                });
            }
            "macro" => {
                let mut args = args.into_iter();
                let Some(Arg::Word(macro_name, _)) = args.next() else {
                    return Err(
                        self.error_at(pos, "A macro declaration requires at least a name argument")
                    );
                };
                let mut params = Vec::new();
                for arg in args {
                    match arg {
                        Arg::Expr(Expr::Reference(r), _) if r.modifiers.is_empty() => {
                            params.push(r.root.clone())
                        }
                        Arg::Expr(_, p) | Arg::Word(_, p) => {
                            return Err(self.error_at(p, format!("#macro {macro_name}: parameters must be simple references like $arg")));
                        }
                    }
                }
                self.macros
                    .insert(macro_name, Arc::new(Macro { params, body }));
                out.push(Node::MacroDefinition);
            }
            _ => out.push(Node::Unsupported { name, pos }),
        }
        Ok(())
    }

    fn directive_arg(&mut self) -> PResult<Arg> {
        let token = self.peek(0)?.clone();
        let pos = self.token_pos(&token);
        match token.kind {
            Kind::Word => {
                self.next()?;
                Ok(Arg::Word(token.image, pos))
            }
            Kind::Identifier | Kind::LCurly => {
                Ok(Arg::Expr(Expr::Reference(Box::new(self.reference()?)), pos))
            }
            Kind::StringLiteral => Ok(Arg::Expr(self.string_literal()?, pos)),
            Kind::IntegerLiteral => Ok(Arg::Expr(self.integer_literal()?, pos)),
            Kind::LBracket => {
                if self.is_range_ahead()? {
                    Ok(Arg::Expr(self.integer_range()?, pos))
                } else {
                    Ok(Arg::Expr(self.object_array()?, pos))
                }
            }
            Kind::FloatingPointLiteral => Ok(Arg::Expr(self.float_literal()?, pos)),
            Kind::LeftCurley => Ok(Arg::Expr(self.map()?, pos)),
            Kind::True => {
                self.next()?;
                Ok(Arg::Expr(Expr::Bool(true), pos))
            }
            Kind::False => {
                self.next()?;
                Ok(Arg::Expr(Expr::Bool(false), pos))
            }
            _ => Err(self.unexpected("a directive argument")),
        }
    }

    // ----- references -----

    fn reference(&mut self) -> PResult<Reference> {
        self.enter()?;
        self.recorders.push(String::new());
        let result = self.reference_inner();
        self.recorders.pop();
        self.leave();
        result
    }

    fn reference_inner(&mut self) -> PResult<Reference> {
        let first = self.next()?;
        let pos = self.token_pos(&first);
        let formal = first.kind == Kind::LCurly;
        let root_token = if formal {
            self.expect(Kind::Identifier, "an identifier after '${'")?
        } else {
            first.clone()
        };
        let mut modifiers = Vec::new();
        self.reference_tail(&mut modifiers)?;
        if formal {
            self.expect(Kind::RCurly, "'}' closing the reference")?;
        }
        let recorded = self.recorders.last().cloned().unwrap_or_default();
        let literal_rest = recorded.get(first.image.len()..).unwrap_or("").to_owned();
        Ok(build_reference(
            &first,
            &root_token,
            formal,
            modifiers,
            literal_rest,
            pos,
        ))
    }

    /// `(Index())* (LOOKAHEAD(2) <DOT> (LOOKAHEAD(3) Method() | Identifier()) (Index())*)*`
    fn reference_tail(&mut self, modifiers: &mut Vec<Modifier>) -> PResult<()> {
        self.indexes(modifiers)?;
        while self.kind(0)? == Kind::Dot && self.kind(1)? == Kind::Identifier {
            self.next()?;
            let ident = self.next()?;
            let pos = self.token_pos(&ident);
            if self.kind(0)? == Kind::LParen && self.method_args_ahead()? {
                self.next()?;
                let mut args = Vec::new();
                if is_parameter_start(self.kind(0)?) {
                    args.push(self.parameter()?);
                    while self.kind(0)? == Kind::Comma {
                        self.next()?;
                        args.push(self.parameter()?);
                    }
                }
                self.expect(Kind::RefMod2RParen, "')' closing the method call")?;
                modifiers.push(Modifier::Method(ident.image, args, pos));
            } else {
                modifiers.push(Modifier::Property(ident.image, pos));
            }
            self.indexes(modifiers)?;
        }
        Ok(())
    }

    /// LOOKAHEAD(3) of `Method()`: `(` then a parameter start or `)`.
    fn method_args_ahead(&mut self) -> PResult<bool> {
        let k = self.kind(1)?;
        Ok(is_parameter_start(k) || k == Kind::RefMod2RParen)
    }

    fn indexes(&mut self, modifiers: &mut Vec<Modifier>) -> PResult<()> {
        while self.kind(0)? == Kind::IndexLBracket {
            let open = self.next()?;
            let pos = self.token_pos(&open);
            self.optional(Kind::Whitespace)?;
            let start = self.peek(0)?.clone();
            let index = match start.kind {
                Kind::StringLiteral => self.string_literal()?,
                Kind::IntegerLiteral => self.integer_literal()?,
                Kind::True | Kind::False => {
                    self.next()?;
                    Expr::Bool(start.kind == Kind::True)
                }
                Kind::Identifier | Kind::LCurly => {
                    let r = self.reference()?;
                    Expr::Reference(Box::new(r))
                }
                _ => {
                    return Err(
                        self.unexpected("an index: a string, an integer, a boolean or a reference")
                    );
                }
            };
            self.optional(Kind::Whitespace)?;
            self.expect(Kind::IndexRBracket, "']' closing the index")?;
            modifiers.push(Modifier::Index(Box::new(index), pos));
        }
        Ok(())
    }

    /// `Parameter()`: a method argument, map entry or list element.
    fn parameter(&mut self) -> PResult<Expr> {
        self.enter()?;
        let result = self.parameter_inner();
        self.leave();
        result
    }

    fn parameter_inner(&mut self) -> PResult<Expr> {
        self.optional(Kind::Whitespace)?;
        let token = self.peek(0)?.clone();
        let expr = match token.kind {
            Kind::StringLiteral => self.string_literal()?,
            Kind::IntegerLiteral => self.integer_literal()?,
            Kind::LBracket => {
                if self.is_range_ahead()? {
                    self.integer_range()?
                } else {
                    self.object_array()?
                }
            }
            Kind::LeftCurley => self.map()?,
            Kind::True | Kind::False => {
                self.next()?;
                Expr::Bool(token.kind == Kind::True)
            }
            Kind::Identifier | Kind::LCurly => {
                let r = self.reference()?;
                Expr::Reference(Box::new(r))
            }
            Kind::FloatingPointLiteral => self.float_literal()?,
            _ => return Err(self.unexpected("a parameter: a literal or a reference")),
        };
        self.optional(Kind::Whitespace)?;
        Ok(expr)
    }

    // ----- literals -----

    fn integer_literal(&mut self) -> PResult<Expr> {
        let token = self.next()?;
        let text = token.image.trim_start_matches('#');
        Ok(match text.parse::<i64>() {
            Ok(i) => Expr::Int(i),
            Err(_) => Expr::Float(text.parse::<f64>().unwrap_or(0.0)),
        })
    }

    fn float_literal(&mut self) -> PResult<Expr> {
        let token = self.next()?;
        let text = token.image.trim_start_matches('#');
        Ok(Expr::Float(text.parse::<f64>().unwrap_or(0.0)))
    }

    fn string_literal(&mut self) -> PResult<Expr> {
        let token = self.next()?;
        let pos = self.token_pos(&token);
        let image = token.image.as_str();
        let quote = image.chars().next().unwrap_or('"');
        let inner = if image.len() >= 2 {
            &image[1..image.len() - 1]
        } else {
            ""
        };
        let interpolate = quote == '"' && (inner.contains('$') || inner.contains('#'));
        let mut text = if quote == '"' {
            unescape_unicode(inner)
        } else {
            inner.to_owned()
        };
        let doubled: String = [quote, quote].iter().collect();
        if text.contains(&doubled) {
            text = text.replace(&doubled, &quote.to_string());
        }
        if !interpolate {
            return Ok(Expr::Str(text.into()));
        }
        let contains_line_comment = text.contains("##");
        let source = if contains_line_comment {
            text
        } else {
            format!("{text} ")
        };
        let origin = Pos {
            line: pos.line,
            column: pos.column.saturating_add(1),
        };
        let mut sub = Parser::new(&source, origin, self.depth + 1);
        if sub.depth > MAX_DEPTH {
            return Err(self.error_at(
                pos,
                format!("Template nests deeper than {MAX_DEPTH} levels"),
            ));
        }
        sub.macros = self.macros.clone();
        let body = sub.process()?;
        for (name, m) in sub.macros {
            self.macros.entry(name).or_insert(m);
        }
        Ok(Expr::Interpolated {
            body: Arc::new(body),
            strip_last: !contains_line_comment,
        })
    }

    /// Whether `[` starts an integer range: `[ [WS] (Reference | Integer) [WS] ..`.
    fn is_range_ahead(&mut self) -> PResult<bool> {
        let mut i = 1;
        if self.kind(i)? == Kind::Whitespace {
            i += 1;
        }
        match self.kind(i)? {
            Kind::IntegerLiteral => i += 1,
            Kind::Identifier | Kind::LCurly => match self.scan_reference(i)? {
                Some(end) => i = end,
                None => return Ok(false),
            },
            _ => return Ok(false),
        }
        if self.kind(i)? == Kind::Whitespace {
            i += 1;
        }
        Ok(self.kind(i)? == Kind::DoubleDot)
    }

    /// Scans a reference starting at buffer index `i` without consuming it; returns the index
    /// just past it. Bounded, like JavaCC's syntactic lookahead.
    fn scan_reference(&mut self, mut i: usize) -> PResult<Option<usize>> {
        let formal = self.kind(i)? == Kind::LCurly;
        if formal {
            i += 1;
            if self.kind(i)? != Kind::Identifier {
                return Ok(None);
            }
        }
        i += 1;
        let mut steps = 0;
        loop {
            steps += 1;
            if steps > 64 {
                return Ok(None);
            }
            match self.kind(i)? {
                Kind::IndexLBracket => {
                    // [ [WS] simple [WS] ]
                    i += 1;
                    let mut depth = 1;
                    while depth > 0 {
                        match self.kind(i)? {
                            Kind::IndexLBracket => depth += 1,
                            Kind::IndexRBracket => depth -= 1,
                            Kind::Eof => return Ok(None),
                            _ => {}
                        }
                        i += 1;
                        if i > 256 {
                            return Ok(None);
                        }
                    }
                }
                Kind::Dot if self.kind(i + 1)? == Kind::Identifier => {
                    i += 2;
                    if self.kind(i)? == Kind::LParen {
                        let mut depth = 1;
                        i += 1;
                        while depth > 0 {
                            match self.kind(i)? {
                                Kind::LParen => depth += 1,
                                Kind::RefMod2RParen => depth -= 1,
                                Kind::Eof => return Ok(None),
                                _ => {}
                            }
                            i += 1;
                            if i > 256 {
                                return Ok(None);
                            }
                        }
                    }
                }
                _ => break,
            }
        }
        if formal {
            if self.kind(i)? != Kind::RCurly {
                return Ok(None);
            }
            i += 1;
        }
        Ok(Some(i))
    }

    fn integer_range(&mut self) -> PResult<Expr> {
        self.next()?; // [
        self.optional(Kind::Whitespace)?;
        let from = self.range_end()?;
        self.optional(Kind::Whitespace)?;
        self.expect(Kind::DoubleDot, "'..' in the range")?;
        self.optional(Kind::Whitespace)?;
        let to = self.range_end()?;
        self.optional(Kind::Whitespace)?;
        self.expect(Kind::RBracket, "']' closing the range")?;
        Ok(Expr::Range(Box::new(from), Box::new(to)))
    }

    fn range_end(&mut self) -> PResult<Expr> {
        match self.kind(0)? {
            Kind::IntegerLiteral => self.integer_literal(),
            Kind::Identifier | Kind::LCurly => Ok(Expr::Reference(Box::new(self.reference()?))),
            _ => Err(self.unexpected("an integer or a reference in the range")),
        }
    }

    fn object_array(&mut self) -> PResult<Expr> {
        self.enter()?;
        self.next()?; // [
        let mut items = Vec::new();
        if is_parameter_start(self.kind(0)?) {
            items.push(self.parameter()?);
            while self.kind(0)? == Kind::Comma {
                self.next()?;
                items.push(self.parameter()?);
            }
        }
        self.expect(Kind::RBracket, "']' closing the list")?;
        self.leave();
        Ok(Expr::List(items))
    }

    fn map(&mut self) -> PResult<Expr> {
        self.enter()?;
        self.next()?; // {
        let mut entries = Vec::new();
        let k0 = self.kind(0)?;
        let has_entries = is_parameter_start(k0)
            && (k0 != Kind::Whitespace || is_parameter_start_non_ws(self.kind(1)?));
        if has_entries {
            let key = self.parameter()?;
            self.expect(Kind::Colon, "':' in the map")?;
            let value = self.parameter()?;
            entries.push((key, value));
            while self.kind(0)? == Kind::Comma {
                self.next()?;
                let key = self.parameter()?;
                self.expect(Kind::Colon, "':' in the map")?;
                let value = self.parameter()?;
                entries.push((key, value));
            }
        } else {
            self.optional(Kind::Whitespace)?;
        }
        match self.kind(0)? {
            Kind::RightCurley | Kind::RCurly => {
                self.next()?;
            }
            _ => return Err(self.unexpected("'}' closing the map")),
        }
        self.leave();
        Ok(Expr::Map(entries))
    }

    // ----- expressions -----

    fn expression(&mut self) -> PResult<Expr> {
        self.enter()?;
        let result = self.or_expression();
        self.leave();
        result
    }

    fn binary_pos(&mut self) -> PResult<Pos> {
        let token = self.peek(0)?.clone();
        Ok(self.token_pos(&token))
    }

    fn or_expression(&mut self) -> PResult<Expr> {
        let mut left = self.and_expression()?;
        while self.kind(0)? == Kind::LogicalOr {
            let pos = self.binary_pos()?;
            self.next()?;
            let right = self.and_expression()?;
            left = Expr::Binary(BinaryOp::Or, Box::new(left), Box::new(right), pos);
        }
        Ok(left)
    }

    fn and_expression(&mut self) -> PResult<Expr> {
        let mut left = self.equality_expression()?;
        while self.kind(0)? == Kind::LogicalAnd {
            let pos = self.binary_pos()?;
            self.next()?;
            let right = self.equality_expression()?;
            left = Expr::Binary(BinaryOp::And, Box::new(left), Box::new(right), pos);
        }
        Ok(left)
    }

    fn equality_expression(&mut self) -> PResult<Expr> {
        let mut left = self.relational_expression()?;
        loop {
            let op = match self.kind(0)? {
                Kind::LogicalEquals => BinaryOp::Eq,
                Kind::LogicalNotEquals => BinaryOp::Ne,
                _ => return Ok(left),
            };
            let pos = self.binary_pos()?;
            self.next()?;
            let right = self.relational_expression()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), pos);
        }
    }

    fn relational_expression(&mut self) -> PResult<Expr> {
        let mut left = self.additive_expression()?;
        loop {
            let op = match self.kind(0)? {
                Kind::LogicalLt => BinaryOp::Lt,
                Kind::LogicalGt => BinaryOp::Gt,
                Kind::LogicalLe => BinaryOp::Le,
                Kind::LogicalGe => BinaryOp::Ge,
                _ => return Ok(left),
            };
            let pos = self.binary_pos()?;
            self.next()?;
            let right = self.additive_expression()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), pos);
        }
    }

    fn additive_expression(&mut self) -> PResult<Expr> {
        let mut left = self.multiplicative_expression()?;
        loop {
            let op = match self.kind(0)? {
                Kind::Plus => BinaryOp::Add,
                Kind::Minus => BinaryOp::Sub,
                _ => return Ok(left),
            };
            let pos = self.binary_pos()?;
            self.next()?;
            let right = self.multiplicative_expression()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), pos);
        }
    }

    fn multiplicative_expression(&mut self) -> PResult<Expr> {
        let mut left = self.unary_expression()?;
        loop {
            let op = match self.kind(0)? {
                Kind::Multiply => BinaryOp::Mul,
                Kind::Divide => BinaryOp::Div,
                Kind::Modulus => BinaryOp::Mod,
                _ => return Ok(left),
            };
            let pos = self.binary_pos()?;
            self.next()?;
            let right = self.unary_expression()?;
            left = Expr::Binary(op, Box::new(left), Box::new(right), pos);
        }
    }

    fn unary_expression(&mut self) -> PResult<Expr> {
        self.enter()?;
        let k0 = self.kind(0)?;
        let not =
            k0 == Kind::LogicalNot || (k0 == Kind::Whitespace && self.kind(1)? == Kind::LogicalNot);
        let result = if not {
            self.optional(Kind::Whitespace)?;
            self.next()?;
            self.unary_expression().map(|e| Expr::Not(Box::new(e)))
        } else {
            self.primary_expression()
        };
        self.leave();
        result
    }

    fn primary_expression(&mut self) -> PResult<Expr> {
        self.optional(Kind::Whitespace)?;
        let token = self.peek(0)?.clone();
        let expr = match token.kind {
            Kind::StringLiteral => self.string_literal()?,
            Kind::Identifier | Kind::LCurly => Expr::Reference(Box::new(self.reference()?)),
            Kind::IntegerLiteral => self.integer_literal()?,
            Kind::LBracket => {
                if self.is_range_ahead()? {
                    self.integer_range()?
                } else {
                    self.object_array()?
                }
            }
            Kind::FloatingPointLiteral => self.float_literal()?,
            Kind::LeftCurley => self.map()?,
            Kind::True => {
                self.next()?;
                Expr::Bool(true)
            }
            Kind::False => {
                self.next()?;
                Expr::Bool(false)
            }
            Kind::LParen => {
                self.next()?;
                let inner = self.expression()?;
                self.expect(Kind::RParen, "')' closing the parenthesis")?;
                inner
            }
            _ => return Err(self.unexpected("an expression")),
        };
        self.optional(Kind::Whitespace)?;
        Ok(expr)
    }
}

fn is_arg_start(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::Identifier
            | Kind::LCurly
            | Kind::Word
            | Kind::StringLiteral
            | Kind::IntegerLiteral
            | Kind::LBracket
            | Kind::FloatingPointLiteral
            | Kind::LeftCurley
            | Kind::True
            | Kind::False
    )
}

fn is_parameter_start_non_ws(kind: Kind) -> bool {
    matches!(
        kind,
        Kind::StringLiteral
            | Kind::IntegerLiteral
            | Kind::LBracket
            | Kind::LeftCurley
            | Kind::True
            | Kind::False
            | Kind::Identifier
            | Kind::LCurly
            | Kind::FloatingPointLiteral
    )
}

fn is_parameter_start(kind: Kind) -> bool {
    kind == Kind::Whitespace || is_parameter_start_non_ws(kind)
}

/// Appends text, merging it with the text node before it.
fn push_text(out: &mut Block, text: &str) {
    if text.is_empty() {
        return;
    }
    if let Some(Node::Text(last)) = out.last_mut() {
        last.push_str(text);
    } else {
        out.push(Node::Text(text.to_owned()));
    }
}

/// `NodeUtils.tokenLiteral`: a token's image, preceded by the `$`/`#` characters of the
/// special tokens before it (a lone `$` or `#` the lexer set aside).
fn token_literal(token: &Token) -> String {
    if token.kind == Kind::MultiLineComment {
        return String::new();
    }
    match token.specials.last() {
        None => return token.image.clone(),
        Some(last) if last.starts_with("##") => return token.image.clone(),
        Some(_) => {}
    }
    let mut special = String::new();
    for image in &token.specials {
        let chars: Vec<char> = image.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '#' || c == '$' {
                special.push(c);
            }
            if c == '\\' {
                let mut j = i;
                let mut term = false;
                while j < chars.len() {
                    if chars[j] == '\\' {
                        j += 1;
                        continue;
                    }
                    if chars[j] == '$' {
                        term = true;
                    }
                    break;
                }
                if term {
                    // Java's loop leaves j one past the '$'.
                    let end = (j + 1).min(chars.len());
                    special.extend(&chars[i..end]);
                    i = end;
                    continue;
                }
            }
            i += 1;
        }
    }
    special.push_str(&token.image);
    special
}

/// `ASTStringLiteral.unescape`: `\uXXXX` sequences in double-quoted strings.
fn unescape_unicode(s: &str) -> String {
    if !s.contains("\\u") {
        return s.to_owned();
    }
    let chars: Vec<char> = s.chars().collect();
    let mut out: Vec<u16> = Vec::with_capacity(chars.len());
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '\\' && chars.get(i + 1) == Some(&'u') && i + 6 <= chars.len() {
            let hex: String = chars[i + 2..i + 6].iter().collect();
            if let Ok(unit) = u16::from_str_radix(&hex, 16) {
                out.push(unit);
                i += 6;
                continue;
            }
        }
        let mut buf = [0u16; 2];
        out.extend_from_slice(chars[i].encode_utf16(&mut buf));
        i += 1;
    }
    String::from_utf16_lossy(&out)
}

/// Builds a reference from its first token the way `ASTReference.getRoot()` reads it.
fn build_reference(
    first: &Token,
    root_token: &Token,
    formal: bool,
    modifiers: Vec<Modifier>,
    literal_rest: String,
    pos: Pos,
) -> Reference {
    let mut image = first.image.clone();
    // `$\!foo` and friends are not references: the text renders with one backslash less.
    if let Some(slashbang) = image.find("\\!") {
        let _ = slashbang;
        let chars: Vec<char> = image.chars().collect();
        let dollar = chars.iter().position(|&c| c == '$').unwrap_or(0);
        let mut i = dollar;
        while i < chars.len() && chars[i] != '\\' {
            i += 1;
        }
        let start = i;
        let mut count: usize = 0;
        while i < chars.len() && chars[i] == '\\' {
            count += 1;
            i += 1;
        }
        let mut literal: String = chars[..start].iter().collect();
        literal.extend(&chars[start..start + count.saturating_sub(1)]);
        literal.extend(&chars[start + count..]);
        return Reference {
            root: String::new(),
            modifiers,
            escaped: false,
            esc_prefix: String::new(),
            more_prefix: String::new(),
            literal,
            not_computable: true,
            pos,
        };
    }
    let mut escaped = false;
    let mut esc_prefix = String::new();
    let leading = image.chars().take_while(|&c| c == '\\').count();
    if leading > 0 {
        escaped = leading % 2 == 1;
        esc_prefix = "\\".repeat(leading / 2);
        image = image[leading..].to_owned();
    }
    let mut more_prefix = String::new();
    if let Some(last) = image.rfind('$')
        && last > 0
    {
        more_prefix = image[..last].to_owned();
        image = image[last..].to_owned();
    }
    let literal = format!("{image}{literal_rest}");
    if !formal && !image.starts_with('$') {
        // A "runt": an identifier lexed as a reference without its `$` (after a `#set(...)`
        // that began inside a reference). Velocity renders just the identifier.
        return Reference {
            root: String::new(),
            modifiers: Vec::new(),
            escaped: false,
            esc_prefix: String::new(),
            more_prefix: String::new(),
            literal: image,
            not_computable: true,
            pos,
        };
    }
    let quiet = image.starts_with("$!");
    let root = if formal {
        root_token.image.clone()
    } else if quiet {
        image.get(2..).unwrap_or("").to_owned()
    } else {
        image.get(1..).unwrap_or("").to_owned()
    };
    Reference {
        root,
        modifiers,
        escaped,
        esc_prefix,
        more_prefix,
        literal,
        not_computable: false,
        pos,
    }
}
