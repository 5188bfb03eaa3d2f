//! Excel export of a list (.xlsx, rust_xlsxwriter): the rows and columns the
//! list shows, under its filters, with Chinese headers, money in 元 with two
//! decimals and times in Beijing time. Rows go to the worksheet in
//! constant-memory mode (flushed to a temporary file row by row), so a large
//! export does not hold every cell in memory.
//!
//! A feature's export is an axum handler beside its pages:
//! `acting.require(..)` → the list service with `Rows::All` → [`Xlsx`] →
//! [`Xlsx::into_response`].
use crate::error::AppError;
use axum::{
    http::{StatusCode, header},
    response::{IntoResponse, Response},
};
use rust_xlsxwriter::{Format, Workbook, Worksheet};

/// One cell as people read it.
pub enum Cell {
    Text(String),
    /// Money in fen, written as 元 with two decimals (empty when unknown).
    Money(Option<i64>),
    Int(i64),
    /// An instant (UTC milliseconds), written as Beijing time.
    Time(i64),
    /// A share in percent, one decimal (empty when unknown).
    Percent(Option<f64>),
}

impl From<String> for Cell {
    fn from(s: String) -> Self {
        Self::Text(s)
    }
}

impl From<&str> for Cell {
    fn from(s: &str) -> Self {
        Self::Text(s.to_string())
    }
}

impl From<Option<String>> for Cell {
    fn from(s: Option<String>) -> Self {
        Self::Text(s.unwrap_or_default())
    }
}

/// A one-sheet workbook being written.
pub struct Xlsx {
    title: String,
    book: Workbook,
    sheet: Worksheet,
    row: u32,
    cols: u16,
    money: Format,
    percent: Format,
}

fn failed(e: rust_xlsxwriter::XlsxError) -> AppError {
    tracing::error!(error = %e, "xlsx export failed");
    AppError::Internal
}

impl Xlsx {
    /// A workbook whose sheet is called `title` (also the file's name), with
    /// the header row.
    pub fn new(title: &str, headers: &[&str]) -> Result<Self, AppError> {
        let mut book = Workbook::new();
        let mut sheet = book.new_worksheet_with_constant_memory();
        sheet.set_name(title).map_err(failed)?;
        let bold = Format::new().set_bold();
        for (c, h) in headers.iter().enumerate() {
            sheet
                .write_string_with_format(0, c as u16, *h, &bold)
                .map_err(failed)?;
            // Chinese text is about twice as wide as the default column.
            let width = (h.chars().count() * 2 + 4).max(12) as f64;
            sheet.set_column_width(c as u16, width).map_err(failed)?;
        }
        sheet.set_freeze_panes(1, 0).map_err(failed)?;
        Ok(Self {
            title: title.to_string(),
            book,
            sheet,
            row: 1,
            cols: headers.len() as u16,
            money: Format::new().set_num_format("#,##0.00"),
            percent: Format::new().set_num_format("0.0"),
        })
    }

    /// Appends one row (rows must come in order: constant-memory mode).
    pub fn push(&mut self, cells: Vec<Cell>) -> Result<(), AppError> {
        for (c, cell) in cells.into_iter().enumerate() {
            let (r, c) = (self.row, c as u16);
            let s = &mut self.sheet;
            match cell {
                Cell::Text(t) if t.is_empty() => Ok(s),
                Cell::Text(t) => s.write_string(r, c, t),
                Cell::Money(Some(fen)) => {
                    s.write_number_with_format(r, c, fen as f64 / 100.0, &self.money)
                }
                Cell::Int(v) => s.write_number(r, c, v as f64),
                Cell::Time(ms) => s.write_string(r, c, crate::fmt::datetime(ms)),
                Cell::Percent(Some(p)) => s.write_number_with_format(r, c, p, &self.percent),
                Cell::Money(None) | Cell::Percent(None) => Ok(s),
            }
            .map_err(failed)?;
        }
        self.row += 1;
        Ok(())
    }

    /// The finished file as a download named after the sheet and today.
    pub fn into_response(mut self) -> Result<Response, AppError> {
        if self.cols > 0 {
            self.sheet
                .autofilter(0, 0, self.row - 1, self.cols - 1)
                .map_err(failed)?;
        }
        self.book.push_worksheet(self.sheet);
        let bytes = self.book.save_to_buffer().map_err(failed)?;
        let name = format!(
            "{}-{}.xlsx",
            self.title,
            crate::platform::time::today().format("%Y%m%d")
        );
        Ok((
            StatusCode::OK,
            [
                (
                    header::CONTENT_TYPE,
                    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_string(),
                ),
                (
                    header::CONTENT_DISPOSITION,
                    disposition("attachment", &name),
                ),
                (header::CACHE_CONTROL, "private, no-store".to_string()),
            ],
            bytes,
        )
            .into_response())
    }
}

/// `attachment; filename*=UTF-8''…` (RFC 5987), which keeps Chinese names
/// intact in every current browser. `how` is `inline` or `attachment`.
pub fn disposition(how: &str, name: &str) -> String {
    let encoded: String = name
        .bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect();
    format!("{how}; filename*=UTF-8''{encoded}")
}

/// One list's export: the file's title (also the sheet's), its column
/// headers (those of the list on screen), who may have it, and one row's cells.
pub struct Sheet<T: 'static> {
    pub title: &'static str,
    pub headers: &'static [&'static str],
    pub roles: &'static [crate::domain::Role],
    pub row: fn(T) -> Vec<Cell>,
}

impl<T> Sheet<T> {
    pub const fn new(
        title: &'static str,
        headers: &'static [&'static str],
        roles: &'static [crate::domain::Role],
        row: fn(T) -> Vec<Cell>,
    ) -> Self {
        Self {
            title,
            headers,
            roles,
            row,
        }
    }
}

