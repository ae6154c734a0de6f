//! GB/T 2260 six-digit administrative division codes.

use std::fmt;

use entities::RegionLevel;

/// A well-formed six-digit region code.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RegionCode(String);

/// Why a text is not a region code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a region code is six digits (GB/T 2260), such as 110000, 110100 or 110101; got '{0}'")]
pub struct RegionCodeError(pub String);

impl RegionCode {
    /// Parses a six-digit code.
    ///
    /// # Errors
    /// When the text is not six ASCII digits, or is `000000`.
    pub fn parse(text: &str) -> Result<Self, RegionCodeError> {
        let code = text.trim();
        if code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit()) && !code.starts_with("00") {
            Ok(Self(code.to_owned()))
        } else {
            Err(RegionCodeError(text.to_owned()))
        }
    }

    /// Province (`xx0000`), city (`xxxx00`) or county.
    #[must_use]
    pub fn level(&self) -> RegionLevel {
        if self.0.ends_with("0000") {
            RegionLevel::Province
        } else if self.0.ends_with("00") {
            RegionLevel::City
        } else {
            RegionLevel::County
        }
    }

    /// The code prefix shared by this region and everything under it.
    #[must_use]
    pub fn prefix(&self) -> &str {
        prefix_of(&self.0)
    }

    /// The parent the code's structure implies: a county's city, a city's province.
    #[must_use]
    pub fn implied_parent(&self) -> Option<String> {
        match self.level() {
            RegionLevel::Province => None,
            RegionLevel::City => Some(format!("{}0000", &self.0[..2])),
            RegionLevel::County => Some(format!("{}00", &self.0[..4])),
        }
    }

    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The prefix of a six-digit code that its subtree shares; other text is its own prefix.
#[must_use]
pub fn prefix_of(code: &str) -> &str {
    if code.len() != 6 {
        code
    } else if code.ends_with("0000") {
        &code[..2]
    } else if code.ends_with("00") {
        &code[..4]
    } else {
        code
    }
}

/// The level of a stored region code, the level ranks are within; `None` for
/// no region (national) or a code that is not one.
#[must_use]
pub fn level_of(region_code: Option<&str>) -> Option<RegionLevel> {
    region_code
        .and_then(|c| RegionCode::parse(c).ok())
        .map(|c| c.level())
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn levels_and_prefixes_follow_the_code() {
        let cases = [
            ("110000", RegionLevel::Province, "11", None),
            ("110100", RegionLevel::City, "1101", Some("110000")),
            ("110101", RegionLevel::County, "110101", Some("110100")),
            ("440300", RegionLevel::City, "4403", Some("440000")),
        ];
        for (text, level, prefix, parent) in cases {
            let code = RegionCode::parse(text).map_err(|e| e.to_string());
            assert_eq!(code.as_ref().map(RegionCode::level), Ok(level), "{text}");
            assert_eq!(code.as_ref().map(RegionCode::prefix), Ok(prefix), "{text}");
            assert_eq!(
                code.as_ref().map(RegionCode::implied_parent),
                Ok(parent.map(str::to_owned)),
                "{text}"
            );
        }
    }

    #[test]
    fn malformed_codes_are_rejected() {
        for bad in ["", "11000", "1100000", "11a000", "000000", "１１００００"] {
            assert!(
                RegionCode::parse(bad).is_err(),
                "{bad:?} should be rejected"
            );
        }
        assert_eq!(
            RegionCode::parse(" 110000 ").map(|c| c.to_string()),
            Ok("110000".to_owned())
        );
    }
}
