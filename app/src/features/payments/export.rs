//! Excel export of the payments list (under the list's filters).
use super::{PaymentRow, service};
use crate::{
    domain::{Role, label_of, records::PAYMENT_KINDS},
    export_route,
    kit::export::{Cell, Sheet},
    platform::AppState,
};
use axum::Router;

pub fn routes() -> Router<AppState> {
    Router::new().route(
        "/export/payments.xlsx",
        export_route!(records PAYMENTS, service::list),
    )
}

const PAYMENTS: Sheet<PaymentRow> = Sheet::new(
    "资金拨付",
    &[
        "拨付日期",
        "项目 / 标段",
        "建设单位",
        "拨付类型",
        "金额（元）",
        "其中人工费（元）",
        "收款单位",
        "凭证号",
        "状态",
        "预警",
    ],
    &[Role::Admin, Role::Supervisor, Role::Owner],
    |r| {
        vec![
            r.paid_on.into(),
            r.project.into(),
            r.owner_name.into(),
            label_of(&PAYMENT_KINDS, &r.kind).to_string().into(),
            Cell::Money(Some(r.amount_fen)),
            Cell::Money(Some(r.labour_fen)),
            r.payee.into(),
            r.voucher_no.into(),
            r.status.label().to_string().into(),
            r.flags.join("、").into(),
        ]
    },
);
