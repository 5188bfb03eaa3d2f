//! The Content-Security-Policy of a page. Every inline script Leptos writes
//! (hydration, streamed resources) carries the render's nonce, so scripts
//! run only from this origin or with that nonce; WebAssembly needs
//! 'wasm-unsafe-eval'; Leaflet positions its panes with inline styles.
//! Images come from here, `data:` (Geoman's icons) and `blob:` (a photo
//! before upload), and from the tile server when one is configured.
//! The other security headers are set for every response in the server's
//! HTTP layer.
use leptos::prelude::*;

/// The policy for a page rendered with `nonce`.
pub fn policy(nonce: &str, tile_url: &str) -> String {
    let tiles = tile_origin(tile_url)
        .map(|o| format!(" {o}"))
        .unwrap_or_default();
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:{tiles}; \
         connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'self'; \
         form-action 'self'; frame-ancestors 'none'"
    )
}

/// `https://tiles.example.cn` of `https://tiles.example.cn/{z}/{x}/{y}.png`.
fn tile_origin(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    let host = rest.split('/').next()?;
    let host_ok = !host.is_empty()
        && host
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || ".-:{}".contains(c));
    // A `{s}` subdomain template stands for any subdomain.
    let host = host.replace("{s}", "*");
    (matches!(scheme, "http" | "https") && host_ok && !host.contains('{'))
        .then(|| format!("{scheme}://{host}"))
}

/// Sets the policy on the page being rendered (called from the shell).
pub fn set_page_policy() {
    let (Some(nonce), Some(response)) = (
        leptos::nonce::use_nonce(),
        use_context::<leptos_axum::ResponseOptions>(),
    ) else {
        return;
    };
    let tile_url = use_context::<super::AppState>()
        .map(|s| s.settings.tile_url.clone())
        .unwrap_or_default();
    if let Ok(value) = axum::http::HeaderValue::from_str(&policy(&nonce.to_string(), &tile_url)) {
        response.insert_header(axum::http::header::CONTENT_SECURITY_POLICY, value);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_tile_server_is_allowed_for_images_only() {
        let p = policy("abc", "https://{s}.tiles.example.cn/{z}/{x}/{y}.png");
        assert!(
            p.contains("img-src 'self' data: blob: https://*.tiles.example.cn;"),
            "{p}"
        );
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!policy("abc", "").contains("img-src 'self' data: blob: ;"));
        assert_eq!(tile_origin("javascript:alert(1)"), None);
        assert_eq!(tile_origin("https://a.b/'x'"), Some("https://a.b".into()));
        assert_eq!(tile_origin("https://a b/x"), None);
    }
}
