// The RFC 3986 §5.4 examples of `tests/data/rfc3986_examples.txt`, read by
// the integration tests (through `common`) and by the unit tests of
// `src/fuzz/resolve.rs` (with `include!`, hence no inner doc comment): std
// only.

/// One example: the seed file's name, the reference, its strict resolution.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Rfc3986Example {
    /// `corpus/location_parse/<name>` holds the reference.
    pub name: &'static str,
    /// The relative reference.
    pub reference: &'static str,
    /// Its resolution against [`RFC3986_BASE`] by a strict parser.
    pub result: &'static str,
}

impl Rfc3986Example {
    /// A §5.4.1 "Normal Example" (otherwise §5.4.2 "Abnormal").
    pub fn normal(&self) -> bool {
        self.name.starts_with("rfc-normal-")
    }
}

const TABLE: &str = include_str!("../data/rfc3986_examples.txt");

/// The base URI of every example.
pub const RFC3986_BASE: &str = "http://a/b/c/d;p?q";

/// Every example, in the file's order; panics on a malformed line (the file
/// is ours) or on a base line that is not [`RFC3986_BASE`].
pub fn rfc3986_examples() -> Vec<Rfc3986Example> {
    let mut lines = TABLE.lines().filter(|l| !l.starts_with('#'));
    assert_eq!(
        lines.next(),
        Some(format!("base\t{RFC3986_BASE}").as_str()),
        "rfc3986_examples.txt: the base line comes first"
    );
    let examples: Vec<Rfc3986Example> = lines
        .map(|line| match line.split('\t').collect::<Vec<_>>()[..] {
            [name, reference, result] if name.starts_with("rfc-") => Rfc3986Example {
                name,
                reference,
                result,
            },
            _ => panic!("rfc3986_examples.txt: not NAME<TAB>REFERENCE<TAB>RESULT: {line:?}"),
        })
        .collect();
    let normal = examples.iter().filter(|e| e.normal()).count();
    assert_eq!(
        (normal, examples.len() - normal),
        (23, 19),
        "RFC 3986 §5.4.1 has 23 examples, §5.4.2 has 19"
    );
    examples
}
