//! The syntax tree of a compiled template: what the parser builds once and the renderer walks
//! for every request. Nodes keep the source position they report errors at.

use std::sync::Arc;

/// A source position, 1-based.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(crate) struct Pos {
    pub(crate) line: u32,
    pub(crate) column: u32,
}

pub(crate) type Block = Vec<Node>;

#[derive(Debug)]
pub(crate) enum Node {
    /// Text written as is.
    Text(String),
    Reference(Reference),
    Set {
        target: Reference,
        value: Expr,
        pos: Pos,
    },
    If {
        branches: Vec<(Expr, Block)>,
        otherwise: Option<Block>,
    },
    Foreach {
        variable: String,
        iterable: Expr,
        body: Block,
        pos: Pos,
    },
    Define {
        name: String,
        body: Arc<Block>,
    },
    /// `#macro` definitions are collected at compile time; the node itself renders nothing.
    MacroDefinition,
    /// A call of a (possibly undefined) macro; `literal` is what renders when no macro of that
    /// name exists.
    MacroCall {
        name: String,
        args: Vec<Expr>,
        literal: String,
        pos: Pos,
    },
    Break,
    Stop,
    /// A directive Tollgate does not run (`#include`, `#parse`, `#evaluate`, `#literal`):
    /// rendering it is an error, as it is in API Gateway, which gives templates no resources.
    Unsupported {
        name: String,
        pos: Pos,
    },
}

/// A reference: `$a.b.c(1)[0]`, `${a}`, `$!a`, with Velocity's escape bookkeeping.
#[derive(Debug, Clone)]
pub(crate) struct Reference {
    pub(crate) root: String,
    pub(crate) modifiers: Vec<Modifier>,
    /// An odd number of backslashes before the `$`.
    pub(crate) escaped: bool,
    /// Half the leading backslashes, written before the value.
    pub(crate) esc_prefix: String,
    /// Text before the last `$` of the token (`#$a` → `#`).
    pub(crate) more_prefix: String,
    /// The reference as written (without leading backslashes and prefix), rendered when the
    /// reference is escaped.
    pub(crate) literal: String,
    /// `$\!a`-style constructs that are not references at all: render `literal` verbatim.
    pub(crate) not_computable: bool,
    pub(crate) pos: Pos,
}

#[derive(Debug, Clone)]
pub(crate) enum Modifier {
    Property(String, Pos),
    Method(String, Vec<Expr>, Pos),
    Index(Box<Expr>, Pos),
}

#[derive(Debug, Clone)]
pub(crate) enum Expr {
    Bool(bool),
    Int(i64),
    Float(f64),
    /// A string literal without interpolation (single-quoted, or double-quoted without `$`/`#`).
    Str(Arc<str>),
    /// A double-quoted string with `$` or `#`: a nested template, rendered and minus the space
    /// Velocity appends (`strip_last`).
    Interpolated {
        body: Arc<Block>,
        strip_last: bool,
    },
    Reference(Box<Reference>),
    List(Vec<Expr>),
    Map(Vec<(Expr, Expr)>),
    Range(Box<Expr>, Box<Expr>),
    Not(Box<Expr>),
    Binary(BinaryOp, Box<Expr>, Box<Expr>, Pos),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum BinaryOp {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Gt,
    Le,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Mod,
}

/// A `#macro` definition.
#[derive(Debug)]
pub(crate) struct Macro {
    pub(crate) params: Vec<String>,
    pub(crate) body: Block,
}

impl Expr {
    /// Velocity's `literal()` of an operand: how it reads in the source, used where Velocity
    /// concatenates a null operand of `+` with a string.
    pub(crate) fn literal(&self) -> String {
        match self {
            Expr::Reference(r) => r.literal.clone(),
            Expr::Str(s) => s.to_string(),
            Expr::Int(i) => i.to_string(),
            Expr::Bool(b) => b.to_string(),
            _ => String::new(),
        }
    }
}
