//! What the review page's forms must show before the server acts on them, and how its
//! cookies are set.
//!
//! - Every form carries a token bound to the cookie it is posted with (`session`): a page on
//!   another site — or on another port of this host, which SameSite does not tell apart —
//!   can make a browser post a form, but cannot read the page to learn the token.
//! - A browser that says where a form came from (`Sec-Fetch-Site`) must say `same-origin`
//!   (or `none`): a post from another origin is refused even with a token.
//! - Cookies are `HttpOnly`, `SameSite=Strict`, and `Secure` when the request reached the
//!   office over TLS. The server speaks plain HTTP behind a TLS terminator, so the rule is:
//!   `Secure` when the proxy says the request came over HTTPS (`X-Forwarded-Proto: https`, or
//!   `proto=https` in `Forwarded`). A client that sends the header itself over plain HTTP
//!   only makes its own cookie stricter; a proxy that terminates TLS must set it.

use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};

use super::html::{esc, page_in};
use super::page_text::PageLang;

/// The pre-session cookie of the sign-in form.
pub const LOGIN_COOKIE: &str = "census_login";

/// Whether a proxy says the request came over HTTPS (see the module documentation).
pub fn over_tls(headers: &HeaderMap) -> bool {
    let forwarded_proto = headers
        .get("x-forwarded-proto")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(',').next())
        .is_some_and(|v| v.trim().eq_ignore_ascii_case("https"));
    let forwarded = headers
        .get_all("forwarded")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split([',', ';']))
        .filter_map(|pair| pair.trim().split_once('='))
        .any(|(k, v)| {
            k.trim().eq_ignore_ascii_case("proto")
                && v.trim().trim_matches('"').eq_ignore_ascii_case("https")
        });
    forwarded_proto || forwarded
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, `Secure` when `secure`.
pub fn set_cookie(name: &str, value: &str, path: &str, max_age: i64, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{name}={value}; HttpOnly; SameSite=Strict; Path={path}; Max-Age={max_age}{secure}")
}

/// Whether the browser says the form was posted from another origin.
pub fn cross_origin(headers: &HeaderMap) -> bool {
    headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
        .is_some_and(|site| !matches!(site.trim(), "same-origin" | "none"))
}

/// 403 with a page in `lang` that says why and leads back to the review page.
pub fn refused(lang: PageLang, message: &str) -> Response {
    let body = format!(
        "<h2>{}</h2><p class=\"warn\">{}</p><p><a href=\"/review\">{}</a></p>",
        lang.h("web_not_done"),
        esc(message),
        lang.h("web_back")
    );
    (
        StatusCode::FORBIDDEN,
        Html(page_in(lang, lang.t("web_title"), "", &body)),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(pairs: &[(&'static str, &'static str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for &(k, v) in pairs {
            h.append(k, axum::http::HeaderValue::from_static(v));
        }
        h
    }

    #[test]
    fn tls_is_what_the_proxy_says() {
        assert!(!over_tls(&headers(&[])));
        assert!(over_tls(&headers(&[("x-forwarded-proto", "https")])));
        assert!(over_tls(&headers(&[("x-forwarded-proto", "HTTPS, http")])));
        assert!(!over_tls(&headers(&[("x-forwarded-proto", "http")])));
        assert!(over_tls(&headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=\"https\";by=203.0.113.43"
        )])));
        assert!(!over_tls(&headers(&[(
            "forwarded",
            "for=192.0.2.60;proto=http"
        )])));
        let c = set_cookie("a", "b", "/", 10, true);
        assert_eq!(
            c,
            "a=b; HttpOnly; SameSite=Strict; Path=/; Max-Age=10; Secure"
        );
        assert!(!set_cookie("a", "b", "/", 10, false).contains("Secure"));
    }

    #[test]
    fn only_same_origin_posts_pass_when_the_browser_says() {
        assert!(!cross_origin(&headers(&[])));
        assert!(!cross_origin(&headers(&[(
            "sec-fetch-site",
            "same-origin"
        )])));
        assert!(cross_origin(&headers(&[("sec-fetch-site", "same-site")])));
        assert!(cross_origin(&headers(&[("sec-fetch-site", "cross-site")])));
    }
}
