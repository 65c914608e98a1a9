//! JSON out, for response bodies and stored records. sonic-rs writes it: the bytes are
//! serde_json's (the tests below hold it to that), but it escapes strings with SIMD where
//! serde_json looks at each byte. Ids, etags and names are most of every body, and escaping
//! them was 8 % of the server's instructions per NIC create. Parsing stays with serde_json,
//! whose errors the edge turns into ARM's messages.

use serde::Serialize;

/// `value` as JSON, in a buffer of at least `capacity` bytes.
pub fn to_vec<T: Serialize + ?Sized>(value: &T, capacity: usize) -> Vec<u8> {
    let mut buf = Vec::with_capacity(capacity);
    // Only a map with non-string keys fails, and no type of ours has one.
    sonic_rs::to_writer(&mut buf, value).expect("our values always serialize");
    buf
}

/// `value` as a JSON string.
pub fn to_string<T: Serialize + ?Sized>(value: &T) -> String {
    sonic_rs::to_string(value).expect("our values always serialize")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn same_as_serde_json(v: &serde_json::Value) {
        assert_eq!(to_string(v), serde_json::to_string(v).unwrap());
        assert_eq!(to_vec(v, 0), serde_json::to_vec(v).unwrap());
    }

    #[test]
    fn escapes_numbers_and_nesting_match_serde_json() {
        same_as_serde_json(&json!({
            "quote\"back\\slash": "a\"b\\c/d",
            "controls": "\u{0}\u{1}\u{8}\t\n\u{b}\u{c}\r\u{1f}\u{7f}",
            "unicode": "é ü 中文 🚀 \u{2028}\u{2029} \u{feff}",
            "numbers": [0, -1, u64::MAX, i64::MIN, 0.1, -0.0, 1e300, 2.5e-8, 1.0, 123456.789],
            "nested": {"a": [null, true, false, {"b": []}], "c": {}},
            "": ""
        }));
        same_as_serde_json(&json!(f64::NAN));
        same_as_serde_json(&json!("x".repeat(100_000)));
    }

    #[derive(Serialize)]
    #[serde(rename_all = "camelCase")]
    struct Shape<'a> {
        name: &'a str,
        #[serde(skip_serializing_if = "Option::is_none")]
        absent: Option<u8>,
        maybe: Option<&'a str>,
        list: Vec<&'a str>,
        #[serde(rename = "type")]
        kind: &'static str,
    }

    #[test]
    fn derived_structs_match_serde_json() {
        let s = Shape {
            name: "nic-1",
            absent: None,
            maybe: None,
            list: vec!["/subscriptions/s/resourceGroups/rg", "x\"y"],
            kind: "Microsoft.Network/networkInterfaces",
        };
        assert_eq!(to_string(&s), serde_json::to_string(&s).unwrap());
    }

    proptest! {
        #[test]
        fn any_string_escapes_as_serde_json_does(s in any::<String>(), k in "\\PC*") {
            let v = json!({ k: s.clone(), "list": [s] });
            prop_assert_eq!(to_string(&v), serde_json::to_string(&v).unwrap());
        }

        #[test]
        fn any_number_prints_as_serde_json_does(i in any::<i64>(), u in any::<u64>(), f in any::<f64>()) {
            let v = json!([i, u, f]);
            prop_assert_eq!(to_string(&v), serde_json::to_string(&v).unwrap());
        }
    }
}
