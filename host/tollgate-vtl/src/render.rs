//! The renderer: walks a compiled template with one request's `$input`, `$context`,
//! `$stageVariables` and `$util`, with Velocity 1.7's runtime semantics as API Gateway
//! configures them.
//!
//! API Gateway differs from stock Velocity in one visible way: a reference that resolves to
//! nothing (an undefined variable, a missing property, a method that returns null) renders
//! as the empty string, not as its own source text, and compares equal to `""`. Everything
//! else (no assignment of null by `#set`, `$velocityCount` from 1, integer division, `+` as
//! string concatenation when one side is a string, ...) is Velocity 1.7's.
//!
//! Every loop, recursion and allocation is bounded ([`Limits`]); exceeding a bound is a
//! [`RenderError`], so a template can never hang the gateway or exhaust its memory.

use std::cell::RefCell;
use std::collections::HashMap;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::{BinaryOp, Block, Expr, Macro, Modifier, Node, Pos, Reference};
use crate::methods::{self, Outcome};
use crate::value::{Builtin, ForeachScope, ListKind, MapRef, Number, Value};
use crate::{RenderError, RenderInput, jsonpath, util};

/// The bounds a render runs within.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Limits {
    /// Iterations of one `#foreach` (API Gateway's quota: 1000); further items are skipped,
    /// as Velocity's `directive.foreach.maxloops` does.
    pub(crate) foreach_iterations: usize,
    /// Nodes and expressions evaluated in one render.
    pub(crate) steps: u64,
    /// Bytes of output (API Gateway's payload limit, 10 MB), and of any one string.
    pub(crate) output_bytes: usize,
    /// Nested macro calls (Velocity's `velocimacro.max.depth`).
    pub(crate) macro_depth: usize,
    /// Nested renders of blocks, macros and interpolated strings.
    pub(crate) render_depth: usize,
    /// Elements of a range `[a..b]`.
    pub(crate) range_items: usize,
}

pub(crate) const LIMITS: Limits = Limits {
    foreach_iterations: 1000,
    steps: 5_000_000,
    output_bytes: 10 * 1024 * 1024,
    macro_depth: 20,
    render_depth: 64,
    range_items: 100_000,
};

/// The prefix of the message of a render error caused by a body that is not JSON.
pub(crate) const BODY_PARSE_PREFIX: &str = "Could not parse request body into json: ";

/// Why rendering stopped early.
pub(crate) enum Flow {
    /// `#break`: leave the innermost `#foreach` (or the current macro/template).
    Break,
    /// `#stop`: end the whole template, keeping what was written.
    Stop,
    Error(RenderError),
}

pub(crate) type Flowing<T> = Result<T, Flow>;

impl From<RenderError> for Flow {
    fn from(e: RenderError) -> Flow {
        Flow::Error(e)
    }
}

fn error(pos: Pos, message: impl Into<String>) -> Flow {
    Flow::Error(RenderError {
        line: pos.line,
        column: pos.column,
        message: message.into(),
    })
}

/// What one render yields besides its output: `$context` after the template ran, for the
/// `requestOverride`/`responseOverride` maps it may have set.
pub(crate) struct Finished {
    pub(crate) output: String,
    pub(crate) context: Value,
}

struct Input<'a> {
    raw: &'a RenderInput<'a>,
    /// The body parsed as JSON, once a template asks for it.
    parsed: Option<Value>,
    params: Option<Value>,
}

pub(crate) struct Renderer<'a> {
    macros: &'a HashMap<String, Arc<Macro>>,
    globals: HashMap<String, Value>,
    /// Macro argument frames, innermost last.
    frames: Vec<HashMap<String, Value>>,
    input: Input<'a>,
    steps: u64,
    depth: usize,
    macro_depth: usize,
    foreach: Option<Rc<RefCell<ForeachScope>>>,
    limits: Limits,
}

