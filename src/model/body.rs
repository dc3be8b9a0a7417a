//! The request body, as far as redirection cares.

/// The body of the request being redirected.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[non_exhaustive]
pub enum Body {
    /// No body ("request's body is null" in Fetch).
    #[default]
    None,
    /// A body whose bytes are at hand and can be sent again (its length).
    Bytes(u64),
    /// A streamed body that was consumed by the first send and cannot be sent
    /// again (Fetch: "request's body's source is null").
    Stream,
}

/// The CLI spelling, `none`, `bytes:N` or `stream`: what [`FromStr`](std::str::FromStr) reads.
impl std::fmt::Display for Body {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Body::None => f.write_str("none"),
            Body::Bytes(n) => write!(f, "bytes:{n}"),
            Body::Stream => f.write_str("stream"),
        }
    }
}

impl Body {
    /// The CLI spelling: `none`, `bytes:N` or `stream` (the same as its `Display`).
    pub fn to_cli(self) -> String {
        self.to_string()
    }
}

/// Why a body spelling was not understood.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("bad body {0:?}: expected none, bytes:N or stream")]
pub struct BodyParseError(pub String);

impl std::str::FromStr for Body {
    type Err = BodyParseError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "none" => Ok(Body::None),
            "stream" => Ok(Body::Stream),
            _ => s
                .strip_prefix("bytes:")
                .and_then(|n| n.parse().ok())
                .map(Body::Bytes)
                .ok_or_else(|| BodyParseError(s.chars().take(64).collect())),
        }
    }
}

/// What happens to the body on the next request.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum BodyAction {
    /// There was no body, and there is none.
    None,
    /// The body is sent again with the next request.
    Keep,
    /// The body is dropped (the method changed to GET).
    Drop,
}

impl BodyAction {
    /// `none`, `keep` or `drop`.
    pub fn as_str(self) -> &'static str {
        match self {
            BodyAction::None => "none",
            BodyAction::Keep => "keep",
            BodyAction::Drop => "drop",
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cli_spelling_round_trips() {
        for b in [Body::None, Body::Bytes(0), Body::Bytes(5), Body::Stream] {
            assert_eq!(b.to_cli().parse::<Body>(), Ok(b));
        }
        assert!("bytes:".parse::<Body>().is_err());
        assert!("bytes:-1".parse::<Body>().is_err());
        assert!("Stream".parse::<Body>().is_err());
    }
}
