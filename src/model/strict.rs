//! The strict profiles' general path: one Location value read as RFC 3986
//! (RFC 9110 §10.2.2), checked against the policy, resolved against the
//! current URL (RFC 3986 §5.2) and given the request's fragment.
//!
//! [`resolve_general`] is the definition the machine follows in
//! [`LocationMode::Strict`](super::LocationMode::Strict); the one-pass path
//! of `model/fast_strict.rs` and the one-pass parser of `model/fast.rs` stand
//! in for it on the values where they are sure, and
//! `fast_strict::check_against_general` compares them with it under every
//! setting of the policy switches it reads ([`SWITCHES`]).

use super::location::{check_field_bytes, LocationError};
use super::profile::Policy;
use super::resolve::{resolve, UriBuf};
use super::uri::{parse_uri_reference, UriRef};

/// Reads the Location value `value` (trimmed; `start` is its offset in the
/// field line) against `current` into `next`: [`parse_value`] (the part no
/// policy switch reads), then [`resolve_reference`] (the policy's part).
///
/// # Errors
/// The first bad byte with its offset in the field line, or a policy check
/// that fails; `next` is then unspecified.
pub(crate) fn resolve_general(
    current: &UriBuf,
    value: &[u8],
    start: usize,
    next: &mut UriBuf,
    policy: &Policy,
) -> Result<(), LocationError> {
    let r = parse_value(value, start)?;
    resolve_reference(current, &r, start, next, policy)
}

/// The part of [`resolve_general`] that reads no policy switch: field bytes
/// (RFC 9110 §5.5), then the RFC 3986 grammar.
///
/// # Errors
/// The first bad byte, with its offset in the field line (`start` being
/// the value's).
#[inline]
pub(crate) fn parse_value(value: &[u8], start: usize) -> Result<UriRef<'_>, LocationError> {
    check_field_bytes(value, start)?;
    parse_uri_reference(value).map_err(|e| e.shifted(start))
}

/// The policy's checks on a parsed Location reference `r`, then RFC 3986
/// §5.2.2 against `current` into `next`, then fragment inheritance.
///
/// # Errors
/// A relative reference the policy refuses, userinfo it refuses, or a port
/// beyond 65535 (its offset in the field line, `start` being the value's).
#[inline]
pub(crate) fn resolve_reference(
    current: &UriBuf,
    r: &UriRef<'_>,
    start: usize,
    next: &mut UriBuf,
    policy: &Policy,
) -> Result<(), LocationError> {
    // RFC 2616 §14.30: "Location = "Location" ":" absoluteURI".
    if !policy.relative_location && r.scheme().is_none() {
        return Err(LocationError::RelativeNotAllowed);
    }
    // RFC 9110 §4.2.4: "a recipient SHOULD parse for userinfo and treat its
    // presence as an error".
    if policy.refuse_userinfo && r.userinfo().is_some() {
        return Err(LocationError::Userinfo);
    }
    // RFC 9110 §4.2.1 / RFC 3986 §3.2.3: a TCP port is at most 65535.
    if let (Some(p), Some((offset, _))) = (r.port(), r.parts().port) {
        if !p.is_empty() && port_number(p.as_bytes()).is_none() {
            return Err(LocationError::PortOutOfRange {
                offset: offset + start,
            });
        }
    }
    // RFC 3986 §5.2.2 with the current URL as base (RFC 9110 §10.2.2:
    // "relative to the target URI").
    resolve(current, r, next);
    if policy.inherit_fragment && r.fragment().is_none() {
        // RFC 9110 §10.2.2: "If the Location value provided in a 3xx
        // (Redirection) response does not have a fragment component, a user
        // agent MUST process the redirection as if the value inherits the
        // fragment component of the URI reference used to generate the
        // target URI".
        next.inherit_fragment(current.fragment());
    }
    Ok(())
}

/// Reads a strict-mode start URL into `u`: an RFC 3986 URI with a scheme,
/// a non-empty host and a port of at most 65535. With `fast`, the common
/// shapes are read by the one-pass scan (`model/fast.rs`).
#[inline(always)]
pub(crate) fn start(u: &mut UriBuf, url: &str, fast: bool) -> Result<(), LocationError> {
    u.set_absolute(url, fast)?;
    if u.host().is_none_or(str::is_empty) {
        return Err(LocationError::NoHost);
    }
    if let (Some(p), Some((offset, _))) = (u.port(), u.parts().port) {
        if !p.is_empty() && port_number(p.as_bytes()).is_none() {
            return Err(LocationError::PortOutOfRange { offset });
        }
    }
    Ok(())
}

/// The value of a port (leading zeros allowed, RFC 3986 §3.2.3), or `None`
/// when it is empty or beyond 65535.
pub(crate) fn port_number(digits: &[u8]) -> Option<u16> {
    if digits.is_empty() {
        return None;
    }
    digits
        .iter()
        .try_fold(0u32, |v, d| {
            let v = v * 10 + u32::from(d.wrapping_sub(b'0'));
            (d.is_ascii_digit() && v <= 65535).then_some(v)
        })
        .and_then(|v| u16::try_from(v).ok())
}

/// The policy switches the strict Location path reads, every setting:
/// (`relative_location`, `inherit_fragment`, `refuse_userinfo`).
#[cfg(any(test, feature = "fuzz"))]
pub(crate) const SWITCHES: [(bool, bool, bool); 8] = [
    (true, true, true),
    (true, true, false),
    (true, false, true),
    (true, false, false),
    (false, true, true),
    (false, true, false),
    (false, false, true),
    (false, false, false),
];

/// A set of settings of [`SWITCHES`]: bit `i` stands for `SWITCHES[i]`.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) type Settings = u8;

/// Every setting of [`SWITCHES`].
#[cfg(any(test, feature = "fuzz"))]
pub(crate) const ALL_SETTINGS: Settings = u8::MAX;

/// Runs `f` with `profile`'s policy under each setting of [`SWITCHES`], in
/// that order: the policies are built once per thread, so that the
/// differential checks (run on every fuzz input) pay for the comparison, not
/// for building eight policies.
#[cfg(any(test, feature = "fuzz"))]
pub(crate) fn with_switched_policies<R>(
    profile: super::Profile,
    f: impl FnOnce(&[((bool, bool, bool), Policy); 8]) -> R,
) -> R {
    type Switched = [((bool, bool, bool), Policy); 8];
    fn build(profile: super::Profile) -> Switched {
        let base = profile.policy();
        SWITCHES.map(|(relative, inherit, userinfo)| {
            let p = base
                .clone()
                .with_relative_location(relative)
                .with_inherit_fragment(inherit)
                .with_refuse_userinfo(userinfo);
            ((relative, inherit, userinfo), p)
        })
    }
    thread_local! {
        static FETCH: Switched = build(super::Profile::Fetch);
        static RFC9110: Switched = build(super::Profile::Rfc9110);
    }
    match profile {
        super::Profile::Fetch => FETCH.with(|p| f(p)),
        super::Profile::Rfc9110 => RFC9110.with(|p| f(p)),
        other => f(&build(other)),
    }
}
