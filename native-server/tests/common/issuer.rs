//! An in-process issuer: realm `acme`, clients `edge` (code + refresh,
//! secret `edge-secret`, sha256-hashed for speed) and `svc` (client
//! credentials with the admin scopes), one identity with a password; the
//! admin API trusts the realm's own tokens (as `serve` wires it).

use std::sync::Arc;

use axum::body::Body;
use axum::http::{header, Method, Request, StatusCode};
use axum::Router;
use base64::Engine as _;
use http_body_util::BodyExt;
use realmgate_core::jose::Algorithm;
use realmgate_server::auth::token::NoTokens;
use realmgate_server::clock::ManualClock;
use realmgate_server::issuer::clients::ClientSpec;
use realmgate_server::issuer::{Issuer, IssuerSettings};
use realmgate_server::store::issuer::IssuerStore;
use realmgate_server::store::Store;
use realmgate_server::AppState;
use serde_json::{json, Value};
use sha2_10::Digest;
use tower::ServiceExt;

use super::{key, realm, TestDb, START_MS};

pub const ISSUER: &str = "http://127.0.0.1:8080/realms/acme";
pub const CALLBACK: &str = "https://app.example/cb";
pub const EMAIL: &str = "ada@example.com";
pub const PASSWORD: &str = "correct horse battery";
pub const VERIFIER: &str = "dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk";
pub const CHALLENGE: &str = "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM";

pub struct Issued {
    pub router: Router,
    pub db: TestDb,
    pub clock: ManualClock,
    pub api_key: String,
    pub identity_id: String,
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: axum::http::HeaderMap,
    pub text: String,
}

impl Resp {
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or(Value::Null)
    }
    pub fn location(&self) -> url::Url {
        url::Url::parse(self.headers[header::LOCATION].to_str().unwrap()).unwrap()
    }
    pub fn param(&self, name: &str) -> Option<String> {
        self.location().query_pairs().find(|(k, _)| k == name).map(|(_, v)| v.into_owned())
    }
    pub fn cookie(&self, name: &str) -> Option<String> {
        self.headers.get_all(header::SET_COOKIE).iter().filter_map(|v| v.to_str().ok()).find_map(|c| {
            let first = c.split(';').next()?;
            let (k, v) = first.split_once('=')?;
            (k == name && !v.is_empty()).then(|| first.to_owned())
        })
    }
}

fn sha(secret: &str) -> String {
    format!("sha256:{}", hex::encode(sha2_10::Sha256::digest(secret.as_bytes())))
}

impl Issued {
    pub async fn new(alg: Algorithm) -> Issued {
        let db = TestDb::sqlite().await.with_realms(&["acme", "other"]).await;
        let clock = ManualClock::new(START_MS);
        let settings = IssuerSettings { default_alg: alg, ..IssuerSettings::default() };
        let issuer = Issuer::new(settings);
        let store: Arc<dyn Store> = db.store.clone();
        let tokens = realmgate_server::issuer_setup::admin_verifier(store.clone(), issuer.settings.clone(), Arc::new(clock.clone()), Arc::new(NoTokens));
        let state = AppState::new(store).with_clock(Arc::new(clock.clone())).with_tokens(tokens).with_issuer(issuer);
        let acme = realm("acme");
        let edge: ClientSpec = serde_json::from_value(json!({
            "secret_hash": sha("edge-secret"), "redirect_uris": [CALLBACK], "post_logout_redirect_uris": ["https://app.example/bye"]
        })).unwrap();
        db.store.upsert_client(&acme, &edge.into_client("edge").unwrap(), START_MS).await.unwrap();
        let svc: ClientSpec = serde_json::from_value(json!({
            "secret_hash": sha("svc-secret"), "redirect_uris": [], "grants": ["client_credentials"], "scopes": ["realmgate:admin.read", "realmgate:admin.write"]
        })).unwrap();
        db.store.upsert_client(&acme, &svc.into_client("svc").unwrap(), START_MS).await.unwrap();
        let api_key = key(&db, &["*"], &["write"]).await;
        let mut app = Issued { router: realmgate_server::app(state), db, clock, api_key, identity_id: String::new() };
        let r = app.admin(Method::POST, "/admin/v1/realms/acme/identities", json!({"email": EMAIL, "language": "en"})).await;
        assert_eq!(r.status, StatusCode::CREATED, "{}", r.text);
        app.identity_id = r.json()["id"].as_str().unwrap().to_owned();
        let r = app.admin(Method::PUT, &format!("/admin/v1/realms/acme/identities/{}/credentials", app.identity_id), json!({"email": EMAIL, "password": PASSWORD})).await;
        assert_eq!(r.status, StatusCode::OK);
        app
    }

