//! From a sheet's header and cells to the fields of entries.
//!
//! Headers are matched case-insensitively: `id`, `title`, `body`,
//! `related`, `kind`, and each facet by its id, its label or its singular
//! (`countries`, `Countries`, `country`); any other header becomes a field,
//! lowercased with spaces turned into `_` (`Target group` → `target_group`).
//! A header that looks like a misspelt facet gets a warning. Facet and
//! `related` cells hold values separated by `;` or new lines; facet values
//! match by id or label, case-insensitively, with did-you-mean on a miss.
//! Every problem is located at its cell.

use serde_json::Value as Json;

use super::cells;
use super::sheet::{Cell, Row, Sheet};
use crate::config::Config;
use crate::diagnostic::{column_letters, suggest, Diagnostic};
use crate::model::{is_valid_id, Facet};

/// The problems found in a sheet, each at its cell.
#[derive(Debug, Default)]
pub struct Problems {
    /// The sheet's file, as named on the command line.
    pub shown: String,
    /// Errors and warnings, in the order found.
    pub list: Vec<Diagnostic>,
}

impl Problems {
    /// An error at a cell (row number, 0-based column).
    pub fn error(&mut self, row: usize, col: usize, message: String) {
        let d = Diagnostic::error(&self.shown, message);
        self.list.push(d.at_cell(row, col + 1));
    }

    /// A warning at a cell.
    pub fn warning(&mut self, row: usize, col: usize, message: String) {
        let d = Diagnostic::warning(&self.shown, message);
        self.list.push(d.at_cell(row, col + 1));
    }

    /// An error about the whole sheet.
    pub fn sheet_error(&mut self, message: String) {
        self.list.push(Diagnostic::error(&self.shown, message));
    }

    /// Whether any error was found.
    pub fn has_errors(&self) -> bool {
        self.list.iter().any(Diagnostic::is_error)
    }
}

/// What a column holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// The entry's id.
    Id,
    /// Its title.
    Title,
    /// Its Markdown body.
    Body,
    /// Ids of related entries.
    Related,
    /// The kind, which must be the one imported.
    Kind,
    /// A facet, by index.
    Facet(usize),
    /// Any other field, by its front-matter name.
    Field(String),
    /// A column without a header.
    Ignored,
}

/// One value read from a row, for a column other than id, title and body.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    /// A facet's values (indices in vocabulary order; empty for an empty cell).
    Facet(usize, Vec<usize>),
    /// Related entry ids as written (empty for an empty cell).
    Related(Vec<String>),
    /// A field and its value (`None` for an empty cell).
    Field(String, Option<Json>),
}

/// A row read into an entry's parts.
#[derive(Debug, Clone)]
pub struct Record {
    /// The row's number in the sheet.
    pub row: usize,
    /// The id, when the row gives one.
    pub id: Option<String>,
    /// The title (rows without one are errors, and give no record).
    pub title: String,
    /// Facets, related ids and fields, in column order.
    pub values: Vec<Value>,
    /// The Markdown body, when the sheet has a body column and the cell text.
    pub body: Option<String>,
}

/// The columns of a sheet: what each one holds, and where id and title are.
#[derive(Debug, Clone)]
pub struct Columns {
    /// Per column, from A.
    pub targets: Vec<Target>,
    /// The id column.
    pub id: Option<usize>,
}

