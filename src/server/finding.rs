//! What the checker reports: [`Level`], [`Rule`], [`Finding`] and [`Report`].
//!
//! Every rule has a stable kebab-case id (tests, scripts and suppressions may
//! rely on it), a level and the spec section it comes from. The level says
//! how strong the requirement is:
//! - [`Level::Must`]: the response breaks a MUST, a MUST NOT or the grammar
//!   (RFC 9110 §2.2: "A sender MUST NOT generate protocol elements that do
//!   not match the grammar"), or it is an open redirector (RFC 9700 §4.11).
//! - [`Level::Should`]: it breaks a SHOULD, or conforming clients fail on it
//!   (a self-loop, a downgrade out of TLS).
//! - [`Level::Advice`]: it is allowed, and something else states the intent
//!   better.

use std::cell::RefCell;
use std::fmt;
use std::sync::Arc;

/// How strong the broken requirement is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[non_exhaustive]
pub enum Level {
    /// A MUST, a MUST NOT, the grammar, or an open redirector.
    Must,
    /// A SHOULD, or a response conforming clients fail on.
    Should,
    /// Allowed, but something else says what is meant.
    Advice,
}

impl Level {
    /// `MUST`, `SHOULD` or `ADVICE`.
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Must => "MUST",
            Level::Should => "SHOULD",
            Level::Advice => "ADVICE",
        }
    }
}

impl fmt::Display for Level {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.pad(self.as_str())
    }
}

macro_rules! rules {
    ($( $(#[$doc:meta])* $variant:ident = $id:literal, $level:ident, $section:literal; )*) => {
        /// One requirement the checker knows, with its stable id.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        #[non_exhaustive]
        pub enum Rule {
            $( $(#[$doc])* $variant, )*
        }

        impl Rule {
            /// Every rule, in the order the checker applies them.
            pub const ALL: &'static [Rule] = &[$(Rule::$variant),*];

            /// The stable kebab-case id.
            pub fn id(self) -> &'static str {
                match self { $(Rule::$variant => $id,)* }
            }

            /// The level of a finding of this rule (some rules lower it
            /// case by case; see [`Finding::level`]).
            pub fn level(self) -> Level {
                match self { $(Rule::$variant => Level::$level,)* }
            }

            /// The section that states the requirement.
            pub fn section(self) -> &'static str {
                match self { $(Rule::$variant => $section,)* }
            }
        }
    };
}

rules! {
    /// The bytes are not an HTTP/1.x response (RFC 9112 §2.1, §4).
    MalformedResponse = "malformed-response", Must, "RFC 9112 §2.1";
    /// The response head is past the checker's limits (1 MiB, 1024 field
    /// lines): no requirement sets a limit, but clients stop far earlier.
    HeadTooLarge = "head-too-large", Should, "RFC 9110 §5.4";
    /// No complete response within the timeout: what arrived is checked,
    /// its framing is not judged.
    IncompleteResponse = "incomplete-response", Should, "RFC 9112 §8";
    /// 301, 302, 303, 307 or 308 without a Location field.
    RedirectWithoutLocation = "redirect-without-location", Should, "RFC 9110 §15.4";
    /// More than one Location field line (Location is not a list).
    LocationMultiple = "location-multiple", Must, "RFC 9110 §5.3";
    /// CR, LF, NUL or another control byte in the Location value.
    LocationControl = "location-control", Must, "RFC 9110 §5.5";
    /// Space or tab inside the Location value (not at its ends).
    LocationWhitespace = "location-whitespace", Must, "RFC 9110 §10.2.2";
    /// The Location value is not a URI-reference (RFC 3986 §4.1), or it is
    /// (or resolves to) an http(s) URI without a host (RFC 9110 §4.2.1, §4.2.2).
    LocationInvalid = "location-invalid", Must, "RFC 9110 §10.2.2";
    /// The Location resolves to the request's own URL (fragment ignored).
    LocationSelfLoop = "location-self-loop", Should, "RFC 9110 §15.4";
    /// An https request redirected to an http URL.
    HttpsDowngrade = "https-downgrade", Should, "RFC 9110 §4.2.2";
    /// A 304 response followed by content.
    NotModifiedWithContent = "not-modified-with-content", Must, "RFC 9110 §15.4.5";
    /// A response to HEAD followed by content.
    HeadWithContent = "head-with-content", Must, "RFC 9110 §9.3.2";
    /// Content-Length that is not a valid length, or several that differ.
    ContentLengthInvalid = "content-length-invalid", Must, "RFC 9110 §8.6";
    /// Content-Length together with Transfer-Encoding.
    ContentLengthWithTransferEncoding = "content-length-with-transfer-encoding", Must, "RFC 9112 §6.2";
    /// Content-Length that disagrees with the content sent.
    ContentLengthMismatch = "content-length-mismatch", Must, "RFC 9112 §6.3";
    /// 305 (Use Proxy) sent: deprecated.
    UseProxySent = "use-proxy-sent", Should, "RFC 9110 §15.4.6";
    /// 306 sent: reserved, no longer used.
    UnusedStatusSent = "unused-status-sent", Should, "RFC 9110 §15.4.7";
    /// 300 with neither a Location nor content listing the choices.
    MultipleChoicesWithoutChoices = "multiple-choices-without-choices", Should, "RFC 9110 §15.4.1";
    /// 302 or 307 that caches may keep for a heuristic time: ADVICE, no
    /// requirement on the server forbids it (RFC 9111 §4.2.2 lets a cache
    /// use heuristics on a response marked `public`).
    TemporaryRedirectHeuristicCaching = "temporary-redirect-heuristic-caching", Advice, "RFC 9111 §4.2.2";
    /// 301 or 308 whose caching fields deny its permanence.
    PermanentRedirectNotCacheable = "permanent-redirect-not-cacheable", Advice, "RFC 9111 §4.2.2";
    /// POST answered with 301 or 302, which clients may turn into GET.
    PostRedirectAmbiguous = "post-redirect-ambiguous", Advice, "RFC 9110 §15.4.3";
    /// An attacker-chosen return URL became a Location off the server's origin.
    OpenRedirect = "open-redirect", Must, "RFC 9700 §4.11";
}

impl fmt::Display for Rule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.id())
    }
}

