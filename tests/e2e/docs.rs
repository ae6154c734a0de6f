//! Every relative link in the README and `docs/` leads somewhere: the file exists,
//! and an anchor names a heading of the Markdown file it points into. External
//! links (`http://`, `https://`, `mailto:`) are not followed.

use std::{
    collections::HashMap,
    path::{Path, PathBuf},
};

/// The repository's root, one above the tests crate.
fn repository() -> PathBuf {
    let tests = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    tests
        .parent()
        .expect("the tests crate sits in the repository")
        .to_path_buf()
}

/// `README.md` and every Markdown file directly in `docs/`, sorted.
fn pages(root: &Path) -> Vec<PathBuf> {
    let mut docs: Vec<PathBuf> = std::fs::read_dir(root.join("docs"))
        .expect("docs/ is readable")
        .map(|entry| entry.expect("a docs/ entry").path())
        .filter(|path| path.extension().is_some_and(|ext| ext == "md"))
        .collect();
    docs.sort();
    let mut all = vec![root.join("README.md")];
    all.extend(docs);
    all
}

/// A link as written: its line and its target.
#[derive(Debug, PartialEq, Eq)]
struct Link {
    line: usize,
    target: String,
}

/// The lines of `text` outside fenced code blocks, with their numbers from 1.
fn prose_lines(text: &str) -> Vec<(usize, &str)> {
    let mut open: Option<&str> = None;
    let mut prose = Vec::new();
    for (index, line) in text.lines().enumerate() {
        let fence = fence(line);
        match (open, fence) {
            (None, Some(opening)) => open = Some(opening),
            // A closing fence: the same character, at least as long, nothing after it.
            (Some(opening), Some(closing))
                if closing.starts_with(opening) && line.trim() == closing =>
            {
                open = None;
            }
            (None, None) => prose.push((index + 1, line)),
            _ => {}
        }
    }
    prose
}

/// The run of three or more backticks or tildes that starts `line`, if any.
fn fence(line: &str) -> Option<&str> {
    let trimmed = line.trim_start();
    let first = trimmed.chars().next().filter(|&c| c == '`' || c == '~')?;
    let end = trimmed.find(|c: char| c != first).unwrap_or(trimmed.len());
    (end >= 3).then(|| &trimmed[..end])
}