impl<'a> Renderer<'a> {
    pub(crate) fn new(macros: &'a HashMap<String, Arc<Macro>>, input: &'a RenderInput<'a>) -> Self {
        let mut globals = HashMap::new();
        globals.insert("input".to_owned(), Value::Builtin(Builtin::Input));
        globals.insert("util".to_owned(), Value::Builtin(Builtin::Util));
        globals.insert("context".to_owned(), context_value(input.context));
        globals.insert(
            "stageVariables".to_owned(),
            Value::new_map(
                input
                    .stage_variables
                    .iter()
                    .map(|(k, v)| (k.clone(), Value::str(v)))
                    .collect(),
            ),
        );
        Renderer {
            macros,
            globals,
            frames: Vec::new(),
            input: Input {
                raw: input,
                parsed: None,
                params: None,
            },
            steps: 0,
            depth: 0,
            macro_depth: 0,
            foreach: None,
            limits: LIMITS,
        }
    }

    pub(crate) fn run(mut self, nodes: &Block) -> Result<Finished, RenderError> {
        let mut out = String::new();
        match self.render_block(nodes, &mut out) {
            Ok(()) | Err(Flow::Stop) | Err(Flow::Break) => {}
            Err(Flow::Error(e)) => return Err(e),
        }
        let context = self.globals.remove("context").unwrap_or_default();
        Ok(Finished {
            output: out,
            context,
        })
    }

    fn step(&mut self, pos: Pos) -> Flowing<()> {
        self.steps += 1;
        if self.steps > self.limits.steps {
            return Err(error(
                pos,
                format!("Template evaluation exceeded {} steps", self.limits.steps),
            ));
        }
        Ok(())
    }

    fn check_size(&self, len: usize, pos: Pos) -> Flowing<()> {
        if len > self.limits.output_bytes {
            return Err(error(
                pos,
                format!("Template output exceeds {} bytes", self.limits.output_bytes),
            ));
        }
        Ok(())
    }

    // ----- variables -----

    fn lookup(&self, name: &str) -> Value {
        if let Some(frame) = self.frames.last()
            && let Some(v) = frame.get(name)
        {
            return v.clone();
        }
        if name == "foreach"
            && let Some(scope) = &self.foreach
            && !self.globals.contains_key("foreach")
        {
            return Value::Foreach(scope.clone());
        }
        self.globals.get(name).cloned().unwrap_or_default()
    }

    fn assign(&mut self, name: &str, value: Value) {
        if let Some(frame) = self.frames.last_mut()
            && let Some(slot) = frame.get_mut(name)
        {
            *slot = value;
            return;
        }
        self.globals.insert(name.to_owned(), value);
    }

    fn restore(&mut self, name: &str, saved: Option<Value>) {
        match saved {
            Some(v) => {
                self.globals.insert(name.to_owned(), v);
            }
            None => {
                self.globals.remove(name);
            }
        }
    }

    // ----- nodes -----

    fn render_block(&mut self, nodes: &Block, out: &mut String) -> Flowing<()> {
        for node in nodes {
            self.render_node(node, out)?;
        }
        Ok(())
    }

    fn render_node(&mut self, node: &Node, out: &mut String) -> Flowing<()> {
        match node {
            Node::Text(text) => {
                out.push_str(text);
                self.check_size(out.len(), Pos::default())?;
            }
            Node::Reference(reference) => {
                self.step(reference.pos)?;
                self.render_reference(reference, out)?;
                self.check_size(out.len(), reference.pos)?;
            }
            Node::Set { target, value, pos } => {
                self.step(*pos)?;
                let value = self.eval(value)?;
                // Velocity 1.7 (`directive.set.null.allowed = false`): a null right-hand side
                // leaves the target as it was.
                if !value.is_null() {
                    self.set_reference(target, value, *pos)?;
                }
            }
            Node::If {
                branches,
                otherwise,
            } => {
                for (condition, body) in branches {
                    if self.eval(condition)?.truthy() {
                        return self.render_block(body, out);
                    }
                }
                if let Some(body) = otherwise {
                    self.render_block(body, out)?;
                }
            }
            Node::Foreach {
                variable,
                iterable,
                body,
                pos,
            } => self.render_foreach(variable, iterable, body, *pos, out)?,
            Node::Define { name, body } => {
                self.assign(name, Value::Block(body.clone()));
            }
            Node::MacroDefinition => {}
            Node::MacroCall {
                name,
                args,
                literal,
                pos,
            } => self.render_macro_call(name, args, literal, *pos, out)?,
            Node::Break => return Err(Flow::Break),
            Node::Stop => return Err(Flow::Stop),
            Node::Unsupported { name, pos } => {
                return Err(error(
                    *pos,
                    format!("#{name} is not supported in mapping templates"),
                ));
            }
        }
        Ok(())
    }

