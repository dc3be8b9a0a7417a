//! The `redirspec decide …` command line that replays one decision, shared
//! by the CLI's cases and the check's divergence reports (so both print the
//! very same string, with or without the `cli` feature).

/// The parts of a `decide` command line.
pub(crate) struct DecideLine<'a> {
    pub profile: &'a str,
    pub method: &'a str,
    pub url: &'a str,
    pub status: Option<u16>,
    pub location: &'a [String],
    pub headers: &'a [(String, String)],
    pub response_headers: &'a [(String, String)],
    pub body: &'a str,
    pub hops: u32,
}

impl DecideLine<'_> {
    /// The command line, every word quoted for a POSIX shell.
    pub(crate) fn render(&self) -> String {
        let mut out = format!(
            "redirspec decide --profile {} --method {} --url {}",
            quote(self.profile),
            quote(self.method),
            quote(self.url),
        );
        if let Some(status) = self.status {
            out.push_str(&format!(" --status {status}"));
        }
        for l in self.location {
            out.push_str(" --location ");
            out.push_str(&quote(l));
        }
        for (n, v) in self.headers {
            out.push_str(" --header ");
            out.push_str(&quote(&format!("{n}: {v}")));
        }
        for (n, v) in self.response_headers {
            out.push_str(" --response-header ");
            out.push_str(&quote(&format!("{n}: {v}")));
        }
        if self.body != "none" {
            out.push_str(" --body ");
            out.push_str(&quote(self.body));
        }
        if self.hops != 0 {
            out.push_str(&format!(" --hops {}", self.hops));
        }
        out
    }
}

/// Quotes a word for a POSIX shell (`$'…'` where it holds control bytes).
pub(crate) fn quote(s: &str) -> String {
    let plain = !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./:=@%+,".contains(&b));
    if plain {
        return s.to_owned();
    }
    if s.chars().any(|c| c.is_control()) {
        let mut out = String::from("$'");
        for c in s.chars() {
            match c {
                '\\' => out.push_str("\\\\"),
                '\'' => out.push_str("\\'"),
                c if c.is_control() => out.push_str(&format!("\\x{:02x}", c as u32)),
                c => out.push(c),
            }
        }
        out.push('\'');
        return out;
    }
    format!("'{}'", s.replace('\'', "'\\''"))
}
