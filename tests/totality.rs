//! Totality: random bytes through the Location parser and through `step`
//! under every profile, with no panic and every invariant kept.
//!
//! 100,000 byte strings per property (proptest, shrinking on failure).

mod common;

use common::*;
use proptest::prelude::*;
use redirspec::model::{parse_location, parse_uri_reference};
use redirspec::{Body, Profile, Step};

/// Bytes biased toward the ones that matter to URIs.
fn location_bytes() -> impl Strategy<Value = Vec<u8>> {
    let byte = prop_oneof![
        4 => prop::sample::select(b"/?#:@.%[]\\ \t\r\n\0abcAZ09-_~!$&'()*+,;=".to_vec()),
        1 => any::<u8>(),
    ];
    prop_oneof![
        3 => prop::collection::vec(byte, 0..48),
        1 => (prop::sample::select(vec![
            &b"http://"[..], b"https://", b"//", b"/", b"../", b"?", b"#", b"http://[", b"https://u@",
        ]), prop::collection::vec(any::<u8>(), 0..32))
            .prop_map(|(p, rest)| [p, &rest].concat()),
    ]
}

fn config() -> ProptestConfig {
    ProptestConfig {
        cases: 100_000,
        failure_persistence: None,
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn the_parser_is_total_and_its_offsets_are_in_range(bytes in location_bytes()) {
        match parse_location(&bytes, 1 << 16) {
            Ok(r) => {
                // An accepted value round-trips: its text re-parses to the same reference.
                let again = parse_uri_reference(r.as_str().as_bytes()).unwrap();
                prop_assert_eq!(again, r);
            }
            Err(e) => {
                if let Some(off) = e.offset() {
                    prop_assert!(off < bytes.len(), "{} at {} of {}", e, off, bytes.len());
                }
            }
        }
    }

    #[test]
    fn step_is_total_under_every_profile(
        bytes in location_bytes(),
        code in prop_oneof![300u16..=399, 100u16..=599],
        lines in 0usize..3,
        method in prop::sample::select(vec!["GET", "HEAD", "POST", "PUT", "PURGE"]),
        body in prop::sample::select(vec![Body::None, Body::Bytes(3), Body::Stream]),
    ) {
        let locs: Vec<&[u8]> = std::iter::repeat_n(&bytes[..], lines).collect();
        for p in Profile::ALL {
            let mut m = machine(p, method, "https://a.test/b/c?q#f", &[("authorization", "x")], body);
            let step = m.step_raw(status(code), &locs);
            if let Step::Follow(hop) = step {
                let url = hop.url();
                prop_assert!(url.starts_with("http://") || url.starts_with("https://"), "{}", url);
            }
            m.check_invariants();
        }
    }
}
