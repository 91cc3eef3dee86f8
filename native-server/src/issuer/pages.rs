//! The HTML the issuer shows: the login form, message pages and the logout
//! confirmation. Every value is escaped; pages are not cached, not framed,
//! and load nothing from elsewhere.

use axum::http::{header, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};

use super::util::html;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:26rem;margin:4rem auto;padding:0 1rem;color:#222}\
h1{font-size:1.4rem}label{display:block;margin:.8rem 0 .2rem}input[type=email],input[type=password]{width:100%;padding:.5rem;box-sizing:border-box}\
button{margin-top:1rem;padding:.5rem 1.2rem}.error{color:#a00;background:#fee;padding:.5rem;border-radius:4px}.realm{color:#666;font-size:.9rem}";

fn page(status: StatusCode, title: &str, body: &str) -> Response {
    let doc = format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
         <meta name=\"referrer\" content=\"no-referrer\"><title>{}</title><style>{STYLE}</style></head><body>{body}</body></html>",
        html(title)
    );
    let mut r = (status, doc).into_response();
    let h = r.headers_mut();
    h.insert(header::CONTENT_TYPE, HeaderValue::from_static("text/html; charset=utf-8"));
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert("x-content-type-options", HeaderValue::from_static("nosniff"));
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static("default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'"));
    r
}

/// A page with a title and a sentence.
pub fn message_page(status: StatusCode, title: &str, message: &str) -> Response {
    page(status, title, &format!("<h1>{}</h1><p>{}</p>", html(title), html(message)))
}

/// The login form. `hidden` are the authorization request's parameters,
/// posted back with the credentials and the CSRF token.
pub struct LoginForm<'a> {
    pub realm: &'a str,
    pub action: &'a str,
    pub hidden: &'a [(&'a str, &'a str)],
    pub csrf: &'a str,
    pub email: &'a str,
    pub error: Option<&'a str>,
}

pub fn login_page(status: StatusCode, f: &LoginForm<'_>) -> Response {
    let mut body = format!("<h1>Sign in</h1><p class=\"realm\">{}</p>", html(f.realm));
    if let Some(e) = f.error {
        body.push_str(&format!("<p class=\"error\" role=\"alert\">{}</p>", html(e)));
    }
    body.push_str(&format!("<form method=\"post\" action=\"{}\">", html(f.action)));
    for (k, v) in f.hidden {
        body.push_str(&format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", html(k), html(v)));
    }
    body.push_str(&format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\">\
         <label for=\"email\">Email</label><input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"username\" required value=\"{}\"{}>\
         <label for=\"password\">Password</label><input id=\"password\" name=\"password\" type=\"password\" autocomplete=\"current-password\" required{}>\
         <button type=\"submit\" id=\"sign-in\">Sign in</button></form>",
        html(f.csrf),
        html(f.email),
        if f.email.is_empty() { " autofocus" } else { "" },
        if f.email.is_empty() { "" } else { " autofocus" },
    ));
    page(status, "Sign in", &body)
}

/// "Log out?" with a CSRF-protected form (logout without an ID-token hint).
pub fn logout_confirm_page(action: &str, hidden: &[(&str, &str)], csrf: &str) -> Response {
    let mut body = format!("<h1>Log out?</h1><form method=\"post\" action=\"{}\">", html(action));
    for (k, v) in hidden {
        body.push_str(&format!("<input type=\"hidden\" name=\"{}\" value=\"{}\">", html(k), html(v)));
    }
    body.push_str(&format!(
        "<input type=\"hidden\" name=\"csrf\" value=\"{}\"><input type=\"hidden\" name=\"confirm\" value=\"yes\"><button type=\"submit\" id=\"logout\">Log out</button></form>",
        html(csrf)
    ));
    page(StatusCode::OK, "Log out", &body)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_escaped() {
        let r = login_page(StatusCode::OK, &LoginForm { realm: "acme", action: "/a", hidden: &[("state", "\"><script>")], csrf: "c", email: "<x>", error: None });
        assert_eq!(r.headers()[header::CONTENT_TYPE], "text/html; charset=utf-8");
    }
}
