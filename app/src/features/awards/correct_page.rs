//! 更正中标信息 (/awards/:id/correct): the administrator's correction of what
//! a feed may not change once the contract is filed, with a reason.
use super::{CorrectAward, CorrectionView, load_correction};
use crate::{
    domain::{Role, SECTORS, UnitKind},
    features::{
        shell::ForRole,
        units::{UnitOption, unit_options},
    },
    kit::{
        form::{FormAlert, FormErrors, SelectField, SubmitButton, TextArea, TextField},
        layout::PageHeader,
        status::Loaded,
        table::id_param,
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn AwardCorrectPage() -> impl IntoView {
    let id = id_param();
    let data = Resource::new(
        move || id.get(),
        |id| async move {
            Ok::<_, crate::error::AppError>((load_correction(id).await?, unit_options().await?))
        },
    );
    view! {
        <Title text="更正中标信息 · 标后履约监管"/>
        <PageHeader title="更正中标信息">
            <a class="btn" href="/awards">"中标项目"</a>
        </PageHeader>
        <ForRole roles=&[Role::Admin] forbidden=true>
            <Loaded resource=data children=|(a, units): (CorrectionView, Vec<UnitOption>)| view! { <CorrectForm a units/> }/>
        </ForRole>
    }
}

#[component]
fn CorrectForm(a: CorrectionView, units: Vec<UnitOption>) -> impl IntoView {
    let action = ServerAction::<CorrectAward>::new();
    let errors = FormErrors::of(action);
    let of = |kinds: &[UnitKind]| -> Vec<(String, String)> {
        units
            .iter()
            .filter(|u| kinds.contains(&u.kind))
            .map(|u| (u.id.to_string(), u.name.clone()))
            .collect()
    };
    let owners = of(&[UnitKind::Owner]);
    let contractors = of(&[UnitKind::Contractor, UnitKind::SupervisorEngineer]);
    let sectors: Vec<(String, String)> = SECTORS
        .iter()
        .map(|(c, l)| (c.to_string(), l.to_string()))
        .collect();
    view! {
        <section class="card narrow">
            <p><strong>{a.project.clone()}</strong> " " <code>{a.code.clone()}</code></p>
            <p class="hint">{if a.filing_id.is_some() {
                "该标段的合同已备案：交易平台的数据不能再更改以下各项。更正后备案随之调整（建设单位变更后，备案归新的建设单位），合同价偏离按更正后的中标价重新判断；更正及其原因全程留痕。"
            } else {
                "更正及其原因全程留痕；交易平台以后推送的数据仍会更新未备案的标段。"
            }}</p>
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormAlert errors/>
                <input type="hidden" name="id" value=a.id/>
                <SelectField label="建设单位" name="owner_unit_id" errors options=owners value=a.owner_unit_id.to_string() required=true/>
                <SelectField label="中标单位" name="contractor_unit_id" errors options=contractors value=a.contractor_unit_id.to_string() required=true/>
                <TextField label="中标价（元）" name="award_price" errors value=a.award_price.clone() required=true maxlength=20 input_mode="decimal"/>
                <SelectField label="行业" name="sector" errors options=sectors value=a.sector.clone() required=true/>
                <TextArea label="更正原因" name="reason" errors required=true maxlength=200 hint="如：交易平台录入错误，依据中标通知书（编号…）更正"/>
                <div class="form-actions"><SubmitButton label="保存更正" pending=action.pending()/></div>
            </ActionForm>
        </section>
    }
}
