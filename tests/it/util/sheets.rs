//! Spreadsheet fixtures written by real writers: `.xlsx` by
//! `rust_xlsxwriter`, `.ods` as a minimal OpenDocument zip, for the import
//! tests (calamine reads both back in the binary under test).

use std::io::Write;
use std::path::Path;

/// A cell of a spreadsheet fixture, typed as a spreadsheet types it.
#[derive(Debug, Clone)]
pub enum SheetCell {
    Text(String),
    Number(f64),
    Date(u16, u8, u8),
    Bool(bool),
    Empty,
}

/// Text cells, for rows that hold nothing else.
pub fn text_row(cells: &[&str]) -> Vec<SheetCell> {
    cells
        .iter()
        .map(|c| {
            if c.is_empty() {
                SheetCell::Empty
            } else {
                SheetCell::Text(c.to_string())
            }
        })
        .collect()
}

/// Writes `rows` as an `.xlsx` workbook with `rust_xlsxwriter`: one sheet
/// named `sheet` (after an empty first sheet when `second` is true).
pub fn write_xlsx(path: &Path, sheet: &str, second: bool, rows: &[Vec<SheetCell>]) {
    use rust_xlsxwriter::{ExcelDateTime, Format, Workbook};
    let mut workbook = Workbook::new();
    if second {
        workbook.add_worksheet().set_name("Notes").unwrap();
    }
    let worksheet = workbook.add_worksheet();
    worksheet.set_name(sheet).unwrap();
    let date_format = Format::new().set_num_format("yyyy-mm-dd");
    for (r, row) in rows.iter().enumerate() {
        let r = r as u32;
        for (c, cell) in row.iter().enumerate() {
            let c = c as u16;
            match cell {
                SheetCell::Text(t) => {
                    worksheet.write_string(r, c, t).unwrap();
                }
                SheetCell::Number(n) => {
                    worksheet.write_number(r, c, *n).unwrap();
                }
                SheetCell::Date(y, m, d) => {
                    let date = ExcelDateTime::from_ymd(*y, *m, *d).unwrap();
                    worksheet
                        .write_datetime_with_format(r, c, &date, &date_format)
                        .unwrap();
                }
                SheetCell::Bool(b) => {
                    worksheet.write_boolean(r, c, *b).unwrap();
                }
                SheetCell::Empty => {}
            }
        }
    }
    workbook.save(path).unwrap();
}

/// Writes `rows` as a minimal valid OpenDocument spreadsheet (`.ods`): a
/// zip of `mimetype` (first, stored), `META-INF/manifest.xml` and
/// `content.xml` with one table named `sheet`. Multi-line text becomes one
/// `<text:p>` per line, as LibreOffice writes it.
pub fn write_ods(path: &Path, sheet: &str, rows: &[Vec<SheetCell>]) {
    use zip::write::SimpleFileOptions;
    fn escape(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&quot;")
    }
    let mut content = String::from(concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" "#,
        r#"xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" "#,
        r#"xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2">"#,
        "<office:body><office:spreadsheet>"
    ));
    content.push_str(&format!(r#"<table:table table:name="{}">"#, escape(sheet)));
    for row in rows {
        content.push_str("<table:table-row>");
        for cell in row {
            match cell {
                SheetCell::Text(t) => {
                    content.push_str(r#"<table:table-cell office:value-type="string">"#);
                    for line in t.split('\n') {
                        content.push_str(&format!("<text:p>{}</text:p>", escape(line)));
                    }
                    content.push_str("</table:table-cell>");
                }
                SheetCell::Number(n) => content.push_str(&format!(
                    r#"<table:table-cell office:value-type="float" office:value="{n}"><text:p>{n}</text:p></table:table-cell>"#
                )),
                SheetCell::Date(y, m, d) => content.push_str(&format!(
                    r#"<table:table-cell office:value-type="date" office:date-value="{y:04}-{m:02}-{d:02}"><text:p>{d:02}/{m:02}/{y:04}</text:p></table:table-cell>"#
                )),
                SheetCell::Bool(b) => content.push_str(&format!(
                    r#"<table:table-cell office:value-type="boolean" office:boolean-value="{b}"><text:p>{b}</text:p></table:table-cell>"#
                )),
                SheetCell::Empty => content.push_str("<table:table-cell/>"),
            }
        }
        content.push_str("</table:table-row>");
    }
    content.push_str("</table:table></office:spreadsheet></office:body></office:document-content>");
    let manifest = concat!(
        r#"<?xml version="1.0" encoding="UTF-8"?>"#,
        r#"<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">"#,
        r#"<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>"#,
        r#"<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>"#,
        "</manifest:manifest>"
    );
    let file = std::fs::File::create(path).unwrap();
    let mut zip = zip::ZipWriter::new(file);
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    zip.start_file("mimetype", stored).unwrap();
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .unwrap();
    let deflated =
        SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("META-INF/manifest.xml", deflated).unwrap();
    zip.write_all(manifest.as_bytes()).unwrap();
    zip.start_file("content.xml", deflated).unwrap();
    zip.write_all(content.as_bytes()).unwrap();
    zip.finish().unwrap();
}