/// The bytes a finding is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Offset of the first offending byte in the raw response given to
    /// [`check_raw`](super::check_raw); `None` for an `http::Response`.
    pub offset: Option<usize>,
    /// The bytes the finding is about: the field value that holds the
    /// offending byte, or the content from the offending byte on; at most
    /// [`Evidence::MAX_BYTES`] of them.
    pub bytes: Vec<u8>,
}

impl Evidence {
    /// Most bytes an evidence keeps.
    pub const MAX_BYTES: usize = 256;

    pub(crate) fn new(offset: Option<usize>, bytes: &[u8]) -> Self {
        Evidence {
            offset,
            bytes: bytes[..bytes.len().min(Self::MAX_BYTES)].to_vec(),
        }
    }
}

/// One broken requirement.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    rule: Rule,
    level: Level,
    section: &'static str,
    /// Shared: a report checked against several requests holds the same
    /// finding once per request, and a copy costs no allocation.
    message: Arc<str>,
    evidence: Option<Arc<Evidence>>,
}

impl Finding {
    /// A finding of `rule` at the rule's level and section.
    pub fn new(rule: Rule, message: impl Into<String>) -> Self {
        Self::shared(rule, Arc::from(message.into()))
    }

    /// [`new`](Self::new) with `message` copied once into the shared text
    /// (no `String` first): the rules' fixed messages.
    pub(crate) fn text(rule: Rule, message: &str) -> Self {
        Self::shared(rule, Arc::from(message))
    }

    /// [`new`](Self::new) with the message `args` writes: written into a
    /// per-thread buffer, then copied once into the shared text (a
    /// `format!` would allocate a `String` first and free it again: the
    /// server checker runs for every fuzz input).
    pub(crate) fn args(rule: Rule, args: fmt::Arguments<'_>) -> Self {
        let message = match args.as_str() {
            Some(text) => Arc::from(text),
            None => MESSAGE.with(|buffer| match buffer.try_borrow_mut() {
                Ok(mut buffer) => {
                    buffer.clear();
                    // Writing to a `String` fails only when a `Display`
                    // fails, which none of the rules' values does.
                    let _ = fmt::Write::write_fmt(&mut *buffer, args);
                    let message = Arc::from(buffer.as_str());
                    if buffer.capacity() > KEPT {
                        // (A message that quotes a long value: not kept.)
                        *buffer = String::new();
                    }
                    message
                }
                Err(_) => Arc::from(fmt::format(args)),
            }),
        };
        Self::shared(rule, message)
    }

    fn shared(rule: Rule, message: Arc<str>) -> Self {
        Finding {
            rule,
            level: rule.level(),
            section: rule.section(),
            message,
            evidence: None,
        }
    }

    pub(crate) fn at_level(mut self, level: Level) -> Self {
        self.level = level;
        self
    }

    pub(crate) fn in_section(mut self, section: &'static str) -> Self {
        self.section = section;
        self
    }

    pub(crate) fn with_evidence(mut self, offset: Option<usize>, bytes: &[u8]) -> Self {
        self.evidence = Some(Arc::new(Evidence::new(offset, bytes)));
        self
    }

    /// The rule broken.
    pub fn rule(&self) -> Rule {
        self.rule
    }
    /// The rule's stable kebab-case id.
    pub fn id(&self) -> &'static str {
        self.rule.id()
    }
    /// The level (usually the rule's; some rules lower it with context).
    pub fn level(&self) -> Level {
        self.level
    }
    /// The spec section, e.g. `RFC 9110 §10.2.2`.
    pub fn section(&self) -> &'static str {
        self.section
    }
    /// What is wrong, for a person.
    pub fn message(&self) -> &str {
        &self.message
    }
    /// The offending bytes and where they are, when there are some.
    pub fn evidence(&self) -> Option<&Evidence> {
        self.evidence.as_deref()
    }
}

