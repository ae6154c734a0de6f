//! The one place where errors become HTTP statuses and `{"code","message"}` bodies.

use poem::{Response, error::ResponseError, http::StatusCode};
use serde::{Serialize, ser::SerializeStruct as _};

use crate::{i18n::Msg, msg};

/// One problem found while validating input, for 422 answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    /// The field (or `sheet/row/column` place) the problem is about.
    pub field: String,
    /// What is wrong, in words a user can act on.
    pub message: Msg,
}

impl Problem {
    /// A problem with `field`.
    pub fn new(field: impl Into<String>, message: impl Into<Msg>) -> Self {
        Self {
            field: field.into(),
            message: message.into(),
        }
    }
}

/// The message in the language of the request being answered.
impl Serialize for Problem {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Problem", 2)?;
        s.serialize_field("field", &self.field)?;
        s.serialize_field("message", self.message.localized())?;
        s.end()
    }
}

/// Every way a request or command can fail.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    /// Malformed input (400).
    #[error("{0}")]
    BadRequest(Msg),
    /// No, wrong or expired credentials (401).
    #[error("{0}")]
    Unauthorized(Msg),
    /// The role may not do this (403).
    #[error("{0}")]
    Forbidden(Msg),
    /// No such object, or not in the caller's scope (404).
    #[error("{0} not found")]
    NotFound(Msg),
    /// A duplicate natural key or a state that forbids the change (409).
    #[error("{0}")]
    Conflict(Msg),
    /// Well-formed input that breaks a rule (422), with every problem found.
    #[error("{}", summarize(.0))]
    Validation(Vec<Problem>),
    /// Input over a size limit (413).
    #[error("{0}")]
    TooLarge(Msg),
    /// Rows of an upload that break the rules (422); `detail` carries
    /// `errors[]` of `sheet`, `row`, `column`, `message` and the counts.
    #[error("{message}")]
    Rejected {
        /// One line for people.
        message: Msg,
        /// Fields added to the error body.
        detail: serde_json::Map<String, serde_json::Value>,
    },
    /// Too many attempts; try again after `retry_after_secs` (429 with `Retry-After`).
    #[error("{message}")]
    TooManyRequests {
        /// One line for people, saying until when.
        message: Msg,
        /// Seconds until a new attempt may succeed.
        retry_after_secs: u64,
    },
    /// The server sheds load rather than queue without bound (503 with
    /// `Retry-After`).
    #[error("{0}")]
    Busy(Msg),
    /// The caller's password is temporary and must be changed first (403).
    #[error("change the temporary password first")]
    PasswordChangeRequired,
    /// A fault of ours; details are logged, never shown (500).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

fn summarize(problems: &[Problem]) -> String {
    summarize_msg(problems).en().to_owned()
}

/// One line for a 422 answer: the first problem and how many more there are.
fn summarize_msg(problems: &[Problem]) -> Msg {
    match problems {
        [] => msg!("输入有误", "validation failed"),
        [one] => Msg::new(
            format!("{}：{}", one.field, one.message.zh()),
            format!("{}: {}", one.field, one.message.en()),
        ),
        [first, rest @ ..] => Msg::new(
            format!(
                "{}：{}（另有 {} 个问题）",
                first.field,
                first.message.zh(),
                rest.len()
            ),
            format!(
                "{}: {} (and {} more problems)",
                first.field,
                first.message.en(),
                rest.len()
            ),
        ),
    }
}

/// Shorthand for results in the service layer.
pub type AppResult<T> = Result<T, AppError>;

/// Whether a lookup found something the caller may see: a 404 or 403 is
/// `false`, any other error (the database failing) stays an error.
///
/// # Errors
/// The lookup's error, unless it is a 404 or 403.
pub fn visible<T>(lookup: AppResult<T>) -> AppResult<bool> {
    match lookup {
        Ok(_) => Ok(true),
        Err(AppError::NotFound(_) | AppError::Forbidden(_)) => Ok(false),
        Err(other) => Err(other),
    }
}

impl AppError {
    /// A single 422 problem.
    pub fn invalid(field: impl Into<String>, message: impl Into<Msg>) -> Self {
        Self::Validation(vec![Problem::new(field, message)])
    }

    /// Replaces a 404 or 403 with another 404, so that an object reached
    /// through an out-of-scope parent is reported as missing itself; any other
    /// error passes through.
    #[must_use]
    pub fn hidden_as(self, not_found: impl FnOnce() -> AppError) -> Self {
        match self {
            Self::NotFound(_) | Self::Forbidden(_) => not_found(),
            other => other,
        }
    }

