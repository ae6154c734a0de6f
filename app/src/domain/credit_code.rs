//! The unified social credit code (统一社会信用代码) of GB 32100-2015.

use std::fmt;

/// The 31 characters a code may use: digits and capitals without I, O, S, V and Z.
const ALPHABET: &[u8; 31] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
/// Weights of positions 1 to 17 (3^(i-1) mod 31).
const WEIGHTS: [u32; 17] = [
    1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28,
];

/// An 18-character credit code whose check character is right.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CreditCode(String);

/// Why a text is not a credit code.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CreditCodeError {
    /// Not 18 characters long.
    #[error("a unified social credit code has 18 characters, this has {0}")]
    Length(usize),
    /// A character outside the code's alphabet.
    #[error("character {position} ('{found}') is not allowed in a unified social credit code")]
    Character {
        /// 1-based position.
        position: usize,
        /// The offending character.
        found: char,
    },
    /// Positions 3 to 8 must be the registering region's digits.
    #[error(
        "characters 3 to 8 of a unified social credit code are the region code and must be digits"
    )]
    Region,
    /// The last character does not match the first 17.
    #[error("check character should be '{expected}', not '{found}'")]
    Check {
        /// What the first 17 characters require.
        expected: char,
        /// What the code has.
        found: char,
    },
}

fn value_of(c: u8) -> Option<u32> {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|p| u32::try_from(p).ok())
}

/// The check character for the first 17 characters of a code, which must
/// already be from the alphabet.
fn check_char(first17: &[u8]) -> Option<char> {
    let mut sum = 0u32;
    for (c, w) in first17.iter().zip(WEIGHTS) {
        sum += value_of(*c)? * w;
    }
    let check = (31 - sum % 31) % 31;
    ALPHABET.get(check as usize).map(|&b| char::from(b))
}

impl CreditCode {
    /// Parses a code; surrounding spaces are ignored and letters may be lower case.
    ///
    /// # Errors
    /// When the text is not a well-formed code with the right check character.
    pub fn parse(text: &str) -> Result<Self, CreditCodeError> {
        let code = text.trim().to_ascii_uppercase();
        let count = code.chars().count();
        if count != 18 {
            return Err(CreditCodeError::Length(count));
        }
        let bytes = code.as_bytes();
        for (i, c) in code.chars().enumerate() {
            if !c.is_ascii() || value_of(c as u8).is_none() {
                return Err(CreditCodeError::Character {
                    position: i + 1,
                    found: c,
                });
            }
        }
        if !bytes[2..8].iter().all(u8::is_ascii_digit) {
            return Err(CreditCodeError::Region);
        }
        let expected = check_char(&bytes[..17]).ok_or(CreditCodeError::Length(count))?;
        let found = char::from(bytes[17]);
        if expected != found {
            return Err(CreditCodeError::Check { expected, found });
        }
        Ok(Self(code))
    }

    /// Completes 17 leading characters with their check character.
    ///
    /// Used to make valid codes for demo data; `None` unless the 17 characters
    /// are from the alphabet.
    #[must_use]
    pub fn complete(first17: &str) -> Option<Self> {
        let bytes = first17.as_bytes();
        if bytes.len() != 17 {
            return None;
        }
        let check = check_char(bytes)?;
        Self::parse(&format!("{first17}{check}")).ok()
    }

    /// The code as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The six-digit region of registration (positions 3 to 8).
    #[must_use]
    pub fn region(&self) -> &str {
        &self.0[2..8]
    }
}

impl fmt::Display for CreditCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // Published codes: a listed company's, and the GB 32100-2015 standard's own example.
    const REAL: &[&str] = &["91110000802100433B", "91350100M000100Y43"];

    #[test]
    fn real_codes_parse() {
        for code in REAL {
            assert_eq!(
                CreditCode::parse(code).map(|c| c.to_string()),
                Ok((*code).to_owned()),
                "{code}"
            );
        }
    }

    #[test]
    fn lower_case_and_spaces_are_accepted() {
        let code = CreditCode::parse(" 91350100m000100y43 ");
        assert_eq!(
            code.map(|c| c.as_str().to_owned()),
            Ok("91350100M000100Y43".to_owned())
        );
    }

    #[test]
    fn a_wrong_check_character_is_named() {
        assert_eq!(
            CreditCode::parse("91350100M000100Y44"),
            Err(CreditCodeError::Check {
                expected: '3',
                found: '4'
            })
        );
    }

    #[test]
    fn malformed_codes_are_rejected_with_the_reason() {
        assert_eq!(CreditCode::parse("9135"), Err(CreditCodeError::Length(4)));
        assert_eq!(
            CreditCode::parse("91350100M000100I43"),
            Err(CreditCodeError::Character {
                position: 16,
                found: 'I'
            })
        );
        assert_eq!(
            CreditCode::parse("9135A100M000100Y43"),
            Err(CreditCodeError::Region)
        );
        assert!(matches!(
            CreditCode::parse("９１３５０１００Ｍ０００１００Ｙ４３"),
            Err(CreditCodeError::Character { position: 1, .. })
        ));
    }

    #[test]
    fn complete_appends_the_check_character() {
        assert_eq!(
            CreditCode::complete("91350100M000100Y4").map(|c| c.to_string()),
            Some("91350100M000100Y43".to_owned())
        );
        assert_eq!(CreditCode::complete("short"), None);
        assert_eq!(CreditCode::complete("91350100M000100I4"), None);
    }

    #[test]
    fn every_check_value_round_trips() {
        // Vary one position over the whole alphabet so every check character occurs.
        for c in ALPHABET.iter().map(|&b| char::from(b)) {
            let first17 = format!("9111010{c}MA000000X");
            if let Some(code) = CreditCode::complete(&first17[..17]) {
                assert_eq!(CreditCode::parse(code.as_str()), Ok(code.clone()));
            }
        }
    }
}
