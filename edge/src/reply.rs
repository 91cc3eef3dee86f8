//! A response as plain data (status, headers, body), built by handlers and
//! the error mapping, turned into a Worker `Response` in one place
//! (`worker_glue`). Plain data keeps every response shape testable natively.

use realmgate_core::cookies::SetCookie;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: String,
}

impl Reply {
    fn new(status: u16, content_type: &str, body: String) -> Reply {
        let headers = vec![
            ("Content-Type".to_owned(), content_type.to_owned()),
            // Every auth answer is personal: never cached by the CDN or the browser.
            ("Cache-Control".to_owned(), "no-store".to_owned()),
            ("X-Content-Type-Options".to_owned(), "nosniff".to_owned()),
        ];
        Reply { status, headers, body }
    }

    pub fn json(status: u16, value: &serde_json::Value) -> Reply {
        Reply::new(status, "application/json", value.to_string())
    }

    /// A JSON reply from a fixed, already-serialized body (no `Value` to build).
    pub fn json_static(status: u16, body: &'static str) -> Reply {
        Reply::new(status, "application/json", body.to_owned())
    }

    pub fn text(status: u16, body: &str) -> Reply {
        Reply::new(status, "text/plain; charset=utf-8", body.to_owned())
    }

    /// A minimal HTML page; `message` is a fixed sentence of ours, escaped anyway.
    pub fn page(status: u16, title: &str, message: &str) -> Reply {
        let body = format!(
            "<!doctype html><html><head><meta charset=\"utf-8\"><title>{t}</title></head><body><h1>{t}</h1><p>{m}</p></body></html>",
            t = escape_html(title),
            m = escape_html(message)
        );
        let mut r = Reply::new(status, "text/html; charset=utf-8", body);
        r.headers.push(("Content-Security-Policy".into(), "default-src 'none'".into()));
        r
    }

    /// A redirect (302 for GET flows, 303 after a POST).
    pub fn redirect(status: u16, location: &str) -> Reply {
        let mut r = Reply::new(status, "text/plain; charset=utf-8", String::new());
        r.headers.push(("Location".into(), location.to_owned()));
        r
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        self.headers.push((name.to_owned(), value.to_owned()));
        self
    }

    pub fn with_cookies<'a>(mut self, cookies: impl IntoIterator<Item = &'a SetCookie>) -> Reply {
        for c in cookies {
            self.headers.push(("Set-Cookie".into(), c.header_value()));
        }
        self
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }
}

fn escape_html(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_reply_is_no_store_and_pages_escape() {
        let r = Reply::page(400, "<x>", "a & b");
        assert_eq!(r.header("cache-control"), Some("no-store"));
        assert!(r.body.contains("&lt;x&gt;") && r.body.contains("a &amp; b"));
        let r = Reply::redirect(302, "/p").with_header("X-A", "1");
        assert_eq!((r.status, r.header("location")), (302, Some("/p")));
        assert_eq!(Reply::json_static(200, "{\"active\":true}"), Reply::json(200, &serde_json::json!({ "active": true })));
    }
}