    /// The message for people, in the language of the request being answered.
    #[must_use]
    pub fn message(&self) -> String {
        match self {
            Self::NotFound(what) => Msg::new(
                format!("{}不存在", what.zh()),
                format!("{} not found", what.en()),
            )
            .localized()
            .to_owned(),
            Self::Validation(problems) => summarize_msg(problems).localized().to_owned(),
            Self::Internal(_) => msg!("服务器内部错误", "internal error")
                .localized()
                .to_owned(),
            Self::PasswordChangeRequired => msg!(
                "密码为管理员设置的临时密码，请先通过 POST /api/v1/me/password 修改",
                "your password is temporary: change it first with POST /api/v1/me/password"
            )
            .localized()
            .to_owned(),
            Self::BadRequest(m)
            | Self::Unauthorized(m)
            | Self::Forbidden(m)
            | Self::Conflict(m)
            | Self::TooLarge(m)
            | Self::TooManyRequests { message: m, .. }
            | Self::Busy(m)
            | Self::Rejected { message: m, .. } => m.localized().to_owned(),
        }
    }

    /// The stable machine-readable code of this error.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Self::BadRequest(_) => "bad_request",
            Self::Unauthorized(_) => "unauthorized",
            Self::Forbidden(_) => "forbidden",
            Self::NotFound(_) => "not_found",
            Self::Conflict(_) => "conflict",
            Self::Validation(_) | Self::Rejected { .. } => "validation_failed",
            Self::TooLarge(_) => "payload_too_large",
            Self::TooManyRequests { .. } => "too_many_requests",
            Self::Busy(_) => "busy",
            Self::PasswordChangeRequired => "password_change_required",
            Self::Internal(_) => "internal",
        }
    }

    /// The HTTP status of this error.
    #[must_use]
    pub fn status(&self) -> StatusCode {
        match self {
            Self::BadRequest(_) => StatusCode::BAD_REQUEST,
            Self::Unauthorized(_) => StatusCode::UNAUTHORIZED,
            Self::Forbidden(_) | Self::PasswordChangeRequired => StatusCode::FORBIDDEN,
            Self::NotFound(_) => StatusCode::NOT_FOUND,
            Self::Conflict(_) => StatusCode::CONFLICT,
            Self::Validation(_) | Self::Rejected { .. } => StatusCode::UNPROCESSABLE_ENTITY,
            Self::TooLarge(_) => StatusCode::PAYLOAD_TOO_LARGE,
            Self::TooManyRequests { .. } => StatusCode::TOO_MANY_REQUESTS,
            Self::Busy(_) => StatusCode::SERVICE_UNAVAILABLE,
            Self::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }
}

impl From<sea_orm::DbErr> for AppError {
    fn from(err: sea_orm::DbErr) -> Self {
        // Services check natural keys first; this catches the race between two writers.
        match err.sql_err() {
            Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => Self::Conflict(msg!(
                "已存在相同标识的对象",
                "an object with the same key already exists"
            )),
            Some(sea_orm::SqlErr::ForeignKeyConstraintViolation(_)) => Self::Conflict(msg!(
                "该修改会破坏对象之间的引用关系",
                "the change would break a reference between objects"
            )),
            _ if is_busy(&err) => {
                tracing::warn!(error = %err, "database busy: answered 503");
                Self::Busy(msg!(
                    "数据库正忙（例如正在进行大批量导入），请稍后重试",
                    "the database is busy (a large import, for example); try again shortly"
                ))
            }
            _ => Self::Internal(anyhow::Error::new(err).context("database operation failed")),
        }
    }
}

/// Whether the database could not take the request in time: no pooled
/// connection came, SQLite's write lock stayed taken past its busy timeout
/// (SQLITE_BUSY, SQLITE_LOCKED and their extended codes), or PostgreSQL gave up
/// waiting for a lock (55P03). The request can simply be sent again.
fn is_busy(err: &sea_orm::DbErr) -> bool {
    use sea_orm::{ConnAcquireErr, DbErr, RuntimeErr, sqlx};
    match err {
        DbErr::ConnectionAcquire(ConnAcquireErr::Timeout) => true,
        DbErr::Exec(RuntimeErr::SqlxError(e)) | DbErr::Query(RuntimeErr::SqlxError(e)) => {
            let sqlx::Error::Database(db) = &**e else {
                return false;
            };
            let code = db.code().unwrap_or_default();
            if db.try_downcast_ref::<sqlx::sqlite::SqliteError>().is_some() {
                // The primary result code is the low byte of the extended one.
                code.parse::<i32>().is_ok_and(|c| matches!(c & 0xff, 5 | 6))
            } else {
                code == "55P03"
            }
        }
        _ => false,
    }
}

#[derive(Serialize)]
struct ErrorBody<'a> {
    code: &'a str,
    message: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    errors: Option<&'a [Problem]>,
    #[serde(flatten, skip_serializing_if = "Option::is_none")]
    detail: Option<&'a serde_json::Map<String, serde_json::Value>>,
}

/// Builds the JSON error response for a status, code and message.
#[must_use]
pub fn json_error(
    status: StatusCode,
    code: &str,
    message: String,
    errors: Option<&[Problem]>,
) -> Response {
    error_response(
        status,
        &ErrorBody {
            code,
            message,
            errors,
            detail: None,
        },
    )
}

