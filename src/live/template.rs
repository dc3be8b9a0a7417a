//! Command templates: how a program is asked to fetch a URL.
//!
//! The syntax (words, placeholders, groups) is documented for users in [`super::command`].

use super::LiveError;
use std::path::Path;

/// One word of a parsed template.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Word(String),
    Group(Vec<String>),
}

/// A parsed command template.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommandTemplate {
    source: String,
    parts: Vec<Part>,
}

impl CommandTemplate {
    /// Parses `template` (see the module docs).
    ///
    /// # Errors
    /// [`LiveError::BadCommand`] on an unclosed quote or bracket, a nested group, or an empty
    /// template.
    pub fn parse(template: &str) -> Result<Self, LiveError> {
        let words = split_words(template)?;
        let mut parts = Vec::new();
        let mut group: Option<Vec<String>> = None;
        for (word, quoted) in words {
            match (word.as_str(), quoted, group.as_mut()) {
                ("[", false, None) => group = Some(Vec::new()),
                ("[", false, Some(_)) => {
                    return Err(LiveError::BadCommand(format!(
                        "nested [ group in {template:?}"
                    )))
                }
                ("]", false, Some(_)) => {
                    if let Some(g) = group.take() {
                        parts.push(Part::Group(g));
                    }
                }
                ("]", false, None) => {
                    return Err(LiveError::BadCommand(format!(
                        "] without [ in {template:?}"
                    )))
                }
                (_, _, Some(g)) => g.push(word),
                (_, _, None) => parts.push(Part::Word(word)),
            }
        }
        if group.is_some() {
            return Err(LiveError::BadCommand(format!("unclosed [ in {template:?}")));
        }
        if !matches!(parts.first(), Some(Part::Word(_))) {
            return Err(LiveError::BadCommand(
                "the template must start with a program name".to_owned(),
            ));
        }
        Ok(CommandTemplate {
            source: template.to_owned(),
            parts,
        })
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The program (first word, unexpanded).
    pub fn program(&self) -> &str {
        match self.parts.first() {
            Some(Part::Word(w)) => w,
            _ => "",
        }
    }

    /// The argument vector for one request.
    pub fn expand(&self, ctx: &Expansion<'_>) -> Vec<String> {
        let mut argv = Vec::new();
        for part in &self.parts {
            match part {
                Part::Word(w) => argv.push(ctx.fill(w, None)),
                Part::Group(words) => {
                    let per_header = words.iter().any(|w| w.contains("{header}"));
                    let needs_body = words.iter().any(|w| w.contains("{body_file}"));
                    if needs_body && !ctx.has_body {
                        continue;
                    }
                    if per_header {
                        for h in ctx.headers {
                            argv.extend(words.iter().map(|w| ctx.fill(w, Some(h))));
                        }
                    } else {
                        argv.extend(words.iter().map(|w| ctx.fill(w, None)));
                    }
                }
            }
        }
        argv
    }
}

/// The values placeholders expand to, for one request.
#[derive(Debug, Clone, Copy)]
pub struct Expansion<'a> {
    /// `{method}`.
    pub method: &'a str,
    /// `{url}`.
    pub url: &'a str,
    /// `{body_file}`.
    pub body_file: &'a Path,
    /// Whether the request has a body (groups with `{body_file}` are kept only then).
    pub has_body: bool,
    /// Headers (`{header}` groups).
    pub headers: &'a [(String, String)],
    /// `{headers_file}`.
    pub headers_file: &'a Path,
    /// `{headers_json}`.
    pub headers_json: &'a Path,
    /// `{script_dir}`.
    pub script_dir: &'a Path,
}

impl Expansion<'_> {
    fn fill(&self, word: &str, header: Option<&(String, String)>) -> String {
        let body_or_empty = if self.has_body {
            self.body_file.to_string_lossy()
        } else {
            "".into()
        };
        let mut w = word
            .replace("{body_file?}", &body_or_empty)
            .replace("{method}", self.method)
            .replace("{url}", self.url)
            .replace("{body_file}", &self.body_file.to_string_lossy())
            .replace("{headers_file}", &self.headers_file.to_string_lossy())
            .replace("{headers_json}", &self.headers_json.to_string_lossy())
            .replace("{script_dir}", &self.script_dir.to_string_lossy());
        if let Some((name, value)) = header {
            w = w.replace("{header}", &format!("{name}: {value}"));
        }
        w
    }
}

