//! `GET /login` and `GET /callback` (DESIGN.md "The login flow"): the core
//! builds the authorize URL, the flow record and the state cookie, and
//! judges the callback; this file stores and consumes the record, exchanges
//! the code and sets the cookies.

use std::collections::BTreeMap;

use realmgate_core::callback::{check_state, finish_callback, CallbackError, CallbackOutcome, CallbackQuery};
use realmgate_core::cookies::SetCookie;
use realmgate_core::login::{flow_key, start_login, FlowRecord, LoginInput, LoginRandom, LoginSettings};
use realmgate_core::oidc::{parse_token_response, ClientAuth};
use realmgate_core::secret::Secret;

use super::runtime::{self, kv_delete, kv_get, kv_put};
use super::{provider, tokens, Ctx};
use crate::cache_policy::sso_domains_key;
use crate::config::client_secret_var;
use crate::error::EdgeError;
use crate::reply::Reply;
use crate::session::session_cookies;

fn query_param(ctx: &Ctx, name: &str) -> Result<Option<String>, EdgeError> {
    Ok(ctx.url()?.query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned()))
}

/// The realm's client secret (a Worker secret), if it has one.
pub fn client_secret(ctx: &Ctx, realm: &str) -> Option<Secret> {
    let value = ctx.env.secret(&client_secret_var(realm)).ok()?.to_string();
    (!value.is_empty()).then(|| Secret::new(value))
}

/// Confidential clients authenticate with HTTP Basic; a realm without a secret is a public client.
pub fn client_auth<'a>(client_id: &'a str, secret: Option<&'a Secret>) -> ClientAuth<'a> {
    match secret {
        Some(secret) => ClientAuth::SecretBasic { client_id, secret },
        None => ClientAuth::Public { client_id },
    }
}

pub async fn login(ctx: &mut Ctx) -> Result<Reply, EdgeError> {
    let realm_param = query_param(ctx, "realm")?.unwrap_or_default();
    let (realm, _) = ctx.cfg.policy.realm(&realm_param).map_err(|_| EdgeError::UnknownRealm)?;
    let realm = realm.clone();
    ctx.realm = Some(realm.to_string());
    let metadata = provider::metadata(ctx, &realm).await?;
    // Always read the SSO map (same work whether or not the hint maps to an IdP);
    // a missing, unreadable or failing map means no extra hints.
    let sso: Option<BTreeMap<String, String>> =
        kv_get(&ctx.kv, &sso_domains_key(realm.as_str())).await.ok().flatten().and_then(|t| serde_json::from_str(&t).ok());

    let random = LoginRandom::from_bytes(&runtime::random::<96>()?);
    let redirect_uri = ctx.cfg.redirect_uri(ctx.url()?);
    let settings = LoginSettings {
        redirect_uri: &redirect_uri,
        flow_ttl_seconds: ctx.cfg.flow_ttl_seconds,
        state_cookie_name: &ctx.cfg.cookies.state,
        cookie_attributes: &ctx.cfg.cookie_attributes,
    };
    let return_to = query_param(ctx, "return_to")?;
    let login_hint = query_param(ctx, "login_hint")?;
    let input = LoginInput {
        realm: realm.as_str(),
        return_to: return_to.as_deref(),
        login_hint: login_hint.as_deref(),
        sso_domains: sso.as_ref(),
        now: ctx.now,
        random: &random,
    };
    let start = start_login(&ctx.cfg.policy, &metadata, &settings, &input)?;
    kv_put(&ctx.kv, &start.record_key, start.record.to_json(), start.ttl_seconds).await?;
    Ok(Reply::redirect(302, &start.authorize_url).with_cookies([&start.state_cookie]))
}

pub async fn callback(ctx: &mut Ctx) -> Result<Reply, EdgeError> {
    let query = CallbackQuery::parse(ctx.url()?.query().unwrap_or(""))?;
    check_state(query.state(), ctx.jar.get(&ctx.cfg.cookies.state))?;

    // Single use: read and delete at once, before anything else can fail.
    let key = flow_key(query.state());
    let stored = kv_get(&ctx.kv, &key).await?;
    if stored.is_some() {
        kv_delete(&ctx.kv, &key).await?;
    }
    // ADAPTER: the core's finish_callback needs the realm's metadata, which
    // needs the record's realm; an absent or unreadable record is therefore
    // refused here with the core's own error (see report: `FlowRecord`-first API).
    let record = stored.and_then(|text| FlowRecord::from_json(&text).ok()).ok_or(CallbackError::UnknownFlow)?;
    ctx.realm = Some(record.realm.to_string());
    let realm = record.realm.clone();
    let metadata = provider::metadata(ctx, &realm).await?;
    let client_id = ctx.cfg.policy.realm(realm.as_str()).map_err(|_| CallbackError::Realm)?.1.client_id.clone();
    let secret = client_secret(ctx, realm.as_str());
    let auth = client_auth(&client_id, secret.as_ref());
    let clear_state = SetCookie::clear(&ctx.cfg.cookies.state, &ctx.cfg.cookie_attributes).map_err(|_| EdgeError::Internal("state_cookie"))?;

    match finish_callback(&ctx.cfg.policy, &metadata, &auth, query, Some(record), ctx.now)? {
        CallbackOutcome::ProviderError { redirect, error_code } => {
            ctx.outcome = Some("provider_error");
            ctx.detail = Some(error_code);
            Ok(Reply::redirect(302, redirect.as_str()).with_cookies([&clear_state]))
        }
        CallbackOutcome::Exchange { request, realm, nonce, return_path } => {
            let answer = runtime::post_form(&request, ctx.cfg.upstream_timeout_ms).await?;
            let tokens = parse_token_response(answer.status, &answer.body).map_err(|e| EdgeError::CallbackFailed(e.code()))?;
            let id_token = tokens.id_token.as_ref().ok_or(EdgeError::CallbackFailed("id_token_missing"))?;
            tokens::validate_callback_id_token(ctx, id_token.expose(), &realm, &client_id, &nonce).await?;
            let mut cookies = session_cookies(&ctx.cfg.cookies, &ctx.cfg.cookie_attributes, &tokens, ctx.cfg.session_max_age_seconds, &ctx.jar)
                .map_err(|e| EdgeError::CallbackFailed(e.code()))?;
            cookies.push(clear_state);
            Ok(Reply::redirect(302, return_path.as_str()).with_cookies(&cookies))
        }
    }
}