    fn render_reference(&mut self, reference: &Reference, out: &mut String) -> Flowing<()> {
        if reference.not_computable {
            out.push_str(&reference.literal);
            return Ok(());
        }
        let value = self.eval_reference(reference)?;
        if reference.escaped {
            out.push_str(&reference.esc_prefix);
            if value.is_null() {
                out.push('\\');
            }
            out.push_str(&reference.literal);
            return Ok(());
        }
        out.push_str(&reference.esc_prefix);
        out.push_str(&reference.more_prefix);
        match value {
            // API Gateway renders a null reference as nothing.
            Value::Null => {}
            Value::Block(body) => self.render_nested(&body, out, reference.pos)?,
            other => other.write_java(out, 0),
        }
        Ok(())
    }

    fn render_nested(&mut self, body: &Block, out: &mut String, pos: Pos) -> Flowing<()> {
        self.depth += 1;
        if self.depth > self.limits.render_depth {
            self.depth -= 1;
            return Err(error(
                pos,
                format!(
                    "Template recursion deeper than {} levels",
                    self.limits.render_depth
                ),
            ));
        }
        let result = self.render_block(body, out);
        self.depth -= 1;
        result
    }

    fn render_foreach(
        &mut self,
        variable: &str,
        iterable: &Expr,
        body: &Block,
        pos: Pos,
        out: &mut String,
    ) -> Flowing<()> {
        let collection = self.eval(iterable)?;
        let items: Vec<Value> = match &collection {
            Value::Null => return Ok(()),
            Value::List(items, _) => items.borrow().clone(),
            // Velocity iterates a map's values.
            Value::Map(map) => map.borrow().values().cloned().collect(),
            other => {
                return Err(error(
                    pos,
                    format!(
                        "#foreach parameter is of type {} and cannot be iterated",
                        other.class_name()
                    ),
                ));
            }
        };
        let saved_item = self.globals.get(variable).cloned();
        let saved_count = self.globals.get("velocityCount").cloned();
        let saved_has_next = self.globals.get("velocityHasNext").cloned();
        let scope = Rc::new(RefCell::new(ForeachScope {
            index: -1,
            has_next: false,
            parent: self.foreach.clone(),
        }));
        let parent = self.foreach.replace(scope.clone());
        let total = items.len();
        let mut result = Ok(());
        for (i, item) in items.into_iter().enumerate() {
            if i >= self.limits.foreach_iterations {
                break;
            }
            if let Err(e) = self.step(pos) {
                result = Err(e);
                break;
            }
            let has_next = i + 1 < total;
            self.globals
                .insert("velocityCount".to_owned(), Value::Int(i as i64 + 1));
            self.globals
                .insert("velocityHasNext".to_owned(), Value::Bool(has_next));
            {
                let mut scope = scope.borrow_mut();
                scope.index += 1;
                scope.has_next = has_next;
            }
            if item.is_null() {
                self.globals.remove(variable);
            } else {
                self.assign(variable, item);
            }
            match self.render_block(body, out) {
                Ok(()) => {}
                Err(Flow::Break) => break,
                Err(other) => {
                    result = Err(other);
                    break;
                }
            }
        }
        self.foreach = parent;
        self.restore(variable, saved_item);
        self.restore("velocityCount", saved_count);
        self.restore("velocityHasNext", saved_has_next);
        result
    }

    fn render_macro_call(
        &mut self,
        name: &str,
        args: &[Expr],
        literal: &str,
        pos: Pos,
        out: &mut String,
    ) -> Flowing<()> {
        let Some(definition) = self.macros.get(name).cloned() else {
            // No such macro: Velocity renders the call as written.
            out.push_str(literal);
            return Ok(());
        };
        if self.macro_depth >= self.limits.macro_depth {
            return Err(error(
                pos,
                format!(
                    "Max calling depth of {} was exceeded in macro '{name}'",
                    self.limits.macro_depth
                ),
            ));
        }
        let mut frame = HashMap::new();
        for (i, param) in definition.params.iter().enumerate() {
            let value = match args.get(i) {
                Some(arg) => self.eval(arg)?,
                None => Value::Null,
            };
            frame.insert(param.clone(), value);
        }
        self.frames.push(frame);
        self.macro_depth += 1;
        let result = self.render_nested(&definition.body, out, pos);
        self.macro_depth -= 1;
        self.frames.pop();
        match result {
            Err(Flow::Break) => Ok(()),
            other => other,
        }
    }

