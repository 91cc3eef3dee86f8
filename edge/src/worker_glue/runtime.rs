//! The Worker's I/O primitives for the handlers: time, random bytes, KV and
//! provider calls with a timeout. Every failure becomes an [`EdgeError`]
//! whose code says which call failed, never what it carried.

use std::time::Duration;

use futures_util::future::{select, Either};
use realmgate_core::oidc::FormPost;
use wasm_bindgen::{JsCast, JsValue};
use worker::{AbortController, Delay, Fetch, Headers, KvStore, Method, Request, RequestInit, RequestRedirect, Response};

use crate::error::EdgeError;

/// Unix time in whole seconds (`Date.now()`; in Workers it advances with I/O).
pub fn now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

pub fn now_ms() -> f64 {
    js_sys::Date::now()
}

/// `N` bytes from `crypto.getRandomValues`.
pub fn random<const N: usize>() -> Result<[u8; N], EdgeError> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("crypto")).map_err(|_| EdgeError::Internal("random_unavailable"))?;
    if crypto.is_undefined() {
        return Err(EdgeError::Internal("random_unavailable"));
    }
    let crypto: web_sys::Crypto = crypto.unchecked_into();
    let mut buf = [0u8; N];
    crypto.get_random_values_with_u8_array(&mut buf).map_err(|_| EdgeError::Internal("random_failed"))?;
    Ok(buf)
}

pub async fn kv_get(kv: &KvStore, key: &str) -> Result<Option<String>, EdgeError> {
    kv.get(key).text().await.map_err(|_| EdgeError::Storage("kv_get"))
}

pub async fn kv_put(kv: &KvStore, key: &str, value: String, ttl_seconds: u64) -> Result<(), EdgeError> {
    kv.put(key, value)
        .map_err(|_| EdgeError::Storage("kv_put"))?
        .expiration_ttl(ttl_seconds.max(60))
        .execute()
        .await
        .map_err(|_| EdgeError::Storage("kv_put"))
}

pub async fn kv_delete(kv: &KvStore, key: &str) -> Result<(), EdgeError> {
    kv.delete(key).await.map_err(|_| EdgeError::Storage("kv_delete"))
}

/// A provider's answer: status and body.
pub struct Upstream {
    pub status: u16,
    pub body: Vec<u8>,
}

/// POSTs a form the core built (token, refresh, revocation requests).
pub async fn post_form(post: &FormPost, timeout_ms: u64) -> Result<Upstream, EdgeError> {
    let headers = Headers::new();
    let set = |k: &str, v: &str| headers.set(k, v).map_err(|_| EdgeError::Internal("header"));
    set("Content-Type", FormPost::CONTENT_TYPE)?;
    set("Accept", "application/json")?;
    if let Some(auth) = &post.authorization {
        set("Authorization", auth.expose())?;
    }
    let mut init = RequestInit::new();
    init.with_method(Method::Post)
        .with_headers(headers)
        .with_redirect(RequestRedirect::Manual)
        .with_body(Some(JsValue::from_str(post.body.expose())));
    let request = Request::new_with_init(&post.url, &init).map_err(|_| EdgeError::Upstream("upstream_url"))?;
    send(request, timeout_ms).await
}

/// GETs a provider document (discovery, JWKS).
pub async fn get(url: &str, timeout_ms: u64) -> Result<Upstream, EdgeError> {
    let headers = Headers::new();
    headers.set("Accept", "application/json").map_err(|_| EdgeError::Internal("header"))?;
    let mut init = RequestInit::new();
    init.with_method(Method::Get).with_headers(headers).with_redirect(RequestRedirect::Manual);
    let request = Request::new_with_init(url, &init).map_err(|_| EdgeError::Upstream("upstream_url"))?;
    send(request, timeout_ms).await
}

/// Largest provider answer read (discovery, JWKS and token responses are a few KB).
const MAX_BODY: usize = 512 * 1024;

async fn send(request: Request, timeout_ms: u64) -> Result<Upstream, EdgeError> {
    let controller = AbortController::default();
    let signal = controller.signal();
    let call = async {
        let mut response: Response = Fetch::Request(request).send_with_signal(&signal).await.map_err(|_| EdgeError::Upstream("upstream_unreachable"))?;
        let status = response.status_code();
        let body = response.bytes().await.map_err(|_| EdgeError::Upstream("upstream_body"))?;
        if body.len() > MAX_BODY {
            return Err(EdgeError::Upstream("upstream_too_large"));
        }
        Ok(Upstream { status, body })
    };
    let timeout = Delay::from(Duration::from_millis(timeout_ms));
    futures_util::pin_mut!(call, timeout);
    match select(call, timeout).await {
        Either::Left((result, _)) => result,
        Either::Right(((), _)) => {
            controller.abort();
            Err(EdgeError::Upstream("upstream_timeout"))
        }
    }
}
