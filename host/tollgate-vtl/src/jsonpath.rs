//! The JSONPath subset `$input.path` and `$input.json` evaluate, with Jayway JsonPath's
//! semantics (the library API Gateway documents): `$`, `.name`, `['name']`, `[0]`, `[-1]`,
//! `[0,1]`, `[1:3]`, `[*]`, `.*`, `..name` and simple filters `[?(@.a == 1)]`.
//!
//! A *definite* path (only names and single indexes) yields the value itself, or nothing when
//! it is missing. Any other path yields a list (a json-smart `JSONArray`) of every match.

use crate::value::{ListKind, Value};

#[derive(Debug, Clone)]
enum Step {
    Name(String),
    Names(Vec<String>),
    Index(i64),
    Indexes(Vec<i64>),
    Slice(Option<i64>, Option<i64>),
    Wildcard,
    DeepScan(Box<Step>),
    Filter(Filter),
}

#[derive(Debug, Clone)]
struct Filter {
    path: Vec<String>,
    op: Option<(String, FilterValue)>,
}

#[derive(Debug, Clone)]
enum FilterValue {
    Str(String),
    Num(f64),
    Bool(bool),
    Null,
}

/// Evaluates `path` against `root`. `Err` is an invalid path expression.
pub(crate) fn evaluate(root: &Value, path: &str) -> Result<Option<Value>, String> {
    let steps = parse(path)?;
    let definite = steps
        .iter()
        .all(|s| matches!(s, Step::Name(_) | Step::Index(_)));
    let mut current = vec![root.clone()];
    for step in &steps {
        let mut next = Vec::new();
        for value in &current {
            apply(step, value, &mut next, 0);
        }
        current = next;
        if current.len() > 1_000_000 {
            return Err("JSONPath result too large".to_owned());
        }
    }
    if definite {
        Ok(current.into_iter().next())
    } else {
        Ok(Some(Value::new_list(current, ListKind::Json)))
    }
}

fn apply(step: &Step, value: &Value, out: &mut Vec<Value>, depth: usize) {
    match step {
        Step::Name(name) => {
            if let Value::Map(map) = value
                && let Some(v) = map.borrow().get(name)
            {
                out.push(v.clone());
            }
        }
        Step::Names(names) => {
            if let Value::Map(map) = value {
                let map = map.borrow();
                for name in names {
                    if let Some(v) = map.get(name) {
                        out.push(v.clone());
                    }
                }
            }
        }
        Step::Index(i) => {
            if let Value::List(items, _) = value {
                let items = items.borrow();
                if let Some(v) = index(&items, *i) {
                    out.push(v.clone());
                }
            }
        }
        Step::Indexes(indexes) => {
            if let Value::List(items, _) = value {
                let items = items.borrow();
                for i in indexes {
                    if let Some(v) = index(&items, *i) {
                        out.push(v.clone());
                    }
                }
            }
        }
        Step::Slice(from, to) => {
            if let Value::List(items, _) = value {
                let items = items.borrow();
                let len = items.len() as i64;
                let norm = |i: i64| if i < 0 { (len + i).max(0) } else { i.min(len) };
                let from = from.map(norm).unwrap_or(0);
                let to = to.map(norm).unwrap_or(len);
                if from < to {
                    out.extend(items[from as usize..to as usize].iter().cloned());
                }
            }
        }
        Step::Wildcard => match value {
            Value::Map(map) => out.extend(map.borrow().values().cloned()),
            Value::List(items, _) => out.extend(items.borrow().iter().cloned()),
            _ => {}
        },
        Step::DeepScan(inner) => {
            if depth > 256 {
                return;
            }
            apply(inner, value, out, depth);
            match value {
                Value::Map(map) => {
                    for child in map.borrow().values() {
                        apply(step, child, out, depth + 1);
                    }
                }
                Value::List(items, _) => {
                    for child in items.borrow().iter() {
                        apply(step, child, out, depth + 1);
                    }
                }
                _ => {}
            }
        }
        Step::Filter(filter) => {
            let candidates: Vec<Value> = match value {
                Value::List(items, _) => items.borrow().clone(),
                Value::Map(_) => vec![value.clone()],
                _ => Vec::new(),
            };
            for candidate in candidates {
                if filter_matches(filter, &candidate) {
                    out.push(candidate);
                }
            }
        }
    }
}

