//! What a caller may ask of a draw: a seed of their own, public text to derive
//! it from, or neither (a random seed), and why the plan is drawn again.
//! [`SeedRequest::parse`] checks it once; what it returns cannot be wrong.

/// Longest seed text or redraw reason, in characters: announcements and
/// reasons are sentences, and both are printed on the draw list's cover.
pub const MAX_TEXT_CHARS: usize = 1_000;

/// Where a draw's seed comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeedChoice {
    /// Taken from the operating system when the draw runs.
    Random,
    /// Given by the caller.
    Given(u64),
    /// Derived from public text announced before the draw ([`super::seed_from_text`]),
    /// trimmed, never empty.
    PublicText(String),
}

/// A draw request whose seed and reason are acceptable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeedRequest {
    /// Where the seed comes from.
    pub seed: SeedChoice,
    /// Why the plan is drawn again, as given (at most [`MAX_TEXT_CHARS`] once trimmed).
    pub reason: Option<String>,
}

/// Why a draw request is refused; [`SeedRequestError::field`] names the input.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum SeedRequestError {
    /// A seed and a seed text together.
    #[error("give either seed or seed_text, not both")]
    SeedAndText,
    /// A seed text of nothing but spaces.
    #[error("must not be empty")]
    EmptyText,
    /// A seed text over [`MAX_TEXT_CHARS`].
    #[error("must have at most {MAX_TEXT_CHARS} characters")]
    TextTooLong,
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
            Self::EmptyText | Self::TextTooLong => "seed_text",
            Self::ReasonTooLong => "reason",
        }
    }
}

impl SeedRequest {
    /// Checks a seed, a seed text and a reason as a caller gave them.
    ///
    /// # Errors
    /// A seed with a seed text; an empty or overlong seed text; an overlong reason.
    pub fn parse(
        seed: Option<u64>,
        seed_text: Option<&str>,
        reason: Option<String>,
    ) -> Result<Self, SeedRequestError> {
        let seed = match (seed, seed_text.map(str::trim)) {
            (Some(_), Some(_)) => return Err(SeedRequestError::SeedAndText),
            (None, Some("")) => return Err(SeedRequestError::EmptyText),
            (None, Some(text)) if too_long(text) => return Err(SeedRequestError::TextTooLong),
            (None, Some(text)) => SeedChoice::PublicText(text.to_owned()),
            (Some(seed), None) => SeedChoice::Given(seed),
            (None, None) => SeedChoice::Random,
        };
        if reason.as_deref().is_some_and(|r| too_long(r.trim())) {
            return Err(SeedRequestError::ReasonTooLong);
        }
        Ok(Self { seed, reason })
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
        let cases: [(Option<u64>, Option<&str>, SeedChoice); 4] = [
            (None, None, SeedChoice::Random),
            (Some(42), None, SeedChoice::Given(42)),
            (
                None,
                Some("  2026-12-01 双色球 03 07 19  "),
                SeedChoice::PublicText("2026-12-01 双色球 03 07 19".to_owned()),
            ),
            (Some(0), None, SeedChoice::Given(0)),
        ];
        for (seed, text, expected) in cases {
            let parsed = SeedRequest::parse(seed, text, None);
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
        let cases: [Refused<'_>; 5] = [
            (
                Some(1),
                Some("text"),
                None,
                SeedRequestError::SeedAndText,
                "seed",
            ),
            (
                Some(1),
                Some(""),
                None,
                SeedRequestError::SeedAndText,
                "seed",
            ),
            (
                None,
                Some("   "),
                None,
                SeedRequestError::EmptyText,
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
        ];
        for (seed, text, reason, error, field) in cases {
            let parsed = SeedRequest::parse(seed, text, reason.map(str::to_owned));
            assert_eq!(parsed, Err(error), "{seed:?} {text:?}");
            assert_eq!(error.field(), field, "{error:?}");
        }
    }

    #[test]
    fn texts_are_measured_in_characters_once_trimmed() {
        let longest = "字".repeat(MAX_TEXT_CHARS);
        let padded = format!("  {longest}  ");
        assert!(SeedRequest::parse(None, Some(&padded), Some(padded.clone())).is_ok());
        assert_eq!(
            SeedRequest::parse(None, None, Some(format!("{longest}字"))),
            Err(SeedRequestError::ReasonTooLong)
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
