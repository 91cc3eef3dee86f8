//! The Worker: one fetch handler that reads the configuration, routes, runs
//! a handler, maps any failure to HTTP (via [`EdgeError::reply`]) and writes
//! one log line. Handlers return errors; nothing here panics.

mod flow;
mod gateway;
mod provider;
mod runtime;
mod session_routes;
mod tokens;
pub mod webcrypto;

use std::cell::OnceCell;
use std::rc::Rc;

use realmgate_core::cookies::{parse_cookie_header, CookieJar};
use worker::{event, Context, Env, Headers, KvStore, Request, Response};

use crate::config::{EdgeConfig, KV_BINDING};
use crate::error::EdgeError;
use crate::log::{loggable_method, LogLine, LogRequests};
use crate::reply::Reply;
use crate::routes::{route, Route};
use crate::session::clear_session;

/// What a request needs besides itself.
pub(crate) struct Ctx {
    pub env: Env,
    pub cfg: Rc<EdgeConfig>,
    pub kv: KvStore,
    pub url: url::Url,
    pub jar: CookieJar,
    pub now: u64,
    /// The realm the request turned out to concern (for the log line).
    pub realm: Option<String>,
    /// A non-error outcome worth logging (default `ok`).
    pub outcome: Option<&'static str>,
    pub detail: Option<String>,
}

impl Ctx {
    pub fn header(req: &Request, name: &str) -> Option<String> {
        req.headers().get(name).ok().flatten()
    }
}

/// A handler's answer: our own reply, or an origin's response passed through.
pub(crate) enum Answer {
    Reply(Reply),
    Passthrough(Response),
}

impl From<Reply> for Answer {
    fn from(r: Reply) -> Self {
        Answer::Reply(r)
    }
}

#[event(fetch)]
pub async fn fetch(req: Request, env: Env, _ctx: Context) -> worker::Result<Response> {
    let started = runtime::now_ms();
    let mut line = LogLine { method: loggable_method(req.method().as_ref()), route: "unknown", ..Default::default() };
    let answer = match handle(&req, env, &mut line).await {
        Ok(answer) => answer,
        Err((error, jar, cfg)) => {
            line.outcome = error.code().to_owned();
            let mut reply = error.reply();
            // A refresh that the provider refused ends the session: clear its cookies.
            if let (EdgeError::SessionEnded(_), Some(cfg)) = (&error, cfg) {
                reply = reply.with_cookies(&clear_session(&cfg.cookies, &cfg.cookie_attributes, &jar));
            }
            Answer::Reply(reply)
        }
    };
    let response = match answer {
        Answer::Reply(reply) => {
            line.status = reply.status;
            to_response(reply)
        }
        Answer::Passthrough(response) => {
            line.status = response.status_code();
            response
        }
    };
    // LOG_REQUESTS: without a usable configuration, every line is written.
    let mode = CONFIG.with(|c| c.get().map(|cfg| cfg.log_requests)).unwrap_or(LogRequests::All);
    if line.wanted(mode) {
        line.duration_ms = (runtime::now_ms() - started).max(0.0) as u64;
        worker::console_log!("{}", line.to_json());
    }
    Ok(response)
}

type Failure = (EdgeError, CookieJar, Option<Rc<EdgeConfig>>);

thread_local! {
    /// The configuration, parsed once per isolate: vars and secrets are fixed for an
    /// isolate's lifetime (a new deployment or `wrangler dev` reload is a new isolate).
    /// (Parsing the policy JSON again on every request was pure overhead.)
    static CONFIG: OnceCell<Rc<EdgeConfig>> = const { OnceCell::new() };
}

/// The isolate's configuration; a faulty one is not cached (reported on every request).
fn config(env: &Env) -> Result<Rc<EdgeConfig>, crate::config::ConfigError> {
    if let Some(cfg) = CONFIG.with(|c| c.get().cloned()) {
        return Ok(cfg);
    }
    let cfg = Rc::new(EdgeConfig::from_vars(|name| env.var(name).ok().map(|v| v.to_string()))?);
    CONFIG.with(|c| {
        let _ = c.set(cfg.clone());
    });
    Ok(cfg)
}

async fn handle(req: &Request, env: Env, line: &mut LogLine) -> Result<Answer, Failure> {
    let jar = parse_cookie_header(&Ctx::header(req, "Cookie").unwrap_or_default());
    let cfg = match config(&env) {
        Ok(cfg) => cfg,
        Err(e) => {
            line.detail = Some(e.variable());
            return Err((EdgeError::Config(e), jar, None));
        }
    };
    let url = match req.url() {
        Ok(u) => u,
        Err(_) => return Err((EdgeError::Internal("request_url"), jar, Some(cfg))),
    };
    let r = route(url.path(), &cfg.prefix, cfg.gateway.as_ref());
    line.route = r.name();
    if !r.allows(req.method().as_ref()) {
        return Err((EdgeError::MethodNotAllowed, jar, Some(cfg)));
    }
    let kv = match env.kv(KV_BINDING) {
        Ok(kv) => kv,
        Err(_) => return Err((EdgeError::Config(crate::config::ConfigError::Missing(KV_BINDING)), jar, Some(cfg))),
    };
    let mut ctx = Ctx { env, cfg, kv, url, jar, now: runtime::now(), realm: None, outcome: None, detail: None };
    let result = match r {
        Route::Login => flow::login(&mut ctx).await.map(Answer::from),
        Route::Callback => flow::callback(&mut ctx).await.map(Answer::from),
        Route::Refresh => session_routes::refresh(&mut ctx, req).await.map(Answer::from),
        Route::Logout => session_routes::logout(&mut ctx, req).await.map(Answer::from),
        Route::Session => session_routes::session(&mut ctx).await.map(Answer::from),
        Route::Verify => session_routes::verify(&mut ctx, req).await.map(Answer::from),
        Route::Gateway => gateway::forward(&mut ctx, req).await,
        Route::NotFound => Err(EdgeError::NotFound),
    };
    line.realm = ctx.realm.take();
    line.detail = ctx.detail.take().or(line.detail.take());
    match result {
        Ok(answer) => {
            line.outcome = ctx.outcome.unwrap_or("ok").to_owned();
            Ok(answer)
        }
        Err(e) => Err((e, ctx.jar, Some(ctx.cfg))),
    }
}

/// Turns our reply into a Worker response; a header the runtime refuses
/// gives a bare 500 rather than an exception.
fn to_response(reply: Reply) -> Response {
    let build = move || -> worker::Result<Response> {
        let headers = Headers::new();
        for (name, value) in &reply.headers {
            headers.append(name, value)?;
        }
        Ok(Response::from_bytes(reply.body.into_bytes())?.with_status(reply.status).with_headers(headers))
    };
    build().unwrap_or_else(|_| {
        worker::console_log!("{{\"route\":\"response\",\"outcome\":\"response_build_failed\",\"status\":500}}");
        Response::builder().with_status(500).empty()
    })
}
