//! Content and its framing: 304 and HEAD without content, Content-Length
//! that is valid, alone, and true.
//!
//! RFC 9112 §6.3, message body length: a response to HEAD and a 304 end at
//! the empty line after the head, whatever their fields say; with
//! Transfer-Encoding the chunked coding frames the body; otherwise a valid
//! Content-Length gives its length; otherwise the body runs to the close.

use http::Method;

use crate::server::finding::{Finding, Rule};
use crate::server::report::Report;
use crate::server::request::RequestInfo;
use crate::server::view::{parse_length, trim, Content, Field, View};

/// What the framing rules read from the response alone (not the request):
/// their findings about Content-Length and Transfer-Encoding, in order, and
/// the one Content-Length and its first field line when the rules go on to
/// compare it with the content ([`check`]). Worked out once per response,
/// however many requests it is checked against.
#[derive(Debug)]
pub(crate) struct Framing<'a> {
    findings: Vec<Finding>,
    length: Option<(u64, Field<'a>)>,
}

impl<'a> Framing<'a> {
    pub(crate) fn of(view: &View<'a>) -> Self {
        let mut findings = Vec::new();
        let length = framing(view, &mut findings);
        Framing { findings, length }
    }

    /// How many findings it holds.
    pub(crate) fn len(&self) -> usize {
        self.findings.len()
    }
}

/// Pushes the findings of [`Framing`] to `findings`; returns its length.
fn framing<'a>(view: &View<'a>, findings: &mut Vec<Finding>) -> Option<(u64, Field<'a>)> {
    let te = view.first("transfer-encoding");
    let first_field = view.first("content-length")?;
    if let Some(te) = te {
        // RFC 9112 §6.2: "A sender MUST NOT send a Content-Length header
        // field in any message that contains a Transfer-Encoding header field."
        findings.push(
            Finding::text(
                Rule::ContentLengthWithTransferEncoding,
                "Content-Length together with Transfer-Encoding: the classic request/response smuggling ambiguity",
            )
            .with_evidence(te.offset, te.value),
        );
        return None;
    }
    // RFC 9110 §8.6: "Content-Length = 1*DIGIT". Counted as read (no
    // list per response): field lines, values, the first, whether any differs.
    let (mut fields, mut values, mut first, mut differ) = (0, 0, None, false);
    for f in view.all("content-length") {
        fields += 1;
        for part in f.value.split(|&b| b == b',') {
            match parse_length(trim(part)) {
                Some(n) => {
                    values += 1;
                    differ |= first.is_some_and(|m| m != n);
                    first = first.or(Some(n));
                }
                None => {
                    findings.push(
                        Finding::text(
                            Rule::ContentLengthInvalid,
                            "a Content-Length value that is not a decimal length",
                        )
                        .with_evidence(f.offset, f.value),
                    );
                    return None;
                }
            }
        }
    }
    let first = first?;
    if differ {
        findings.push(
            Finding::text(
                Rule::ContentLengthInvalid,
                "Content-Length values that differ: the message length is unknown",
            )
            .with_evidence(first_field.offset, first_field.value),
        );
        return None;
    }
    if values > 1 {
        // The sender breaks a MUST either way: `42, 42` does not match
        // `Content-Length = 1*DIGIT` (RFC 9110 §8.6; §2.2: "A sender MUST
        // NOT generate protocol elements that do not match the grammar"),
        // and two field lines break RFC 9110 §5.3 ("A sender MUST NOT
        // generate multiple field lines with the same name in a message
        // ... unless ... the entire field value for that header field is
        // defined as a comma-separated list"). A recipient "MAY either
        // reject the message as invalid or replace that invalid field value
        // with a single instance of the decimal value" (§8.6), and RFC 9112
        // §6.3 treats an invalid Content-Length as unrecoverable framing.
        let section = if fields > 1 {
            "RFC 9110 §5.3, §8.6"
        } else {
            "RFC 9110 §8.6, §2.2"
        };
        findings.push(
            Finding::args(
                Rule::ContentLengthInvalid,
                format_args!(
                    "Content-Length sent {} times with the same value: not `1*DIGIT`, and recipients may reject the message",
                    values
                ),
            )
            .in_section(section)
            .with_evidence(first_field.offset, first_field.value),
        );
    }
    Some((first, first_field))
}

/// The content rules: no content after the head of a 304 or of a response
/// to HEAD, what [`Framing`] found, and a Content-Length that is not the
/// number of bytes sent.
pub(crate) fn check(
    framing: &Framing<'_>,
    view: &View<'_>,
    request: &RequestInfo,
    report: &mut Report,
) {
    let status = view.status.as_u16();
    let head = request.method() == Method::HEAD;
    if status == 304 || head {
        no_content(view, head, report);
    }
    report.extend_cloned(&framing.findings);
    let Some((first, first_field)) = framing.length else {
        return;
    };
    // The Content-Length of a 304 or of a HEAD response describes the
    // representation a GET would get (RFC 9110 §8.6), not these bytes.
    if status == 304 || head || view.status.is_informational() || status == 204 {
        return;
    }
    let sent = match view.content {
        Content::Raw { rest, .. } => rest.len() as u64,
        Content::Known { len } => len,
    };
    if sent != first {
        let (what, rule_detail) = if sent < first {
            (
                "fewer",
                "the client waits for bytes that never come, or reads the next response as content",
            )
        } else {
            (
                "more",
                "the extra bytes are read as the start of the next response",
            )
        };
        let mut finding = Finding::args(
            Rule::ContentLengthMismatch,
            format_args!("Content-Length is {first} but {sent} bytes follow the head ({what}): {rule_detail}"),
        );
        match view.content {
            // More: the bytes past the length.
            Content::Raw { rest, offset } if sent > first => {
                let past = usize::try_from(first).map_or(rest.len(), |n| n.min(rest.len()));
                finding = finding.with_evidence(Some(offset + past), &rest[past..]);
            }
            // Fewer: the length that promises them.
            Content::Raw { .. } | Content::Known { .. } => {
                finding = finding.with_evidence(first_field.offset, first_field.value);
            }
        }
        report.push(finding);
    }
}

/// RFC 9110 §15.4.5: "A 304 response is terminated by the end of the header
/// section; it cannot contain content or trailers." RFC 9110 §9.3.2: for
/// HEAD, "the server MUST NOT send content in the response".
fn no_content(view: &View<'_>, head: bool, report: &mut Report) {
    let (rule, what) = if view.status.as_u16() == 304 {
        (Rule::NotModifiedWithContent, "a 304 response")
    } else {
        (Rule::HeadWithContent, "a response to HEAD")
    };
    debug_assert!(head || view.status.as_u16() == 304);
    match view.content {
        Content::Raw { rest, offset } if !rest.is_empty() => report.push(
            Finding::args(
                rule,
                format_args!(
                    "{} bytes after the head of {what}: the message ends at the empty line, so they are read as the next response",
                    rest.len()
                ),
            )
            .with_evidence(Some(offset), rest),
        ),
        Content::Known { len } if len > 0 => report.push(Finding::args(
            rule,
            format_args!("{what} with {len} bytes of content"),
        )),
        Content::Raw { .. } | Content::Known { .. } => {}
    }
}
