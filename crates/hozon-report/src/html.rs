//! The HTML report: one compiled askama template (`templates/report.html`,
//! HTML-escaped by default), inline CSS, no script and no external
//! resource.

use askama::Template;
use hozon_i18n::Catalog;

use crate::model::Model;
use crate::ReportError;

#[derive(Template)]
#[template(path = "report.html")]
struct ReportHtml<'a> {
    m: &'a Model,
    cat: &'a Catalog,
}

/// Renders `model` in `cat`'s language.
pub(crate) fn render(model: &Model, cat: &Catalog) -> Result<String, ReportError> {
    Ok(ReportHtml { m: model, cat }.render()?)
}
