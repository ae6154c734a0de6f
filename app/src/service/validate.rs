//! Collecting every problem with an input before answering 422.

use crate::{
    domain::RegionCode,
    error::{AppError, AppResult, Problem},
};

/// Reads a `region_code` list filter; an empty one is no filter.
///
/// # Errors
/// 400 when it is not a region code.
pub fn region_filter(code: Option<&str>) -> AppResult<Option<RegionCode>> {
    code.map(str::trim)
        .filter(|c| !c.is_empty())
        .map(RegionCode::parse)
        .transpose()
        .map_err(|e| AppError::BadRequest(e.to_string().into()))
}

/// The problems found so far in one input.
#[derive(Debug, Default)]
pub struct Problems(Vec<Problem>);

impl Problems {
    /// No problems yet.
    #[must_use]
    pub fn new() -> Self {
        Self::default()
    }

    /// Records a problem with `field`.
    pub fn add(&mut self, field: &str, message: impl Into<crate::i18n::Msg>) {
        self.0.push(Problem::new(field, message));
    }

    /// Records a problem unless `ok`.
    pub fn check(&mut self, ok: bool, field: &str, message: impl Into<crate::i18n::Msg>) {
        if !ok {
            self.add(field, message);
        }
    }

    /// Trims a required text field and checks its length in characters.
    pub fn text(&mut self, field: &str, value: &str, max_chars: usize) -> String {
        let value = value.trim();
        if value.is_empty() {
            self.add(field, crate::msg!("不能为空", "must not be empty"));
        } else if value.chars().count() > max_chars {
            self.add(
                field,
                crate::msg!(
                    "不能超过 {max_chars} 个字符",
                    "must have at most {max_chars} characters"
                ),
            );
        }
        value.to_owned()
    }

    /// Whether nothing has been found.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// `Ok` when there is nothing wrong, else 422 with every problem.
    ///
    /// # Errors
    /// `Validation` listing the problems.
    pub fn finish(self) -> AppResult<()> {
        if self.0.is_empty() {
            Ok(())
        } else {
            Err(AppError::Validation(self.0))
        }
    }
}
