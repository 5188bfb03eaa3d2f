use super::{ChainStatus, TrailRow, VerifyAudit, audit_trail};
use crate::{
    domain::Role,
    features::shell::ForRole,
    kit::{
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, Page, Pager, page_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AuditPage() -> impl IntoView {
    let page = page_param();
    let verify = ServerAction::<VerifyAudit>::new();
    let trail = Resource::new(move || page.get(), |p| audit_trail(p, String::new()));
    view! {
        <Title text="留痕审计 · 标后履约监管"/>
        <PageHeader title="留痕审计"/>
        <ForRole roles=&[Role::AuditAdmin] forbidden=true>
        <section class="card">
            <h2>"留痕链校验"</h2>
            <p class="muted">"每条留痕都记录前一条的摘要。校验会逐条重算，指出第一条被改动、插入或删除的记录。"</p>
            <ActionForm action=verify attr:class="form-inline">
                <button type="submit" class="btn btn-primary" disabled=move || verify.pending().get()>
                    {move || if verify.pending().get() { "校验中…" } else { "立即校验" }}
                </button>
            </ActionForm>
            {move || verify.value().get().map(|r| match r {
                Ok(ChainStatus { ok: true, message, .. }) => view! { <div class="alert alert-ok" role="status" data-testid="verify-result">{message}</div> }.into_any(),
                Ok(ChainStatus { message, .. }) => view! { <div class="alert alert-error" role="alert" data-testid="verify-result">{message}</div> }.into_any(),
                Err(e) => view! { <div class="alert alert-error" role="alert">{e.to_string()}</div> }.into_any(),
            })}
        </section>
        <Loaded resource=trail children={|page: Page<TrailRow>| {
            let (total, p, pages) = (page.total, page.page, page.pages());
            view! {
                <DataTable
                    caption="全部留痕（最新在前）"
                    columns=vec!["序号", "时间", "操作人", "对象", "操作", "IP", "摘要"]
                    rows=page.items
                    row=|r: TrailRow| vec![
                        r.seq.into_any(),
                        crate::fmt::datetime(r.at).into_any(),
                        r.actor.into_any(),
                        format!("{} #{}", r.entity, r.entity_id).into_any(),
                        r.action_label.into_any(),
                        r.ip.unwrap_or_default().into_any(),
                        view! { <code title=r.hash.clone()>{r.hash[..12].to_string()}</code> }.into_any(),
                    ]
                />
                <Pager total page=p pages/>
            }
        }}/>
        </ForRole>
    }
}
