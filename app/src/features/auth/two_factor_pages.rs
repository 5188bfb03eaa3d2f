//! The second step of a login (/login/code) and the enrolment page
//! (/account/two-factor). Both work without JavaScript (plain form posts).
use super::{ConfirmTwoFactor, TwoFactorView, VerifyLoginCode, load_two_factor};
use crate::kit::{
    form::{FormAlert, FormErrors, SubmitButton, TextField},
    layout::PageHeader,
    status::Loaded,
    table::text_param,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginCodePage() -> impl IntoView {
    let verify = ServerAction::<VerifyLoginCode>::new();
    let errors = FormErrors::of(verify);
    view! {
        <Title text="两步验证 · 标后履约监管"/>
        <main class="login-page">
            <section class="login-card">
                <h1>"两步验证"</h1>
                <p class="muted">"请打开手机上的验证器（如微信小程序“腾讯身份验证器”、Google Authenticator），输入“平阳标后履约监管”当前显示的 6 位数字。"</p>
                <ActionForm action=verify attr:class="form" attr:novalidate=true>
                    <FormAlert errors/>
                    <TextField label="验证码" name="code" errors required=true maxlength=20 autocomplete="one-time-code" input_mode="numeric"
                        hint="手机不在身边时，可输入一个恢复码（每个只能用一次）"/>
                    <SubmitButton label="验 证" pending=verify.pending() class="btn-block"/>
                </ActionForm>
                <p class="hint"><a href="/login">"返回登录"</a>" · 手机和恢复码都丢失时，请联系系统管理员重置。"</p>
            </section>
        </main>
    }
}

#[component]
pub fn TwoFactorPage() -> impl IntoView {
    let confirm = ServerAction::<ConfirmTwoFactor>::new();
    let state = Resource::new(|| (), |_| load_two_factor());
    // Set by the page gate when the role must have a second factor.
    let forced = text_param("first");
    view! {
        <Title text="两步验证 · 标后履约监管"/>
        <PageHeader title="两步验证"/>
        <Show when=move || forced.get() == "1">
            <div class="alert alert-warn" role="status">"按照信息系统安全等级保护要求，系统管理员和监管人员须启用两步验证后才能使用系统。"</div>
        </Show>
        {move || confirm.value().get().and_then(Result::ok).map(|codes| view! { <RecoveryCodes codes/> })}
        <Show when=move || confirm.value().get().is_none_or(|r| r.is_err())>
            <Loaded resource=state children=move |v: TwoFactorView| view! { <Status v confirm/> }/>
        </Show>
    }
}

#[component]
fn Status(v: TwoFactorView, confirm: ServerAction<ConfirmTwoFactor>) -> impl IntoView {
    let errors = FormErrors::of(confirm);
    match v.enrol {
        None => view! {
            <section class="card narrow" id="two-factor">
                <p><span class="badge badge-ok">"已启用"</span> " 自 " {v.enabled_at.map(crate::fmt::datetime).unwrap_or_default()}</p>
                <p>{format!("剩余恢复码 {} 个。", v.recovery_left)}</p>
                <p class="hint">"更换手机时，请先在新手机上登录验证器；手机丢失时请联系系统管理员重置密码（同时清除两步验证）后重新绑定。"</p>
            </section>
        }
        .into_any(),
        Some(e) => view! {
            <section class="card narrow" id="two-factor">
                <h2>"绑定验证器"</h2>
                <ol class="steps">
                    <li>"在手机上打开验证器（如微信小程序“腾讯身份验证器”、Google Authenticator、Microsoft Authenticator）。"</li>
                    <li>"扫描下方二维码；无法扫码时，手动添加账户并输入密钥。"</li>
                    <li>"输入验证器显示的 6 位数字，完成绑定。"</li>
                </ol>
                <div class="qr" inner_html=e.qr_svg></div>
                <p>"密钥：" <code class="secret" data-testid="totp-secret">{e.secret}</code></p>
                <ActionForm action=confirm attr:class="form" attr:novalidate=true>
                    <FormAlert errors/>
                    <TextField label="验证码" name="code" errors required=true maxlength=6 autocomplete="one-time-code" input_mode="numeric"/>
                    <SubmitButton label="完成绑定" pending=confirm.pending()/>
                </ActionForm>
            </section>
        }
        .into_any(),
    }
}

/// Shown once, right after enrolment.
#[component]
fn RecoveryCodes(codes: Vec<String>) -> impl IntoView {
    view! {
        <section class="card narrow" id="recovery-codes">
            <div class="alert alert-ok" role="status">"两步验证已启用。以后登录时，输入密码后还须输入验证器上的 6 位数字。"</div>
            <h2>"恢复码"</h2>
            <p>"手机不在身边时，可用一个恢复码代替验证码登录，每个只能用一次。请立即抄写或打印，妥善保管；离开本页后不再显示。"</p>
            <ul class="codes">{codes.into_iter().map(|c| view! { <li><code>{c}</code></li> }).collect_view()}</ul>
            <a class="btn btn-primary" href="/">"开始使用"</a>
        </section>
    }
}
