//! Classification of response status codes for redirection.
//!
//! Every code from 300 to 399 has a class; everything else is
//! [`StatusClass::NotRedirection`]. Whether a class is *followed* is the
//! policy's business ([`StatusRules`](super::StatusRules)); 304, 305 and 306
//! are never followed by any profile (see each variant).

use http::StatusCode;

/// What a status code means for redirection (RFC 9110 §15.4).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum StatusClass {
    /// 300 Multiple Choices (RFC 9110 §15.4.1): the user agent MAY use
    /// the Location field value for automatic redirection.
    MultipleChoices,
    /// 301 Moved Permanently (RFC 9110 §15.4.2).
    MovedPermanently,
    /// 302 Found (RFC 9110 §15.4.3).
    Found,
    /// 303 See Other (RFC 9110 §15.4.4).
    SeeOther,
    /// 304 Not Modified (RFC 9110 §15.4.5): a cache validation answer, never
    /// a redirection.
    NotModified,
    /// 305 Use Proxy (RFC 9110 §15.4.6): deprecated; its Location named a
    /// proxy, so following it as a redirect would be wrong.
    UseProxy,
    /// 306 (Unused) (RFC 9110 §15.4.7): reserved, no meaning.
    Unused,
    /// 307 Temporary Redirect (RFC 9110 §15.4.8).
    TemporaryRedirect,
    /// 308 Permanent Redirect (RFC 9110 §15.4.9).
    PermanentRedirect,
    /// Any other 3xx code (309-399): RFC 9110 §15.4 lets a user agent follow
    /// its Location "even if the specific status code is not understood".
    Unknown3xx(u16),
    /// Not a 3xx code: never a redirection, even with a Location field.
    NotRedirection,
}

/// Classifies a status code.
///
/// # Examples
/// ```
/// use http::StatusCode;
/// use redirspec::model::{classify, StatusClass};
/// assert_eq!(classify(StatusCode::SEE_OTHER), StatusClass::SeeOther);
/// assert_eq!(classify(StatusCode::from_u16(399).unwrap()), StatusClass::Unknown3xx(399));
/// assert_eq!(classify(StatusCode::CREATED), StatusClass::NotRedirection);
/// ```
pub fn classify(status: StatusCode) -> StatusClass {
    match status.as_u16() {
        300 => StatusClass::MultipleChoices,
        301 => StatusClass::MovedPermanently,
        302 => StatusClass::Found,
        303 => StatusClass::SeeOther,
        304 => StatusClass::NotModified,
        305 => StatusClass::UseProxy,
        306 => StatusClass::Unused,
        307 => StatusClass::TemporaryRedirect,
        308 => StatusClass::PermanentRedirect,
        code @ 309..=399 => StatusClass::Unknown3xx(code),
        _ => StatusClass::NotRedirection,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_3xx_has_a_class_and_nothing_else_does() {
        for code in 100..=999u16 {
            let class = classify(StatusCode::from_u16(code).unwrap());
            assert_eq!(
                (300..=399).contains(&code),
                class != StatusClass::NotRedirection,
                "{code}"
            );
        }
    }
}