    pub async fn send(&self, req: Request<Body>) -> Resp {
        let resp = self.router.clone().oneshot(req).await.unwrap();
        let status = resp.status();
        let headers = resp.headers().clone();
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        Resp { status, headers, text: String::from_utf8_lossy(&bytes).into_owned() }
    }

    pub async fn get(&self, uri: &str, cookie: Option<&str>) -> Resp {
        let mut req = Request::builder().method(Method::GET).uri(uri);
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::empty()).unwrap()).await
    }

    pub async fn form(&self, uri: &str, pairs: &[(&str, &str)], basic: Option<(&str, &str)>, cookie: Option<&str>) -> Resp {
        let body = url::form_urlencoded::Serializer::new(String::new()).extend_pairs(pairs).finish();
        let mut req = Request::builder().method(Method::POST).uri(uri).header(header::CONTENT_TYPE, "application/x-www-form-urlencoded");
        if let Some((id, secret)) = basic {
            let b = base64::engine::general_purpose::STANDARD.encode(format!("{id}:{secret}"));
            req = req.header(header::AUTHORIZATION, format!("Basic {b}"));
        }
        if let Some(c) = cookie {
            req = req.header(header::COOKIE, c);
        }
        self.send(req.body(Body::from(body)).unwrap()).await
    }

    pub async fn admin(&self, method: Method, uri: &str, body: Value) -> Resp {
        self.bearer(method, uri, &self.api_key.clone(), Some(body)).await
    }

    pub async fn bearer(&self, method: Method, uri: &str, token: &str, body: Option<Value>) -> Resp {
        let req = Request::builder().method(method).uri(uri).header(header::AUTHORIZATION, format!("Bearer {token}")).header(header::CONTENT_TYPE, "application/json");
        self.send(req.body(body.map(|b| Body::from(b.to_string())).unwrap_or_else(Body::empty)).unwrap()).await
    }

    pub fn auth_url(&self, extra: &str) -> String {
        format!(
            "/realms/acme/protocol/openid-connect/auth?client_id=edge&redirect_uri={}&response_type=code&scope=openid+email+profile&state=st&nonce=nn&code_challenge={CHALLENGE}&code_challenge_method=S256{extra}",
            url::form_urlencoded::byte_serialize(CALLBACK.as_bytes()).collect::<String>()
        )
    }

    /// Fetches the form, posts the credentials with its hidden fields and CSRF cookie.
    pub async fn login(&self, email: &str, password: &str) -> Resp {
        let page = self.get(&self.auth_url(""), None).await;
        assert_eq!(page.status, StatusCode::OK, "{}", page.text);
        let csrf = page.cookie("RG_CSRF").unwrap();
        let mut fields: Vec<(String, String)> = Vec::new();
        for part in page.text.split("<input type=\"hidden\" name=\"").skip(1) {
            let (name, rest) = part.split_once("\" value=\"").unwrap();
            let value = rest.split_once('"').unwrap().0.replace("&amp;", "&");
            fields.push((name.to_owned(), value));
        }
        fields.push(("email".into(), email.into()));
        fields.push(("password".into(), password.into()));
        let pairs: Vec<(&str, &str)> = fields.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
        self.form("/realms/acme/protocol/openid-connect/auth", &pairs, None, Some(&csrf)).await
    }

    pub async fn token(&self, pairs: &[(&str, &str)]) -> Resp {
        self.form("/realms/acme/protocol/openid-connect/token", pairs, Some(("edge", "edge-secret")), None).await
    }

    /// Login and code exchange: the token response.
    pub async fn tokens(&self) -> Value {
        let r = self.login(EMAIL, PASSWORD).await;
        assert_eq!(r.status, StatusCode::FOUND, "{}", r.text);
        let code = r.param("code").unwrap();
        let t = self.token(&[("grant_type", "authorization_code"), ("code", &code), ("redirect_uri", CALLBACK), ("code_verifier", VERIFIER)]).await;
        assert_eq!(t.status, StatusCode::OK, "{}", t.text);
        t.json()
    }

    pub async fn service_token(&self, scope: &str) -> Resp {
        self.form("/realms/acme/protocol/openid-connect/token", &[("grant_type", "client_credentials"), ("scope", scope)], Some(("svc", "svc-secret")), None).await
    }
}
