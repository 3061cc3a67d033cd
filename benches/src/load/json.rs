//! A flat JSON object writer for the one-line report: no dependency needed for it.

use std::fmt::Write as _;

/// A flat JSON object writer: string keys, numbers, strings and nulls only.
#[derive(Default)]
pub(super) struct Json {
    out: String,
}

impl Json {
    fn key(&mut self, key: &str) {
        self.out.push(if self.out.is_empty() { '{' } else { ',' });
        self.string(key);
        self.out.push(':');
    }

    fn string(&mut self, s: &str) {
        self.out.push('"');
        for c in s.chars() {
            match c {
                '"' => self.out.push_str("\\\""),
                '\\' => self.out.push_str("\\\\"),
                c if u32::from(c) < 0x20 => {
                    let _ = write!(self.out, "\\u{:04x}", u32::from(c));
                }
                c => self.out.push(c),
            }
        }
        self.out.push('"');
    }

    pub(super) fn str(&mut self, key: &str, value: &str) {
        self.key(key);
        self.string(value);
    }

    pub(super) fn num(&mut self, key: &str, value: f64) {
        self.opt(key, Some(value));
    }

    pub(super) fn opt(&mut self, key: &str, value: Option<f64>) {
        self.key(key);
        match value {
            Some(v) if v.is_finite() && v.fract() == 0.0 && v.abs() < 9e15 => {
                let _ = write!(self.out, "{}", v as i64);
            }
            Some(v) if v.is_finite() => {
                let _ = write!(self.out, "{v:.6}");
            }
            _ => self.out.push_str("null"),
        }
    }

    pub(super) fn finish(mut self) -> String {
        if self.out.is_empty() {
            self.out.push('{');
        }
        self.out.push('}');
        self.out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_is_one_flat_object() {
        let mut j = Json::default();
        j.str("mode", "a \"b\"\n\\");
        j.num("n", 3.0);
        j.num("x", 0.25);
        j.opt("none", None);
        j.num("inf", f64::INFINITY);
        assert_eq!(
            j.finish(),
            r#"{"mode":"a \"b\"\u000a\\","n":3,"x":0.250000,"none":null,"inf":null}"#
        );
        assert_eq!(Json::default().finish(), "{}");
    }
}