fn index(items: &[Value], i: i64) -> Option<&Value> {
    let len = items.len() as i64;
    let i = if i < 0 { len + i } else { i };
    if (0..len).contains(&i) {
        items.get(i as usize)
    } else {
        None
    }
}

fn filter_matches(filter: &Filter, candidate: &Value) -> bool {
    let mut value = candidate.clone();
    for name in &filter.path {
        let next = match &value {
            Value::Map(map) => map.borrow().get(name).cloned(),
            _ => None,
        };
        match next {
            Some(v) => value = v,
            None => return false,
        }
    }
    let Some((op, expected)) = &filter.op else {
        return true;
    };
    let ordering = match (&value, expected) {
        (Value::Str(a), FilterValue::Str(b)) => Some(a.as_ref().cmp(b.as_str())),
        (Value::Int(a), FilterValue::Num(b)) => (*a as f64).partial_cmp(b),
        (Value::Double(a), FilterValue::Num(b)) => a.partial_cmp(b),
        (Value::Bool(a), FilterValue::Bool(b)) => Some(a.cmp(b)),
        (Value::Null, FilterValue::Null) => Some(std::cmp::Ordering::Equal),
        _ => None,
    };
    use std::cmp::Ordering::*;
    match (op.as_str(), ordering) {
        ("==", Some(o)) => o == Equal,
        ("!=", Some(o)) => o != Equal,
        ("!=", None) => true,
        ("<", Some(o)) => o == Less,
        ("<=", Some(o)) => o != Greater,
        (">", Some(o)) => o == Greater,
        (">=", Some(o)) => o != Less,
        _ => false,
    }
}

fn parse(path: &str) -> Result<Vec<Step>, String> {
    let chars: Vec<char> = path.trim().chars().collect();
    let invalid = |why: &str| format!("Invalid JSONPath {path:?}: {why}");
    let mut i = 0;
    // Jayway accepts a path without the leading `$` as relative to the root.
    if chars.first() == Some(&'$') {
        i = 1;
    }
    let mut steps = Vec::new();
    let mut first = true;
    while i < chars.len() {
        let c = chars[i];
        if c == '.' {
            let deep = chars.get(i + 1) == Some(&'.');
            i += if deep { 2 } else { 1 };
            let step = if chars.get(i) == Some(&'*') {
                i += 1;
                Step::Wildcard
            } else if chars.get(i) == Some(&'[') {
                let (step, next) = parse_bracket(&chars, i).map_err(|e| invalid(&e))?;
                i = next;
                step
            } else {
                let start = i;
                while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                    i += 1;
                }
                if start == i {
                    return Err(invalid("empty property name"));
                }
                Step::Name(chars[start..i].iter().collect())
            };
            steps.push(if deep {
                Step::DeepScan(Box::new(step))
            } else {
                step
            });
        } else if c == '[' {
            let (step, next) = parse_bracket(&chars, i).map_err(|e| invalid(&e))?;
            i = next;
            steps.push(step);
        } else if first && c != '$' {
            // `name.other`: a path relative to the root.
            let start = i;
            while i < chars.len() && chars[i] != '.' && chars[i] != '[' {
                i += 1;
            }
            steps.push(Step::Name(chars[start..i].iter().collect()));
        } else {
            return Err(invalid(&format!("unexpected {c:?}")));
        }
        first = false;
        if steps.len() > 1024 {
            return Err(invalid("too many steps"));
        }
    }
    Ok(steps)
}