    // ----- references -----

    fn eval_reference(&mut self, reference: &Reference) -> Flowing<Value> {
        let mut value = self.lookup(&reference.root);
        for modifier in &reference.modifiers {
            if value.is_null() {
                return Ok(Value::Null);
            }
            value = self.apply_modifier(value, modifier)?;
        }
        Ok(value)
    }

    fn apply_modifier(&mut self, value: Value, modifier: &Modifier) -> Flowing<Value> {
        match modifier {
            Modifier::Property(name, pos) => {
                self.step(*pos)?;
                Ok(self.property(&value, name))
            }
            Modifier::Method(name, args, pos) => {
                self.step(*pos)?;
                let mut evaluated = Vec::with_capacity(args.len());
                for arg in args {
                    evaluated.push(self.eval(arg)?);
                }
                self.call(&value, name, &evaluated, *pos)
            }
            Modifier::Index(index, pos) => {
                let index = self.eval(index)?;
                self.index(&value, &index, *pos)
            }
        }
    }

    /// `$a.name`: Velocity tries `getName()`, `get("name")` on maps, then `isName()`.
    fn property(&mut self, value: &Value, name: &str) -> Value {
        match value {
            Value::Map(map) => map.borrow().get(name).cloned().unwrap_or_default(),
            Value::Builtin(Builtin::Input) if name == "body" => Value::str(self.body()),
            Value::Foreach(scope) => {
                let scope = scope.borrow();
                match name {
                    "index" => Value::Int(scope.index),
                    "count" => Value::Int(scope.index + 1),
                    "hasNext" => Value::Bool(scope.has_next),
                    "first" => Value::Bool(scope.index == 0),
                    "last" => Value::Bool(!scope.has_next),
                    "parent" => scope.parent.clone().map(Value::Foreach).unwrap_or_default(),
                    "topmost" => {
                        let mut top = scope.parent.clone();
                        while let Some(p) = top.clone() {
                            match p.borrow().parent.clone() {
                                Some(next) => top = Some(next),
                                None => break,
                            }
                        }
                        top.map(Value::Foreach).unwrap_or_else(|| value.clone())
                    }
                    _ => Value::Null,
                }
            }
            Value::Str(s) if name == "empty" => Value::Bool(s.is_empty()),
            Value::Str(s) if name == "bytes" => {
                methods::string_method(s, "getBytes", &[], usize::MAX).into_value()
            }
            Value::List(items, _) if name == "empty" => Value::Bool(items.borrow().is_empty()),
            Value::Entry(entry) => match name {
                "key" => Value::str(&entry.0),
                "value" => entry.1.clone(),
                _ => Value::Null,
            },
            Value::Double(d) if name == "naN" => Value::Bool(d.is_nan()),
            _ => Value::Null,
        }
    }

