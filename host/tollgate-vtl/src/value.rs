//! The values a template computes with, modelled on the Java objects API Gateway's Velocity
//! sees: `String`, `Integer`/`Long`, `Double`, `Boolean`, `null`, a `LinkedHashMap` for JSON
//! objects and map literals, json-smart's `JSONArray` for JSON arrays (whose `toString()` is
//! compact JSON), and `ArrayList` for list literals and ranges (whose `toString()` is
//! `[a, b]`). How each prints is what makes output byte-exact, so printing lives here.

use std::cell::RefCell;
use std::fmt::Write as _;
use std::rc::Rc;
use std::sync::Arc;

use indexmap::IndexMap;

use crate::ast::Block;

pub(crate) type MapRef = Rc<RefCell<IndexMap<String, Value>>>;
pub(crate) type ListRef = Rc<RefCell<Vec<Value>>>;

/// Which Java list a list value stands for; only `toString()` tells them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ListKind {
    /// json-smart `JSONArray` (JSON arrays from `$input.path`, `$util.parseJson`):
    /// `toString()` is compact JSON.
    Json,
    /// `java.util.ArrayList` (list literals, ranges, `split` results, key sets):
    /// `toString()` is `[a, b]`.
    Java,
}

/// The objects API Gateway puts in the context, with their methods.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Builtin {
    Input,
    Util,
}

/// A `$foreach` loop scope.
#[derive(Debug, Clone)]
pub(crate) struct ForeachScope {
    pub(crate) index: i64,
    pub(crate) has_next: bool,
    pub(crate) parent: Option<Rc<RefCell<ForeachScope>>>,
}

#[derive(Clone, Debug, Default)]
pub(crate) enum Value {
    #[default]
    Null,
    Bool(bool),
    /// `Integer` or `Long`.
    Int(i64),
    /// `Double`.
    Double(f64),
    /// A `Character` (from `charAt`).
    Char(u16),
    Str(Rc<str>),
    List(ListRef, ListKind),
    Map(MapRef),
    /// A `Map.Entry` from `entrySet()`.
    Entry(Rc<(String, Value)>),
    Builtin(Builtin),
    Foreach(Rc<RefCell<ForeachScope>>),
    /// A `#define`d block: renders its body when referenced.
    Block(Arc<Block>),
}

impl Value {
    pub(crate) fn str(s: &str) -> Value {
        Value::Str(Rc::from(s))
    }

    pub(crate) fn string(s: String) -> Value {
        Value::Str(Rc::from(s))
    }

    pub(crate) fn new_list(items: Vec<Value>, kind: ListKind) -> Value {
        Value::List(Rc::new(RefCell::new(items)), kind)
    }

    pub(crate) fn new_map(map: IndexMap<String, Value>) -> Value {
        Value::Map(Rc::new(RefCell::new(map)))
    }

    pub(crate) fn is_null(&self) -> bool {
        matches!(self, Value::Null)
    }

