//! The pager of a paged list: which page this is, and links to the others.

use serde::Serialize;

use crate::routes;

/// Links between the pages of a paged list (`pager` in templates).
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PagerView {
    /// This page's number, from 1.
    pub page: usize,
    /// How many pages the list has.
    pub pages: usize,
    /// The first entry shown, counted from 1 (0 for an empty list).
    pub first: usize,
    /// The last entry shown.
    pub last: usize,
    /// Entries in the whole list.
    pub total: usize,
    /// The previous page's URL.
    pub prev: Option<String>,
    /// The next page's URL.
    pub next: Option<String>,
    /// Numbered links: the first and last pages and those around this one;
    /// `None` stands for a gap ("…").
    pub links: Vec<Option<PagerLink>>,
}

/// One numbered link of a pager.
#[derive(Serialize, Debug, Clone, PartialEq, Eq)]
pub struct PagerLink {
    /// Page number.
    pub number: usize,
    /// Its URL.
    pub url: String,
    /// Whether it is the page shown.
    pub current: bool,
}

impl PagerView {
    /// The pager of page `page` of `pages` of a `total`-entry list at `url`,
    /// showing `per` entries a page (0 for all).
    pub fn new(url: &str, page: usize, pages: usize, total: usize, per: usize) -> PagerView {
        let at = |n: usize| routes::paged(url.to_string(), n);
        let (first, last) = if per == 0 {
            (usize::from(total > 0), total)
        } else {
            let first = (page - 1) * per + 1;
            (first.min(total), (first + per - 1).min(total))
        };
        let mut links: Vec<Option<PagerLink>> = Vec::new();
        for n in 1..=pages {
            let near = n == 1 || n == pages || n.abs_diff(page) <= 2;
            if near {
                links.push(Some(PagerLink {
                    number: n,
                    url: at(n),
                    current: n == page,
                }));
            } else if links.last().is_some_and(Option::is_some) {
                links.push(None);
            }
        }
        PagerView {
            page,
            pages,
            first,
            last,
            total,
            prev: (page > 1).then(|| at(page - 1)),
            next: (page < pages).then(|| at(page + 1)),
            links,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pagers_number_the_ends_and_the_pages_around() {
        let p = PagerView::new("practices/", 1, 1, 7, 50);
        assert_eq!((p.first, p.last, p.prev, p.next), (1, 7, None, None));
        assert_eq!(p.links.len(), 1);
        let p = PagerView::new("practices/", 6, 12, 590, 50);
        assert_eq!((p.first, p.last), (251, 300));
        assert_eq!(p.prev.as_deref(), Some("practices/page/5/"));
        assert_eq!(p.next.as_deref(), Some("practices/page/7/"));
        let numbers: Vec<Option<usize>> = p
            .links
            .iter()
            .map(|l| l.as_ref().map(|l| l.number))
            .collect();
        assert_eq!(
            numbers,
            [
                Some(1),
                None,
                Some(4),
                Some(5),
                Some(6),
                Some(7),
                Some(8),
                None,
                Some(12)
            ]
        );
        assert_eq!(p.links[0].as_ref().unwrap().url, "practices/");
        let last = PagerView::new("practices/", 12, 12, 590, 50);
        assert_eq!((last.first, last.last, last.next), (551, 590, None));
        let empty = PagerView::new("x/", 1, 1, 0, 50);
        assert_eq!((empty.first, empty.last), (0, 0));
    }
}
