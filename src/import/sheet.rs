//! Reading a spreadsheet into rows of typed cells.
//!
//! `.csv` files are read with the `csv` crate (UTF-8, a header row; the
//! separator is a comma, or a semicolon or tab when the header line has
//! those and no comma, as spreadsheets in many European locales save them).
//! `.xlsx` and `.ods` files (and `.xls`, `.xlsb`) are read with `calamine`:
//! the first sheet, or the one named after `#` (`cases.xlsx#Sheet 2`). Row
//! numbers are the spreadsheet's own (1-based, the header is row 1 of a
//! CSV) and columns are counted from A, so problems can be located as
//! `cases.xlsx:14:C`.

use std::path::{Path, PathBuf};

use calamine::{Data, Reader};

use crate::diagnostic::{suggest, Diagnostic};

/// One cell, with the type the spreadsheet gave it.
#[derive(Debug, Clone, PartialEq)]
pub enum Cell {
    /// Nothing in the cell.
    Empty,
    /// Text (every cell of a CSV file).
    Text(String),
    /// A whole number.
    Int(i64),
    /// A number with a fraction, or a whole number stored as a float.
    Float(f64),
    /// A yes/no cell.
    Bool(bool),
    /// A date (`YYYY-MM-DD`), with its time when it has one.
    Date(String),
    /// A formula error such as `#DIV/0!`.
    Error(String),
}

impl Cell {
    /// The cell as text, as a person would type it (`2015`, not `2015.0`);
    /// `None` when it is empty or holds only spaces.
    pub fn text(&self) -> Option<String> {
        let text = match self {
            Cell::Empty => return None,
            Cell::Text(s) => s.clone(),
            Cell::Int(i) => i.to_string(),
            Cell::Float(f) => number_text(*f),
            Cell::Bool(b) => b.to_string(),
            Cell::Date(d) => d.clone(),
            Cell::Error(e) => e.clone(),
        };
        (!text.trim().is_empty()).then_some(text)
    }
}

/// A float as a person types it: whole numbers without `.0`.
pub fn number_text(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// One row: its number in the spreadsheet and its cells from column A on.
#[derive(Debug, Clone)]
pub struct Row {
    /// 1-based row number as the spreadsheet shows it.
    pub number: usize,
    /// Cells from column A; missing cells at the end are empty.
    pub cells: Vec<Cell>,
}

impl Row {
    /// The cell in column `col` (0-based).
    pub fn cell(&self, col: usize) -> &Cell {
        self.cells.get(col).unwrap_or(&Cell::Empty)
    }

    /// Whether every cell is empty.
    pub fn is_blank(&self) -> bool {
        self.cells.iter().all(|c| c.text().is_none())
    }
}

/// A sheet: the header row and the rows under it (blank rows left out).
#[derive(Debug, Clone)]
pub struct Sheet {
    /// The file as named on the command line, for messages.
    pub shown: String,
    /// The first row that is not blank.
    pub header: Row,
    /// The rows after it that are not blank.
    pub rows: Vec<Row>,
}

/// The kinds of file [`read`] understands, by extension.
const WORKBOOK_EXTENSIONS: &[&str] = &["xlsx", "xlsm", "xls", "xlsb", "ods"];

/// Splits `cases.xlsx#Sheet 2` into the file and the sheet's name. A path
/// that exists as it is is a file, `#` and all.
pub fn split_sheet_name(spec: &Path) -> (PathBuf, Option<String>) {
    if spec.exists() {
        return (spec.to_path_buf(), None);
    }
    let text = spec.to_string_lossy();
    for (at, _) in text.match_indices('#') {
        let file = PathBuf::from(&text[..at]);
        if file.is_file() {
            return (file, Some(text[at + 1..].to_string()));
        }
    }
    (spec.to_path_buf(), None)
}

/// Reads the spreadsheet `spec` names (a file, maybe with `#sheet name`).
pub fn read(spec: &Path) -> Result<Sheet, Diagnostic> {
    let (path, sheet_name) = split_sheet_name(spec);
    let shown = path.display().to_string();
    let fail = |message: String| Diagnostic::error(&shown, message);
    if !path.is_file() {
        return Err(fail("no such file".into()));
    }
    let extension = path
        .extension()
        .map(|e| e.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let rows = if extension == "csv" || extension == "tsv" || extension == "txt" {
        if sheet_name.is_some() {
            return Err(fail(
                "a CSV file has only one sheet; leave out `#...`".into(),
            ));
        }
        let bytes = std::fs::read(&path).map_err(|e| fail(format!("cannot read: {e}")))?;
        read_csv(&bytes, &shown)?
    } else if WORKBOOK_EXTENSIONS.contains(&extension.as_str()) {
        read_workbook(&path, sheet_name.as_deref(), &shown)?
    } else {
        return Err(fail(
            "cannot tell what kind of spreadsheet this is: name it .csv, .xlsx or .ods".into(),
        ));
    };
    let mut rows = rows.into_iter().filter(|r| !r.is_blank());
    let Some(header) = rows.next() else {
        return Err(fail("the sheet is empty: it needs a header row".into()));
    };
    Ok(Sheet {
        shown,
        header,
        rows: rows.collect(),
    })
}

/// The separator of a CSV file, from its first line.
fn sniff_separator(bytes: &[u8]) -> u8 {
    let first_line = bytes.split(|&b| b == b'\n').next().unwrap_or_default();
    let count = |c: u8| first_line.iter().filter(|&&b| b == c).count();
    if count(b',') > 0 {
        b','
    } else if count(b';') > 0 {
        b';'
    } else if count(b'\t') > 0 {
        b'\t'
    } else {
        b','
    }
}

fn read_csv(bytes: &[u8], shown: &str) -> Result<Vec<Row>, Diagnostic> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(sniff_separator(bytes))
        .from_reader(bytes);
    let mut rows = Vec::new();
    let mut record = csv::ByteRecord::new();
    loop {
        let number = rows.len() + 1;
        match reader.read_byte_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => {
                let d = Diagnostic::error(shown, format!("cannot read as CSV: {e}"));
                return Err(d.at_cell(number, 1));
            }
        }
        let mut cells = Vec::with_capacity(record.len());
        for (col, field) in record.iter().enumerate() {
            let text = std::str::from_utf8(field).map_err(|_| {
                Diagnostic::error(
                    shown,
                    "cell is not UTF-8 text (save the file as \"CSV UTF-8\")",
                )
                .at_cell(number, col + 1)
            })?;
            cells.push(if text.is_empty() {
                Cell::Empty
            } else if text.contains('\r') {
                Cell::Text(text.replace("\r\n", "\n").replace('\r', "\n"))
            } else {
                Cell::Text(text.to_string())
            });
        }
        rows.push(Row { number, cells });
    }
    Ok(rows)
}

