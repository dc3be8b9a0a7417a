//! Location field values by class, as raw bytes.

use proptest::prelude::*;
use proptest::sample::select;

/// The classes of Location values [`location`] generates.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum LocationClass {
    /// `https://b.test/p?q#f` (RFC 3986 §4.3 absolute-URI, maybe a
    /// fragment); one in seven has another scheme (`ftp:`, `javascript:`,
    /// `data:`, ...).
    Absolute,
    /// `//b.test/p` (RFC 3986 §4.2 network-path reference).
    SchemeRelative,
    /// `/p/q` (absolute-path reference).
    AbsolutePath,
    /// `../p/./q` (relative-path reference, with dot segments).
    RelativePath,
    /// `?q=1`.
    QueryOnly,
    /// `#f`.
    FragmentOnly,
    /// The empty value (a reference to the current URL).
    Empty,
    /// One of the [`Malformed`] kinds.
    Malformed(Malformed),
}

/// How a malformed Location is broken.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Malformed {
    /// A space inside.
    Space,
    /// A control byte (NUL, 0x01-0x1F but CR/LF, DEL).
    Ctl,
    /// CR and/or LF (header injection).
    CrLf,
    /// Non-ASCII UTF-8 (RFC 3986 allows none; WHATWG percent-encodes it).
    NonAsciiUtf8,
    /// Bytes that are not UTF-8.
    InvalidUtf8,
    /// Backslashes (WHATWG reads them as slashes in special URLs).
    Backslash,
    /// `%` not followed by two hex digits.
    BadPercent,
    /// `user:pass@` in the authority.
    Userinfo,
    /// A port that is not a number or beyond 65535.
    BadPort,
    /// A broken IPv6 literal.
    BadIpv6,
    /// A value longer than the profiles accept (64 KiB).
    Overlong,
}

impl Malformed {
    /// Every kind, in a stable order.
    pub const ALL: [Malformed; 11] = [
        Malformed::Space,
        Malformed::Ctl,
        Malformed::CrLf,
        Malformed::NonAsciiUtf8,
        Malformed::InvalidUtf8,
        Malformed::Backslash,
        Malformed::BadPercent,
        Malformed::Userinfo,
        Malformed::BadPort,
        Malformed::BadIpv6,
        Malformed::Overlong,
    ];
}

impl LocationClass {
    /// The well-formed classes, simplest first.
    pub const WELL_FORMED: [LocationClass; 7] = [
        LocationClass::AbsolutePath,
        LocationClass::Absolute,
        LocationClass::SchemeRelative,
        LocationClass::RelativePath,
        LocationClass::QueryOnly,
        LocationClass::FragmentOnly,
        LocationClass::Empty,
    ];
}

fn path() -> BoxedStrategy<String> {
    proptest::collection::vec(select(vec!["a", "b", "c", "x.html", "%7E"]), 0..4)
        .prop_map(|s| format!("/{}", s.join("/")))
        .boxed()
}

fn dotted_path() -> BoxedStrategy<String> {
    proptest::collection::vec(select(vec!["a", "..", ".", "b", "c", ""]), 1..6)
        .prop_map(|s| s.join("/"))
        .boxed()
}

fn authority() -> BoxedStrategy<String> {
    select(vec![
        "b.test",
        "a.test",
        "a.test:8443",
        "b.test:80",
        "127.0.0.1",
        "[::1]",
        "c.test",
    ])
    .prop_map(String::from)
    .boxed()
}

fn query() -> BoxedStrategy<String> {
    proptest::option::of(select(vec!["q=1", "", "a=b&c"]))
        .prop_map(|q| q.map_or_else(String::new, |q| format!("?{q}")))
        .boxed()
}

fn fragment() -> BoxedStrategy<String> {
    proptest::option::of(select(vec!["f", "", "g/h"]))
        .prop_map(|f| f.map_or_else(String::new, |f| format!("#{f}")))
        .boxed()
}

fn text(s: BoxedStrategy<String>) -> BoxedStrategy<Vec<u8>> {
    s.prop_map(String::into_bytes).boxed()
}

/// Location values of one class. Each shrinks toward the simplest value of
/// its class (`/` for an absolute path, `https://b.test/` for an absolute
/// URI, a single bad byte for a malformed one).
pub fn location(class: LocationClass) -> BoxedStrategy<Vec<u8>> {
    match class {
        LocationClass::Absolute => text(
            prop_oneof![
                6 => (
                    select(vec!["https", "http", "HTTPS"]),
                    authority(),
                    path(),
                    query(),
                    fragment(),
                )
                    .prop_map(|(s, a, p, q, f)| format!("{s}://{a}{p}{q}{f}")),
                // Schemes a client must not follow (Fetch: "not an HTTP(S) scheme").
                1 => select(vec![
                    "ftp://b.test/f",
                    "ws://b.test/",
                    "file:///etc/passwd",
                    "javascript:alert(1)",
                    "data:,x",
                    "mailto:u@b.test",
                ])
                .prop_map(String::from),
            ]
            .boxed(),
        ),
        LocationClass::SchemeRelative => text(
            (authority(), path(), query())
                .prop_map(|(a, p, q)| format!("//{a}{p}{q}"))
                .boxed(),
        ),
        LocationClass::AbsolutePath => text(
            (path(), query(), fragment())
                .prop_map(|(p, q, f)| format!("{p}{q}{f}"))
                .boxed(),
        ),
        LocationClass::RelativePath => text(
            (dotted_path(), query())
                .prop_map(|(p, q)| {
                    // A first segment with a colon would read as a scheme.
                    let p = if p.is_empty() { ".".to_owned() } else { p };
                    format!("{p}{q}")
                })
                .boxed(),
        ),
        LocationClass::QueryOnly => text(
            select(vec!["q=1", "", "a=b&c=%20"])
                .prop_map(|q| format!("?{q}"))
                .boxed(),
        ),
        LocationClass::FragmentOnly => text(
            select(vec!["f", "", "a/b"])
                .prop_map(|f| format!("#{f}"))
                .boxed(),
        ),
        LocationClass::Empty => Just(Vec::new()).boxed(),
        LocationClass::Malformed(kind) => malformed(kind),
    }
}

