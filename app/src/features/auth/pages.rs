use super::{ChangePassword, Login};
use crate::kit::{
    form::{FormAlert, FormErrors, SubmitButton, TextField},
    layout::PageHeader,
};
use leptos::prelude::*;
use leptos_meta::Title;

#[component]
pub fn LoginPage() -> impl IntoView {
    let login = ServerAction::<Login>::new();
    let errors = FormErrors::of(login);
    view! {
        <Title text="登录 · 标后履约监管"/>
        <main class="login-page">
            <section class="login-card">
                <h1>"平阳县标后履约监管系统"</h1>
                <p class="muted">"政府投资工程建设项目标后履约全过程监管"</p>
                <ActionForm action=login attr:class="form" attr:novalidate=true>
                    <FormAlert errors/>
                    <TextField label="用户名或手机号" name="username" errors required=true maxlength=64 autocomplete="username"/>
                    <TextField label="密码" name="password" input_type="password" errors required=true maxlength=128 autocomplete="current-password"/>
                    <SubmitButton label="登 录" pending=login.pending() class="btn-block"/>
                </ActionForm>
                <p class="hint">"新开通的关键人员账号请先" <a href="/activate">"激活账号"</a> "（用建设单位转交的激活码）。忘记密码请联系县资管办安全管理员重置。"</p>
            </section>
        </main>
    }
}

#[component]
pub fn ChangePasswordPage() -> impl IntoView {
    let action = ServerAction::<ChangePassword>::new();
    let errors = FormErrors::of(action);
    // Set by the page gate when the user still has their first password.
    let forced = crate::kit::table::text_param("first");
    view! {
        <Title text="修改密码 · 标后履约监管"/>
        <PageHeader title="修改密码"/>
        <Show when=move || forced.get() == "1">
            <div class="alert alert-warn" role="status">"您正在使用管理员设置的初始密码，请先修改密码后再使用系统。"</div>
        </Show>
        <section class="card narrow">
            <ActionForm action attr:class="form" attr:novalidate=true>
                <FormAlert errors/>
                <TextField label="当前密码" name="current" input_type="password" errors required=true maxlength=128 autocomplete="current-password"/>
                <TextField label="新密码" name="new" input_type="password" errors required=true maxlength=64 autocomplete="new-password"
                    hint="10–64 位英文字母、数字或英文符号，含大写、小写、数字、符号中的至少三类，不含用户名"/>
                <TextField label="确认新密码" name="confirm" input_type="password" errors required=true maxlength=64 autocomplete="new-password"/>
                <SubmitButton label="保存新密码" pending=action.pending()/>
            </ActionForm>
        </section>
    }
}
