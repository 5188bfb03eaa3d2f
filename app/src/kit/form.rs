//! The form kit. Forms are `ActionForm`s (they post without JavaScript too);
//! errors come back as `AppError::Invalid` and are shown at their fields.
//!
//! A form sent as a plain post (without JavaScript, or on a phone before the
//! page is interactive) comes back through a redirect: the error travels in
//! the URL (`__err`, Leptos), and what was typed in a [`FormFlash`] that the
//! server keeps for that one page render. The fields show the typed values,
//! not the stored ones, so nothing typed is lost and no stale value is saved
//! by the next submit.
use crate::error::AppError;
use leptos::{prelude::*, server_fn::ServerFn};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// What a plain form post carried when it came back with an error.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct FormFlash {
    /// The server function's path (`/api/filings/save`): only its form reads it.
    pub path: String,
    pub fields: BTreeMap<String, String>,
}

impl FormFlash {
    /// Where the server keeps it between the post and the page it redirects to.
    pub const SESSION_KEY: &'static str = "form_flash";

    /// Secrets are never kept (they are typed again).
    pub fn keeps(field: &str) -> bool {
        !(matches!(field, "current" | "new" | "confirm" | "code") || field.contains("password"))
    }
}

/// The error of an action's last submission, for the fields to read, and
/// the action's path (to find what its plain post carried).
#[derive(Clone, Copy)]
pub struct FormErrors(Memo<Option<AppError>>, &'static str);

impl FormErrors {
    pub fn of<S>(action: ServerAction<S>) -> Self
    where
        S: ServerFn<Error = AppError> + Clone + Send + Sync + 'static,
        S::Output: Clone + Send + Sync + 'static,
    {
        let value = action.value();
        Self(
            Memo::new(move |_| value.get().and_then(Result::err)),
            S::PATH,
        )
    }

    /// No errors (a form without an action, e.g. a GET filter).
    pub fn none() -> Self {
        Self(Memo::new(|_| None), "")
    }

    /// What the field held in this form's plain post that came back with an
    /// error. Read while rendering on the server; in the browser the input
    /// keeps the value the server rendered (hydration leaves it alone).
    pub fn submitted(self, name: &str) -> Option<String> {
        #[cfg(feature = "ssr")]
        {
            let parts = use_context::<axum::http::request::Parts>()?;
            let flash = parts.extensions.get::<FormFlash>()?;
            (flash.path == self.1)
                .then(|| flash.fields.get(name).cloned())
                .flatten()
        }
        #[cfg(not(feature = "ssr"))]
        {
            // In the browser the rendered value stays; the path is not needed.
            let _ = (name, self.1);
            None
        }
    }

    pub fn field(self, name: &'static str) -> impl Fn() -> Option<String> + Copy + Send + Sync {
        move || {
            self.0.with(|e| {
                e.as_ref()
                    .and_then(|e| e.field_errors()?.get(name).cloned())
            })
        }
    }

    pub fn message(self) -> impl Fn() -> Option<String> + Copy + Send + Sync {
        move || self.0.with(|e| e.as_ref().map(ToString::to_string))
    }
}

/// Counts an action's successful submissions. Key a page's data on this
/// rather than on the action's version: reloading after a failed submission
/// would re-render the form and wipe what the person typed.
pub fn successes<S>(action: ServerAction<S>) -> Signal<usize>
where
    S: ServerFn + Clone + Send + Sync + 'static,
    S::Output: Clone + Send + Sync + 'static,
    S::Error: Clone + Send + Sync + 'static,
{
    let count = RwSignal::new(0usize);
    let value = action.value();
    Effect::new(move |_| {
        if value.with(|v| matches!(v, Some(Ok(_)))) {
            count.update(|c| *c += 1);
        }
    });
    count.into()
}

/// The summary above a form (`role=alert` so screen readers announce it).
#[component]
pub fn FormAlert(errors: FormErrors) -> impl IntoView {
    let message = errors.message();
    view! {
        <Show when=move || message().is_some()>
            <div class="alert alert-error" role="alert">{message}</div>
        </Show>
    }
}

/// A labelled input with its error below it.
#[component]
pub fn TextField(
    label: &'static str,
    name: &'static str,
    errors: FormErrors,
    /// Several forms on one page with the same field names: ids per form.
    #[prop(optional)]
    scope: Option<&'static str>,
    #[prop(optional, into)] value: String,
    #[prop(default = "text")] input_type: &'static str,
    #[prop(optional)] required: bool,
    #[prop(default = 100)] maxlength: u32,
    #[prop(optional)] hint: Option<&'static str>,
    #[prop(optional)] autocomplete: Option<&'static str>,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] readonly: bool,
    /// `numeric`, `decimal`, `tel`…: the keyboard a phone shows.
    #[prop(optional)]
    input_mode: Option<&'static str>,
) -> impl IntoView {
    let id = field_id(scope, name);
    let error = errors.field(name);
    let value = errors.submitted(name).unwrap_or(value);
    view! {
        <FieldFrame label id=id.clone() required hint error>
            <input
                id=id.clone()
                name=name
                type=input_type
                value=value
                required=required
                readonly=readonly
                inputmode=input_mode
                maxlength=maxlength
                autocomplete=autocomplete
                placeholder=placeholder
                aria-invalid=move || error().is_some().then_some("true")
                aria-describedby=format!("{id}-err")
            />
        </FieldFrame>
    }
}

/// A labelled multi-line text box.
#[component]
pub fn TextArea(
    label: &'static str,
    name: &'static str,
    errors: FormErrors,
    /// Several forms on one page with the same field names: ids per form.
    #[prop(optional)]
    scope: Option<&'static str>,
    #[prop(optional, into)] value: String,
    #[prop(optional)] required: bool,
    #[prop(default = 1000)] maxlength: u32,
    #[prop(default = 3)] rows: u32,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = field_id(scope, name);
    let error = errors.field(name);
    let value = errors.submitted(name).unwrap_or(value);
    view! {
        <FieldFrame label id=id.clone() required hint error>
            <textarea
                id=id.clone()
                name=name
                required=required
                maxlength=maxlength
                rows=rows
                aria-invalid=move || error().is_some().then_some("true")
                aria-describedby=format!("{id}-err")
            >{value}</textarea>
        </FieldFrame>
    }
}

/// A labelled select. `options` are (value, label) pairs.
#[component]
pub fn SelectField(
    label: &'static str,
    name: &'static str,
    errors: FormErrors,
    /// Several forms on one page with the same field names: ids per form.
    #[prop(optional)]
    scope: Option<&'static str>,
    options: Vec<(String, String)>,
    #[prop(optional, into)] value: String,
    #[prop(optional)] required: bool,
    #[prop(optional)] placeholder: Option<&'static str>,
    #[prop(optional)] hint: Option<&'static str>,
) -> impl IntoView {
    let id = field_id(scope, name);
    let error = errors.field(name);
    let value = errors.submitted(name).unwrap_or(value);
    let options = options
        .into_iter()
        .map(|(v, l)| {
            let selected = v == value;
            view! { <option value=v selected=selected>{l}</option> }
        })
        .collect_view();
    view! {
        <FieldFrame label id=id.clone() required hint error>
            <select
                id=id.clone()
                name=name
                required=required
                aria-invalid=move || error().is_some().then_some("true")
                aria-describedby=format!("{id}-err")
            >
                {placeholder.map(|p| view! { <option value="">{p}</option> })}
                {options}
            </select>
        </FieldFrame>
    }
}

/// `f-<name>`, or `f-<scope>-<name>` for a field of one of several forms.
fn field_id(scope: Option<&'static str>, name: &str) -> String {
    match scope {
        Some(scope) => format!("f-{scope}-{name}"),
        None => format!("f-{name}"),
    }
}

#[component]
fn FieldFrame<E>(
    label: &'static str,
    id: String,
    required: bool,
    hint: Option<&'static str>,
    error: E,
    children: Children,
) -> impl IntoView
where
    E: Fn() -> Option<String> + Copy + Send + Sync + 'static,
{
    view! {
        <div class="field" class:has-error=move || error().is_some()>
            <label for=id.clone()>
                {label}
                {required.then(|| view! { <span class="req" aria-hidden="true">"*"</span> })}
            </label>
            {children()}
            {hint.map(|h| view! { <p class="hint">{h}</p> })}
            <p class="field-error" id=format!("{id}-err")>{error}</p>
        </div>
    }
}

/// A submit button that shows it is working and cannot be pressed twice.
#[component]
pub fn SubmitButton(
    label: &'static str,
    #[prop(into)] pending: Signal<bool>,
    #[prop(optional)] class: &'static str,
) -> impl IntoView {
    view! {
        <button type="submit" class=format!("btn btn-primary {class}") disabled=move || pending.get() aria-busy=move || pending.get().then_some("true")>
            {move || if pending.get() { "处理中…" } else { label }}
        </button>
    }
}
