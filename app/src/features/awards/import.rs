//! Reading award files: CSV (UTF-8, or GB18030 as Excel in China saves it)
//! and XLSX (first sheet). The first row names the columns; see the README
//! and `samples/awards.csv`.
use super::{
    Problem,
    service::{FIELDS, OPTIONAL, RawRecord},
};
use calamine::{Data, Reader, Xlsx};
use std::io::Cursor;

/// The records of a file, or the problems that stop the whole file (no
/// header, missing columns, unreadable).
pub fn read(bytes: &[u8]) -> Result<(&'static str, Vec<RawRecord>), Vec<Problem>> {
    if bytes.starts_with(b"PK\x03\x04") {
        Ok(("xlsx", read_xlsx(bytes)?))
    } else {
        Ok(("csv", read_csv(bytes)?))
    }
}

fn whole_file(reason: impl Into<String>) -> Vec<Problem> {
    vec![Problem {
        line: 1,
        column: String::new(),
        reason: reason.into(),
    }]
}

/// Maps header cells to field keys; reports required columns that are missing.
fn columns(header: &[String]) -> Result<Vec<Option<&'static str>>, Vec<Problem>> {
    let norm = |s: &str| -> String {
        s.trim()
            .trim_start_matches('\u{feff}')
            .replace('(', "（")
            .replace(')', "）")
            .replace(' ', "")
    };
    let map: Vec<Option<&'static str>> = header
        .iter()
        .map(|h| {
            let h = norm(h);
            FIELDS
                .iter()
                .find(|(key, label)| h == *label || h == *key)
                .map(|(key, _)| *key)
        })
        .collect();
    let missing: Vec<Problem> = FIELDS
        .iter()
        .filter(|(key, _)| !OPTIONAL.contains(key) && !map.contains(&Some(*key)))
        .map(|(_, label)| Problem {
            line: 1,
            column: label.to_string(),
            reason: "缺少此列（第一行须为列名）".into(),
        })
        .collect();
    if missing.is_empty() {
        Ok(map)
    } else {
        Err(missing)
    }
}

fn record(line: usize, map: &[Option<&'static str>], cells: Vec<String>) -> Option<RawRecord> {
    if cells.iter().all(|c| c.trim().is_empty()) {
        return None;
    }
    let values = map
        .iter()
        .zip(cells)
        .filter_map(|(key, v)| key.map(|k| (k, v)))
        .collect();
    Some(RawRecord { line, values })
}

fn read_csv(bytes: &[u8]) -> Result<Vec<RawRecord>, Vec<Problem>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t.to_string(),
        Err(_) => {
            let (t, _, bad) = encoding_rs::GB18030.decode(bytes);
            if bad {
                return Err(whole_file(
                    "文件编码无法识别，请另存为 UTF-8 编码的 CSV 或 XLSX",
                ));
            }
            t.into_owned()
        }
    };
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .from_reader(text.as_bytes());
    let mut rows = reader.records();
    let header: Vec<String> = match rows.next() {
        Some(Ok(h)) => h.iter().map(str::to_string).collect(),
        _ => return Err(whole_file("文件为空或不是 CSV/XLSX 格式")),
    };
    let map = columns(&header)?;
    let mut out = Vec::new();
    for (i, row) in rows.enumerate() {
        let line = i + 2;
        if i >= MAX_ROWS {
            return Err(too_many_rows());
        }
        match row {
            Ok(r) => out.extend(record(line, &map, r.iter().map(str::to_string).collect())),
            Err(_) => return Err(whole_file(format!("第 {line} 行无法读取（引号不配对？）"))),
        }
    }
    Ok(out)
}

fn cell_text(d: &Data) -> String {
    match d {
        Data::Empty => String::new(),
        Data::String(s) | Data::DateTimeIso(s) | Data::DurationIso(s) => s.clone(),
        Data::Int(i) => i.to_string(),
        // Prices typed as numbers: Excel keeps doubles; two decimals are exact enough
        // once rounded to fen.
        Data::Float(f) if f.fract() == 0.0 => format!("{f:.0}"),
        Data::Float(f) => format!("{:.2}", (f * 100.0).round() / 100.0),
        Data::Bool(b) => b.to_string(),
        Data::DateTime(dt) => crate::domain::excel_serial(dt.as_f64())
            .map(|d| d.to_string())
            .unwrap_or_default(),
        Data::Error(_) => "#错误".into(),
    }
}

/// Most records one file may hold (a county's awards of several years).
pub const MAX_ROWS: usize = 20_000;
/// Most columns read (the header's; cells right of them are ignored).
const MAX_COLUMNS: u32 = 64;
/// What the parts of an XLSX may unpack to, in all, and how many parts.
const MAX_UNPACKED: u64 = 64 * 1024 * 1024;
const MAX_PARTS: usize = 500;

fn too_many_rows() -> Vec<Problem> {
    whole_file(format!("文件超过 {MAX_ROWS} 行，请分批导入"))
}

