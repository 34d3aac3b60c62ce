//! Tera contexts for pages and fragments, reused from page to page.
//!
//! Every page's context holds the `site` object; cloning it for every page
//! was a sixth of the render time on big catalogues, so contexts are kept in a
//! pool and only the page's own keys are put in and taken out again.

use serde::Serialize;
use tera::Context;

use super::Renderer;

impl Renderer<'_> {
    /// Runs `f` on a context holding `site` and the given `data`, then takes
    /// `data` and `extra` (keys `f` added) out again, so that the next page or
    /// fragment sees only `site`. Contexts are reused: cloning `site` for every
    /// page was a sixth of the render time on big catalogues.
    pub(super) fn with_context<T>(
        &self,
        data: &[(&str, &dyn ErasedSerialize)],
        extra: &[&str],
        f: impl FnOnce(&mut Context) -> T,
    ) -> T {
        let spare = self.spare_contexts.lock().ok().and_then(|mut s| s.pop());
        let mut context = spare.unwrap_or_else(|| self.site.clone());
        for (key, value) in data {
            debug_assert!(*key != "site", "page data may not replace `site`");
            value.insert_into(&mut context, key);
        }
        let result = f(&mut context);
        for key in data.iter().map(|(key, _)| key).chain(extra) {
            context.remove(key);
        }
        if let Ok(mut spare) = self.spare_contexts.lock() {
            spare.push(context);
        }
        result
    }
}

/// Object-safe insertion into a Tera context, so one page can take values of
/// different types without converting them twice.
pub trait ErasedSerialize {
    /// Inserts `self` under `key`.
    fn insert_into(&self, context: &mut Context, key: &str);
}

impl<T: Serialize> ErasedSerialize for T {
    fn insert_into(&self, context: &mut Context, key: &str) {
        context.insert(key, self);
    }
}