    fn index(&mut self, value: &Value, index: &Value, pos: Pos) -> Flowing<Value> {
        match value {
            Value::List(items, _) => {
                let Value::Int(i) = index else {
                    return Ok(Value::Null);
                };
                let items = items.borrow();
                let len = items.len() as i64;
                let i = if *i < 0 { len + i } else { *i };
                match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                    Some(v) => Ok(v.clone()),
                    None => Err(error(
                        pos,
                        format!("java.lang.IndexOutOfBoundsException: Index: {i}, Size: {len}"),
                    )),
                }
            }
            Value::Map(map) => Ok(map
                .borrow()
                .get(&index.java_string())
                .cloned()
                .unwrap_or_default()),
            _ => Ok(Value::Null),
        }
    }

    fn call(&mut self, value: &Value, name: &str, args: &[Value], pos: Pos) -> Flowing<Value> {
        let max = self.limits.output_bytes;
        let outcome = match value {
            Value::Null => return Ok(Value::Null),
            Value::Str(s) => methods::string_method(s, name, args, max),
            Value::Char(c) => {
                let s = String::from_utf16_lossy(&[*c]);
                match (name, args) {
                    ("equals", [other]) => Outcome::Value(Value::Bool(value.java_equals(other))),
                    _ => methods::string_method(&s, name, args, max),
                }
            }
            Value::List(items, kind) => methods::list_method(items, *kind, name, args),
            Value::Map(_) => methods::map_method(value, name, args),
            Value::Int(_) | Value::Double(_) => methods::number_method(value, name, args),
            Value::Bool(b) => methods::bool_method(*b, name, args),
            Value::Entry(entry) => match (name, args) {
                ("getKey", []) => Outcome::Value(Value::str(&entry.0)),
                ("getValue", []) => Outcome::Value(entry.1.clone()),
                ("toString", []) => Outcome::Value(Value::string(value.java_string())),
                _ => Outcome::NoMethod,
            },
            Value::Builtin(Builtin::Input) => self.input_method(name, args, pos)?,
            Value::Builtin(Builtin::Util) => util_method(name, args),
            Value::Foreach(_) => match (name, args) {
                (
                    "hasNext" | "getHasNext" | "isFirst" | "isLast" | "getIndex" | "getCount"
                    | "getParent",
                    [],
                ) => {
                    let property = match name {
                        "getHasNext" => "hasNext",
                        "isFirst" => "first",
                        "isLast" => "last",
                        "getIndex" => "index",
                        "getCount" => "count",
                        "getParent" => "parent",
                        other => other,
                    };
                    Outcome::Value(self.property(value, property))
                }
                _ => Outcome::NoMethod,
            },
            Value::Block(_) => Outcome::NoMethod,
        };
        match outcome {
            Outcome::Value(v) => {
                if let Value::Str(s) = &v {
                    self.check_size(s.len(), pos)?;
                }
                Ok(v)
            }
            Outcome::NoMethod => Ok(Value::Null),
            Outcome::Threw(message) => Err(error(
                pos,
                format!(
                    "Invocation of method '{name}' in {} threw exception {message}",
                    value.class_name()
                ),
            )),
        }
    }

    // ----- $input -----

    fn body(&self) -> &'a str {
        // API Gateway hands templates `{}` for an empty body.
        if self.input.raw.body.is_empty() {
            "{}"
        } else {
            self.input.raw.body
        }
    }

    fn parsed_body(&mut self, pos: Pos) -> Flowing<Value> {
        if let Some(v) = &self.input.parsed {
            return Ok(v.clone());
        }
        let parsed =
            parse_body(self.body()).map_err(|e| error(pos, format!("{BODY_PARSE_PREFIX}{e}")))?;
        self.input.parsed = Some(parsed.clone());
        Ok(parsed)
    }

    fn params(&mut self) -> Value {
        if let Some(p) = &self.input.params {
            return p.clone();
        }
        let to_map = |pairs: &[(String, String)]| {
            let mut map = IndexMap::new();
            for (k, v) in pairs {
                map.insert(k.clone(), Value::str(v));
            }
            Value::new_map(map)
        };
        let mut all = IndexMap::new();
        all.insert("path".to_owned(), to_map(self.input.raw.path_params));
        all.insert(
            "querystring".to_owned(),
            to_map(self.input.raw.query_params),
        );
        all.insert("header".to_owned(), to_map(self.input.raw.headers));
        let params = Value::new_map(all);
        self.input.params = Some(params.clone());
        params
    }

    fn input_method(&mut self, name: &str, args: &[Value], pos: Pos) -> Flowing<Outcome> {
        Ok(match (name, args) {
            ("params", []) => Outcome::Value(self.params()),
            ("params", [Value::Str(key)]) => {
                let raw = self.input.raw;
                let last = |pairs: &[(String, String)], ignore_case: bool| {
                    pairs
                        .iter()
                        .rev()
                        .find(|(k, _)| {
                            if ignore_case {
                                k.eq_ignore_ascii_case(key)
                            } else {
                                k.as_str() == key.as_ref()
                            }
                        })
                        .map(|(_, v)| v.clone())
                };
                let found = last(raw.path_params, false)
                    .or_else(|| last(raw.query_params, false))
                    .or_else(|| last(raw.headers, true));
                Outcome::Value(Value::string(found.unwrap_or_default()))
            }
            ("getBody" | "body", []) => Outcome::Value(Value::str(self.body())),
            ("json", [Value::Str(path)]) => {
                let root = self.parsed_body(pos)?;
                let found = jsonpath::evaluate(&root, path).map_err(|e| error(pos, e))?;
                let mut text = String::new();
                match found {
                    // A path that matches nothing prints as an empty JSON string.
                    None => text.push_str("\"\""),
                    Some(v) => v.write_json(&mut text, false, 0),
                }
                Outcome::Value(Value::string(text))
            }
            ("path", [Value::Str(path)]) => {
                let root = self.parsed_body(pos)?;
                let found = jsonpath::evaluate(&root, path).map_err(|e| error(pos, e))?;
                Outcome::Value(found.unwrap_or_default())
            }
            _ => Outcome::NoMethod,
        })
    }

    // ----- #set -----

    fn set_reference(&mut self, target: &Reference, value: Value, pos: Pos) -> Flowing<()> {
        if target.modifiers.is_empty() {
            self.assign(&target.root, value);
            return Ok(());
        }
        let mut object = self.lookup(&target.root);
        let Some((last, init)) = target.modifiers.split_last() else {
            return Ok(());
        };
        for modifier in init {
            if object.is_null() {
                return Ok(());
            }
            object = self.apply_modifier(object, modifier)?;
        }
        match (&object, last) {
            (Value::Map(map), Modifier::Property(name, _)) => {
                map.borrow_mut().insert(name.clone(), value);
            }
            (Value::Map(map), Modifier::Index(index, _)) => {
                let key = self.eval(index)?.java_string();
                map.borrow_mut().insert(key, value);
            }
            (Value::List(items, _), Modifier::Index(index, ipos)) => {
                let Value::Int(i) = self.eval(index)? else {
                    return Ok(());
                };
                let mut items = items.borrow_mut();
                let len = items.len() as i64;
                let i = if i < 0 { len + i } else { i };
                match usize::try_from(i).ok().filter(|&i| i < items.len()) {
                    Some(i) => items[i] = value,
                    None => {
                        return Err(error(
                            *ipos,
                            format!("java.lang.IndexOutOfBoundsException: Index: {i}, Size: {len}"),
                        ));
                    }
                }
            }
            // Velocity logs and leaves everything as it was.
            _ => {
                let _ = pos;
            }
        }
        Ok(())
    }

    // ----- expressions -----

    pub(crate) fn eval(&mut self, expr: &Expr) -> Flowing<Value> {
        Ok(match expr {
            Expr::Bool(b) => Value::Bool(*b),
            Expr::Int(i) => Value::Int(*i),
            Expr::Float(f) => Value::Double(*f),
            Expr::Str(s) => Value::str(s),
            Expr::Interpolated { body, strip_last } => {
                let mut text = String::new();
                self.render_nested(body, &mut text, Pos::default())?;
                if *strip_last {
                    text.pop();
                }
                Value::string(text)
            }
            Expr::Reference(r) => {
                self.step(r.pos)?;
                if r.not_computable {
                    Value::Null
                } else {
                    self.eval_reference(r)?
                }
            }
            Expr::List(items) => {
                let mut values = Vec::with_capacity(items.len());
                for item in items {
                    values.push(self.eval(item)?);
                }
                Value::new_list(values, ListKind::Java)
            }
            Expr::Map(entries) => {
                let mut map = IndexMap::new();
                for (k, v) in entries {
                    let key = self.eval(k)?.java_string();
                    let value = self.eval(v)?;
                    map.insert(key, value);
                }
                Value::new_map(map)
            }
            Expr::Range(from, to) => {
                let (from, to) = (self.eval(from)?, self.eval(to)?);
                let as_int = |v: &Value| match v {
                    Value::Int(i) => Some(*i),
                    Value::Double(d) => Some(*d as i64),
                    Value::Str(s) => s.trim().parse().ok(),
                    _ => None,
                };
                let (Some(a), Some(b)) = (as_int(&from), as_int(&to)) else {
                    return Ok(Value::Null);
                };
                let count = (a - b).unsigned_abs() as usize + 1;
                if count > self.limits.range_items {
                    return Err(error(
                        Pos::default(),
                        format!(
                            "Range [{a}..{b}] has more than {} items",
                            self.limits.range_items
                        ),
                    ));
                }
                let items: Vec<Value> = if a <= b {
                    (a..=b).map(Value::Int).collect()
                } else {
                    (b..=a).rev().map(Value::Int).collect()
                };
                Value::new_list(items, ListKind::Java)
            }
            Expr::Not(inner) => Value::Bool(!self.eval(inner)?.truthy()),
            Expr::Binary(op, left, right, pos) => self.binary(*op, left, right, *pos)?,
        })
    }

    fn binary(&mut self, op: BinaryOp, left: &Expr, right: &Expr, pos: Pos) -> Flowing<Value> {
        self.step(pos)?;
        match op {
            BinaryOp::Or => {
                if self.eval(left)?.truthy() {
                    return Ok(Value::Bool(true));
                }
                return Ok(Value::Bool(self.eval(right)?.truthy()));
            }
            BinaryOp::And => {
                if !self.eval(left)?.truthy() {
                    return Ok(Value::Bool(false));
                }
                return Ok(Value::Bool(self.eval(right)?.truthy()));
            }
            _ => {}
        }
        let l = self.eval(left)?;
        let r = self.eval(right)?;
        Ok(match op {
            BinaryOp::Eq => Value::Bool(velocity_equals(&l, &r)),
            BinaryOp::Ne => Value::Bool(!velocity_equals(&l, &r)),
            BinaryOp::Lt | BinaryOp::Gt | BinaryOp::Le | BinaryOp::Ge => {
                let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
                    return Ok(Value::Bool(false));
                };
                let ordering = compare_numbers(a, b);
                Value::Bool(match (op, ordering) {
                    (_, None) => false,
                    (BinaryOp::Lt, Some(o)) => o.is_lt(),
                    (BinaryOp::Gt, Some(o)) => o.is_gt(),
                    (BinaryOp::Le, Some(o)) => o.is_le(),
                    (_, Some(o)) => o.is_ge(),
                })
            }
            BinaryOp::Add if matches!(l, Value::Str(_)) || matches!(r, Value::Str(_)) => {
                let ls = if l.is_null() {
                    left.literal()
                } else {
                    l.java_string()
                };
                let rs = if r.is_null() {
                    right.literal()
                } else {
                    r.java_string()
                };
                self.check_size(ls.len() + rs.len(), pos)?;
                Value::string(ls + &rs)
            }
            _ => {
                let (Some(a), Some(b)) = (l.as_number(), r.as_number()) else {
                    return Ok(Value::Null);
                };
                arithmetic(op, a, b)
            }
        })
    }
}

