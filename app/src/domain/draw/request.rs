//! What a caller may ask of a draw: a seed of their own, public text to derive
//! it from, or neither (a random seed), and why. [`SeedRequest::parse`] checks it
//! once; what it returns cannot be wrong.

/// Longest seed text or reason, in characters (Unicode code points, not bytes):
/// announcements and reasons are sentences, and both are printed on the draw
/// list's cover.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// Where a draw's seed comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedChoice {
    /// Taken from the operating system when the draw runs.
    Random,
    /// Given by the caller, with a reason.
    Given(u64),
    /// Derived from public text announced before the draw ([`super::seed_from_text`]),
    /// exactly as given: never empty, and with no white space at either end.
    PublicText(String),
}

/// A draw request whose seed and reason are acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRequest {
    /// Where the seed comes from.
    pub seed: SeedChoice,
    /// Why the plan is drawn again, or why with a given seed; as given (at most
    /// [`MAX_TEXT_CHARS`] once trimmed).
    pub reason: Option<String>,
}

/// Why a draw request is refused; [`SeedRequestError::field`] names the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeedRequestError {
    /// A seed and a seed text together.
    #[error("give either seed or seed_text, not both")]
    SeedAndText,
    /// An empty seed text.
    #[error("must not be empty")]
    EmptyText,
    /// A seed text that starts or ends with white space, which nobody sees
    /// where the text is announced, but which changes the seed.
    #[error(
        "must not start or end with white space (spaces, tabs, line breaks, U+3000 全角空格); \
         it is hashed exactly as given"
    )]
    PaddedText,
    /// A seed text over [`MAX_TEXT_CHARS`].
    #[error("must have at most {MAX_TEXT_CHARS} characters")]
    TextTooLong,
    /// A given seed without a reason.
    #[error(
        "a given seed needs a reason: say why the draw does not use a random seed or public text"
    )]
    GivenWithoutReason,
    /// A reason over [`MAX_TEXT_CHARS`].
    #[error("must have at most {MAX_TEXT_CHARS} characters")]
    ReasonTooLong,
}

impl SeedRequestError {
    /// The request field at fault.
    #[must_use]
    pub fn field(self) -> &'static str {
        match self {
            Self::SeedAndText => "seed",
            Self::EmptyText | Self::PaddedText | Self::TextTooLong => "seed_text",
            Self::GivenWithoutReason | Self::ReasonTooLong => "reason",
        }
    }
}

/// Checks a seed text as given: not empty, no white space (Unicode
/// `White_Space`) at either end, at most [`MAX_TEXT_CHARS`] characters.
///
/// # Errors
/// The first rule it breaks.
pub fn check_seed_text(text: &str) -> Result<(), SeedRequestError> {
    let padded = |c: Option<char>| c.is_some_and(char::is_whitespace);
    if text.is_empty() {
        Err(SeedRequestError::EmptyText)
    } else if padded(text.chars().next()) || padded(text.chars().next_back()) {
        Err(SeedRequestError::PaddedText)
    } else if too_long(text) {
        Err(SeedRequestError::TextTooLong)
    } else {
        Ok(())
    }
}

impl SeedRequest {
    /// Checks a seed, a seed text and a reason as a caller gave them.
    ///
    /// # Errors
    /// A seed with a seed text; a seed text that is empty, padded with white
    /// space or overlong; a given seed without a reason; an overlong reason.
    pub fn parse(
        seed: Option<u64>,
        seed_text: Option<&str>,
        reason: Option<String>,
    ) -> Result<Self, SeedRequestError> {
        let seed = match (seed, seed_text) {
            (Some(_), Some(_)) => return Err(SeedRequestError::SeedAndText),
            (None, Some(text)) => {
                check_seed_text(text)?;
                SeedChoice::PublicText(text.to_owned())
            }
            (Some(seed), None) => SeedChoice::Given(seed),
            (None, None) => SeedChoice::Random,
        };
        if reason.as_deref().is_some_and(|r| too_long(r.trim())) {
            return Err(SeedRequestError::ReasonTooLong);
        }
        let request = Self { seed, reason };
        if matches!(request.seed, SeedChoice::Given(_)) && request.reason_given().is_none() {
            return Err(SeedRequestError::GivenWithoutReason);
        }
        Ok(request)
    }

    /// The reason, trimmed, if one was given that is more than spaces.
    #[must_use]
    pub fn reason_given(&self) -> Option<&str> {
        self.reason
            .as_deref()
            .map(str::trim)
            .filter(|r| !r.is_empty())
    }
}

