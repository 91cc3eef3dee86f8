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
use worker::{event, Context, Env, KvStore, Request, Response};

use crate::config::{EdgeConfig, KV_BINDING};
use crate::error::EdgeError;
use crate::log::{loggable_method, LogLine, LogRequests};
use crate::reply::Reply;
use crate::routes::{path_of_serialized_url, route, Route};
use crate::session::clear_session;

/// What a request needs besides itself.
pub(crate) struct Ctx {
    pub env: Env,
    pub cfg: Rc<EdgeConfig>,
    /// The KV binding, per isolate (see [`kv`]).
    pub kv: Rc<KvStore>,
    /// The request's URL, parsed for every route but `/verify`, which needs
    /// only the path (see [`handle`]).
    pub url: Option<url::Url>,
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

    /// The parsed request URL (present for every route that reads it).
    pub fn url(&self) -> Result<&url::Url, EdgeError> {
        self.url.as_ref().ok_or(EdgeError::Internal("request_url"))
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
pub async fn fetch(req: web_sys::Request, env: Env, _ctx: Context) -> worker::Result<web_sys::Response> {
    // The runtime's request as is: workers-rs's `Request` wrapper would read the
    // method, URL, headers and `cf` up front (one JS crossing and copy each);
    // `/verify` reads only what it needs, other routes get the wrapper.
    let started = runtime::now_ms();
    let method = req.method();
    let mut line = LogLine { method: loggable_method(&method), route: "unknown", ..Default::default() };
    let answer = match handle(req, &method, env, &mut line).await {
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
            response.into()
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

thread_local! {
    /// The KV binding, like the configuration fixed for the isolate's lifetime; behind
    /// `Rc` so a request takes it without a JS call (workers-rs's `Env::kv` makes six).
    static KV: OnceCell<Rc<KvStore>> = const { OnceCell::new() };
}

/// The isolate's KV binding; a missing one is not cached (reported on every request).
fn kv(env: &Env) -> Result<Rc<KvStore>, EdgeError> {
    if let Some(kv) = KV.with(|k| k.get().cloned()) {
        return Ok(kv);
    }
    let kv = Rc::new(env.kv(KV_BINDING).map_err(|_| EdgeError::Config(crate::config::ConfigError::Missing(KV_BINDING)))?);
    KV.with(|k| {
        let _ = k.set(kv.clone());
    });
    Ok(kv)
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

async fn handle(raw: web_sys::Request, method: &str, env: Env, line: &mut LogLine) -> Result<Answer, Failure> {
    let headers = raw.headers();
    let jar = parse_cookie_header(&headers.get("Cookie").ok().flatten().unwrap_or_default());
    let cfg = match config(&env) {
        Ok(cfg) => cfg,
        Err(e) => {
            line.detail = Some(e.variable());
            return Err((EdgeError::Config(e), jar, None));
        }
    };
    // The runtime's URL is already serialized (WHATWG): its path routes `/verify`
    // without parsing the URL again; any other route parses it and routes on the
    // parsed path exactly as before.
    let raw_url = raw.url();
    let (r, url) = if route(path_of_serialized_url(&raw_url), &cfg.prefix, cfg.gateway.as_ref()) == Route::Verify {
        (Route::Verify, None)
    } else {
        let url = match url::Url::parse(&raw_url) {
            Ok(u) => u,
            Err(_) => return Err((EdgeError::Internal("request_url"), jar, Some(cfg))),
        };
        (route(url.path(), &cfg.prefix, cfg.gateway.as_ref()), Some(url))
    };
    line.route = r.name();
    if !r.allows(method) {
        return Err((EdgeError::MethodNotAllowed, jar, Some(cfg)));
    }
    let kv = match kv(&env) {
        Ok(kv) => kv,
        Err(e) => return Err((e, jar, Some(cfg))),
    };
    let mut ctx = Ctx { env, cfg, kv, url, jar, now: runtime::now(), realm: None, outcome: None, detail: None };
    let result = match r {
        Route::Verify => session_routes::verify(&mut ctx, headers.get("Authorization").ok().flatten()).await.map(Answer::from),
        Route::Login => flow::login(&mut ctx).await.map(Answer::from),
        Route::Callback => flow::callback(&mut ctx).await.map(Answer::from),
        Route::Session => session_routes::session(&mut ctx).await.map(Answer::from),
        Route::Refresh => session_routes::refresh(&mut ctx, &Request::from(raw)).await.map(Answer::from),
        Route::Logout => session_routes::logout(&mut ctx, &Request::from(raw)).await.map(Answer::from),
        Route::Gateway => gateway::forward(&mut ctx, &Request::from(raw)).await,
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

/// Turns our reply into the runtime's response (headers appended to one
/// `Headers`, the body passed as a string); a header the runtime refuses
/// gives a bare 500 rather than an exception.
fn to_response(reply: Reply) -> web_sys::Response {
    let build = |reply: &Reply| -> Result<web_sys::Response, wasm_bindgen::JsValue> {
        let headers = web_sys::Headers::new()?;
        for (name, value) in &reply.headers {
            headers.append(name, value)?;
        }
        let init = web_sys::ResponseInit::new();
        init.set_status(reply.status);
        init.set_headers(&headers);
        web_sys::Response::new_with_opt_str_and_init(Some(&reply.body), &init)
    };
    build(&reply).unwrap_or_else(|_| {
        worker::console_log!("{{\"route\":\"response\",\"outcome\":\"response_build_failed\",\"status\":500}}");
        Response::builder().with_status(500).empty().into()
    })
}
