//! In-process check of any `tower::Service` (feature `tower`): an axum
//! `Router`, a hyper service, a tower-http stack. Each request of a [`Plan`]
//! is sent with an empty `Full<Bytes>` body; each response's body is counted
//! (bounded, not kept) and the response is checked like a raw one.
//!
//! A service that wants another request body type can be adapted with
//! `tower::ServiceExt::map_request`.

use std::time::Duration;

use bytes::Bytes;
use http::{header, Request, Response};
use http_body::Body as HttpBody;
use http_body_util::{BodyExt, Full};
use tower::{Service, ServiceExt};

use super::plan::Plan;
use crate::server::check_parts;
use crate::server::Report;
use crate::server::RequestError;

/// A boxed error from the service or its body.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a service could not be checked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServiceError {
    /// The service failed (not ready, or its call failed).
    #[error("the service failed on {url}: {error}")]
    Service {
        /// The request URL.
        url: String,
        /// The error (in the message, so not also a `source()`: it would print twice).
        error: BoxError,
    },
    /// Reading the response body failed.
    #[error("the response body of {url} failed: {error}")]
    Body {
        /// The request URL.
        url: String,
        /// The error (in the message, so not also a `source()`: it would print twice).
        error: BoxError,
    },
    /// The service took longer than the timeout.
    #[error("the service did not answer {url} within {timeout:?}")]
    Timeout {
        /// The request URL.
        url: String,
        /// The timeout.
        timeout: Duration,
    },
    /// The body was longer than the limit.
    #[error("the response body of {url} is longer than {limit} bytes")]
    BodyTooLong {
        /// The request URL.
        url: String,
        /// The limit.
        limit: u64,
    },
    /// A planned request could not be built.
    #[error("cannot build the request for {url}: {detail}")]
    Build {
        /// The request URL.
        url: String,
        /// What was wrong.
        detail: String,
    },
    /// The request URL is not one the checker takes.
    #[error(transparent)]
    Request(#[from] RequestError),
}

/// Limits of [`check_service`].
#[derive(Clone, Copy, Debug)]
pub struct ServiceOptions {
    /// Time allowed for one exchange (readiness, call, body).
    pub timeout: Duration,
    /// Most body bytes counted for one response.
    pub max_body: u64,
}

impl Default for ServiceOptions {
    /// 5 s and 1 MiB.
    fn default() -> Self {
        ServiceOptions {
            timeout: Duration::from_secs(5),
            max_body: 1 << 20,
        }
    }
}

/// Sends every request of `plan` to `service` and checks each response.
///
/// # Errors
/// The first [`ServiceError`]: the service or a body failed, an exchange
/// took longer than `options.timeout`, a body was over `options.max_body`.
///
/// # Examples
/// ```
/// use std::convert::Infallible;
/// use http::{Request, Response, StatusCode};
/// use redirspec::probe::{check_service, Plan, ServiceOptions};
///
/// # tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(async {
/// let svc = tower::service_fn(|_req: Request<_>| async {
///     Ok::<_, Infallible>(Response::builder()
///         .status(StatusCode::FOUND)
///         .header("location", "/a b")
///         .body(http_body_util::Empty::<bytes::Bytes>::new())
///         .unwrap())
/// });
/// let plan = Plan::new(url::Url::parse("http://app.test/old").unwrap());
/// let reports = check_service(svc, &plan, ServiceOptions::default()).await.unwrap();
/// assert_eq!(reports.len(), 3); // GET, HEAD, POST
/// assert!(reports.iter().all(|r| r.has("location-whitespace")));
/// # });
/// ```
pub async fn check_service<S, B>(
    mut service: S,
    plan: &Plan,
    options: ServiceOptions,
) -> Result<Vec<Report>, ServiceError>
where
    S: Service<Request<Full<Bytes>>, Response = Response<B>>,
    S::Error: Into<BoxError>,
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let mut reports = Vec::new();
    for planned in plan.requests() {
        let info = planned.request_info()?;
        let url = planned.url.as_str().to_owned();
        let mut builder = Request::builder()
            .method(planned.method.clone())
            .uri(planned.url.as_str());
        if let Some(host) = planned.url.host_str() {
            let host = match planned.url.port() {
                Some(p) => format!("{host}:{p}"),
                None => host.to_owned(),
            };
            builder = builder.header(header::HOST, host);
        }
        if planned.method == http::Method::POST {
            builder = builder
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(header::CONTENT_LENGTH, "0");
        }
        let request = builder
            .body(Full::new(Bytes::new()))
            .map_err(|e| ServiceError::Build {
                url: url.clone(),
                detail: e.to_string(),
            })?;
        let exchange = async {
            let ready = service.ready().await.map_err(|e| ServiceError::Service {
                url: url.clone(),
                error: e.into(),
            })?;
            let response = ready
                .call(request)
                .await
                .map_err(|e| ServiceError::Service {
                    url: url.clone(),
                    error: e.into(),
                })?;
            let (parts, body) = response.into_parts();
            let len = count_body(body, options.max_body, &url).await?;
            Ok::<_, ServiceError>(check_parts(&parts, len, &info))
        };
        let report = tokio::time::timeout(options.timeout, exchange)
            .await
            .map_err(|_| ServiceError::Timeout {
                url: url.clone(),
                timeout: options.timeout,
            })??;
        reports.push(report);
    }
    Ok(reports)
}

/// Counts the data bytes of a body, up to `limit`; trailers are ignored.
async fn count_body<B>(body: B, limit: u64, url: &str) -> Result<u64, ServiceError>
where
    B: HttpBody,
    B::Error: Into<BoxError>,
{
    let mut body = std::pin::pin!(body);
    let mut len = 0u64;
    while let Some(frame) = body.frame().await {
        let frame = frame.map_err(|e| ServiceError::Body {
            url: url.to_owned(),
            error: e.into(),
        })?;
        if let Some(data) = frame.data_ref() {
            len = len.saturating_add(bytes::Buf::remaining(data) as u64);
            if len > limit {
                return Err(ServiceError::BodyTooLong {
                    url: url.to_owned(),
                    limit,
                });
            }
        }
    }
    Ok(len)
}
