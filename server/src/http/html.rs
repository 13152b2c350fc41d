//! Small HTML helpers for the review page: escaping, the page around a body, and the
//! security headers every response of the page carries.

use axum::http::{HeaderValue, header};
use axum::response::Response;
use ring::digest::{SHA256, digest};

use super::page_text::PageLang;

/// Escapes text for HTML content and attribute values.
pub fn esc(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "body{font:16px/1.4 system-ui,sans-serif;margin:0;color:#111;background:#f6f6f4}
header{background:#14365c;color:#fff;padding:12px 20px;display:flex;justify-content:space-between;align-items:center}
main{padding:16px 20px;max-width:1200px}
h2{margin:24px 0 8px;font-size:20px}
table{border-collapse:collapse;background:#fff;width:100%}
th,td{border:1px solid #ccc;padding:6px 8px;text-align:end;vertical-align:top}
th:first-child,td:first-child{text-align:start}
td.t,th.t{text-align:start}
.tot{display:flex;gap:12px;flex-wrap:wrap}
.tot div{background:#fff;border:1px solid #ccc;padding:8px 12px;min-width:110px}
.tot b{display:block;font-size:22px}
.warn{color:#8a1c00}
button{font-size:16px;padding:8px 14px;min-height:44px;margin:2px}
input[type=text],input[type=password]{font-size:16px;padding:8px;min-height:28px}
textarea{font:inherit;width:100%;max-width:640px;min-height:4em;padding:8px;box-sizing:border-box}
.err{color:#8a1c00;font-weight:bold}
header a,header b{color:#fff;margin:0 6px}
nav.lang{display:inline-block;margin:0 12px}
[dir=rtl] body{font-size:17px;line-height:1.6}
h3{margin:16px 0 6px;font-size:17px}
svg{background:#fff;border:1px solid #ccc}
form.inline{display:inline}
.s-complete{color:#1b7f3b}.s-in_progress{color:#d39200}.s-refused{color:#8a1c00}
.s-absent{color:#7a4fb5}.s-vacant{color:#777}.s-not_enumerated{color:#e0218a}";

/// The page's Content-Security-Policy: nothing loads but the page's own style block (by its
/// hash) and its forms posting to this server; no script at all, no framing.
pub fn content_security_policy() -> String {
    let hash = census_core::wire::b64_encode(digest(&SHA256, STYLE.as_bytes()).as_ref());
    format!(
        "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self'; form-action 'self'; \
         frame-ancestors 'none'; base-uri 'none'"
    )
}

/// Adds the security headers to a response of the page: the CSP above, no framing, no
/// content sniffing, no referrer, and no caching (the page shows personal data).
pub async fn security_headers(mut response: Response) -> Response {
    let headers = response.headers_mut();
    if let Ok(csp) = HeaderValue::from_str(&content_security_policy()) {
        headers.insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    for (name, value) in [
        (header::X_FRAME_OPTIONS, "DENY"),
        (header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        (header::REFERRER_POLICY, "no-referrer"),
        (header::CACHE_CONTROL, "no-store"),
    ] {
        headers.insert(name, HeaderValue::from_static(value));
    }
    response
}

/// A whole page in `lang` (its `lang` and `dir` on the root element).
pub fn page_in(lang: PageLang, title: &str, header_right: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"{code}\" dir=\"{dir}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\
         <header><strong>{t}</strong><span>{header_right}</span></header>\
         <main>{body}</main></body></html>",
        t = esc(title),
        code = lang.code(),
        dir = lang.dir()
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_names_the_style_block_by_its_hash_and_allows_no_script() {
        let csp = super::content_security_policy();
        assert!(csp.contains("style-src 'sha256-"), "{csp}");
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("script-src"),
            "{csp}"
        );
        assert!(csp.contains("frame-ancestors 'none'"), "{csp}");
        let page = super::page_in(super::PageLang::Ar, "t", "", "");
        assert!(page.starts_with("<!doctype html><html lang=\"ar\" dir=\"rtl\">"));
        assert!(
            !page.contains("<script") && !page.contains(" style=\""),
            "{page}"
        );
        // The hash is of the style element's text exactly as the page carries it.
        let style = page
            .split_once("<style>")
            .and_then(|(_, rest)| rest.split_once("</style>"))
            .map(|(style, _)| style)
            .unwrap();
        let hash = census_core::wire::b64_encode(
            ring::digest::digest(&ring::digest::SHA256, style.as_bytes()).as_ref(),
        );
        assert!(csp.contains(&format!("'sha256-{hash}'")), "{csp}");
    }

    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
