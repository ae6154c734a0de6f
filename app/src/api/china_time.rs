//! [`ChinaTime`] as an OpenAPI `date-time`: answered at `+08:00` in whole
//! seconds, read with any offset or none (China time).

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

use crate::domain::china_time::ChinaTime;

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
            Value::String(text) => ChinaTime::parse(&text).map_err(ParseError::custom),
            other => Err(ParseError::expected_type(other)),
        }
    }
}

impl ParseFromParameter for ChinaTime {
    fn parse_from_parameter(value: &str) -> ParseResult<Self> {
        ChinaTime::parse(value).map_err(ParseError::custom)
    }
}

impl ParseFromMultipartField for ChinaTime {
    async fn parse_from_multipart(field: Option<Field>) -> ParseResult<Self> {
        match field {
            Some(field) => ChinaTime::parse(&field.text().await?).map_err(ParseError::custom),
            None => Err(ParseError::expected_input()),
        }
    }
}

impl ToJSON for ChinaTime {
    fn to_json(&self) -> Option<Value> {
        Some(Value::String(self.to_rfc3339()))
    }
}
