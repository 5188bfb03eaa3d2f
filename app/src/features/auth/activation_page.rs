//! 激活账号 (/activate): a new key person sets their own password with the
//! one-time code the owner unit passed on. Works without JavaScript.
use super::Activate;
use crate::kit::form::{FormAlert, FormErrors, SubmitButton, TextField};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn ActivatePage() -> impl IntoView {
    let action = ServerAction::<Activate>::new();
    let errors = FormErrors::of(action);
    view! {
        <Title text="激活账号 · 标后履约监管"/>
        <main class="login-page">
            <section class="login-card">
                <h1>"激活账号"</h1>
                <p class="muted">"建设单位为您开通账号后，会当面交给您一个激活码。请输入手机号和激活码，并设置您自己的密码。"</p>
                <ActionForm action attr:class="form" attr:novalidate=true>
                    <FormAlert errors/>
                    <TextField label="手机号" name="mobile" errors required=true maxlength=20 autocomplete="username" input_mode="tel"/>
                    <TextField label="激活码" name="code" errors required=true maxlength=20 autocomplete="one-time-code" hint="8 位字母和数字，如 ABCD-2345"/>
                    <TextField label="新密码" name="new" input_type="password" errors required=true maxlength=64 autocomplete="new-password"
                        hint="10–64 位英文字母、数字或英文符号，含大写、小写、数字、符号中的至少三类，不含用户名"/>
                    <TextField label="确认新密码" name="confirm" input_type="password" errors required=true maxlength=64 autocomplete="new-password"/>
                    <SubmitButton label="激活并登录" pending=action.pending() class="btn-block"/>
                </ActionForm>
                <p class="hint"><a href="/login">"已有密码，去登录"</a></p>
            </section>
        </main>
    }
}
