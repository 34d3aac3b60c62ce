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

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;
    use std::path::Path;
    use std::sync::Mutex;

    use crate::render::{self, Sink};
    use crate::routes::Route;

    #[derive(Default)]
    struct Files(Mutex<BTreeMap<String, Vec<u8>>>);

    impl Sink for Files {
        fn put(&self, path: &str, bytes: Vec<u8>) -> std::io::Result<()> {
            self.0.lock().unwrap().insert(path.to_string(), bytes);
            Ok(())
        }
    }

    /// Reused contexts carry nothing from one page to the next: the shipped
    /// site's pages come out the same rendered one at a time in order, in
    /// reverse order, and each by a renderer of its own (fresh contexts).
    #[test]
    fn reused_contexts_give_the_bytes_fresh_ones_give() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let site = crate::Site::load(root, &Default::default()).unwrap();
        let pages: Vec<Route> = site
            .routes
            .iter()
            .filter(|r| r.is_page())
            .cloned()
            .collect();
        let render_in = |order: &[Route], fresh: bool| -> BTreeMap<String, Vec<u8>> {
            let files = Files::default();
            let shared = site.renderer();
            for route in order {
                // One at a time, so the pool hands each page the context the last one used.
                if fresh {
                    render::render(&site.renderer(), std::slice::from_ref(route), &files)
                } else {
                    render::render(&shared, std::slice::from_ref(route), &files)
                }
                .unwrap();
            }
            files.0.into_inner().unwrap()
        };
        let forward = render_in(&pages, false);
        let mut reversed = pages.clone();
        reversed.reverse();
        assert!(
            forward == render_in(&reversed, false),
            "order changed a page"
        );
        // Fresh renderers for a sample of pages of every kind (all of them is slow).
        let sample: Vec<Route> = pages.iter().step_by(7).cloned().collect();
        let fresh = render_in(&sample, true);
        for (path, bytes) in &fresh {
            assert!(
                forward[path] == *bytes,
                "{path} differs with a fresh context"
            );
        }
        assert!(fresh.len() > 40, "{} pages sampled", fresh.len());
    }
}