fn too_long(text: &str) -> bool {
    text.chars().count() > MAX_TEXT_CHARS
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_way_of_seeding_is_read_as_what_it_is() {
        let lottery = "2026-12-01 双色球 03 07 19\n蓝球 11";
        let cases: [(Option<u64>, Option<&str>, SeedChoice); 4] = [
            (None, None, SeedChoice::Random),
            (Some(42), None, SeedChoice::Given(42)),
            (
                None,
                Some(lottery),
                SeedChoice::PublicText(lottery.to_owned()),
            ),
            (Some(0), None, SeedChoice::Given(0)),
        ];
        for (seed, text, expected) in cases {
            let parsed = SeedRequest::parse(seed, text, Some("公证处监督下指定".to_owned()));
            assert_eq!(
                parsed.map(|r| r.seed),
                Ok(expected.clone()),
                "{seed:?} {text:?}"
            );
        }
    }

    /// Seed, seed text, reason, the refusal and the field it names.
    type Refused<'a> = (
        Option<u64>,
        Option<&'a str>,
        Option<&'a str>,
        SeedRequestError,
        &'a str,
    );

    #[test]
    fn a_request_that_cannot_seed_a_draw_is_refused_naming_its_field() {
        let long = "字".repeat(MAX_TEXT_CHARS + 1);
        let cases: [Refused<'_>; 13] = [
            (
                Some(1),
                Some("text"),
                Some("r"),
                SeedRequestError::SeedAndText,
                "seed",
            ),
            (
                Some(1),
                Some(""),
                Some("r"),
                SeedRequestError::SeedAndText,
                "seed",
            ),
            (
                None,
                Some(""),
                None,
                SeedRequestError::EmptyText,
                "seed_text",
            ),
            (
                None,
                Some("   "),
                None,
                SeedRequestError::PaddedText,
                "seed_text",
            ),
            (
                None,
                Some(" 双色球"),
                None,
                SeedRequestError::PaddedText,
                "seed_text",
            ),
            (
                None,
                Some("双色球\n"),
                None,
                SeedRequestError::PaddedText,
                "seed_text",
            ),
            (
                None,
                Some("\t双色球"),
                None,
                SeedRequestError::PaddedText,
                "seed_text",
            ),
            (
                None,
                Some("双色球\u{3000}"),
                None,
                SeedRequestError::PaddedText,
                "seed_text",
            ),
            (
                None,
                Some("\u{a0}双色球"),
                None,
                SeedRequestError::PaddedText,
                "seed_text",
            ),
            (
                None,
                Some(&long),
                None,
                SeedRequestError::TextTooLong,
                "seed_text",
            ),
            (
                None,
                None,
                Some(&long),
                SeedRequestError::ReasonTooLong,
                "reason",
            ),
            (
                Some(7),
                None,
                None,
                SeedRequestError::GivenWithoutReason,
                "reason",
            ),
            (
                Some(7),
                None,
                Some(" \u{3000} "),
                SeedRequestError::GivenWithoutReason,
                "reason",
            ),
        ];
        for (seed, text, reason, error, field) in cases {
            let parsed = SeedRequest::parse(seed, text, reason.map(str::to_owned));
            assert_eq!(parsed, Err(error), "{seed:?} {text:?} {reason:?}");
            assert_eq!(error.field(), field, "{error:?}");
        }
    }

    #[test]
    fn a_seed_text_is_kept_exactly_with_the_white_space_inside_it() {
        let text = "2026-12-01  福利彩票\u{3000}07 12\r\n25";
        let request = SeedRequest::parse(None, Some(text), None);
        assert_eq!(
            request.map(|r| r.seed),
            Ok(SeedChoice::PublicText(text.to_owned()))
        );
    }

    #[test]
    fn texts_are_measured_in_characters_not_bytes() {
        let longest = "字".repeat(MAX_TEXT_CHARS);
        assert!(longest.len() > MAX_TEXT_CHARS, "three bytes a character");
        assert!(SeedRequest::parse(None, Some(&longest), Some(longest.clone())).is_ok());
        assert_eq!(
            SeedRequest::parse(None, Some(&format!("{longest}字")), None),
            Err(SeedRequestError::TextTooLong)
        );
        assert_eq!(
            SeedRequest::parse(None, None, Some(format!("{longest}字"))),
            Err(SeedRequestError::ReasonTooLong)
        );
        let padded = format!("  {longest}  ");
        assert!(
            SeedRequest::parse(None, None, Some(padded)).is_ok(),
            "a reason is measured once trimmed"
        );
    }

    #[test]
    fn a_reason_of_spaces_is_no_reason_but_is_kept_as_given() {
        let request = SeedRequest::parse(None, None, Some("   ".to_owned()));
        assert_eq!(request.as_ref().map(SeedRequest::reason_given), Ok(None));
        assert_eq!(
            request.map(|r| r.reason),
            Ok(Some("   ".to_owned())),
            "stored and audited as given"
        );
        let request = SeedRequest::parse(None, None, Some(" 原抽查对象已注销 ".to_owned()));
        assert_eq!(
            request.as_ref().map(SeedRequest::reason_given),
            Ok(Some("原抽查对象已注销"))
        );
    }
}
