//! The Java methods and properties a template can call on values: `String`'s (`length()`,
//! `substring`, `replaceAll`, `split`, ...), `List`'s, `Map`'s, numbers' and booleans'.
//!
//! Velocity resolves a method by name and argument types; a call that matches no method
//! yields null (and renders as nothing in API Gateway). A call that matches but throws in
//! Java (`substring` out of range, `get` past the end, a bad regex) is a render error.
//! Java strings index UTF-16 units, so string positions here do too.

use std::cell::RefCell;
use std::rc::Rc;

use crate::value::{ListKind, Value};

/// What a method call produced.
pub(crate) enum Outcome {
    /// The method exists; its result (possibly null).
    Value(Value),
    /// No method of that name takes these arguments: the reference is null.
    NoMethod,
    /// The method threw: the message of the Java exception.
    Threw(String),
}

use Outcome::*;

fn utf16(s: &str) -> Vec<u16> {
    s.encode_utf16().collect()
}

fn from_utf16(units: &[u16]) -> Value {
    Value::string(String::from_utf16_lossy(units))
}

fn int_arg(v: &Value) -> Option<i64> {
    match v {
        Value::Int(i) => Some(*i),
        _ => None,
    }
}

/// Index of `needle` in `hay` at or after `from` (UTF-16 units), as `String.indexOf`.
fn index_of(hay: &[u16], needle: &[u16], from: i64) -> i64 {
    let from = from.max(0) as usize;
    if needle.is_empty() {
        return from.min(hay.len()) as i64;
    }
    if from >= hay.len() || needle.len() > hay.len() {
        return -1;
    }
    (from..=hay.len() - needle.len())
        .find(|&i| hay[i..i + needle.len()] == *needle)
        .map_or(-1, |i| i as i64)
}

fn last_index_of(hay: &[u16], needle: &[u16], from: i64) -> i64 {
    if from < 0 || needle.len() > hay.len() {
        return -1;
    }
    let start = (from as usize).min(hay.len() - needle.len());
    (0..=start)
        .rev()
        .find(|&i| hay[i..i + needle.len()] == *needle)
        .map_or(-1, |i| i as i64)
}

/// Java's `String.trim()`: strips chars `<= ' '`.
fn java_trim(s: &str) -> &str {
    s.trim_matches(|c: char| c <= ' ')
}

/// Translates a Java regex into the `regex` crate's syntax where they differ in spelling.
fn java_regex(pattern: &str) -> Result<regex::Regex, String> {
    let translated = pattern
        .replace("\\p{javaLowerCase}", "\\p{Ll}")
        .replace("\\p{javaUpperCase}", "\\p{Lu}")
        .replace("\\p{Alpha}", "[a-zA-Z]")
        .replace("\\p{Digit}", "[0-9]")
        .replace("\\p{Alnum}", "[a-zA-Z0-9]")
        .replace("\\p{Punct}", "[!-/:-@\\[-`{-~]")
        .replace("\\p{Space}", "\\s")
        .replace("\\p{Upper}", "[A-Z]")
        .replace("\\p{Lower}", "[a-z]");
    regex::RegexBuilder::new(&translated)
        .size_limit(1 << 20)
        .build()
        .map_err(|e| format!("java.util.regex.PatternSyntaxException: {e}"))
}

