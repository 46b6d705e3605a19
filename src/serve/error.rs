//! The API's errors: `{"error": {"kind", "message"}}` with a fitting status,
//! the same shape as `batch`'s error records.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde::Serialize;

/// An error answer of the API.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: StatusCode,
    /// Stable machine-readable kind (e.g. `invalid_json`, `overloaded`).
    pub kind: &'static str,
    /// What went wrong, for a person.
    pub message: String,
}

#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorBody<'a> {
    error: ErrorDetail<'a>,
}

/// `kind` is stable: `invalid_json`, `bad_request`, `unauthorized`,
/// `too_large`, `unsupported_media_type`, `invalid_utf8`, `empty`, `rubric`,
/// `bad_document`, `overloaded`, `timeout`, `not_found`,
/// `method_not_allowed`, `internal`.
#[derive(Serialize, utoipa::ToSchema)]
pub(crate) struct ErrorDetail<'a> {
    kind: &'a str,
    message: &'a str,
}

impl ApiError {
    /// An error with `status`, `kind` and `message`.
    pub fn new(status: StatusCode, kind: &'static str, message: impl Into<String>) -> Self {
        ApiError {
            status,
            kind,
            message: message.into(),
        }
    }

    pub(crate) fn bad_request(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::BAD_REQUEST, "bad_request", message)
    }

    pub(crate) fn unprocessable(kind: &'static str, message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, kind, message)
    }

    pub(crate) fn unsupported(message: impl Into<String>) -> Self {
        ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported_media_type",
            message,
        )
    }

    pub(crate) fn too_large(limit: usize) -> Self {
        ApiError::new(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!("the request body is over the limit of {limit} bytes"),
        )
    }

    pub(crate) fn overloaded(what: &str) -> Self {
        ApiError::new(
            StatusCode::SERVICE_UNAVAILABLE,
            "overloaded",
            format!("the server is busy ({what}); retry in a moment"),
        )
    }

    pub(crate) fn internal(message: impl Into<String>) -> Self {
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", message)
    }

    /// A library error met while serving one request: the caller's input
    /// when it names one, else the server's.
    pub(crate) fn from_essaymap(e: &crate::Error) -> Self {
        use crate::Error as E;
        let message = e.to_string();
        match e {
            E::InvalidUtf8 { .. } => ApiError::unprocessable("invalid_utf8", message),
            E::TooLarge { .. } => {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "too_large", message)
            }
            E::Rubric { .. } => ApiError::unprocessable("rubric", message),
            E::BadRecord { .. } | E::Json { .. } => ApiError::unprocessable(e.kind(), message),
            _ => ApiError::internal(message),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                kind: self.kind,
                message: &self.message,
            },
        };
        let json = serde_json::to_string(&body).unwrap_or_default();
        let mut res = (
            self.status,
            [(header::CONTENT_TYPE, "application/json")],
            json,
        )
            .into_response();
        match self.status {
            StatusCode::SERVICE_UNAVAILABLE => {
                res.headers_mut()
                    .insert(header::RETRY_AFTER, HeaderValue::from_static("1"));
            }
            StatusCode::UNAUTHORIZED => {
                res.headers_mut().insert(
                    header::WWW_AUTHENTICATE,
                    HeaderValue::from_static("Bearer realm=\"essaymap\""),
                );
            }
            _ => {}
        }
        res
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_errors_map_to_client_or_server_statuses() {
        let e = crate::Error::InvalidUtf8 {
            what: "x".into(),
            offset: 3,
        };
        assert_eq!(
            ApiError::from_essaymap(&e).status,
            StatusCode::UNPROCESSABLE_ENTITY
        );
        let e = crate::Error::Model {
            what: "m".into(),
            message: "broken".into(),
        };
        assert_eq!(
            ApiError::from_essaymap(&e).status,
            StatusCode::INTERNAL_SERVER_ERROR
        );
    }
}