fn normalise(header: &str) -> String {
    header
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

fn target_of(config: &Config, header: &str) -> Target {
    match header {
        "id" => return Target::Id,
        "title" => return Target::Title,
        "body" => return Target::Body,
        "related" => return Target::Related,
        "kind" => return Target::Kind,
        _ => {}
    }
    let facet = config.facets.iter().position(|f| {
        f.name.to_lowercase() == header
            || normalise(&f.label) == header
            || f.singular.to_lowercase() == header
    });
    match facet {
        Some(fi) => Target::Facet(fi),
        None => Target::Field(header.replace(' ', "_")),
    }
}

/// Reads the header row: every column's target, with warnings for headers
/// that look misspelt and errors for two columns setting the same thing.
pub fn columns(sheet: &Sheet, config: &Config, problems: &mut Problems) -> Columns {
    let header = &sheet.header;
    let width = sheet
        .rows
        .iter()
        .map(|r| r.cells.len())
        .chain([header.cells.len()])
        .max()
        .unwrap_or(0);
    let mut targets = Vec::with_capacity(width);
    let mut known: Vec<String> = ["id", "title", "body", "related"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    for f in &config.facets {
        known.push(f.name.clone());
        known.push(f.label.clone());
    }
    for col in 0..width {
        let Some(text) = header.cell(col).text() else {
            if sheet.rows.iter().any(|r| r.cell(col).text().is_some()) {
                problems.warning(
                    header.number,
                    col,
                    "column has no header, so its cells are not imported".into(),
                );
            }
            targets.push(Target::Ignored);
            continue;
        };
        let name = normalise(&text);
        let target = target_of(config, &name);
        if let Target::Field(field) = &target {
            if let Some(near) = suggest(&name, known.iter().map(String::as_str)) {
                problems.warning(
                    header.number,
                    col,
                    format!("column {text:?} is not a facet, so it becomes the field `{field}` (did you mean {near:?}?)"),
                );
            }
        }
        if let Some(first) = targets.iter().position(|t| *t == target) {
            problems.error(
                header.number,
                col,
                format!(
                    "column {text:?} sets the same field as column {}; keep one",
                    column_letters(first + 1)
                ),
            );
            targets.push(Target::Ignored);
            continue;
        }
        targets.push(target);
    }
    if !targets.contains(&Target::Title) {
        problems.sheet_error(format!(
            "the header row (row {}) has no `title` column; every entry needs a title",
            header.number
        ));
    }
    let id = targets.iter().position(|t| *t == Target::Id);
    Columns { targets, id }
}

/// Values of a multi-value cell: split at `;` and new lines, trimmed.
pub fn split_values(text: &str) -> impl Iterator<Item = &str> {
    text.split([';', '\n'])
        .map(str::trim)
        .filter(|s| !s.is_empty())
}

/// How a value is named in a suggestion: `"Denmark (DK)"`, or just the id
/// when the label is the same word.
fn shown_value(facet: &Facet, v: usize) -> String {
    let value = &facet.values[v];
    if value.label.eq_ignore_ascii_case(&value.id) {
        value.id.clone()
    } else {
        format!("{} ({})", value.label, value.id)
    }
}

/// A value by id, then by id or label ignoring case.
fn find_value(facet: &Facet, wanted: &str) -> Option<usize> {
    facet.by_id.get(wanted).copied().or_else(|| {
        facet.values.iter().position(|v| {
            v.id.eq_ignore_ascii_case(wanted) || v.label.to_lowercase() == wanted.to_lowercase()
        })
    })
}

/// The suggestion for a value that matched nothing, among ids and labels.
fn suggest_value(facet: &Facet, wanted: &str) -> Option<String> {
    let candidates = facet
        .values
        .iter()
        .flat_map(|v| [v.id.as_str(), v.label.as_str()]);
    let near = suggest(wanted, candidates)?;
    let v = facet
        .values
        .iter()
        .position(|v| v.id == near || v.label == near)?;
    Some(shown_value(facet, v))
}

fn facet_values(problems: &mut Problems, row: &Row, col: usize, facet: &Facet) -> Vec<usize> {
    let Some(text) = row.cell(col).text() else {
        return Vec::new();
    };
    let mut values = Vec::new();
    for wanted in split_values(&text) {
        match find_value(facet, wanted) {
            Some(v) if values.contains(&v) => problems.warning(
                row.number,
                col,
                format!(
                    "{} {:?} is listed twice",
                    facet.singular,
                    shown_value(facet, v)
                ),
            ),
            Some(v) => values.push(v),
            None => {
                let near = suggest_value(facet, wanted)
                    .map(|n| format!(" (did you mean {n:?}?)"))
                    .unwrap_or_default();
                problems.error(
                    row.number,
                    col,
                    format!("unknown {} {wanted:?}{near}", facet.singular),
                );
            }
        }
    }
    values.sort_unstable();
    values
}

/// A plain field's value from its cell.
fn field_value(problems: &mut Problems, row: &Row, col: usize) -> Option<Json> {
    match row.cell(col) {
        Cell::Empty => None,
        Cell::Text(s) => cells::read_text(s),
        Cell::Int(i) => Some(Json::from(*i)),
        Cell::Float(f) if f.fract() == 0.0 && f.abs() < 9.0e15 => Some(Json::from(*f as i64)),
        Cell::Float(f) => serde_json::Number::from_f64(*f).map(Json::Number),
        Cell::Bool(b) => Some(Json::Bool(*b)),
        Cell::Date(d) => Some(Json::String(d.clone())),
        Cell::Error(e) => {
            problems.error(
                row.number,
                col,
                format!(
                    "the cell holds the spreadsheet error {e}; fix the formula or clear the cell"
                ),
            );
            None
        }
    }
}

/// Reads one row. `None` when it has errors that leave no entry (no title,
/// a bad id); other errors are reported and the record still returned.
pub fn record(
    row: &Row,
    columns: &Columns,
    config: &Config,
    kind: usize,
    problems: &mut Problems,
) -> Option<Record> {
    let mut id = None;
    let mut title = None;
    let mut body = None;
    let mut values = Vec::new();
    let mut usable = true;
    for (col, target) in columns.targets.iter().enumerate() {
        let cell = row.cell(col);
        match target {
            Target::Ignored => {}
            Target::Id => {
                let Some(text) = cell.text() else { continue };
                let text = text.trim();
                if is_valid_id(text) {
                    id = Some(text.to_string());
                } else {
                    usable = false;
                    problems.error(
                        row.number,
                        col,
                        format!("id {text:?} is not usable in a URL: use ASCII letters, digits, '-' and '_', starting with a letter or digit"),
                    );
                }
            }
            Target::Title => title = cell.text().map(|t| t.trim().to_string()),
            Target::Body => {
                body = cell.text().map(|t| {
                    let t = t.trim_end();
                    t.trim_start_matches(['\n', '\r']).to_string()
                });
            }
            Target::Kind => {
                let wanted = &config.kinds[kind];
                if let Some(text) = cell.text() {
                    let text = text.trim();
                    if !text.eq_ignore_ascii_case(&wanted.id)
                        && !text.eq_ignore_ascii_case(&wanted.dir)
                    {
                        problems.error(
                            row.number,
                            col,
                            format!("kind is {text:?}, but this import is of {:?}; import each kind on its own", wanted.id),
                        );
                    }
                }
            }
            Target::Related => {
                let ids = cell.text().map_or_else(Vec::new, |text| {
                    text.split([';', ',', '\n', ' ', '\t'])
                        .filter(|s| !s.is_empty())
                        .map(str::to_string)
                        .collect()
                });
                values.push(Value::Related(ids));
            }
            Target::Facet(fi) => {
                let facet = &config.facets[*fi];
                values.push(Value::Facet(*fi, facet_values(problems, row, col, facet)));
            }
            Target::Field(name) => {
                values.push(Value::Field(name.clone(), field_value(problems, row, col)));
            }
        }
    }
    let title = match title {
        Some(title) => title,
        None => {
            if let Some(col) = columns.targets.iter().position(|t| *t == Target::Title) {
                problems.error(
                    row.number,
                    col,
                    "missing title: every entry needs one".into(),
                );
            }
            return None;
        }
    };
    usable.then_some(Record {
        row: row.number,
        id,
        title,
        values,
        body,
    })
}