/// Expands a Java `Matcher.replaceAll` replacement: `$n` groups, `\x` escapes.
fn java_replacement(caps: &regex::Captures<'_>, replacement: &str) -> Result<String, String> {
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '\\' => {
                match chars.next() {
                    Some(n) => out.push(n),
                    None => return Err(
                        "java.lang.IllegalArgumentException: character to be escaped is missing"
                            .to_owned(),
                    ),
                }
            }
            '$' => {
                let mut digits = String::new();
                if chars.peek() == Some(&'{') {
                    chars.next();
                    let name: String = chars.by_ref().take_while(|&c| c != '}').collect();
                    match caps.name(&name) {
                        Some(m) => out.push_str(m.as_str()),
                        None => {
                            return Err(format!(
                                "java.lang.IllegalArgumentException: No group with name {{{name}}}"
                            ));
                        }
                    }
                    continue;
                }
                while let Some(&d) = chars.peek() {
                    if d.is_ascii_digit() {
                        let candidate = format!("{digits}{d}");
                        let n: usize = candidate.parse().unwrap_or(usize::MAX);
                        if digits.is_empty() || n < caps.len() {
                            digits = candidate;
                            chars.next();
                            continue;
                        }
                    }
                    break;
                }
                if digits.is_empty() {
                    return Err(
                        "java.lang.IllegalArgumentException: Illegal group reference".to_owned(),
                    );
                }
                let n: usize = digits.parse().unwrap_or(usize::MAX);
                if n >= caps.len() {
                    return Err(format!("java.lang.IndexOutOfBoundsException: No group {n}"));
                }
                if let Some(m) = caps.get(n) {
                    out.push_str(m.as_str());
                }
            }
            c => out.push(c),
        }
    }
    Ok(out)
}

fn replace_regex(s: &str, pattern: &str, replacement: &str, all: bool, max_len: usize) -> Outcome {
    let re = match java_regex(pattern) {
        Ok(re) => re,
        Err(e) => return Threw(e),
    };
    let mut out = String::new();
    let mut last = 0;
    for caps in re.captures_iter(s) {
        let Some(m) = caps.get(0) else { continue };
        out.push_str(&s[last..m.start()]);
        match java_replacement(&caps, replacement) {
            Ok(r) => out.push_str(&r),
            Err(e) => return Threw(e),
        }
        last = m.end();
        if out.len() > max_len {
            return Threw(format!("string longer than {max_len} bytes"));
        }
        if !all {
            break;
        }
    }
    out.push_str(&s[last..]);
    Value(Value::string(out))
}

/// Java's `String.split(regex, limit)`.
fn split(s: &str, pattern: &str, limit: i64) -> Outcome {
    let re = match java_regex(pattern) {
        Ok(re) => re,
        Err(e) => return Threw(e),
    };
    let mut parts: Vec<&str> = Vec::new();
    let mut last = 0;
    for m in re.find_iter(s) {
        if limit > 0 && parts.len() as i64 == limit - 1 {
            break;
        }
        // A zero-width match at the very start yields no leading empty string (Java 8+).
        if m.end() == 0 {
            continue;
        }
        if m.start() == m.end() && m.start() >= s.len() {
            break;
        }
        parts.push(&s[last..m.start()]);
        last = m.end();
    }
    parts.push(&s[last..]);
    if s.is_empty() {
        parts = vec![""];
    } else if limit == 0 {
        while parts.len() > 1 && parts.last() == Some(&"") {
            parts.pop();
        }
        if parts.len() == 1 && parts[0].is_empty() && !s.is_empty() {
            parts.clear();
        }
    }
    Value(Value::new_list(
        parts.into_iter().map(Value::str).collect(),
        ListKind::Java,
    ))
}

