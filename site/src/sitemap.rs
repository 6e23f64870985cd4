//! `sitemap.xml` and `robots.txt`, for search engines.

use crate::error::Error;
use crate::{Writer, xml};

impl Writer {
    /// Writes the sitemap of every page written (embed pages are left out, and kept out of
    /// search by `robots.txt`).
    pub(crate) fn sitemap(&self) -> Result<(), Error> {
        let mut xml = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        let lastmod = self.modified.get(..10).unwrap_or(&self.modified);
        let mut pages = self.pages.clone();
        pages.sort();
        for page in pages {
            xml.push_str(&format!(
                "<url><loc>{}</loc><lastmod>{}</lastmod></url>\n",
                xml::escape(&self.urls.absolute_shared(&page)),
                xml::escape(lastmod)
            ));
        }
        xml.push_str("</urlset>\n");
        self.write_file(&self.dir.join("sitemap.xml"), xml)
    }

    /// Writes `robots.txt`: embed pages out of search, and where the sitemap is.
    pub(crate) fn robots(&self) -> Result<(), Error> {
        self.write_file(
            &self.dir.join("robots.txt"),
            format!(
                "User-agent: *\nDisallow: {}embed/\nSitemap: {}\n",
                self.urls.base_path(),
                self.urls.absolute_shared("sitemap.xml")
            ),
        )
    }
}
