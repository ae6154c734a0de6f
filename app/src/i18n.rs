//! Words for people in Chinese first, English on request.
//!
//! Messages for users are written in both languages where they are made
//! ([`msg!`]); a request's `Accept-Language` picks one when the answer is
//! written, Chinese unless English is preferred. Machine-readable codes and
//! JSON values stay English.

use std::{borrow::Cow, fmt};

/// A language answers are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Lang {
    /// 简体中文, the default.
    #[default]
    Zh,
    /// English, on `Accept-Language: en`.
    En,
}

impl Lang {
    /// The language an `Accept-Language` header prefers: English only when an
    /// `en` range has a higher weight than any `zh` range (and than `*`).
    #[must_use]
    pub fn from_accept_language(header: Option<&str>) -> Self {
        let Some(header) = header else {
            return Self::Zh;
        };
        let mut best_en = 0.0_f32;
        let mut best_zh = 0.0_f32;
        for range in header.split(',') {
            let mut parts = range.split(';');
            let tag = parts.next().unwrap_or_default().trim().to_ascii_lowercase();
            let weight = parts
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            let primary = tag.split('-').next().unwrap_or_default();
            match primary {
                "en" => best_en = best_en.max(weight),
                "zh" | "*" => best_zh = best_zh.max(weight),
                _ => {}
            }
        }
        if best_en > best_zh {
            Self::En
        } else {
            Self::Zh
        }
    }

    /// The language of the request being answered, [`Lang::Zh`] outside one.
    #[must_use]
    pub fn current() -> Self {
        REQUEST_LANG.try_with(|lang| *lang).unwrap_or_default()
    }
}

tokio::task_local! {
    /// The language of the request the current task answers.
    pub static REQUEST_LANG: Lang;
}

/// A message for people, in Chinese and English.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Msg {
    zh: Cow<'static, str>,
    en: Cow<'static, str>,
}

impl Msg {
    /// A message in both languages.
    pub fn new(zh: impl Into<Cow<'static, str>>, en: impl Into<Cow<'static, str>>) -> Self {
        Self {
            zh: zh.into(),
            en: en.into(),
        }
    }

    /// The message in `lang`.
    #[must_use]
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }

    /// The Chinese text.
    #[must_use]
    pub fn zh(&self) -> &str {
        &self.zh
    }

    /// The English text.
    #[must_use]
    pub fn en(&self) -> &str {
        &self.en
    }

    /// The message in the current request's language.
    #[must_use]
    pub fn localized(&self) -> &str {
        self.get(Lang::current())
    }
}

/// Logs and `Display` show English, the language of the logs.
impl fmt::Display for Msg {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.en)
    }
}

/// A message written in one language only is shown as it is in both.
impl From<String> for Msg {
    fn from(text: String) -> Self {
        let text: Cow<'static, str> = text.into();
        Self {
            zh: text.clone(),
            en: text,
        }
    }
}

impl From<&'static str> for Msg {
    fn from(text: &'static str) -> Self {
        Self {
            zh: text.into(),
            en: text.into(),
        }
    }
}

/// `msg!("计划 {id} 已暂停", "plan {id} is paused")`: a [`Msg`] from two format
/// strings over the same arguments.
#[macro_export]
macro_rules! msg {
    ($zh:literal, $en:literal $(,)?) => {
        $crate::i18n::Msg::new(format!($zh), format!($en))
    };
    ($zh:literal, $en:literal, $($arg:tt)*) => {
        $crate::i18n::Msg::new(format!($zh, $($arg)*), format!($en, $($arg)*))
    };
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chinese_unless_english_is_preferred() {
        let cases = [
            (None, Lang::Zh),
            (Some("zh-CN,zh;q=0.9,en;q=0.8"), Lang::Zh),
            (Some("en-US,en;q=0.9"), Lang::En),
            (Some("en"), Lang::En),
            (Some("en;q=0.5, *;q=0.8"), Lang::Zh),
            (Some("fr, en;q=0.3"), Lang::En),
            (Some("de"), Lang::Zh),
            (Some(""), Lang::Zh),
        ];
        for (header, expected) in cases {
            assert_eq!(Lang::from_accept_language(header), expected, "{header:?}");
        }
    }

    #[test]
    fn a_message_is_written_in_both_languages_with_the_same_arguments() {
        let plan = 7;
        let m = msg!("计划 {plan} 已暂停", "plan {plan} is paused");
        assert_eq!(m.get(Lang::Zh), "计划 7 已暂停");
        assert_eq!(m.get(Lang::En), "plan 7 is paused");
        assert_eq!(m.to_string(), "plan 7 is paused");
    }
}
