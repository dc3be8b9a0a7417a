//! Reading lines with a bound on their length, so that no input can make the
//! batch mode allocate without limit.

use std::io::BufRead;

/// A line that could not be read whole.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub(crate) enum LineError {
    /// Longer than the bound; the rest of the line was skipped.
    #[error("line is longer than {max} bytes")]
    TooLong {
        /// The bound.
        max: usize,
    },
    /// Not UTF-8.
    #[error("line is not UTF-8 (at byte {0})")]
    NotUtf8(usize),
}

/// An iterator over the lines of a reader, each at most `max` bytes (without
/// its line end). A longer line yields [`LineError::TooLong`] and is skipped;
/// reading then goes on with the next line.
pub(crate) struct BoundedLines<R> {
    reader: R,
    max: usize,
    buf: Vec<u8>,
}

impl<R: BufRead> BoundedLines<R> {
    /// Wraps a reader.
    pub(crate) fn new(reader: R, max: usize) -> Self {
        BoundedLines {
            reader,
            max,
            buf: Vec::new(),
        }
    }
}

impl<R: BufRead> BoundedLines<R> {
    /// The next line, borrowed from this reader's own buffer: what
    /// [`Iterator::next`] yields, without a `String` per line (no
    /// allocation once the buffer has grown).
    pub(crate) fn next_line(&mut self) -> Option<std::io::Result<Result<&str, LineError>>> {
        self.buf.clear();
        let mut too_long = false;
        let mut any = false;
        loop {
            let chunk = match self.reader.fill_buf() {
                Ok(c) => c,
                Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
                Err(e) => return Some(Err(e)),
            };
            if chunk.is_empty() {
                break;
            }
            any = true;
            let (take, done) = match memchr::memchr(b'\n', chunk) {
                Some(p) => (p, true),
                None => (chunk.len(), false),
            };
            if !too_long {
                if self.buf.len() + take > self.max {
                    too_long = true;
                    self.buf.clear();
                } else {
                    self.buf.extend_from_slice(&chunk[..take]);
                }
            }
            self.reader.consume(take + usize::from(done));
            if done {
                break;
            }
        }
        if !any {
            return None;
        }
        if too_long {
            return Some(Ok(Err(LineError::TooLong { max: self.max })));
        }
        if self.buf.last() == Some(&b'\r') {
            self.buf.pop();
        }
        Some(Ok(
            std::str::from_utf8(&self.buf).map_err(|e| LineError::NotUtf8(e.valid_up_to()))
        ))
    }
}

impl<R: BufRead> Iterator for BoundedLines<R> {
    type Item = std::io::Result<Result<String, LineError>>;

    fn next(&mut self) -> Option<Self::Item> {
        self.next_line()
            .map(|line| line.map(|text| text.map(str::to_owned)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, String>> {
        BoundedLines::new(input, max)
            .map(|r| r.unwrap().map_err(|e| e.to_string()))
            .collect()
    }

    #[test]
    fn splits_and_bounds() {
        assert_eq!(
            lines(b"ab\r\ncd\nlong-line\nx", 4),
            vec![
                Ok("ab".into()),
                Ok("cd".into()),
                Err("line is longer than 4 bytes".into()),
                Ok("x".into())
            ]
        );
        assert_eq!(lines(b"", 4), vec![]);
        assert_eq!(lines(b"\n", 4), vec![Ok(String::new())]);
        assert_eq!(
            lines(b"\xff\n", 4),
            vec![Err("line is not UTF-8 (at byte 0)".into())]
        );
    }
}