fn parse_bracket(chars: &[char], open: usize) -> Result<(Step, usize), String> {
    // Find the matching `]`, skipping quoted strings.
    let mut i = open + 1;
    let mut quote: Option<char> = None;
    let mut depth = 0;
    while i < chars.len() {
        let c = chars[i];
        match quote {
            Some(q) if c == q => quote = None,
            Some(_) => {}
            None if c == '\'' || c == '"' => quote = Some(c),
            None if c == '(' => depth += 1,
            None if c == ')' => depth -= 1,
            None if c == ']' && depth <= 0 => break,
            None => {}
        }
        i += 1;
    }
    if i >= chars.len() {
        return Err("unclosed '['".to_owned());
    }
    let inner: String = chars[open + 1..i].iter().collect();
    let inner = inner.trim();
    let step = if inner == "*" {
        Step::Wildcard
    } else if let Some(filter) = inner.strip_prefix('?') {
        Step::Filter(parse_filter(filter.trim())?)
    } else if inner.starts_with('\'') || inner.starts_with('"') {
        let names = split_top(inner)
            .into_iter()
            .map(|part| {
                let part = part.trim();
                if part.len() >= 2 && (part.starts_with('\'') || part.starts_with('"')) {
                    Ok(part[1..part.len() - 1].to_owned())
                } else {
                    Err(format!("bad property {part:?}"))
                }
            })
            .collect::<Result<Vec<_>, _>>()?;
        if names.len() == 1 {
            Step::Name(names.into_iter().next().unwrap_or_default())
        } else {
            Step::Names(names)
        }
    } else if let Some((from, to)) = inner.split_once(':') {
        let bound = |s: &str| -> Result<Option<i64>, String> {
            let s = s.trim();
            if s.is_empty() {
                Ok(None)
            } else {
                s.parse()
                    .map(Some)
                    .map_err(|_| format!("bad slice bound {s:?}"))
            }
        };
        Step::Slice(bound(from)?, bound(to.split(':').next().unwrap_or(""))?)
    } else {
        let indexes = inner
            .split(',')
            .map(|s| {
                s.trim()
                    .parse::<i64>()
                    .map_err(|_| format!("bad index {s:?}"))
            })
            .collect::<Result<Vec<_>, _>>()?;
        if indexes.len() == 1 {
            Step::Index(indexes[0])
        } else {
            Step::Indexes(indexes)
        }
    };
    Ok((step, i + 1))
}

fn split_top(s: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut quote: Option<char> = None;
    for c in s.chars() {
        match quote {
            Some(q) if c == q => {
                quote = None;
                current.push(c);
            }
            Some(_) => current.push(c),
            None if c == '\'' || c == '"' => {
                quote = Some(c);
                current.push(c);
            }
            None if c == ',' => parts.push(std::mem::take(&mut current)),
            None => current.push(c),
        }
    }
    parts.push(current);
    parts
}

fn parse_filter(s: &str) -> Result<Filter, String> {
    let s = s.trim();
    let inner = s
        .strip_prefix('(')
        .and_then(|s| s.strip_suffix(')'))
        .ok_or_else(|| format!("bad filter {s:?}"))?
        .trim();
    let rest = inner
        .strip_prefix('@')
        .ok_or_else(|| format!("filters must start with @: {inner:?}"))?;
    let ops = ["==", "!=", "<=", ">=", "<", ">"];
    let (lhs, op) = match ops
        .iter()
        .filter_map(|op| rest.find(op).map(|at| (at, *op)))
        .min_by_key(|(at, _)| *at)
    {
        Some((at, op)) => (&rest[..at], Some((op, &rest[at + op.len()..]))),
        None => (rest, None),
    };
    let path: Vec<String> = lhs
        .trim()
        .split('.')
        .filter(|p| !p.is_empty())
        .map(|p| {
            p.trim_matches(|c| c == '[' || c == ']' || c == '\'' || c == '"')
                .to_owned()
        })
        .collect();
    let op = match op {
        None => None,
        Some((op, rhs)) => {
            let rhs = rhs.trim();
            let value = if rhs.len() >= 2 && (rhs.starts_with('\'') || rhs.starts_with('"')) {
                FilterValue::Str(rhs[1..rhs.len() - 1].to_owned())
            } else if rhs == "true" || rhs == "false" {
                FilterValue::Bool(rhs == "true")
            } else if rhs == "null" {
                FilterValue::Null
            } else {
                FilterValue::Num(
                    rhs.parse()
                        .map_err(|_| format!("bad filter value {rhs:?}"))?,
                )
            };
            Some((op.to_owned(), value))
        }
    };
    Ok(Filter { path, op })
}