/// `line` with inline code spans blanked out, so a link inside one is not a link.
fn without_code_spans(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    let mut rest = line;
    while let Some(start) = rest.find('`') {
        out.push_str(&rest[..start]);
        let ticks = rest[start..].len() - rest[start..].trim_start_matches('`').len();
        let after = &rest[start + ticks..];
        let closing = "`".repeat(ticks);
        match after.find(&closing) {
            Some(end) => {
                out.push_str(&" ".repeat(ticks * 2 + end));
                rest = &after[end + ticks..];
            }
            None => {
                out.push_str(&rest[start..]);
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// Inline links and images `[text](target "title")` and link definitions
/// `[label]: target` of `text`.
fn links(text: &str) -> Vec<Link> {
    let mut found = Vec::new();
    for (line, raw) in prose_lines(text) {
        let prose = without_code_spans(raw);
        let definition = prose.trim_start();
        if definition.starts_with('[')
            && let Some(end) = definition.find(']')
            && definition[end + 1..].starts_with(':')
        {
            let target = definition[end + 2..].split_whitespace().next();
            if let Some(target) = target {
                found.push(Link {
                    line,
                    target: unbracket(target).to_owned(),
                });
            }
            continue;
        }
        let mut rest = prose.as_str();
        while let Some(at) = rest.find("](") {
            let after = &rest[at + 2..];
            let Some(end) = after.find(')') else { break };
            let inside = after[..end].trim();
            let target = inside.split_whitespace().next().unwrap_or_default();
            found.push(Link {
                line,
                target: unbracket(target).to_owned(),
            });
            rest = &after[end..];
        }
    }
    found
}

/// A target written as `<target>`, without its brackets.
fn unbracket(target: &str) -> &str {
    target
        .strip_prefix('<')
        .and_then(|t| t.strip_suffix('>'))
        .unwrap_or(target)
}

/// Whether the link leaves the repository.
fn is_external(target: &str) -> bool {
    ["http://", "https://", "mailto:"]
        .iter()
        .any(|scheme| target.to_ascii_lowercase().starts_with(scheme))
}

/// The anchor GitHub gives a heading: its text in lower case, with every
/// character that is not a letter, number, `_`, `-` or space removed and each
/// space turned into `-`. Letters include CJK, so `报表` stays.
fn slug(heading: &str) -> String {
    heading
        .to_lowercase()
        .chars()
        .filter(|&c| c.is_alphanumeric() || c == '_' || c == '-' || c == ' ')
        .map(|c| if c == ' ' { '-' } else { c })
        .collect()
}

/// The heading's text as GitHub renders it: a closing run of `#` cut off, a
/// link's target, code spans' backticks and emphasis stars dropped.
fn heading_text(raw: &str) -> String {
    let raw = raw.trim();
    let unclosed = raw.trim_end_matches('#');
    let raw = if unclosed.is_empty() || unclosed.ends_with([' ', '\t']) {
        unclosed.trim_end()
    } else {
        raw
    };
    let mut text = String::new();
    let mut rest = raw;
    while let Some(open) = rest.find('[') {
        let Some(mid) = rest[open..].find("](").map(|m| open + m) else {
            break;
        };
        let Some(close) = rest[mid..].find(')').map(|c| mid + c) else {
            break;
        };
        text.push_str(&rest[..open]);
        text.push_str(&rest[open + 1..mid]);
        rest = &rest[close + 1..];
    }
    text.push_str(rest);
    text.replace(['`', '*'], "").trim().to_owned()
}

/// Every anchor of a Markdown page: ATX (`## …`) and setext (underlined)
/// headings, a repeated slug taking `-1`, `-2`, … as on GitHub.
fn anchors(text: &str) -> Vec<String> {
    let lines = prose_lines(text);
    let mut headings = Vec::new();
    for (i, &(number, line)) in lines.iter().enumerate() {
        let hashes = line.len() - line.trim_start_matches('#').len();
        if (1..=6).contains(&hashes) && line[hashes..].starts_with([' ', '\t']) {
            headings.push(heading_text(&line[hashes..]));
            continue;
        }
        let underline = line.trim();
        let is_underline = !underline.is_empty()
            && (underline.chars().all(|c| c == '=') || underline.chars().all(|c| c == '-'));
        if is_underline
            && let Some(&(above, text)) = i.checked_sub(1).and_then(|p| lines.get(p))
            && above + 1 == number
            && !text.trim().is_empty()
            && !text.trim_start().starts_with(['#', '-', '*', '|', '>'])
        {
            headings.push(heading_text(text));
        }
    }
    let mut seen: HashMap<String, usize> = HashMap::new();
    headings
        .iter()
        .map(|heading| {
            let base = slug(heading);
            let count = seen.entry(base.clone()).or_insert(0);
            let anchor = if *count == 0 {
                base
            } else {
                format!("{base}-{count}")
            };
            *count += 1;
            anchor
        })
        .collect()
}

/// Why `link` in `page` leads nowhere, if it does not.
fn broken(page: &Path, link: &Link) -> Option<String> {
    if is_external(&link.target) {
        return None;
    }
    let (path, anchor) = match link.target.split_once('#') {
        Some((path, anchor)) => (path, Some(anchor)),
        None => (link.target.as_str(), None),
    };
    let file = if path.is_empty() {
        page.to_path_buf()
    } else {
        page.parent()
            .expect("a page sits in a directory")
            .join(path.replace("%20", " "))
    };
    if !file.exists() {
        return Some(format!("{} does not exist", file.display()));
    }
    let anchor = anchor?;
    if file.extension().is_none_or(|ext| ext != "md") {
        return Some(format!(
            "#{anchor} points into {}, which has no headings",
            file.display()
        ));
    }
    let text = std::fs::read_to_string(&file).expect("a linked page is readable");
    if anchors(&text).iter().any(|a| a == anchor) {
        None
    } else {
        Some(format!("{} has no heading #{anchor}", file.display()))
    }
}

#[test]
fn every_relative_link_in_the_readme_and_docs_resolves() {
    let root = repository();
    let mut problems = Vec::new();
    let mut checked = 0;
    for page in pages(&root) {
        let text = std::fs::read_to_string(&page).expect("a page is readable");
        for link in links(&text) {
            checked += 1;
            if let Some(why) = broken(&page, &link) {
                let name = page
                    .strip_prefix(&root)
                    .unwrap_or(&page)
                    .display()
                    .to_string();
                problems.push(format!("{name}:{}: ({}) {why}", link.line, link.target));
            }
        }
    }
    assert!(checked > 0, "no links found under {}", root.display());
    assert!(
        problems.is_empty(),
        "{} broken link(s):\n{}",
        problems.len(),
        problems.join("\n")
    );
}

#[test]
fn slugs_follow_githubs_rule() {
    let cases = [
        (
            "Excel reports (报表)",
            "excel-reports-报表",
            "CJK kept, brackets dropped",
        ),
        (
            "2.1.1 Targets in scope",
            "211-targets-in-scope",
            "dots dropped",
        ),
        (
            "The draw algorithm, `spotcheck-draw/1`",
            "the-draw-algorithm-spotcheck-draw1",
            "code",
        ),
        (
            "Key checks (being replaced by native foreign keys)",
            "key-checks-being-replaced-by-native-foreign-keys",
            "words",
        ),
        (
            "Tests on PostgreSQL and CI",
            "tests-on-postgresql-and-ci",
            "lower case",
        ),
        (
            "Example 1: enterprises",
            "example-1-enterprises",
            "colon dropped",
        ),
        (
            "snake_case and a-dash",
            "snake_case-and-a-dash",
            "_ and - kept",
        ),
    ];
    for (heading, expected, why) in cases {
        assert_eq!(slug(&heading_text(heading)), expected, "{heading}: {why}");
    }
}

#[test]
fn a_repeated_heading_takes_a_number_and_code_is_not_a_heading() {
    let page = "# A\n\n## Figures\n\n```sh\n# not a heading\n```\n\n## Figures\n\nTitle\n=====\n";
    assert_eq!(anchors(page), ["a", "figures", "figures-1", "title"]);
}

#[test]
fn links_in_code_are_not_links_and_titles_are_not_targets() {
    let page = "See [a](a.md#x \"title\") and `[b](b.md)`.\n\n```\n[c](c.md)\n```\n\n[d]: <d.md>\n";
    let targets: Vec<String> = links(page).into_iter().map(|l| l.target).collect();
    assert_eq!(targets, ["a.md#x", "d.md"]);
}

#[test]
fn a_broken_link_is_named_with_its_reason() {
    let root = repository();
    let readme = root.join("README.md");
    let missing = Link {
        line: 1,
        target: "docs/nowhere.md".to_owned(),
    };
    let no_heading = Link {
        line: 1,
        target: "docs/guide.md#nowhere".to_owned(),
    };
    let external = Link {
        line: 1,
        target: "https://example.com/#x".to_owned(),
    };
    assert!(broken(&readme, &missing).is_some_and(|why| why.contains("does not exist")));
    assert!(broken(&readme, &no_heading).is_some_and(|why| why.contains("no heading #nowhere")));
    assert_eq!(broken(&readme, &external), None);
}
