//! The Content-Security-Policy. Pages get it with a per-response nonce for the hydration
//! scripts; every other response gets it without one (nothing inline runs at all).

/// The policy text. WebAssembly needs `'wasm-unsafe-eval'`; nothing else is relaxed.
pub fn policy(nonce: Option<&str>) -> String {
    let script = match nonce {
        Some(n) => format!("script-src 'self' 'nonce-{n}' 'wasm-unsafe-eval'"),
        None => "script-src 'self' 'wasm-unsafe-eval'".to_owned(),
    };
    format!(
        "default-src 'self'; {script}; style-src 'self'; img-src 'self' data:; font-src 'self'; \
         connect-src 'self'; manifest-src 'self'; worker-src 'self'; frame-ancestors 'none'; \
         base-uri 'none'; form-action 'self'; object-src 'none'"
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_policy_allows_wasm_and_the_nonce_but_no_inline_code() {
        let p = super::policy(Some("abc"));
        assert!(p.contains("'nonce-abc'") && p.contains("'wasm-unsafe-eval'"));
        assert!(!p.contains("unsafe-inline"));
    }
}
