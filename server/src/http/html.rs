//! Small HTML helpers for the review page: escaping, and the page around a body.

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
th,td{border:1px solid #ccc;padding:6px 8px;text-align:right}
th:first-child,td:first-child{text-align:left}
.tot{display:flex;gap:12px;flex-wrap:wrap}
.tot div{background:#fff;border:1px solid #ccc;padding:8px 12px;min-width:110px}
.tot b{display:block;font-size:22px}
.warn{color:#8a1c00}
button{font-size:16px;padding:8px 14px;min-height:44px;margin:2px}
input[type=text],input[type=password]{font-size:16px;padding:8px;min-height:28px}
svg{background:#fff;border:1px solid #ccc}";

/// A whole page.
pub fn page(title: &str, header_right: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <title>{t}</title><style>{STYLE}</style></head><body>\
         <header><strong>{t}</strong><span>{header_right}</span></header>\
         <main>{body}</main></body></html>",
        t = esc(title)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn escapes_markup() {
        assert_eq!(
            super::esc("<a href=\"x\">&'"),
            "&lt;a href=&quot;x&quot;&gt;&amp;&#39;"
        );
    }
}
