//! [`ChinaTime`] as an OpenAPI `date-time`: answered at `+08:00` in whole
//! seconds, read with any offset or none (China time).
//!
//! A bad time is refused with an accepted example, in the request's language.
//! poem-openapi names a query parameter in its error but not a field of a
//! JSON body, so body fields read themselves with [`field`] or
//! [`optional_field`] through `#[oai(deserialize_with = "...")]`.

use std::borrow::Cow;

use poem::web::Field;
use poem_openapi::{
    registry::{MetaSchema, MetaSchemaRef},
    types::{
        ParseError, ParseFromJSON, ParseFromMultipartField, ParseFromParameter, ParseResult,
        ToJSON, Type,
    },
};
use serde_json::Value;

use crate::{
    domain::china_time::{ChinaTime, EXAMPLE, EXAMPLE_ZH},
    i18n::Msg,
    msg,
};

/// Reads `value` as a time; errors say what is wrong without naming a field.
fn parse_text(text: &str) -> ParseResult<ChinaTime> {
    ChinaTime::parse(text).map_err(|e| ParseError::custom(e.describe().localized()))
}

/// Reads the JSON body field `name` as a time, naming it in any error.
///
/// # Errors
/// The field is missing, not a string, or not a time.
pub fn field(name: &str, value: Option<Value>) -> ParseResult<ChinaTime> {
    read_field(name, value)
        .and_then(|at| {
            at.ok_or_else(|| {
                msg!(
                    "{name}：缺少时间，应如 {EXAMPLE_ZH}",
                    "{name}: a time is required, e.g. {EXAMPLE}"
                )
            })
        })
        .map_err(|m| ParseError::custom(m.localized()))
}

/// Reads the JSON body field `name` as a time if it is there (and not
/// `null`), naming it in any error.
///
/// # Errors
/// The field is not a string, or not a time.
pub fn optional_field(name: &str, value: Option<Value>) -> ParseResult<Option<ChinaTime>> {
    read_field(name, value).map_err(|m| ParseError::custom(m.localized()))
}

fn read_field(name: &str, value: Option<Value>) -> Result<Option<ChinaTime>, Msg> {
    match value {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(text)) => ChinaTime::parse(&text)
            .map(Some)
            .map_err(|e| e.message(name)),
        Some(_) => Err(msg!(
            "{name}：时间应写成字符串，如 {EXAMPLE_ZH}",
            "{name}: a time is written as a string, e.g. {EXAMPLE}"
        )),
    }
}

impl Type for ChinaTime {
    const IS_REQUIRED: bool = true;

    type RawValueType = Self;

    type RawElementValueType = Self;

    fn name() -> Cow<'static, str> {
        "string_date-time".into()
    }

    fn schema_ref() -> MetaSchemaRef {
        let mut schema = MetaSchema::new_with_format("string", "date-time");
        schema.description = Some(
            "China time: answered as RFC 3339 at +08:00 in whole seconds; \
             read with any offset, or none (then China time): \
             2026-12-07T09:30:00+08:00, 2026-12-07 09:30",
        );
        schema.example = Some(Value::String("2026-12-07T09:30:00+08:00".to_owned()));
        MetaSchemaRef::Inline(Box::new(schema))
    }

    fn as_raw_value(&self) -> Option<&Self::RawValueType> {
        Some(self)
    }

    fn raw_element_iter<'a>(
        &'a self,
    ) -> Box<dyn Iterator<Item = &'a Self::RawElementValueType> + 'a> {
        Box::new(self.as_raw_value().into_iter())
    }
}

impl ParseFromJSON for ChinaTime {
    fn parse_from_json(value: Option<Value>) -> ParseResult<Self> {
        match value.unwrap_or_default() {
            Value::String(text) => parse_text(&text),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ParseFromParameter for ChinaTime {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        parse_text(value)
    }
}

impl ParseFromMultipartField for ChinaTime {
    async fn parse_from_multipart(field: Option<Field>) -> ParseResult<Self> {
        match field {
            Some(field) => parse_text(&field.text().await?),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ToJSON for ChinaTime {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.to_rfc3339()))
    }
}
