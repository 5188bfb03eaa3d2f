//! Error pages with their real HTTP status, and the loading/error frame that
//! every data view uses.
use crate::error::AppError;
use leptos::prelude::*;

fn set_status(_code: u16) {
    #[cfg(feature = "ssr")]
    if let Some(resp) = use_context::<leptos_axum::ResponseOptions>() {
        resp.set_status(
            axum::http::StatusCode::from_u16(_code)
                .unwrap_or(axum::http::StatusCode::INTERNAL_SERVER_ERROR),
        );
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    set_status(404);
    view! {
        <section class="status-page">
            <h1>"404"</h1>
            <p>"您访问的页面不存在。"</p>
            <a class="btn" href="/">"返回首页"</a>
        </section>
    }
}

#[component]
pub fn Forbidden() -> impl IntoView {
    set_status(403);
    view! {
        <section class="status-page">
            <h1>"403"</h1>
            <p>"您无权访问此页面。如需开通权限，请联系系统管理员。"</p>
            <a class="btn" href="/">"返回首页"</a>
        </section>
    }
}

/// Shows an error from a data load: 403/404 get their pages, the rest a message.
#[component]
pub fn ErrorView(error: AppError) -> impl IntoView {
    match error {
        AppError::Forbidden => view! { <Forbidden/> }.into_any(),
        AppError::NotFound => view! { <NotFound/> }.into_any(),
        AppError::Unauthenticated => {
            set_status(401);
            view! {
                <section class="status-page">
                    <p>"登录已过期，请重新登录。"</p>
                    <a class="btn btn-primary" href="/login">"去登录"</a>
                </section>
            }
            .into_any()
        }
        other => view! { <div class="alert alert-error" role="alert">{other.to_string()}</div> }
            .into_any(),
    }
}

/// Loading frame: renders `children` with the loaded value, or the error.
#[component]
pub fn Loaded<T, F, IV>(resource: Resource<Result<T, AppError>>, children: F) -> impl IntoView
where
    T: Clone + Send + Sync + serde::Serialize + serde::de::DeserializeOwned + 'static,
    F: Fn(T) -> IV + Send + Sync + Clone + 'static,
    IV: IntoView + 'static,
{
    view! {
        <Transition fallback=|| view! { <p class="loading">"加载中…"</p> }>
            {move || {
                let children = children.clone();
                Suspend::new(async move {
                    match resource.await {
                        Ok(v) => children(v).into_any(),
                        Err(e) => view! { <ErrorView error=e/> }.into_any(),
                    }
                })
            }}
        </Transition>
    }
}