    /// Velocity's truth: null and `false` are false, everything else is true.
    pub(crate) fn truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            _ => true,
        }
    }

    pub(crate) fn as_number(&self) -> Option<Number> {
        match self {
            Value::Int(i) => Some(Number::Int(*i)),
            Value::Double(d) => Some(Number::Double(*d)),
            _ => None,
        }
    }

    /// Java's `toString()` of the object (`String.valueOf` for null).
    pub(crate) fn java_string(&self) -> String {
        let mut out = String::new();
        self.write_java(&mut out, 0);
        out
    }

    pub(crate) fn write_java(&self, out: &mut String, depth: usize) {
        if depth > 64 {
            out.push_str("(...)");
            return;
        }
        match self {
            Value::Null => out.push_str("null"),
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => out.push_str(&java_double(*d)),
            Value::Char(c) => out.push_str(&String::from_utf16_lossy(&[*c])),
            Value::Str(s) => out.push_str(s),
            Value::List(items, ListKind::Java) => {
                out.push('[');
                for (i, item) in items.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    if let Value::List(inner, _) = item
                        && Rc::ptr_eq(inner, items)
                    {
                        out.push_str("(this Collection)");
                        continue;
                    }
                    item.write_java(out, depth + 1);
                }
                out.push(']');
            }
            Value::List(_, ListKind::Json) => self.write_json(out, true, depth),
            Value::Map(map) => {
                out.push('{');
                for (i, (key, value)) in map.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    out.push_str(key);
                    out.push('=');
                    if let Value::Map(inner) = value
                        && Rc::ptr_eq(inner, map)
                    {
                        out.push_str("(this Map)");
                        continue;
                    }
                    value.write_java(out, depth + 1);
                }
                out.push('}');
            }
            Value::Entry(entry) => {
                out.push_str(&entry.0);
                out.push('=');
                entry.1.write_java(out, depth + 1);
            }
            Value::Builtin(Builtin::Input) => out.push_str("$input"),
            Value::Builtin(Builtin::Util) => out.push_str("$util"),
            Value::Foreach(_) => out.push_str("$foreach"),
            Value::Block(_) => {}
        }
    }

    /// json-smart's serialisation (`JSONValue.toJSONString`), as `$input.json` and a
    /// `JSONArray`'s `toString()` print: compact, with `/` escaped as `\/` when `web_safe`.
    pub(crate) fn write_json(&self, out: &mut String, web_safe: bool, depth: usize) {
        if depth > 64 {
            out.push_str("null");
            return;
        }
        match self {
            Value::Null | Value::Builtin(_) | Value::Foreach(_) | Value::Block(_) => {
                out.push_str("null")
            }
            Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
            Value::Int(i) => {
                let _ = write!(out, "{i}");
            }
            Value::Double(d) => {
                if d.is_finite() {
                    out.push_str(&java_double(*d));
                } else {
                    out.push_str("null");
                }
            }
            Value::Char(_) | Value::Str(_) => {
                out.push('"');
                json_escape(&self.java_string(), web_safe, out);
                out.push('"');
            }
            Value::List(items, _) => {
                out.push('[');
                for (i, item) in items.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    item.write_json(out, web_safe, depth + 1);
                }
                out.push(']');
            }
            Value::Map(map) => {
                out.push('{');
                for (i, (key, value)) in map.borrow().iter().enumerate() {
                    if i > 0 {
                        out.push(',');
                    }
                    out.push('"');
                    json_escape(key, web_safe, out);
                    out.push_str("\":");
                    value.write_json(out, web_safe, depth + 1);
                }
                out.push('}');
            }
            Value::Entry(entry) => {
                out.push('{');
                out.push('"');
                json_escape(&entry.0, web_safe, out);
                out.push_str("\":");
                entry.1.write_json(out, web_safe, depth + 1);
                out.push('}');
            }
        }
    }

    /// Java's `equals` between two non-null values of related classes.
    pub(crate) fn java_equals(&self, other: &Value) -> bool {
        match (self, other) {
            (Value::Null, Value::Null) => true,
            (Value::Bool(a), Value::Bool(b)) => a == b,
            (Value::Int(a), Value::Int(b)) => a == b,
            (Value::Double(a), Value::Double(b)) => a.to_bits() == b.to_bits() || a == b,
            (Value::Char(a), Value::Char(b)) => a == b,
            (Value::Str(a), Value::Str(b)) => a == b,
            (Value::List(a, _), Value::List(b, _)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len() && a.iter().zip(b.iter()).all(|(x, y)| x.java_equals(y))
            }
            (Value::Map(a), Value::Map(b)) => {
                if Rc::ptr_eq(a, b) {
                    return true;
                }
                let (a, b) = (a.borrow(), b.borrow());
                a.len() == b.len()
                    && a.iter()
                        .all(|(k, v)| b.get(k).is_some_and(|w| v.java_equals(w)))
            }
            (Value::Entry(a), Value::Entry(b)) => a.0 == b.0 && a.1.java_equals(&b.1),
            (Value::Builtin(a), Value::Builtin(b)) => a == b,
            (Value::Foreach(a), Value::Foreach(b)) => Rc::ptr_eq(a, b),
            (Value::Block(a), Value::Block(b)) => Arc::ptr_eq(a, b),
            _ => false,
        }
    }

    /// Whether two values are of "related classes" in Java's sense (one class assignable from
    /// the other), which decides whether Velocity's `==` uses `equals` or compares strings.
    pub(crate) fn same_class(&self, other: &Value) -> bool {
        std::mem::discriminant(self) == std::mem::discriminant(other)
    }

    /// A short name of the Java class, for error messages.
    pub(crate) fn class_name(&self) -> &'static str {
        match self {
            Value::Null => "null",
            Value::Bool(_) => "java.lang.Boolean",
            Value::Int(_) => "java.lang.Integer",
            Value::Double(_) => "java.lang.Double",
            Value::Char(_) => "java.lang.Character",
            Value::Str(_) => "java.lang.String",
            Value::List(_, ListKind::Json) => "net.minidev.json.JSONArray",
            Value::List(_, ListKind::Java) => "java.util.ArrayList",
            Value::Map(_) => "java.util.LinkedHashMap",
            Value::Entry(_) => "java.util.Map$Entry",
            Value::Builtin(_) => "API Gateway variable",
            Value::Foreach(_) => "org.apache.velocity.runtime.directive.ForeachScope",
            Value::Block(_) => "org.apache.velocity.runtime.directive.Block$Reference",
        }
    }
}

#[derive(Clone, Copy, Debug)]
pub(crate) enum Number {
    Int(i64),
    Double(f64),
}

impl Number {
    pub(crate) fn as_f64(self) -> f64 {
        match self {
            Number::Int(i) => i as f64,
            Number::Double(d) => d,
        }
    }

    pub(crate) fn into_value(self) -> Value {
        match self {
            Number::Int(i) => Value::Int(i),
            Number::Double(d) => Value::Double(d),
        }
    }
}