thread_local! {
    /// The buffer [`Finding::args`] writes a message into, kept grown up
    /// to [`KEPT`] bytes.
    static MESSAGE: RefCell<String> = const { RefCell::new(String::new()) };
}

/// The most bytes a per-thread buffer of the checker keeps between calls.
pub(crate) const KEPT: usize = 16 * 1024;

/// Writes bytes as printable ASCII: `\r`, `\n`, `\t`, `\\`, `\"` and `\xNN`.
pub(crate) fn escape(bytes: &[u8], out: &mut impl fmt::Write) -> fmt::Result {
    // `<[u8]>::escape_ascii` writes these escapes, and `\'` for a single
    // quote, which is written as it is here. (Its loop is the standard
    // library's: a report is formatted for every fuzz input, and a loop in
    // this crate runs every byte through the fuzzer's instrumentation.)
    if !bytes.contains(&b'\'') {
        return write!(out, "{}", bytes.escape_ascii());
    }
    for (i, run) in bytes.split(|&b| b == b'\'').enumerate() {
        if i > 0 {
            out.write_char('\'')?;
        }
        write!(out, "{}", run.escape_ascii())?;
    }
    Ok(())
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // `{:<6} {} ({}): {}` of level, rule, section and message, written a
        // piece at a time: the fuzz targets format every report.
        let level = self.level.as_str();
        for piece in [
            level,
            "      ".get(level.len()..).unwrap_or_default(),
            " ",
            self.rule.id(),
            " (",
            self.section,
            "): ",
            &*self.message,
        ] {
            f.write_str(piece)?;
        }
        if let Some(e) = &self.evidence {
            f.write_str(" [")?;
            if let Some(o) = e.offset {
                write!(f, "at byte {o}: ")?;
            }
            f.write_str("\"")?;
            escape(&e.bytes, f)?;
            f.write_str("\"]")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_unique_kebab_case() {
        let mut seen = std::collections::HashSet::new();
        for r in Rule::ALL {
            assert!(seen.insert(r.id()), "{r:?}");
            assert!(r.id().bytes().all(|b| b.is_ascii_lowercase() || b == b'-'));
            assert!(r.section().starts_with("RFC "), "{r:?}");
        }
    }

    #[test]
    fn escape_writes_every_byte_value() {
        for b in 0..=255u8 {
            let mut out = String::new();
            escape(&[b'a', b, b'z', b], &mut out).unwrap();
            let one = match b {
                b'\r' => "\\r".to_owned(),
                b'\n' => "\\n".to_owned(),
                b'\t' => "\\t".to_owned(),
                b'\\' => "\\\\".to_owned(),
                b'"' => "\\\"".to_owned(),
                0x20..=0x7e => char::from(b).to_string(),
                _ => format!("\\x{b:02x}"),
            };
            assert_eq!(out, format!("a{one}z{one}"), "byte {b:#04x}");
        }
    }

    #[test]
    fn a_message_is_written_once_and_a_long_buffer_not_kept() {
        // Values known at run time only (`format_args!` of literals is
        // folded into one string, which `as_str` gives without the buffer).
        let two = std::hint::black_box(2);
        assert!(format_args!("{two} lines").as_str().is_none());
        let short = Finding::args(Rule::LocationMultiple, format_args!("{two} lines"));
        assert_eq!(short, Finding::new(Rule::LocationMultiple, "2 lines"));
        assert!(MESSAGE.with_borrow(|m| m.as_str() == "2 lines"));
        let fixed = Finding::text(Rule::UseProxySent, "305");
        assert_eq!(fixed, Finding::new(Rule::UseProxySent, "305"));
        let long = "x".repeat(KEPT + 1);
        let f = Finding::args(Rule::HttpsDowngrade, format_args!("to {long}"));
        assert_eq!(f.message().len(), KEPT + 4);
        assert!(MESSAGE.with_borrow(|m| m.capacity() <= KEPT));
        // Written while the buffer is in use (a `Display` that makes a
        // finding): formatted on its own.
        let one = std::hint::black_box(1);
        let inner = MESSAGE.with_borrow_mut(|buffer| {
            buffer.clear();
            buffer.push_str("kept");
            Finding::args(Rule::HttpsDowngrade, format_args!("{one}"))
        });
        assert_eq!(inner.message(), "1");
        assert!(MESSAGE.with_borrow(|m| m.as_str() == "kept"));
    }

    #[test]
    fn display_escapes_evidence() {
        let f = Finding::new(Rule::LocationControl, "CR in Location")
            .with_evidence(Some(40), b"/a\r\nSet-Cookie: x");
        assert_eq!(
            f.to_string(),
            "MUST   location-control (RFC 9110 §5.5): CR in Location \
             [at byte 40: \"/a\\r\\nSet-Cookie: x\"]"
        );
    }
}