/// Reads the first sheet cell by cell: never a dense range (one cell at
/// XFD1048576 would make it half a terabyte), only the header's columns,
/// at most [`MAX_ROWS`] rows, after checking what the archive unpacks to.
fn read_xlsx(bytes: &[u8]) -> Result<Vec<RawRecord>, Vec<Problem>> {
    let unreadable = || whole_file("XLSX 文件无法打开，请确认文件未损坏");
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).map_err(|_| unreadable())?;
    if zip.len() > MAX_PARTS {
        return Err(unreadable());
    }
    let mut unpacked = 0u64;
    for i in 0..zip.len() {
        unpacked += zip.by_index_raw(i).map_err(|_| unreadable())?.size();
    }
    if unpacked > MAX_UNPACKED {
        return Err(whole_file(
            "XLSX 文件解压后过大，请删除多余的工作表和格式后重试",
        ));
    }
    let mut book: Xlsx<_> =
        calamine::open_workbook_from_rs(Cursor::new(bytes)).map_err(|_| unreadable())?;
    let first = book
        .sheet_names()
        .into_iter()
        .next()
        .ok_or_else(|| whole_file("XLSX 文件中没有工作表"))?;
    let mut cells = book
        .worksheet_cells_reader(&first)
        .map_err(|_| whole_file("XLSX 第一个工作表无法读取"))?;
    // Rows as they come (in order in the sheet's XML): (row, cells by column).
    let mut rows: Vec<(u32, Vec<String>)> = Vec::new();
    while let Some(cell) = cells
        .next_cell()
        .map_err(|_| whole_file("XLSX 第一个工作表无法读取"))?
    {
        let (row, col) = cell.get_position();
        if col >= MAX_COLUMNS {
            continue;
        }
        if rows.last().is_none_or(|(r, _)| *r != row) {
            if rows.len() > MAX_ROWS {
                return Err(too_many_rows());
            }
            rows.push((row, Vec::new()));
        }
        let text = cell_text(&Data::from(cell.get_value().clone()));
        if let Some((_, line)) = rows.last_mut() {
            if line.len() <= col as usize {
                line.resize(col as usize + 1, String::new());
            }
            line[col as usize] = text;
        }
    }
    let mut rows = rows.into_iter();
    let (_, header) = rows.next().ok_or_else(|| whole_file("工作表为空"))?;
    let map = columns(&header)?;
    Ok(rows
        .filter_map(|(row, cells)| record(row as usize + 1, &map, cells))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_csv_with_bom_and_reports_missing_columns() {
        let csv = "\u{feff}项目编号,标段编号\nA,B\n";
        let problems = read(csv.as_bytes()).unwrap_err();
        assert!(problems.iter().any(|p| p.column == "项目名称"));
    }

    #[test]
    fn maps_columns_in_any_order_and_skips_blank_lines() {
        let header: Vec<&str> = FIELDS.iter().rev().map(|(_, l)| *l).collect();
        let csv = format!(
            "{}\n{}\n,,,,,,,,,,\n",
            header.join(","),
            "监理,other,open,2024-01-02,100,c,o,s,p,S1,P1"
        );
        let (fmt, rows) = read(csv.as_bytes()).unwrap();
        assert_eq!(fmt, "csv");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].values["project_code"], "P1");
        assert_eq!(rows[0].values["sector"], "other");
        assert_eq!(rows[0].values["section_kind"], "监理");
    }

    #[test]
    fn the_section_kind_column_is_optional() {
        let header: Vec<&str> = FIELDS
            .iter()
            .filter(|(k, _)| !OPTIONAL.contains(k))
            .map(|(_, l)| *l)
            .collect();
        assert_eq!(header.len(), 10);
        assert!(read(header.join(",").as_bytes()).unwrap().1.is_empty());
    }

    /// An XLSX of a few KB with one cell at XFD1048576 (found by trying: the
    /// dense range it implied took the server down) reads as its header and
    /// rows, quickly and in little memory; the cell is right of the columns.
    #[test]
    fn a_far_cell_does_not_make_a_dense_sheet() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (i, (_, label)) in FIELDS.iter().enumerate() {
            sheet.write_string(0, i as u16, *label).unwrap();
        }
        sheet.write_string(1, 0, "PY2026-0001").unwrap();
        sheet.write_string(1_048_575, 16_383, "x").unwrap();
        let bytes = book.save_to_buffer().unwrap();
        assert!(bytes.len() < 10_000, "{}", bytes.len());
        let started = std::time::Instant::now();
        let (fmt, rows) = read(&bytes).unwrap();
        assert_eq!(fmt, "xlsx");
        assert_eq!(rows.len(), 1);
        assert_eq!(rows[0].line, 2);
        assert_eq!(rows[0].values["project_code"], "PY2026-0001");
        assert!(started.elapsed().as_secs() < 2);
    }

    #[test]
    fn too_many_rows_are_refused_whole() {
        let mut book = rust_xlsxwriter::Workbook::new();
        let sheet = book.add_worksheet();
        for (i, (_, label)) in FIELDS.iter().enumerate() {
            sheet.write_string(0, i as u16, *label).unwrap();
        }
        for r in 1..=(MAX_ROWS as u32 + 1) {
            sheet.write_string(r, 0, "P").unwrap();
        }
        let problems = read(&book.save_to_buffer().unwrap()).unwrap_err();
        assert!(problems[0].reason.contains("分批导入"), "{problems:?}");
        let header: Vec<&str> = FIELDS.iter().map(|(_, l)| *l).collect();
        let csv = format!("{}\n{}", header.join(","), "P\n".repeat(MAX_ROWS + 1));
        let problems = read(csv.as_bytes()).unwrap_err();
        assert!(problems[0].reason.contains("分批导入"), "{problems:?}");
    }

    #[test]
    fn reads_gb18030() {
        let header: Vec<&str> = FIELDS.iter().map(|(_, l)| *l).collect();
        let text = header.join(",");
        let (bytes, _, _) = encoding_rs::GB18030.encode(&text);
        assert!(read(&bytes).unwrap().1.is_empty());
    }
}
