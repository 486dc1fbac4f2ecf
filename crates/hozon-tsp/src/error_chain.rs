//! Reading a chain of errors (`source()` links) down to the cause worth showing.

/// The innermost cause of an error: the informative one ("Connection
/// refused", "mac verify failure"), where the outer ones say "builder error"
/// or "error sending request".
pub(crate) fn innermost(e: &(dyn std::error::Error + 'static)) -> String {
    let mut reason = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        reason = s.to_string();
        source = s.source();
    }
    reason
}