impl Outcome {
    fn into_value(self) -> Value {
        match self {
            Outcome::Value(v) => v,
            _ => Value::Null,
        }
    }
}

fn util_method(name: &str, args: &[Value]) -> Outcome {
    let text = |v: &Value| -> Option<String> {
        match v {
            Value::Null => None,
            other => Some(other.java_string()),
        }
    };
    match (name, args) {
        ("escapeJavaScript", [v]) => Outcome::Value(
            text(v)
                .map(|s| Value::string(util::escape_javascript(&s)))
                .unwrap_or_default(),
        ),
        ("urlEncode", [v]) => Outcome::Value(
            text(v)
                .map(|s| Value::string(util::url_encode(&s)))
                .unwrap_or_default(),
        ),
        ("urlDecode", [v]) => match text(v) {
            None => Outcome::Value(Value::Null),
            Some(s) => match util::url_decode(&s) {
                Ok(d) => Outcome::Value(Value::string(d)),
                Err(e) => Outcome::Threw(e),
            },
        },
        ("base64Encode", [v]) => Outcome::Value(
            text(v)
                .map(|s| Value::string(util::base64_encode(&s)))
                .unwrap_or_default(),
        ),
        ("base64Decode", [v]) => match text(v) {
            None => Outcome::Value(Value::Null),
            Some(s) => match util::base64_decode(&s) {
                Ok(d) => Outcome::Value(Value::string(d)),
                Err(e) => Outcome::Threw(e),
            },
        },
        ("parseJson", [v]) => match text(v) {
            None => Outcome::Value(Value::Null),
            Some(s) => match serde_json::from_str::<serde_json::Value>(&s) {
                Ok(json) => Outcome::Value(crate::value::from_json(&json, ListKind::Json)),
                Err(e) => Outcome::Threw(format!("Unable to parse JSON: {e}")),
            },
        },
        _ => Outcome::NoMethod,
    }
}

