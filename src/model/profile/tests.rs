//! Profile tables' unit tests.

use super::*;

#[test]
fn names_round_trip() {
    for p in Profile::ALL {
        assert_eq!(p.as_str().parse::<Profile>(), Ok(p));
    }
    assert!("FETCH".parse::<Profile>().is_err());
}

#[test]
fn header_lists_are_lower_case_and_distinct() {
    for p in Profile::ALL {
        let pol = p.policy();
        for list in [
            &pol.method_change_headers,
            &pol.framing_headers,
            &pol.cross_origin_headers,
        ] {
            for (i, h) in list.iter().enumerate() {
                assert_eq!(h.as_str(), h.as_str().to_ascii_lowercase());
                assert!(!list[..i].contains(h), "{p}: {h} twice");
            }
        }
    }
}
