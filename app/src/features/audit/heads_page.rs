//! 留痕公示: the daily heads of the trail, to print or export and keep
//! outside the system, and a form that checks a kept head against the chain.
use super::{ChainStatus, CheckPublishedHead, HEAD_READERS, HeadRow, load_published_heads};
use crate::{
    features::shell::ForRole,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton, TextField},
        layout::PageHeader,
        status::Loaded,
        table::DataTable,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn HeadsPage() -> impl IntoView {
    let heads = Resource::new(|| (), |_| load_published_heads());
    view! {
        <Title text="留痕公示 · 标后履约监管"/>
        <PageHeader title="留痕链头公示">
            <a class="btn btn-export no-print" href="/export/audit-heads.xlsx" download rel="nofollow">"导出 Excel"</a>
            <button type="button" class="btn no-print" on:click=|_| print_page()>"打印"</button>
        </PageHeader>
        <ForRole roles=HEAD_READERS forbidden=true>
        <section class="card no-print">
            <p>"系统的每一次写入都留痕，每条留痕都以密钥封存并连着前一条。每天系统公示一次链头（最后一条的序号和哈希）。"
               "请定期打印或导出本表，在系统之外留存：以后任何人，即使持有密钥，改写此前的任何记录，留存的链头都将对不上。"</p>
        </section>
        <CheckForm/>
        <Loaded resource=heads children={|rows: Vec<HeadRow>| view! {
            <DataTable
                caption="每日链头（最新在前）"
                columns=vec!["日期", "序号", "链头哈希", "公示时间"]
                rows
                row=|h: HeadRow| vec![
                    h.day.into_any(),
                    h.seq.into_any(),
                    view! { <code class="hash">{h.hash}</code> }.into_any(),
                    crate::fmt::datetime(h.at).into_any(),
                ]
            />
        }}/>
        </ForRole>
    }
}

/// 核对链头: a head copied from a printed sheet or an old export.
#[component]
fn CheckForm() -> impl IntoView {
    let check = ServerAction::<CheckPublishedHead>::new();
    let errors = FormErrors::of(check);
    view! {
        <section class="card no-print" id="check">
            <h2>"核对留存的链头"</h2>
            <ActionForm action=check attr:class="form" attr:novalidate=true>
                <FormAlert errors/>
                <TextField label="序号" name="seq" errors required=true input_mode="numeric" maxlength=20/>
                <TextField label="链头哈希" name="hash" errors required=true maxlength=64 hint="64 位十六进制，照留存的打印件或导出表填写"/>
                <div class="form-actions"><SubmitButton label="核对" pending=check.pending()/></div>
            </ActionForm>
            {move || check.value().get().and_then(Result::ok).map(|r: ChainStatus| if r.ok {
                view! { <div class="alert alert-ok" role="status" data-testid="head-result">{r.message}</div> }.into_any()
            } else {
                view! { <div class="alert alert-error" role="alert" data-testid="head-result">{r.message}</div> }.into_any()
            })}
        </section>
    }
}

fn print_page() {
    #[cfg(feature = "hydrate")]
    {
        let _ = window().print();
    }
}