/// Parses a body the way API Gateway's JSON reader (json-smart, permissive) does: objects and
/// arrays must be valid JSON; anything else that is not a JSON scalar is read as a string.
fn parse_body(body: &str) -> Result<Value, String> {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return Ok(Value::new_map(IndexMap::new()));
    }
    if trimmed.starts_with('{') || trimmed.starts_with('[') {
        let json: serde_json::Value = serde_json::from_str(trimmed).map_err(|e| e.to_string())?;
        return Ok(crate::value::from_json(&json, ListKind::Json));
    }
    match serde_json::from_str::<serde_json::Value>(trimmed) {
        Ok(json) => Ok(crate::value::from_json(&json, ListKind::Json)),
        Err(_) => Ok(Value::str(trimmed)),
    }
}

fn context_value(context: &serde_json::Value) -> Value {
    let value = match context {
        serde_json::Value::Object(_) => crate::value::from_json(context, ListKind::Java),
        _ => Value::new_map(IndexMap::new()),
    };
    if let Value::Map(map) = &value {
        ensure_override(map, "requestOverride", &["header", "path", "querystring"]);
        ensure_override(map, "responseOverride", &["header"]);
    }
    value
}

/// Makes `$context.requestOverride.header` (and friends) maps a template can `#set` into.
fn ensure_override(map: &MapRef, name: &str, children: &[&str]) {
    let mut map = map.borrow_mut();
    let entry = map
        .entry(name.to_owned())
        .or_insert_with(|| Value::new_map(IndexMap::new()));
    if !matches!(entry, Value::Map(_)) {
        *entry = Value::new_map(IndexMap::new());
    }
    if let Value::Map(inner) = entry {
        let mut inner = inner.borrow_mut();
        for child in children {
            let slot = inner
                .entry((*child).to_owned())
                .or_insert_with(|| Value::new_map(IndexMap::new()));
            if !matches!(slot, Value::Map(_)) {
                *slot = Value::new_map(IndexMap::new());
            }
        }
    }
}