pub(crate) fn string_method(s: &str, name: &str, args: &[Value], max_len: usize) -> Outcome {
    match (name, args) {
        ("length", []) => Value(Value::Int(s.encode_utf16().count() as i64)),
        ("isEmpty", []) => Value(Value::Bool(s.is_empty())),
        ("toString" | "intern", []) => Value(Value::str(s)),
        ("trim", []) => Value(Value::str(java_trim(s))),
        ("toLowerCase", []) => Value(Value::string(s.to_lowercase())),
        ("toUpperCase", []) => Value(Value::string(s.to_uppercase())),
        ("hashCode", []) => {
            let mut h: i32 = 0;
            for u in s.encode_utf16() {
                h = h.wrapping_mul(31).wrapping_add(u as i32);
            }
            Value(Value::Int(h as i64))
        }
        ("charAt", [i]) => {
            let Some(i) = int_arg(i) else { return NoMethod };
            let units = utf16(s);
            match usize::try_from(i).ok().and_then(|i| units.get(i)) {
                Some(&u) => Value(Value::Char(u)),
                None => Threw(format!(
                    "java.lang.StringIndexOutOfBoundsException: String index out of range: {i}"
                )),
            }
        }
        ("substring", [b]) => {
            let Some(b) = int_arg(b) else { return NoMethod };
            let units = utf16(s);
            if b < 0 || b as usize > units.len() {
                return Threw(format!(
                    "java.lang.StringIndexOutOfBoundsException: String index out of range: {}",
                    if b < 0 { b } else { units.len() as i64 - b }
                ));
            }
            Value(from_utf16(&units[b as usize..]))
        }
        ("substring", [b, e]) => {
            let (Some(b), Some(e)) = (int_arg(b), int_arg(e)) else {
                return NoMethod;
            };
            let units = utf16(s);
            if b < 0 || e > units.len() as i64 || b > e {
                return Threw(format!(
                    "java.lang.StringIndexOutOfBoundsException: begin {b}, end {e}, length {}",
                    units.len()
                ));
            }
            Value(from_utf16(&units[b as usize..e as usize]))
        }
        ("indexOf", [needle]) | ("indexOf", [needle, _]) => {
            let from = args.get(1).map(int_arg);
            let from = match from {
                None => 0,
                Some(Some(f)) => f,
                Some(None) => return NoMethod,
            };
            let needle = match needle {
                Value::Str(n) => utf16(n),
                Value::Char(c) => vec![*c],
                _ => return NoMethod,
            };
            Value(Value::Int(index_of(&utf16(s), &needle, from)))
        }
        ("lastIndexOf", [needle]) | ("lastIndexOf", [needle, _]) => {
            let hay = utf16(s);
            let from = match args.get(1).map(int_arg) {
                None => hay.len() as i64,
                Some(Some(f)) => f,
                Some(None) => return NoMethod,
            };
            let needle = match needle {
                Value::Str(n) => utf16(n),
                Value::Char(c) => vec![*c],
                _ => return NoMethod,
            };
            Value(Value::Int(last_index_of(&hay, &needle, from)))
        }
        ("contains", [Value::Str(n)]) => Value(Value::Bool(s.contains(n.as_ref()))),
        ("startsWith", [Value::Str(p)]) => Value(Value::Bool(s.starts_with(p.as_ref()))),
        ("startsWith", [Value::Str(p), Value::Int(offset)]) => {
            let units = utf16(s);
            let p = utf16(p);
            let ok = *offset >= 0
                && (*offset as usize) + p.len() <= units.len()
                && units[*offset as usize..*offset as usize + p.len()] == p[..];
            Value(Value::Bool(ok))
        }
        ("endsWith", [Value::Str(p)]) => Value(Value::Bool(s.ends_with(p.as_ref()))),
        ("equals", [other]) => Value(Value::Bool(
            matches!(other, Value::Str(o) if o.as_ref() == s),
        )),
        ("equalsIgnoreCase", [other]) => Value(Value::Bool(match other {
            Value::Str(o) => {
                let (a, b) = (utf16(s), utf16(o));
                a.len() == b.len()
                    && a.iter().zip(b.iter()).all(|(x, y)| {
                        let x = String::from_utf16_lossy(&[*x]);
                        let y = String::from_utf16_lossy(&[*y]);
                        x == y
                            || x.to_uppercase() == y.to_uppercase()
                            || x.to_lowercase() == y.to_lowercase()
                    })
            }
            _ => false,
        })),
        ("compareTo", [Value::Str(o)]) => Value(Value::Int(java_compare(s, o, false))),
        ("compareToIgnoreCase", [Value::Str(o)]) => Value(Value::Int(java_compare(s, o, true))),
        ("concat", [Value::Str(o)]) => {
            if s.len() + o.len() > max_len {
                return Threw(format!("string longer than {max_len} bytes"));
            }
            Value(Value::string(format!("{s}{o}")))
        }
        ("replace", [a, b]) => {
            let (from, to) = match (a, b) {
                (Value::Str(a), Value::Str(b)) => (a.to_string(), b.to_string()),
                (Value::Char(a), Value::Char(b)) => (
                    String::from_utf16_lossy(&[*a]),
                    String::from_utf16_lossy(&[*b]),
                ),
                _ => return NoMethod,
            };
            let replaced = if from.is_empty() {
                // Java inserts the replacement between every char and at both ends.
                let mut out = to.clone();
                for c in s.chars() {
                    out.push(c);
                    out.push_str(&to);
                }
                out
            } else {
                s.replace(&from, &to)
            };
            if replaced.len() > max_len {
                return Threw(format!("string longer than {max_len} bytes"));
            }
            Value(Value::string(replaced))
        }
        ("replaceAll", [Value::Str(re), Value::Str(rep)]) => {
            replace_regex(s, re, rep, true, max_len)
        }
        ("replaceFirst", [Value::Str(re), Value::Str(rep)]) => {
            replace_regex(s, re, rep, false, max_len)
        }
        ("matches", [Value::Str(re)]) => match java_regex(&format!("^(?:{re})$")) {
            Ok(re) => Value(Value::Bool(re.is_match(s))),
            Err(e) => Threw(e),
        },
        ("split", [Value::Str(re)]) => split(s, re, 0),
        ("split", [Value::Str(re), Value::Int(limit)]) => split(s, re, *limit),
        ("toCharArray", []) => Value(Value::new_list(
            s.encode_utf16().map(Value::Char).collect(),
            ListKind::Java,
        )),
        ("getBytes", []) => Value(Value::new_list(
            s.as_bytes()
                .iter()
                .map(|&b| Value::Int(b as i8 as i64))
                .collect(),
            ListKind::Java,
        )),
        _ => NoMethod,
    }
}

