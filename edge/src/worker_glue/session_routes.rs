//! `POST /refresh`, `POST /logout`, `GET /session`, `GET /verify`.

use realmgate_core::oidc::{end_session_url, parse_token_response, refresh_request, revocation_request};
use realmgate_core::RealmName;
use worker::Request;

use super::flow::{client_auth, client_secret};
use super::runtime;
use super::{provider, tokens, Ctx};
use realmgate_core::request::{bearer_token, check_same_origin, identity_headers};
use crate::error::EdgeError;
use crate::reply::Reply;
use crate::session::{clear_session, session_cookies, SessionTokens};

fn refuse_cross_site(ctx: &Ctx, req: &Request) -> Result<(), EdgeError> {
    let own = ctx.cfg.origin_for(ctx.url()?);
    let origin = Ctx::header(req, "Origin");
    let site = Ctx::header(req, "Sec-Fetch-Site");
    check_same_origin(origin.as_deref(), site.as_deref(), &own).map_err(EdgeError::CrossSite)
}

/// The realm of the session: the one its ID token (else access token) claims.
/// Only picks the provider to talk to; the provider judges the refresh token.
fn session_realm(ctx: &Ctx, s: &SessionTokens) -> Option<RealmName> {
    [&s.id_token, &s.access].into_iter().flatten().find_map(|t| tokens::claimed_realm(ctx, t))
}

pub async fn refresh(ctx: &mut Ctx, req: &Request) -> Result<Reply, EdgeError> {
    refuse_cross_site(ctx, req)?;
    let session = SessionTokens::from_jar(&ctx.cfg.cookies, &ctx.jar);
    let refresh_token = session.refresh.clone().ok_or(EdgeError::SessionEnded("no_refresh_cookie"))?;
    let realm = session_realm(ctx, &session).ok_or(EdgeError::SessionEnded("session_realm"))?;
    ctx.realm = Some(realm.to_string());
    let metadata = provider::metadata(ctx, &realm).await?;
    let client_id = ctx.cfg.policy.realm(realm.as_str()).map_err(|_| EdgeError::SessionEnded("session_realm"))?.1.client_id.clone();
    let secret = client_secret(ctx, realm.as_str());
    let post = refresh_request(&metadata.token_endpoint, &client_auth(&client_id, secret.as_ref()), &refresh_token);
    let answer = runtime::post_form(&post, ctx.cfg.upstream_timeout_ms).await?;
    let tokens = match parse_token_response(answer.status, &answer.body) {
        Ok(t) => t,
        // The provider refused the grant (invalid_grant, or any 4xx OAuth error): the session is over.
        Err(e) if e.is_invalid_grant() || (400..500).contains(&answer.status) => return Err(EdgeError::SessionEnded(e.code())),
        Err(e) => return Err(EdgeError::Upstream(e.code())),
    };
    let cookies = session_cookies(&ctx.cfg.cookies, &ctx.cfg.cookie_attributes, &tokens, ctx.cfg.session_max_age_seconds, &ctx.jar)
        .map_err(|e| EdgeError::Upstream(e.code()))?;
    let expires_at = tokens.expires_in.map(|s| ctx.now.saturating_add(s));
    let body = serde_json::json!({ "realm": realm.as_str(), "expires_at": expires_at, "expires_in": tokens.expires_in });
    Ok(Reply::json(200, &body).with_cookies(&cookies))
}

pub async fn logout(ctx: &mut Ctx, req: &Request) -> Result<Reply, EdgeError> {
    refuse_cross_site(ctx, req)?;
    let session = SessionTokens::from_jar(&ctx.cfg.cookies, &ctx.jar);
    let cleared = clear_session(&ctx.cfg.cookies, &ctx.cfg.cookie_attributes, &ctx.jar);
    let Some(realm) = session_realm(ctx, &session) else {
        // Nothing to revoke; still clear whatever cookies came.
        ctx.outcome = Some("no_session");
        return Ok(Reply::json(200, &serde_json::json!({ "end_session_url": null, "revoked": false })).with_cookies(&cleared));
    };
    ctx.realm = Some(realm.to_string());
    let metadata = provider::metadata(ctx, &realm).await?;
    let client_id = ctx.cfg.policy.realm(realm.as_str()).map_err(|_| EdgeError::SessionEnded("session_realm"))?.1.client_id.clone();
    let secret = client_secret(ctx, realm.as_str());

    let mut revoked = false;
    if let (Some(rt), Some(endpoint)) = (&session.refresh, &metadata.revocation_endpoint) {
        let post = revocation_request(endpoint, &client_auth(&client_id, secret.as_ref()), rt);
        // RFC 7009 §2.2: 200 means revoked (or already invalid).
        revoked = matches!(runtime::post_form(&post, ctx.cfg.upstream_timeout_ms).await, Ok(a) if a.status == 200);
    }
    if session.refresh.is_some() && !revoked {
        ctx.outcome = Some("revocation_failed");
    }
    let end_session = match &metadata.end_session_endpoint {
        Some(endpoint) => Some(
            end_session_url(endpoint, session.id_token.as_deref(), ctx.cfg.post_logout_redirect_uri.as_deref(), &client_id, None)
                .map_err(|_| EdgeError::Upstream("end_session_endpoint"))?,
        ),
        None => None,
    };
    let redirect = ctx.url()?.query_pairs().any(|(k, v)| k == "redirect" && v == "1");
    let reply = match (&end_session, redirect) {
        (Some(url), true) => Reply::redirect(303, url),
        _ => Reply::json(200, &serde_json::json!({ "end_session_url": end_session, "revoked": revoked })),
    };
    Ok(reply.with_cookies(&cleared))
}

pub async fn session(ctx: &mut Ctx) -> Result<Reply, EdgeError> {
    let access = ctx.jar.get_joined(&ctx.cfg.cookies.access).ok_or(EdgeError::NoSession("no_access_cookie"))?;
    let identity = tokens::verify_access_token(ctx, &access).await.map_err(|e| match e {
        EdgeError::InvalidToken(code) => EdgeError::NoSession(code),
        other => other,
    })?;
    let body = serde_json::json!({
        "realm": identity.realm.as_str(),
        "subject": identity.subject,
        "email": identity.email,
        "expires_at": identity.expires_at,
    });
    Ok(Reply::json(200, &body))
}

/// The request's access token: `Authorization: Bearer` (the header's value
/// given), else the session cookie.
pub fn request_token(ctx: &Ctx, authorization: Option<String>) -> Option<String> {
    match authorization {
        Some(h) => bearer_token(&h).map(str::to_owned),
        None => ctx.jar.get_joined(&ctx.cfg.cookies.access),
    }
}

/// `/verify`, given the request's `Authorization` header (its only input besides the cookies).
pub async fn verify(ctx: &mut Ctx, authorization: Option<String>) -> Result<Reply, EdgeError> {
    let token = request_token(ctx, authorization).ok_or(EdgeError::InvalidToken("no_token"))?;
    let identity = tokens::verify_access_token(ctx, &token).await?;
    let mut reply = Reply::json_static(200, r#"{"active":true}"#);
    for (name, value) in identity_headers(identity.realm.as_str(), &identity.subject, identity.email.as_deref(), &identity.scopes) {
        reply = reply.with_header(name, &value);
    }
    Ok(reply)
}
