//! Gateway mode: requests under the configured prefixes are verified like
//! `/verify`; client-sent `X-Auth-*` headers are always removed, ours are
//! added, and the request goes to the origin. Unauthenticated page
//! navigations are sent to login with `return_to`; API calls get 401.

use worker::{Fetch, Headers, Request, RequestInit, RequestRedirect};

use super::session_routes::request_token;
use super::{tokens, Answer, Ctx};
use realmgate_core::request::{identity_headers, is_identity_header, is_page_navigation};
use crate::error::EdgeError;
use crate::reply::Reply;
use crate::session::forwarded_cookie_header;

pub async fn forward(ctx: &mut Ctx, req: &Request) -> Result<Answer, EdgeError> {
    let gateway = ctx.cfg.gateway.clone().ok_or(EdgeError::NotFound)?;
    let verified = match request_token(ctx, Ctx::header(req, "Authorization")) {
        Some(token) => tokens::verify_access_token(ctx, &token).await,
        None => Err(EdgeError::InvalidToken("no_token")),
    };
    let identity = match verified {
        Ok(identity) => identity,
        Err(EdgeError::InvalidToken(code)) => {
            let method = req.method();
            let mode = Ctx::header(req, "Sec-Fetch-Mode");
            let accept = Ctx::header(req, "Accept");
            if !is_page_navigation(method.as_ref(), mode.as_deref(), accept.as_deref()) {
                return Err(EdgeError::InvalidToken(code));
            }
            ctx.outcome = Some("login_redirect");
            ctx.detail = Some(code.to_owned());
            let url = ctx.url()?;
            let here = match url.query() {
                Some(q) => format!("{}?{}", url.path(), q),
                None => url.path().to_owned(),
            };
            let mut login = url::Url::parse("http://x/").map_err(|_| EdgeError::Internal("login_url"))?;
            login.set_path(&format!("{}/login", ctx.cfg.prefix));
            login.query_pairs_mut().append_pair("realm", &gateway.realm).append_pair("return_to", &here);
            let location = format!("{}?{}", login.path(), login.query().unwrap_or(""));
            return Ok(Reply::redirect(302, &location).into());
        }
        Err(other) => return Err(other),
    };

    let mut target = gateway.origin.clone();
    target.set_path(ctx.url()?.path());
    target.set_query(ctx.url()?.query());
    let headers = Headers::new();
    for (name, value) in req.headers().entries() {
        if is_identity_header(&name) || name.eq_ignore_ascii_case("host") || name.eq_ignore_ascii_case("cookie") {
            continue;
        }
        headers.append(&name, &value).map_err(|_| EdgeError::Internal("forward_header"))?;
    }
    if let Some(cookie) = Ctx::header(req, "Cookie").and_then(|h| forwarded_cookie_header(&h, &ctx.cfg.cookies)) {
        headers.set("Cookie", &cookie).map_err(|_| EdgeError::Internal("forward_header"))?;
    }
    for (name, value) in identity_headers(identity.realm.as_str(), &identity.subject, identity.email.as_deref(), &identity.scopes) {
        headers.set(name, &value).map_err(|_| EdgeError::Internal("forward_header"))?;
    }
    let mut init = RequestInit::new();
    init.with_method(req.method()).with_headers(headers).with_redirect(RequestRedirect::Manual);
    if !matches!(req.method().as_ref(), "GET" | "HEAD") {
        init.with_body(req.inner().body().map(Into::into));
    }
    let outgoing = Request::new_with_init(target.as_str(), &init).map_err(|_| EdgeError::Internal("forward_request"))?;
    let response = Fetch::Request(outgoing).send().await.map_err(|_| EdgeError::Upstream("origin_unreachable"))?;
    Ok(Answer::Passthrough(response))
}