fn java_compare(a: &str, b: &str, ignore_case: bool) -> i64 {
    let fold = |s: &str| -> Vec<u16> {
        if ignore_case {
            s.chars()
                .flat_map(|c| c.to_uppercase().flat_map(|u| u.to_lowercase()))
                .collect::<String>()
                .encode_utf16()
                .collect()
        } else {
            s.encode_utf16().collect()
        }
    };
    let (a, b) = (fold(a), fold(b));
    for (x, y) in a.iter().zip(b.iter()) {
        if x != y {
            return *x as i64 - *y as i64;
        }
    }
    a.len() as i64 - b.len() as i64
}

pub(crate) fn list_method(
    items: &Rc<RefCell<Vec<Value>>>,
    kind: ListKind,
    name: &str,
    args: &[Value],
) -> Outcome {
    match (name, args) {
        ("size", []) => Value(Value::Int(items.borrow().len() as i64)),
        ("isEmpty", []) => Value(Value::Bool(items.borrow().is_empty())),
        ("get", [i]) => {
            let Some(i) = int_arg(i) else { return NoMethod };
            let items = items.borrow();
            match usize::try_from(i).ok().and_then(|i| items.get(i)) {
                Some(v) => Value(v.clone()),
                None => Threw(format!(
                    "java.lang.IndexOutOfBoundsException: Index: {i}, Size: {}",
                    items.len()
                )),
            }
        }
        ("contains", [v]) => Value(Value::Bool(items.borrow().iter().any(|x| x.java_equals(v)))),
        ("indexOf", [v]) => Value(Value::Int(
            items
                .borrow()
                .iter()
                .position(|x| x.java_equals(v))
                .map_or(-1, |i| i as i64),
        )),
        ("lastIndexOf", [v]) => Value(Value::Int(
            items
                .borrow()
                .iter()
                .rposition(|x| x.java_equals(v))
                .map_or(-1, |i| i as i64),
        )),
        ("add", [v]) => {
            items.borrow_mut().push(v.clone());
            Value(Value::Bool(true))
        }
        ("add", [Value::Int(i), v]) => {
            let mut items = items.borrow_mut();
            if *i < 0 || *i as usize > items.len() {
                return Threw(format!(
                    "java.lang.IndexOutOfBoundsException: Index: {i}, Size: {}",
                    items.len()
                ));
            }
            items.insert(*i as usize, v.clone());
            Value(Value::Null)
        }
        ("addAll", [Value::List(other, _)]) => {
            let other = other.borrow().clone();
            items.borrow_mut().extend(other);
            Value(Value::Bool(true))
        }
        ("set", [Value::Int(i), v]) => {
            let mut items = items.borrow_mut();
            match usize::try_from(*i).ok().filter(|&i| i < items.len()) {
                Some(i) => Value(std::mem::replace(&mut items[i], v.clone())),
                None => Threw(format!(
                    "java.lang.IndexOutOfBoundsException: Index: {i}, Size: {}",
                    items.len()
                )),
            }
        }
        ("remove", [Value::Int(i)]) => {
            let mut items = items.borrow_mut();
            match usize::try_from(*i).ok().filter(|&i| i < items.len()) {
                Some(i) => Value(items.remove(i)),
                None => Threw(format!(
                    "java.lang.IndexOutOfBoundsException: Index: {i}, Size: {}",
                    items.len()
                )),
            }
        }
        ("remove", [v]) => {
            let mut items = items.borrow_mut();
            match items.iter().position(|x| x.java_equals(v)) {
                Some(i) => {
                    items.remove(i);
                    Value(Value::Bool(true))
                }
                None => Value(Value::Bool(false)),
            }
        }
        ("clear", []) => {
            items.borrow_mut().clear();
            Value(Value::Null)
        }
        ("subList", [Value::Int(a), Value::Int(b)]) => {
            let items = items.borrow();
            if *a < 0 || *b > items.len() as i64 || a > b {
                return Threw(format!(
                    "java.lang.IndexOutOfBoundsException: fromIndex: {a}, toIndex: {b}"
                ));
            }
            Value(Value::new_list(
                items[*a as usize..*b as usize].to_vec(),
                kind,
            ))
        }
        ("toString", []) => Value(Value::string(
            Value::List(items.clone(), kind).java_string(),
        )),
        ("equals", [other]) => Value(Value::Bool(
            Value::List(items.clone(), kind).java_equals(other),
        )),
        ("toJSONString", []) if kind == ListKind::Json => {
            let mut out = String::new();
            Value::List(items.clone(), kind).write_json(&mut out, true, 0);
            Value(Value::string(out))
        }
        _ => NoMethod,
    }
}

