//! 变更记录: the history of any record, read from the audit trail.
//!
//! Place it beside a page's `Loaded` block, not inside it: resources made
//! inside a resolved Suspend do not hydrate.
use super::{HistoryEntry, record_history};
use leptos::prelude::*;

#[component]
pub fn ChangeHistory(
    entity: &'static str,
    #[prop(into)] id: Signal<i64>,
    /// Bump to reload (e.g. the version of the form's action).
    #[prop(optional)]
    version: Option<Signal<usize>>,
) -> impl IntoView {
    let history = Resource::new(
        move || (id.get(), version.map(|v| v.get())),
        move |(id, _)| record_history(entity.to_string(), id.to_string()),
    );
    // Hidden when the record cannot be read: the page itself shows why.
    view! {
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                history.await.ok().map(|entries| view! {
                    <section class="card history" aria-label="变更记录">
                        <h2>"变更记录"</h2>
                        {timeline(entries)}
                    </section>
                })
            })}
        </Transition>
    }
}

fn timeline(entries: Vec<HistoryEntry>) -> AnyView {
    if entries.is_empty() {
        return view! { <p class="muted">"暂无记录"</p> }.into_any();
    }
    view! {
        <ol class="timeline">
            {entries.into_iter().rev().map(|e| view! {
                <li>
                    <div class="tl-head">
                        <span class="tl-action">{e.action_label}</span>
                        <span class="tl-who">{e.actor}</span>
                        <time class="tl-time">{crate::fmt::datetime(e.at)}</time>
                    </div>
                    {(!e.changes.is_empty()).then(|| view! {
                        <ul class="tl-changes">
                            {e.changes.into_iter().map(|(field, before, after)| view! {
                                <li>
                                    <span class="tl-field">{field}</span>"："
                                    <del>{before}</del>" → "<ins>{after}</ins>
                                </li>
                            }).collect_view()}
                        </ul>
                    })}
                </li>
            }).collect_view()}
        </ol>
    }
    .into_any()
}
