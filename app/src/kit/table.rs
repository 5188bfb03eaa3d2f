//! The table kit: a data table that turns into cards on a phone, and a pager
//! made of plain links (works without JavaScript).
use leptos::prelude::*;
use leptos_router::{components::Form, hooks::use_query_map};
use serde::{Deserialize, Serialize};

/// One page of a list.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub total: i64,
    pub page: i64,
    pub per_page: i64,
}

impl<T> Page<T> {
    pub fn pages(&self) -> i64 {
        ((self.total + self.per_page - 1) / self.per_page).max(1)
    }
}

pub const PER_PAGE: i64 = 20;
/// The last page number served: a bigger one (sent by hand) reads as this
/// one, an empty page, instead of overflowing the offset.
pub const MAX_PAGE: i64 = 1_000_000;

/// A page number as a list reads it: 1 up to [`MAX_PAGE`].
pub fn clamp_page(page: i64) -> i64 {
    page.clamp(1, MAX_PAGE)
}

/// Which rows of a list a service fetches: one page for the screen, or all of
/// them (under the same filters) for an Excel export. A page number converts
/// into it, so `list(.., 2)` reads as before.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rows {
    Page(i64),
    All,
}

impl From<i64> for Rows {
    fn from(page: i64) -> Self {
        Self::Page(page)
    }
}

impl Rows {
    /// `(LIMIT, OFFSET, page number)` for the query.
    pub fn window(self) -> (i64, i64, i64) {
        match self {
            Self::Page(p) => {
                let p = clamp_page(p);
                (PER_PAGE, (p - 1) * PER_PAGE, p)
            }
            Self::All => (i64::MAX, 0, 1),
        }
    }
}

/// `columns` label the cells; `row` renders one record's cells in that order.
#[component]
pub fn DataTable<T, F>(
    columns: Vec<&'static str>,
    rows: Vec<T>,
    row: F,
    #[prop(default = "暂无记录")] empty: &'static str,
    #[prop(optional)] caption: Option<&'static str>,
) -> impl IntoView
where
    T: 'static,
    F: Fn(T) -> Vec<AnyView> + 'static,
{
    let span = columns.len();
    let head = columns
        .iter()
        .map(|c| view! { <th scope="col">{*c}</th> })
        .collect_view();
    let body = if rows.is_empty() {
        view! { <tr class="empty"><td colspan=span>{empty}</td></tr> }.into_any()
    } else {
        rows.into_iter()
            .map(|r| {
                let cells = row(r)
                    .into_iter()
                    .zip(columns.iter())
                    .map(|(cell, label)| view! { <td data-label=*label>{cell}</td> })
                    .collect_view();
                view! { <tr>{cells}</tr> }
            })
            .collect_view()
            .into_any()
    };
    view! {
        <div class="table-wrap">
            <table class="data-table">
                {caption.map(|c| view! { <caption>{c}</caption> })}
                <thead><tr>{head}</tr></thead>
                <tbody>{body}</tbody>
            </table>
        </div>
    }
}

/// "共 N 条 · 上一页 2/5 下一页", keeping the other query parameters.
#[component]
pub fn Pager(total: i64, page: i64, pages: i64) -> impl IntoView {
    let query = use_query_map();
    let href = move |p: i64| {
        let mut parts = query.with_untracked(filter_pairs);
        parts.push(format!("page={p}"));
        format!("?{}", parts.join("&"))
    };
    view! {
        <nav class="pager" aria-label="分页">
            <span>"共 " {total} " 条"</span>
            {(page > 1).then(|| view! { <a href=href(page - 1) rel="prev">"上一页"</a> })}
            <span class="pager-pos">{page} " / " {pages}</span>
            {(page < pages).then(|| view! { <a href=href(page + 1) rel="next">"下一页"</a> })}
        </nav>
    }
}

/// The list's query parameters other than the page, encoded as `k=v`.
fn filter_pairs(q: &leptos_router::params::ParamsMap) -> Vec<String> {
    q.clone()
        .into_iter()
        .filter(|(k, _)| k != "page")
        .map(|(k, v)| format!("{k}={}", urlencode(&v)))
        .collect()
}

/// "导出 Excel": the list's export (`/export/….xlsx`) under the filters now in
/// the address bar, so the file holds what the list shows (all its pages).
#[component]
pub fn ExportLink(href: &'static str) -> impl IntoView {
    let query = use_query_map();
    let link = move || {
        let parts = query.with(filter_pairs);
        if parts.is_empty() {
            href.to_string()
        } else {
            format!("{href}?{}", parts.join("&"))
        }
    };
    view! { <a class="btn btn-export" href=link download rel="nofollow">"导出 Excel"</a> }
}

/// A filter's value if it is one of `list`'s codes, else "" (no filter):
/// a parameter from the address bar never reaches SQL unchecked.
pub fn choice(list: &[(&'static str, &'static str)], value: &str) -> &'static str {
    list.iter()
        .find(|(c, _)| *c == value)
        .map_or("", |(c, _)| *c)
}

/// (code, label) pairs as a [`FilterSelect`]'s options.
pub fn options(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect()
}

/// A query-string value, percent-encoded.
pub fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The page number of a list from the query string (1 when absent or bad).
pub fn page_param() -> Memo<i64> {
    let query = use_query_map();
    Memo::new(move |_| {
        query.with(|q| {
            q.get("page")
                .and_then(|p| p.parse().ok())
                .filter(|&p| p >= 1)
                .unwrap_or(1)
        })
    })
}

/// The `:id` route parameter (0 when absent or bad, which finds nothing).
pub fn id_param() -> Memo<i64> {
    let params = leptos_router::hooks::use_params_map();
    Memo::new(move |_| params.with(|p| p.get("id").and_then(|s| s.parse().ok()).unwrap_or(0)))
}

/// A text query parameter ("" when absent).
pub fn text_param(name: &'static str) -> Memo<String> {
    let query = use_query_map();
    Memo::new(move |_| query.with(|q| q.get(name).unwrap_or_default()))
}

/// One select of a filter bar, sent as the GET parameter `name`; "" is all.
#[component]
pub fn FilterSelect(
    name: &'static str,
    label: &'static str,
    all_label: &'static str,
    /// (value, label) pairs after the "all" entry.
    options: Vec<(String, String)>,
) -> impl IntoView {
    let chosen = text_param(name);
    view! {
        <select name=name aria-label=label>
            <option value="">{all_label}</option>
            {options.into_iter().map(|(v, l)| {
                let sel = v == chosen.get_untracked();
                view! { <option value=v selected=sel>{l}</option> }
            }).collect_view()}
        </select>
    }
}

/// The filter bar above a list: a search box and one select, sent as GET
/// parameters `q` and `select` (works without JavaScript); more
/// [`FilterSelect`]s may follow as children.
#[component]
pub fn FilterBar(
    placeholder: &'static str,
    /// Query parameter of the select.
    select: &'static str,
    select_label: &'static str,
    /// (value, label) pairs; an "all" entry with value "" comes first.
    options: Vec<(String, String)>,
    all_label: &'static str,
    /// The list's Excel export, offered beside the search (see [`ExportLink`]).
    #[prop(optional)]
    export: Option<&'static str>,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    let q = text_param("q");
    view! {
        <Form method="GET" action="" attr:class="filters">
            <input type="search" name="q" placeholder=placeholder value=q.get_untracked() maxlength=50 aria-label="搜索"/>
            <FilterSelect name=select label=select_label all_label options/>
            {children.map(|c| c())}
            <button type="submit" class="btn">"查询"</button>
            {export.map(|href| view! { <ExportLink href/> })}
        </Form>
    }
}