pub(crate) fn map_method(map: &Value, name: &str, args: &[Value]) -> Outcome {
    let Value::Map(m) = map else { return NoMethod };
    match (name, args) {
        ("get", [key]) => Value(
            m.borrow()
                .get(&key.java_string())
                .cloned()
                .unwrap_or_default(),
        ),
        ("getOrDefault", [key, default]) => Value(
            m.borrow()
                .get(&key.java_string())
                .cloned()
                .unwrap_or_else(|| default.clone()),
        ),
        ("containsKey", [key]) => Value(Value::Bool(m.borrow().contains_key(&key.java_string()))),
        ("containsValue", [v]) => Value(Value::Bool(m.borrow().values().any(|x| x.java_equals(v)))),
        ("keySet", []) => Value(Value::new_list(
            m.borrow().keys().map(|k| Value::str(k)).collect(),
            ListKind::Java,
        )),
        ("values", []) => Value(Value::new_list(
            m.borrow().values().cloned().collect(),
            ListKind::Java,
        )),
        ("entrySet", []) => Value(Value::new_list(
            m.borrow()
                .iter()
                .map(|(k, v)| Value::Entry(Rc::new((k.clone(), v.clone()))))
                .collect(),
            ListKind::Java,
        )),
        ("size", []) => Value(Value::Int(m.borrow().len() as i64)),
        ("isEmpty", []) => Value(Value::Bool(m.borrow().is_empty())),
        ("put", [key, v]) => Value(
            m.borrow_mut()
                .insert(key.java_string(), v.clone())
                .unwrap_or_default(),
        ),
        ("putIfAbsent", [key, v]) => {
            let key = key.java_string();
            let existing = m.borrow().get(&key).cloned();
            match existing {
                Some(e) if !e.is_null() => Value(e),
                _ => {
                    m.borrow_mut().insert(key, v.clone());
                    Value(Value::Null)
                }
            }
        }
        ("putAll", [Value::Map(other)]) => {
            let other = other.borrow().clone();
            m.borrow_mut().extend(other);
            Value(Value::Null)
        }
        ("remove", [key]) => Value(
            m.borrow_mut()
                .shift_remove(&key.java_string())
                .unwrap_or_default(),
        ),
        ("clear", []) => {
            m.borrow_mut().clear();
            Value(Value::Null)
        }
        ("toString", []) => Value(Value::string(map.java_string())),
        ("equals", [other]) => Value(Value::Bool(map.java_equals(other))),
        _ => NoMethod,
    }
}

