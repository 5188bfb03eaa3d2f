//! Layout pieces every page uses: the page header, and the navigation entry
//! type with which each feature declares its place in the left navigation
//! (the shell itself is `features::shell`).
use crate::domain::Role;
use leptos::prelude::*;

/// One entry of the left navigation, shown to the roles listed; entries are
/// listed by `order` (home 10, then by tens in the order people work).
pub struct NavItem {
    pub order: u16,
    pub href: &'static str,
    pub label: &'static str,
    pub roles: &'static [Role],
}

impl NavItem {
    pub const fn new(
        order: u16,
        href: &'static str,
        label: &'static str,
        roles: &'static [Role],
    ) -> Self {
        Self {
            order,
            href,
            label,
            roles,
        }
    }
}

/// Everyone with a login.
pub const EVERYONE: &[Role] = &Role::ALL;
/// Those who read projects: administrators, supervisors, owner units.
pub const READERS: &[Role] = &[Role::Admin, Role::Supervisor, Role::Owner];

/// A page header with a title and optional actions on the right.
#[component]
pub fn PageHeader(
    title: &'static str,
    #[prop(optional)] children: Option<Children>,
) -> impl IntoView {
    view! {
        <div class="page-header">
            <h1>{title}</h1>
            <div class="page-actions">{children.map(|c| c())}</div>
        </div>
    }
}