/// Splits like a POSIX shell without expansions; each word says whether it was quoted.
fn split_words(s: &str) -> Result<Vec<(String, bool)>, LiveError> {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut quoted = false;
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        match c {
            c if c.is_whitespace() => {
                if in_word {
                    words.push((std::mem::take(&mut cur), quoted));
                    in_word = false;
                    quoted = false;
                }
            }
            '\'' => {
                in_word = true;
                quoted = true;
                loop {
                    match chars.next() {
                        Some('\'') => break,
                        Some(c) => cur.push(c),
                        None => return Err(LiveError::BadCommand(format!("unclosed ' in {s:?}"))),
                    }
                }
            }
            '"' => {
                in_word = true;
                quoted = true;
                loop {
                    match chars.next() {
                        Some('"') => break,
                        Some('\\') => match chars.next() {
                            Some(c @ ('"' | '\\' | '$' | '`')) => cur.push(c),
                            Some(c) => {
                                cur.push('\\');
                                cur.push(c);
                            }
                            None => {
                                return Err(LiveError::BadCommand(format!("unclosed \" in {s:?}")))
                            }
                        },
                        Some(c) => cur.push(c),
                        None => return Err(LiveError::BadCommand(format!("unclosed \" in {s:?}"))),
                    }
                }
            }
            '\\' => {
                in_word = true;
                quoted = true;
                if let Some(c) = chars.next() {
                    cur.push(c);
                }
            }
            c => {
                in_word = true;
                cur.push(c);
            }
        }
    }
    if in_word {
        words.push((cur, quoted));
    }
    if words.is_empty() {
        return Err(LiveError::BadCommand("empty command".to_owned()));
    }
    Ok(words)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx<'a>(headers: &'a [(String, String)], has_body: bool) -> Expansion<'a> {
        Expansion {
            method: "POST",
            url: "http://127.0.0.1:1/x",
            body_file: Path::new("/tmp/b"),
            has_body,
            headers,
            headers_file: Path::new("/tmp/h"),
            headers_json: Path::new("/tmp/j"),
            script_dir: Path::new("/s"),
        }
    }

    #[test]
    fn groups_repeat_per_header_and_need_a_body() {
        let t = CommandTemplate::parse(
            "curl -X {method} [ -H {header} ] [ --data-binary @{body_file} ] '{url}'",
        )
        .unwrap();
        let headers = vec![
            ("A".to_owned(), "1 2".to_owned()),
            ("B".to_owned(), "3".to_owned()),
        ];
        assert_eq!(
            t.expand(&ctx(&headers, true)),
            [
                "curl",
                "-X",
                "POST",
                "-H",
                "A: 1 2",
                "-H",
                "B: 3",
                "--data-binary",
                "@/tmp/b",
                "http://127.0.0.1:1/x"
            ]
        );
        assert_eq!(
            t.expand(&ctx(&[], false)),
            ["curl", "-X", "POST", "http://127.0.0.1:1/x"]
        );
    }

    #[test]
    fn optional_body_file_is_an_empty_argument_without_a_body() {
        let t = CommandTemplate::parse("node f.js {body_file?} {url}").unwrap();
        assert_eq!(
            t.expand(&ctx(&[], false)),
            ["node", "f.js", "", "http://127.0.0.1:1/x"]
        );
        assert_eq!(t.expand(&ctx(&[], true))[2], "/tmp/b");
    }

    #[test]
    fn bad_templates_are_errors() {
        assert!(CommandTemplate::parse("").is_err());
        assert!(CommandTemplate::parse("curl 'x").is_err());
        assert!(CommandTemplate::parse("curl [ -H {header}").is_err());
        assert!(CommandTemplate::parse("curl ] x").is_err());
        assert!(CommandTemplate::parse("[ x ]").is_err());
    }

    #[test]
    fn quoted_brackets_are_words() {
        let t = CommandTemplate::parse("echo '[' ']'").unwrap();
        assert_eq!(t.expand(&ctx(&[], false)), ["echo", "[", "]"]);
    }
}

/// What was the doc example of [`CommandTemplate::parse`] (the module is internal now).
#[cfg(test)]
mod example {
    use super::{CommandTemplate, Expansion};
    use std::path::Path;

    #[test]
    fn parse_and_expand() {
        let t =
            CommandTemplate::parse("curl -L [ -H {header} ] [ -d @{body_file} ] {url}").unwrap();
        let headers = vec![("Cookie".to_owned(), "a=1".to_owned())];
        let argv = t.expand(&Expansion {
            method: "GET",
            url: "http://127.0.0.1:8080/x",
            body_file: Path::new("/tmp/body"),
            has_body: false,
            headers: &headers,
            headers_file: Path::new("/tmp/h"),
            headers_json: Path::new("/tmp/h.json"),
            script_dir: Path::new("/tmp"),
        });
        assert_eq!(
            argv,
            ["curl", "-L", "-H", "Cookie: a=1", "http://127.0.0.1:8080/x"]
        );
    }
}