fn read_workbook(path: &Path, sheet: Option<&str>, shown: &str) -> Result<Vec<Row>, Diagnostic> {
    let fail = |message: String| Diagnostic::error(shown, message);
    let mut workbook = calamine::open_workbook_auto(path)
        .map_err(|e| fail(format!("cannot read as a spreadsheet: {e}")))?;
    let names = workbook.sheet_names();
    let name = match sheet {
        Some(wanted) => {
            let found = names
                .iter()
                .find(|n| *n == wanted)
                .or_else(|| names.iter().find(|n| n.eq_ignore_ascii_case(wanted)));
            match found {
                Some(name) => name.clone(),
                None => {
                    let near = suggest(wanted, names.iter().map(String::as_str))
                        .map(|n| format!(" (did you mean {n:?}?)"))
                        .unwrap_or_default();
                    return Err(fail(format!(
                        "no sheet named {wanted:?}{near}; its sheets are: {}",
                        names.join(", ")
                    )));
                }
            }
        }
        None => names
            .first()
            .cloned()
            .ok_or_else(|| fail("the workbook has no sheets".into()))?,
    };
    let range = workbook
        .worksheet_range(&name)
        .map_err(|e| fail(format!("cannot read sheet {name:?}: {e}")))?;
    let Some((first_row, first_col)) = range.start() else {
        return Ok(Vec::new());
    };
    let (first_row, first_col) = (first_row as usize, first_col as usize);
    Ok(range
        .rows()
        .enumerate()
        .map(|(i, cells)| {
            let mut row = vec![Cell::Empty; first_col];
            row.extend(cells.iter().map(cell_of));
            Row {
                number: first_row + i + 1,
                cells: row,
            }
        })
        .collect())
}

fn cell_of(data: &Data) -> Cell {
    match data {
        Data::Empty => Cell::Empty,
        Data::String(s) if s.is_empty() => Cell::Empty,
        Data::String(s) => Cell::Text(s.replace("\r\n", "\n")),
        Data::Int(i) => Cell::Int(*i),
        Data::Float(f) => Cell::Float(*f),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) if dt.is_datetime() => {
            let (y, m, d, hh, mm, ss, _) = dt.to_ymd_hms_milli();
            let time = match (hh, mm, ss) {
                (0, 0, 0) => String::new(),
                (hh, mm, 0) => format!("{hh:02}:{mm:02}"),
                (hh, mm, ss) => format!("{hh:02}:{mm:02}:{ss:02}"),
            };
            if dt.as_f64() < 1.0 {
                Cell::Date(time)
            } else if time.is_empty() {
                Cell::Date(format!("{y:04}-{m:02}-{d:02}"))
            } else {
                Cell::Date(format!("{y:04}-{m:02}-{d:02} {time}"))
            }
        }
        Data::DateTime(dt) => Cell::Float(dt.as_f64()),
        Data::DateTimeIso(s) => Cell::Date(iso_date(s)),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(e.to_string()),
    }
}

/// `2015-03-01T00:00:00` → `2015-03-01`; `2015-03-01T14:30:00` → `2015-03-01 14:30`.
fn iso_date(s: &str) -> String {
    let Some((date, time)) = s.split_once('T') else {
        return s.to_string();
    };
    let time = time.split('.').next().unwrap_or(time);
    match time {
        "00:00:00" | "00:00" => date.to_string(),
        _ => format!("{date} {}", time.strip_suffix(":00").unwrap_or(time)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_rows_are_numbered_like_the_sheet() {
        let rows = read_csv(
            b"\xEF\xBB\xBFid;title\r\nP1;\"Two\r\nlines\"\r\nP2;x\r\n",
            "s.csv",
        )
        .unwrap();
        assert_eq!(rows.len(), 3);
        assert_eq!(
            rows[0].cells,
            [Cell::Text("id".into()), Cell::Text("title".into())]
        );
        assert_eq!(rows[1].cell(1), &Cell::Text("Two\nlines".into()));
        assert_eq!(rows[2].number, 3);
        assert_eq!(rows[2].cell(5), &Cell::Empty);
    }

    #[test]
    fn numbers_and_dates_as_a_person_types_them() {
        assert_eq!(Cell::Float(2015.0).text().as_deref(), Some("2015"));
        assert_eq!(Cell::Float(1.5).text().as_deref(), Some("1.5"));
        assert_eq!(iso_date("2015-03-01T00:00:00"), "2015-03-01");
        assert_eq!(iso_date("2015-03-01T14:30:00"), "2015-03-01 14:30");
        assert_eq!(iso_date("2015-03-01"), "2015-03-01");
    }
}