/// The JSON error response with extra fields (such as an import's `errors[]`
/// of rows) beside `code` and `message`.
#[must_use]
pub fn json_error_with(
    status: StatusCode,
    code: &str,
    message: String,
    detail: &serde_json::Map<String, serde_json::Value>,
) -> Response {
    error_response(
        status,
        &ErrorBody {
            code,
            message,
            errors: None,
            detail: Some(detail),
        },
    )
}

fn error_response(status: StatusCode, body: &ErrorBody<'_>) -> Response {
    let text = serde_json::to_string(body)
        .unwrap_or_else(|_| r#"{"code":"internal","message":"internal error"}"#.to_owned());
    Response::builder()
        .status(status)
        .content_type("application/json; charset=utf-8")
        .body(text)
}

impl ResponseError for AppError {
    fn status(&self) -> StatusCode {
        AppError::status(self)
    }

    fn as_response(&self) -> Response {
        match self {
            Self::Internal(err) => {
                tracing::error!(error = ?err, "request failed");
                json_error(self.status(), self.code(), self.message(), None)
            }
            Self::Validation(problems) => {
                json_error(self.status(), self.code(), self.message(), Some(problems))
            }
            Self::Rejected { detail, .. } => {
                json_error_with(self.status(), self.code(), self.message(), detail)
            }
            Self::TooManyRequests {
                retry_after_secs, ..
            } => with_retry_after(
                json_error(self.status(), self.code(), self.message(), None),
                *retry_after_secs,
            ),
            Self::Busy(_) => with_retry_after(
                json_error(self.status(), self.code(), self.message(), None),
                BUSY_RETRY_AFTER_SECS,
            ),
            _ => json_error(self.status(), self.code(), self.message(), None),
        }
    }
}

/// How long a client shed with 503 is asked to wait: a hash slot or the
/// database's write lock is usually free again within it.
pub const BUSY_RETRY_AFTER_SECS: u64 = 2;

/// Adds `Retry-After: secs` (RFC 9110 10.2.3) to a 429 or 503.
#[must_use]
pub fn with_retry_after(mut response: Response, secs: u64) -> Response {
    response.headers_mut().insert(
        poem::http::header::RETRY_AFTER,
        poem::http::HeaderValue::from(secs.max(1)),
    );
    response
}

/// A request poem-openapi could not read, in words for people: a query
/// parameter or a body field it names (a bad time names its field and shows
/// an accepted example), Chinese first.
fn unreadable_input(err: &poem::Error) -> Option<Msg> {
    use poem_openapi::error::{ParseParamError, ParseRequestPayloadError};
    if let Some(param) = err.downcast_ref::<ParseParamError>() {
        let (name, reason) = (param.name, &param.reason);
        return Some(msg!("参数 {name}：{reason}", "parameter {name}: {reason}"));
    }
    let payload = err.downcast_ref::<ParseRequestPayloadError>()?;
    // The schema name of the object adds nothing for people.
    let reason = payload
        .reason
        .split(" (occurred while parsing \"")
        .next()
        .unwrap_or_default();
    Some(msg!(
        "请求体无效：{reason}",
        "invalid request body: {reason}"
    ))
}

/// Turns any error that reached the edge of the server into the JSON error shape.
pub async fn render(err: poem::Error) -> Response {
    if let Some(app) = err.downcast_ref::<AppError>() {
        return app.as_response();
    }
    if let Some(message) = unreadable_input(&err) {
        return json_error(
            err.status(),
            "bad_request",
            message.localized().to_owned(),
            None,
        );
    }
    let status = err.status();
    let code = match status {
        StatusCode::BAD_REQUEST => "bad_request",
        StatusCode::UNAUTHORIZED => "unauthorized",
        StatusCode::FORBIDDEN => "forbidden",
        StatusCode::NOT_FOUND => "not_found",
        StatusCode::METHOD_NOT_ALLOWED => "method_not_allowed",
        StatusCode::PAYLOAD_TOO_LARGE => "payload_too_large",
        StatusCode::UNSUPPORTED_MEDIA_TYPE => "unsupported_media_type",
        StatusCode::UNPROCESSABLE_ENTITY => "validation_failed",
        StatusCode::TOO_MANY_REQUESTS => "too_many_requests",
        s if s.is_server_error() => "internal",
        _ => "error",
    };
    let message = if status.is_server_error() {
        tracing::error!(error = %err, "request failed");
        msg!("服务器内部错误", "internal error")
            .localized()
            .to_owned()
    } else if status == StatusCode::UNAUTHORIZED {
        msg!(
            "需要登录：请提供有效的访问令牌（Bearer）",
            "authentication required: send a valid bearer token"
        )
        .localized()
        .to_owned()
    } else {
        err.to_string()
    };
    let response = json_error(status, code, message, None);
    if status == StatusCode::TOO_MANY_REQUESTS || status == StatusCode::SERVICE_UNAVAILABLE {
        with_retry_after(response, BUSY_RETRY_AFTER_SECS)
    } else {
        response
    }
}