/// Velocity 1.7's `==` (`ASTEQNode`), with API Gateway's null: a null side compares as `""`.
fn velocity_equals(l: &Value, r: &Value) -> bool {
    if let (Some(a), Some(b)) = (l.as_number(), r.as_number()) {
        return compare_numbers(a, b) == Some(std::cmp::Ordering::Equal);
    }
    if !l.is_null() && !r.is_null() && l.same_class(r) {
        return l.java_equals(r);
    }
    let text = |v: &Value| {
        if v.is_null() {
            String::new()
        } else {
            v.java_string()
        }
    };
    text(l) == text(r)
}

fn compare_numbers(a: Number, b: Number) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => Some(x.cmp(&y)),
        _ => a.as_f64().partial_cmp(&b.as_f64()),
    }
}

/// Velocity's `MathUtils`: integer arithmetic when both sides are integers (division
/// truncates), `Double` otherwise; division or modulus by zero is null.
fn arithmetic(op: BinaryOp, a: Number, b: Number) -> Value {
    match (a, b) {
        (Number::Int(x), Number::Int(y)) => {
            let (x, y) = (x as i128, y as i128);
            let result = match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div => {
                    if y == 0 {
                        return Value::Null;
                    }
                    x / y
                }
                BinaryOp::Mod => {
                    if y == 0 {
                        return Value::Null;
                    }
                    x % y
                }
                _ => return Value::Null,
            };
            match i64::try_from(result) {
                Ok(i) => Value::Int(i),
                Err(_) => Value::Double(result as f64),
            }
        }
        _ => {
            let (x, y) = (a.as_f64(), b.as_f64());
            let result = match op {
                BinaryOp::Add => x + y,
                BinaryOp::Sub => x - y,
                BinaryOp::Mul => x * y,
                BinaryOp::Div => {
                    if y == 0.0 {
                        return Value::Null;
                    }
                    x / y
                }
                BinaryOp::Mod => {
                    if y == 0.0 {
                        return Value::Null;
                    }
                    x % y
                }
                _ => return Value::Null,
            };
            Number::Double(result).into_value()
        }
    }
}
