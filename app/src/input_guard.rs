//! Control characters that no field needs are refused at the edge, the same way
//! on both engines: PostgreSQL cannot store U+0000 at all, and SQLite would keep
//! it and every other invisible character in names, codes and searches.
//!
//! Free text may hold TAB, LF and CR; nothing else below U+0020, DEL (U+007F)
//! or the C1 controls (U+0080 to U+009F).

use crate::error::Problem;

/// Whether `c` is a control character no field takes.
#[must_use]
pub fn is_refused(c: char) -> bool {
    c.is_control() && !matches!(c, '\t' | '\n' | '\r')
}

/// The first refused character of `text`, if any.
#[must_use]
pub fn first_refused(text: &str) -> Option<char> {
    text.chars().find(|&c| is_refused(c))
}

/// What is wrong with a value holding `c`.
#[must_use]
pub fn refused_message(c: char) -> String {
    format!(
        "contains the control character U+{:04X}, which no field accepts",
        u32::from(c)
    )
}

/// The problem for a field holding `c`.
fn problem(field: String, c: char) -> Problem {
    Problem::new(field, refused_message(c))
}

/// The strings of a JSON body that hold refused characters, each named by its
/// path (`items[2].description`). Raw C0 controls are not valid JSON and never
/// reach here; a body could only carry a refused character as a `\u` escape,
/// a raw DEL or a raw C1 control, so a body with none of those is not parsed a
/// second time.
#[must_use]
pub fn json_problems(body: &[u8]) -> Vec<Problem> {
    let may_hold = body.iter().any(|&b| b == b'\\' || b == 0x7f)
        || body
            .windows(2)
            .any(|w| w[0] == 0xc2 && (0x80..=0x9f).contains(&w[1]));
    if !may_hold {
        return Vec::new();
    }
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(body) else {
        // The handler answers malformed JSON itself.
        return Vec::new();
    };
    let mut problems = Vec::new();
    walk(&value, &mut String::new(), &mut problems);
    problems
}

fn walk(value: &serde_json::Value, path: &mut String, problems: &mut Vec<Problem>) {
    use serde_json::Value;
    match value {
        Value::String(text) => {
            if let Some(c) = first_refused(text) {
                let field = if path.is_empty() {
                    "body".to_owned()
                } else {
                    path.clone()
                };
                problems.push(problem(field, c));
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                walk(item, path, problems);
                path.truncate(len);
            }
        }
        Value::Object(fields) => {
            for (name, item) in fields {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                // A key with a control character is named by its escaped form.
                path.push_str(&name.escape_default().to_string());
                if let Some(c) = first_refused(name) {
                    problems.push(problem(path.clone(), c));
                }
                walk(item, path, problems);
                path.truncate(len);
            }
        }
        Value::Null | Value::Bool(_) | Value::Number(_) => {}
    }
}

/// The query parameters whose name or value holds a refused character (TAB,
/// LF and CR included: no parameter takes them).
#[must_use]
pub fn query_problems(query: &str) -> Vec<Problem> {
    let mut problems = Vec::new();
    for pair in query.split('&').filter(|p| !p.is_empty()) {
        let (name, value) = pair.split_once('=').unwrap_or((pair, ""));
        let name = percent_decode(name);
        let refused = |text: &str| text.chars().find(|c| c.is_control());
        if let Some(c) = refused(&name).or_else(|| refused(&percent_decode(value))) {
            problems.push(problem(name.escape_default().to_string(), c));
        }
    }
    problems
}

/// `%XX` and `+` decoded, invalid UTF-8 replaced.
#[must_use]
pub fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(byte) => {
                        out.push(byte);
                        i += 3;
                    }
                    None => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            other => {
                out.push(other);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaped_nul_and_other_controls_are_named_by_their_path() {
        let body =
            br#"{"name": "a\u0000b", "items": [{"note": "ok\n"}, {"note": "\u001b[31m"}], "n": 1}"#;
        let fields: Vec<String> = json_problems(body).into_iter().map(|p| p.field).collect();
        assert_eq!(fields, ["items[1].note", "name"]);
    }

    #[test]
    fn free_text_keeps_tabs_and_line_breaks() {
        assert!(json_problems(br#"{"summary": "line 1\r\nline 2\tend"}"#).is_empty());
        assert!(json_problems(br#"{"name": "no escapes at all"}"#).is_empty());
        assert!(
            json_problems(br#"{"name": "\u0085"}"#).len() == 1,
            "C1 controls too"
        );
    }

    #[test]
    fn query_parameters_with_controls_are_named() {
        let named: Vec<String> = query_problems("q=%00&page=1&region_code=11%0A&ok=%E4%B8%AD")
            .into_iter()
            .map(|p| p.field)
            .collect();
        assert_eq!(named, ["q", "region_code"]);
        assert!(query_problems("q=%E4%B8%AD%E6%96%87+x&page=2").is_empty());
        assert_eq!(
            percent_decode("a%2"),
            "a%2",
            "an incomplete escape stays as it is"
        );
    }
}