/// The whole of an export handler: the acting user must hold one of the
/// sheet's roles; `fetch` reads the rows (scoped by the actor, filtered as
/// the list is). Every export is a trail entry (who took which list, how
/// many rows, under which filters): lists hold personal data.
pub async fn send<T, Fut>(
    sheet: &Sheet<T>,
    trail: ExportTrail,
    acting: crate::platform::actor::Acting,
    fetch: impl FnOnce(crate::platform::actor::Actor) -> Fut,
) -> Response
where
    Fut: Future<Output = Result<Vec<T>, AppError>>,
{
    let result = async {
        let actor = acting.require(sheet.roles)?;
        let who = actor.who();
        let items = fetch(actor).await?;
        let rows = items.len();
        let mut book = Xlsx::new(sheet.title, sheet.headers)?;
        for item in items {
            book.push((sheet.row)(item))?;
        }
        let response = book.into_response()?;
        let detail = serde_json::json!({ "rows": rows, "filters": trail.filters });
        let mut tx = crate::platform::audit::AuditedTx::begin(&trail.db, &who).await?;
        tx.record(EXPORT_ENTITY, sheet.title, "export", None, Some(&detail))
            .await?;
        tx.commit().await?;
        Ok(response)
    }
    .await;
    result.unwrap_or_else(crate::platform::actor::refusal)
}

/// The trail's entity of exports (the id is the sheet's title).
pub const EXPORT_ENTITY: &str = "export";

/// Where an export is recorded, and the filters it was taken under.
pub struct ExportTrail {
    db: crate::platform::db::Db,
    filters: std::collections::BTreeMap<String, String>,
}

impl ExportTrail {
    pub fn new(db: &crate::platform::db::Db, filters: Option<&Filters>) -> Self {
        let filters = filters
            .map(|f| {
                f.iter()
                    .filter(|(_, v)| !v.is_empty())
                    .map(|(k, v)| (k.clone(), v.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Self {
            db: db.clone(),
            filters,
        }
    }
}

/// The list's filters from the export link's query (`?q=…&status=…`).
pub type Filters = axum::extract::Query<std::collections::HashMap<String, String>>;

/// One filter's value, empty when absent.
pub fn filter<'a>(f: &'a Filters, name: &str) -> &'a str {
    f.get(name).map(String::as_str).unwrap_or("")
}

/// A list's filter read from an export link, whose query names its fields
/// as the list page's own query does.
pub trait FromQuery {
    fn from_query(f: &Filters) -> Self;
}

impl FromQuery for crate::platform::records::ListFilter {
    fn from_query(f: &Filters) -> Self {
        let filing_id = filter(f, "filing_id").parse().unwrap_or(0);
        Self::parse(filter(f, "q"), filter(f, "status"), filing_id)
    }
}

/// The GET handler of an export:
/// - `export_route!(SHEET, service::list, "status")` for a paged list service
///   `list(db, actor, q, <select>, rows)`, called with the link's `q` and
///   select parameter and `Rows::All`;
/// - `export_route!(SHEET, service::alerts)` for a service `(db, actor) -> Vec`;
/// - `export_route!(filtered SHEET, Filter, service::list)` for a list
///   `list(db, actor, &Filter, rows)` whose filter is [`FromQuery`];
/// - `export_route!(records SHEET, service::list)`: the same for a project
///   record list (`ListFilter`: `q`, `status`, `filing_id`).
#[macro_export]
macro_rules! export_route {
    (records $sheet:expr, $list:path) => {
        $crate::export_route!(filtered $sheet, $crate::platform::records::ListFilter, $list)
    };
    (filtered $sheet:expr, $filter:ty, $list:path) => {
        axum::routing::get(
            |axum::extract::State(st): axum::extract::State<$crate::platform::AppState>,
             acting: $crate::platform::actor::Acting,
             f: $crate::kit::export::Filters| async move {
                let lf = <$filter as $crate::kit::export::FromQuery>::from_query(&f);
                $crate::kit::export::send(
                    &$sheet,
                    $crate::kit::export::ExportTrail::new(&st.db, Some(&f)),
                    acting,
                    |actor| async move {
                        $list(&st.db, &actor, &lf, $crate::kit::table::Rows::All)
                            .await
                            .map(|p| p.items)
                    },
                )
                .await
            },
        )
    };
    ($sheet:expr, $list:path, $select:literal) => {
        axum::routing::get(
            |axum::extract::State(st): axum::extract::State<$crate::platform::AppState>,
             acting: $crate::platform::actor::Acting,
             f: $crate::kit::export::Filters| async move {
                use $crate::kit::export::filter;
                $crate::kit::export::send(
                    &$sheet,
                    $crate::kit::export::ExportTrail::new(&st.db, Some(&f)),
                    acting,
                    |actor| async move {
                        let rows = $crate::kit::table::Rows::All;
                        let page =
                            $list(&st.db, &actor, filter(&f, "q"), filter(&f, $select), rows);
                        page.await.map(|p| p.items)
                    },
                )
                .await
            },
        )
    };
    ($sheet:expr, $fetch:path) => {
        axum::routing::get(
            |axum::extract::State(st): axum::extract::State<$crate::platform::AppState>,
             acting: $crate::platform::actor::Acting| async move {
                $crate::kit::export::send(
                    &$sheet,
                    $crate::kit::export::ExportTrail::new(&st.db, None),
                    acting,
                    |actor| async move { $fetch(&st.db, &actor).await },
                )
                .await
            },
        )
    };
}