/// Puts `bad` into a valid path at `at` (clamped), after a prefix.
fn inject(prefix: &'static str, bad: BoxedStrategy<Vec<u8>>) -> BoxedStrategy<Vec<u8>> {
    (path(), bad, any::<proptest::sample::Index>())
        .prop_map(move |(p, bad, at)| {
            let mut v = prefix.as_bytes().to_vec();
            let p = p.into_bytes();
            let i = at.index(p.len() + 1);
            v.extend_from_slice(&p[..i]);
            v.extend_from_slice(&bad);
            v.extend_from_slice(&p[i..]);
            v
        })
        .boxed()
}

fn bytes(options: Vec<&'static [u8]>) -> BoxedStrategy<Vec<u8>> {
    select(options).prop_map(<[u8]>::to_vec).boxed()
}

fn malformed(kind: Malformed) -> BoxedStrategy<Vec<u8>> {
    match kind {
        Malformed::Space => inject("", bytes(vec![b" ", b"  ", b"\t"])),
        Malformed::Ctl => inject("", bytes(vec![b"\x00", b"\x01", b"\x1b", b"\x7f", b"\x0b"])),
        Malformed::CrLf => inject(
            "",
            bytes(vec![
                b"\r\n",
                b"\n",
                b"\r",
                b"\r\nSet-Cookie: a=b",
                b"\r\n\r\n<html>",
            ]),
        ),
        Malformed::NonAsciiUtf8 => inject(
            "",
            bytes(vec![
                "ü".as_bytes(),
                "例".as_bytes(),
                "\u{feff}".as_bytes(),
                "\u{202e}".as_bytes(),
            ]),
        ),
        Malformed::InvalidUtf8 => inject(
            "",
            bytes(vec![b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80\x80"]),
        ),
        Malformed::Backslash => select(vec![
            &b"\\\\b.test/x"[..],
            b"/a\\b",
            b"\\x",
            b"https:\\\\b.test\\",
            b"/\\b.test/",
        ])
        .prop_map(<[u8]>::to_vec)
        .boxed(),
        Malformed::BadPercent => {
            inject("", bytes(vec![b"%", b"%z", b"%zz", b"%4", b"%%41", b"%g0"]))
        }
        Malformed::Userinfo => select(vec![
            &b"https://u:p@b.test/"[..],
            b"//u@b.test/",
            b"https://a.test@b.test/",
            b"http://:@b.test/",
            b"https://u%40x:p@a.test/",
        ])
        .prop_map(<[u8]>::to_vec)
        .boxed(),
        Malformed::BadPort => select(vec![
            &b"http://b.test:65536/"[..],
            b"http://b.test:99999999999/",
            b"http://b.test:x/",
            b"http://b.test:-1/",
            b"http://b.test:8080:80/",
            b"//b.test: 80/",
        ])
        .prop_map(<[u8]>::to_vec)
        .boxed(),
        Malformed::BadIpv6 => select(vec![
            &b"http://[::1/"[..],
            b"http://::1]/",
            b"http://[::g]/",
            b"http://[1:2:3:4:5:6:7:8:9]/",
            b"http://[]/",
            b"http://[v1.x]/",
            b"http://[::1]x/",
        ])
        .prop_map(<[u8]>::to_vec)
        .boxed(),
        Malformed::Overlong => (0usize..64)
            .prop_map(|extra| {
                let mut v = b"/".to_vec();
                v.resize(crate::model::DEFAULT_MAX_LOCATION_LEN + 1 + extra, b'a');
                v
            })
            .boxed(),
    }
}

/// Any well-formed Location (every class but malformed), shrinking toward
/// an absolute path.
pub fn well_formed_location() -> BoxedStrategy<Vec<u8>> {
    let s: Vec<BoxedStrategy<Vec<u8>>> = LocationClass::WELL_FORMED
        .iter()
        .map(|c| location(*c))
        .collect();
    proptest::strategy::Union::new(s).boxed()
}

/// Any malformed Location, of every [`Malformed`] kind; overlong values (64
/// KiB each) are one in a hundred, to keep cases cheap.
pub fn malformed_location() -> BoxedStrategy<Vec<u8>> {
    let s: Vec<(u32, BoxedStrategy<Vec<u8>>)> = Malformed::ALL
        .iter()
        .map(|k| {
            (
                if *k == Malformed::Overlong { 1 } else { 10 },
                malformed(*k),
            )
        })
        .collect();
    proptest::strategy::Union::new_weighted(s).boxed()
}

/// Any Location: mostly well-formed, one in four malformed.
pub fn any_location() -> BoxedStrategy<Vec<u8>> {
    prop_oneof![3 => well_formed_location(), 1 => malformed_location()].boxed()
}

/// Location values an `http::HeaderValue` can hold (no CR, LF, NUL or other
/// CTL but HTAB): what an in-memory `http` service can send.
pub fn representable_location() -> BoxedStrategy<Vec<u8>> {
    any_location()
        .prop_filter("not representable in an http::HeaderValue", |v| {
            http::HeaderValue::from_bytes(v).is_ok()
        })
        .boxed()
}