pub(crate) fn number_method(value: &Value, name: &str, args: &[Value]) -> Outcome {
    let as_f64 = match value {
        Value::Int(i) => *i as f64,
        Value::Double(d) => *d,
        _ => return NoMethod,
    };
    match (name, args) {
        ("toString", []) => Value(Value::string(value.java_string())),
        ("intValue", []) => Value(Value::Int(match value {
            Value::Int(i) => *i as i32 as i64,
            _ => java_f64_to_i32(as_f64),
        })),
        ("longValue", []) => Value(Value::Int(match value {
            Value::Int(i) => *i,
            _ => as_f64 as i64,
        })),
        ("doubleValue" | "floatValue", []) => Value(Value::Double(as_f64)),
        ("equals", [other]) => Value(Value::Bool(
            value.same_class(other) && value.java_equals(other),
        )),
        ("compareTo", [other]) => match other.as_number() {
            Some(o) => Value(Value::Int(match as_f64.partial_cmp(&o.as_f64()) {
                Some(std::cmp::Ordering::Less) => -1,
                Some(std::cmp::Ordering::Greater) => 1,
                _ => 0,
            })),
            None => NoMethod,
        },
        ("isNaN", []) => Value(Value::Bool(as_f64.is_nan())),
        ("isInfinite", []) => Value(Value::Bool(as_f64.is_infinite())),
        ("hashCode", []) => Value(Value::Int(match value {
            Value::Int(i) => *i as i32 as i64,
            _ => {
                let bits = as_f64.to_bits();
                ((bits ^ (bits >> 32)) as i32) as i64
            }
        })),
        _ => NoMethod,
    }
}

fn java_f64_to_i32(d: f64) -> i64 {
    if d.is_nan() {
        0
    } else {
        d.clamp(i32::MIN as f64, i32::MAX as f64) as i32 as i64
    }
}

pub(crate) fn bool_method(b: bool, name: &str, args: &[Value]) -> Outcome {
    match (name, args) {
        ("toString", []) => Value(Value::str(if b { "true" } else { "false" })),
        ("booleanValue", []) => Value(Value::Bool(b)),
        ("equals", [other]) => Value(Value::Bool(matches!(other, Value::Bool(o) if *o == b))),
        _ => NoMethod,
    }
}