/// json-smart's string escaping (`JStylerObj.ESCAPE4Web` when `web_safe`, else `ESCAPE_LT`).
pub(crate) fn json_escape(s: &str, web_safe: bool, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '/' if web_safe => out.push_str("\\/"),
            c if (c as u32) <= 0x1f
                || (0x7f..=0x9f).contains(&(c as u32))
                || (0x2000..=0x20ff).contains(&(c as u32)) =>
            {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
}

/// Java's `Double.toString(d)`: the shortest digits that round-trip, laid out as Java does
/// (`1.0`, `0.001`, `1.0E7`, `1.0E-4`).
pub(crate) fn java_double(d: f64) -> String {
    if d.is_nan() {
        return "NaN".to_owned();
    }
    if d.is_infinite() {
        return if d > 0.0 {
            "Infinity".to_owned()
        } else {
            "-Infinity".to_owned()
        };
    }
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0.0".to_owned()
        } else {
            "0.0".to_owned()
        };
    }
    // Rust's `{:e}` gives the shortest round-trip digits: "1.2345e6", "5e-324".
    let sci = format!("{:e}", d.abs());
    let (mantissa, exponent) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exponent: i32 = exponent.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| c.is_ascii_digit()).collect();
    let digits = digits.trim_end_matches('0');
    let digits = if digits.is_empty() { "0" } else { digits };
    let mut out = String::new();
    if d < 0.0 {
        out.push('-');
    }
    let abs = d.abs();
    if (1e-3..1e7).contains(&abs) {
        if exponent >= 0 {
            let int_len = (exponent + 1) as usize;
            if digits.len() <= int_len {
                out.push_str(digits);
                out.push_str(&"0".repeat(int_len - digits.len()));
                out.push_str(".0");
            } else {
                out.push_str(&digits[..int_len]);
                out.push('.');
                out.push_str(&digits[int_len..]);
            }
        } else {
            out.push_str("0.");
            out.push_str(&"0".repeat((-exponent - 1) as usize));
            out.push_str(digits);
        }
    } else {
        out.push_str(&digits[..1]);
        out.push('.');
        if digits.len() > 1 {
            out.push_str(&digits[1..]);
        } else {
            out.push('0');
        }
        out.push('E');
        let _ = write!(out, "{exponent}");
    }
    out
}

/// Converts a JSON document into values: objects become `LinkedHashMap`s, arrays json-smart
/// `JSONArray`s, integers `Integer`/`Long`, other numbers `Double`.
pub(crate) fn from_json(value: &serde_json::Value, list_kind: ListKind) -> Value {
    match value {
        serde_json::Value::Null => Value::Null,
        serde_json::Value::Bool(b) => Value::Bool(*b),
        serde_json::Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                Value::Int(i)
            } else {
                Value::Double(n.as_f64().unwrap_or(0.0))
            }
        }
        serde_json::Value::String(s) => Value::str(s),
        serde_json::Value::Array(items) => Value::new_list(
            items.iter().map(|v| from_json(v, list_kind)).collect(),
            list_kind,
        ),
        serde_json::Value::Object(map) => Value::new_map(
            map.iter()
                .map(|(k, v)| (k.clone(), from_json(v, list_kind)))
                .collect(),
        ),
    }
}

/// Converts a value back into JSON (for the `$context` overrides a template sets).
pub(crate) fn to_json(value: &Value, depth: usize) -> serde_json::Value {
    if depth > 64 {
        return serde_json::Value::Null;
    }
    match value {
        Value::Null | Value::Builtin(_) | Value::Foreach(_) | Value::Block(_) => {
            serde_json::Value::Null
        }
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Int(i) => serde_json::Value::from(*i),
        Value::Double(d) => serde_json::Number::from_f64(*d)
            .map(serde_json::Value::Number)
            .unwrap_or(serde_json::Value::Null),
        Value::Char(_) | Value::Str(_) => serde_json::Value::String(value.java_string()),
        Value::List(items, _) => serde_json::Value::Array(
            items
                .borrow()
                .iter()
                .map(|v| to_json(v, depth + 1))
                .collect(),
        ),
        Value::Map(map) => serde_json::Value::Object(
            map.borrow()
                .iter()
                .map(|(k, v)| (k.clone(), to_json(v, depth + 1)))
                .collect(),
        ),
        Value::Entry(entry) => {
            let mut map = serde_json::Map::new();
            map.insert(entry.0.clone(), to_json(&entry.1, depth + 1));
            serde_json::Value::Object(map)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::java_double;

    #[test]
    fn doubles_print_as_java_does() {
        for (d, s) in [
            (1.0, "1.0"),
            (10.0, "10.0"),
            (0.1, "0.1"),
            (1.99, "1.99"),
            (0.001, "0.001"),
            (0.0001, "1.0E-4"),
            (1234567.0, "1234567.0"),
            (12345678.0, "1.2345678E7"),
            (1e10, "1.0E10"),
            (-2.5, "-2.5"),
            (0.30000000000000004, "0.30000000000000004"),
            (100.5, "100.5"),
            (0.0, "0.0"),
            (1e21, "1.0E21"),
            (123.456e-10, "1.23456E-8"),
        ] {
            assert_eq!(java_double(d), s, "{d}");
        }
    }
}
