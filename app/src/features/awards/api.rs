//! HTTP endpoints outside Leptos: the platform's push API (bearer token),
//! its OpenAPI document, and the administrator's file upload.
use super::{Problem, import, service};
use crate::{
    domain::Role,
    platform::{
        AppState,
        actor::{Acting, ClientInfo, refusal},
        audit::Who,
        upload::{self, error_query},
    },
};
use axum::{
    Extension, Json, Router,
    body::Bytes,
    extract::{DefaultBodyLimit, Multipart, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Redirect, Response},
    routing::{get, post},
};
use serde::Serialize;
use utoipa::{OpenApi, ToSchema};

/// Most records one push may carry.
const MAX_RECORDS: usize = 5_000;

pub fn routes(upload_limit: usize) -> Router<AppState> {
    Router::new()
        .route(
            "/api/v1/awards",
            post(push_awards).layer(DefaultBodyLimit::max(8 * 1024 * 1024)),
        )
        .route("/api/v1/openapi.json", get(openapi))
        .route(
            "/awards/import",
            post(upload_import).layer(DefaultBodyLimit::max(upload_limit + 64 * 1024)),
        )
}

/// An award record as the platform sends it.
#[allow(dead_code)] // documents the schema; requests are read field by field
#[derive(ToSchema)]
#[schema(example = json!({
    "project_code": "PY2025-0101", "section_code": "01",
    "project_name": "平阳县某道路改造工程", "section_name": "施工标",
    "owner_credit_code": "12330326MB0H123451", "contractor_credit_code": "913303261456789010",
    "award_price": "12345678.90", "award_date": "2025-03-18",
    "tender_method": "公开招标", "sector": "住建"
}))]
struct AwardRecord {
    /// 项目编号: 1–40 letters, digits, `-_./`.
    project_code: String,
    /// 标段编号. With the project code, the record's key: sending it again updates it.
    section_code: String,
    /// 项目名称 (≤ 100 characters).
    project_name: String,
    /// 标段名称 (≤ 100 characters).
    section_name: String,
    /// 招标人 (owner unit) unified social credit code, GB 32100; the unit must be registered.
    owner_credit_code: String,
    /// 中标人 (contractor) unified social credit code, GB 32100; the unit must be registered.
    contractor_credit_code: String,
    /// 中标价 in yuan, as a string (`"12345678.90"`) or a number; at most two decimals.
    award_price: String,
    /// 中标通知书日期, `YYYY-MM-DD`, not in the future.
    award_date: String,
    /// 招标方式: 公开招标, 邀请招标, 竞争性谈判, 竞争性磋商, 询价, 单一来源, 其他 (or the codes open, invited, …).
    tender_method: String,
    /// 行业: 住建, 交通, 水利, 农业农村, 其他 (or housing, transport, water, agriculture, other).
    sector: String,
    /// 标段类型 (optional): 施工, 监理, 勘察/设计, 其他 (or construction, supervision,
    /// survey_design, other). Without it the section name decides: 监理 in the name makes a
    /// supervision section, 勘察 or 设计 a survey/design one, anything else construction.
    #[schema(required = false)]
    section_kind: Option<String>,
}

/// The outcome of a push.
#[derive(Serialize, ToSchema)]
struct PushResult {
    total: usize,
    created: usize,
    updated: usize,
    unchanged: usize,
    failed: usize,
    /// One entry per bad field; `line` is the record's index in the array (from 0).
    problems: Vec<Problem>,
}

/// An error without per-record detail.
#[derive(Serialize, ToSchema)]
struct ApiError {
    error: String,
}

fn api_error(status: StatusCode, msg: &str) -> Response {
    (status, Json(ApiError { error: msg.into() })).into_response()
}

struct BearerAuth;
impl utoipa::Modify for BearerAuth {
    fn modify(&self, api: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::security::{HttpAuthScheme, HttpBuilder, SecurityScheme};
        api.components
            .get_or_insert_with(Default::default)
            .add_security_scheme(
                "bearer",
                SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
            );
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "标后履约监管 · 交易平台接口", version = "1",
         description = "The trading platform pushes awarded tender sections. Tokens are issued and revoked by an administrator (系统管理 → 接口令牌)."),
    paths(push_awards),
    components(schemas(AwardRecord, PushResult, Problem, ApiError)),
    modifiers(&BearerAuth)
)]
struct ApiDoc;

pub fn openapi_document() -> utoipa::openapi::OpenApi {
    ApiDoc::openapi()
}

async fn openapi() -> Response {
    Json(openapi_document()).into_response()
}

/// Push awarded tender sections (an array of records). Good records are
/// stored (created or updated by project and section code; unchanged ones
/// are left alone); bad ones are listed in `problems` and nothing of them is stored.
#[utoipa::path(
    post,
    path = "/api/v1/awards",
    request_body(content = Vec<AwardRecord>, content_type = "application/json"),
    responses(
        (status = 200, description = "Every record was accepted", body = PushResult),
        (status = 422, description = "Some records were refused (the others were stored)", body = PushResult),
        (status = 400, description = "The body is not a JSON array of objects", body = ApiError),
        (status = 401, description = "Missing, unknown or revoked token", body = ApiError),
    ),
    security(("bearer" = []))
)]
async fn push_awards(
    State(state): State<AppState>,
    Extension(client): Extension<ClientInfo>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let token = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
        .unwrap_or("");
    if token.is_empty() {
        return api_error(
            StatusCode::UNAUTHORIZED,
            "缺少令牌：请在 Authorization 头中以 Bearer 方式提供",
        );
    }
    let token_name = match service::check_token(&state.db, token).await {
        Ok(Some((_, name))) => name,
        Ok(None) => return api_error(StatusCode::UNAUTHORIZED, "令牌无效或已吊销"),
        Err(_) => return api_error(StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误"),
    };
    let records = match parse_body(&body) {
        Ok(r) => r,
        Err(msg) => return api_error(StatusCode::BAD_REQUEST, &msg),
    };
    let who = Who {
        user_id: None,
        unit_id: None,
        name: format!("交易平台接口（令牌：{token_name}）"),
        ip: client.ip,
        user_agent: client.user_agent,
    };
    match service::apply(&state.db, &who, "api", records).await {
        Ok(out) => {
            let status = if out.problems.is_empty() {
                StatusCode::OK
            } else {
                StatusCode::UNPROCESSABLE_ENTITY
            };
            let failed = out.failed();
            let body = PushResult {
                total: out.total,
                created: out.created,
                updated: out.updated,
                unchanged: out.unchanged,
                failed,
                problems: out.problems,
            };
            (status, Json(body)).into_response()
        }
        Err(_) => api_error(StatusCode::INTERNAL_SERVER_ERROR, "服务器内部错误"),
    }
}

/// The body as records; a string or number per field (line = array index).
fn parse_body(body: &[u8]) -> Result<Vec<service::RawRecord>, String> {
    let value: serde_json::Value =
        serde_json::from_slice(body).map_err(|e| format!("请求体不是有效的 JSON：{e}"))?;
    let items = value
        .as_array()
        .ok_or("请求体应为记录数组，如 [{\"project_code\": …}]")?;
    if items.len() > MAX_RECORDS {
        return Err(format!("一次最多提交 {MAX_RECORDS} 条记录"));
    }
    items
        .iter()
        .enumerate()
        .map(|(i, item)| {
            let obj = item.as_object().ok_or(format!("第 {i} 条记录不是对象"))?;
            let values = service::FIELDS
                .iter()
                .filter_map(|(key, _)| {
                    let text = match obj.get(*key)? {
                        serde_json::Value::String(s) => s.clone(),
                        serde_json::Value::Number(n) => n.to_string(),
                        _ => String::new(),
                    };
                    Some((*key, text))
                })
                .collect();
            Ok(service::RawRecord { line: i, values })
        })
        .collect()
}

/// The administrator's upload: imports the file and shows its report.
async fn upload_import(State(state): State<AppState>, acting: Acting, form: Multipart) -> Response {
    let actor = match acting.require(&[Role::Admin]) {
        Ok(a) => a,
        Err(e) => return refusal(e),
    };
    let back =
        |msg: &str| Redirect::to(&format!("/awards/import?{}", error_query(msg))).into_response();
    let up = match upload::read(form, state.settings.upload_max_bytes).await {
        Ok(u) => u,
        Err(e) => return back(&e.message()),
    };
    // Parsing is CPU work on a file anyone with the role can craft: off the
    // async workers.
    let bytes = up.bytes;
    let parsed = match tokio::task::spawn_blocking(move || import::read(&bytes)).await {
        Ok(p) => p,
        Err(_) => return back("文件无法读取"),
    };
    let (format, records) = match parsed {
        Ok(r) => r,
        Err(problems) => {
            let out = service::Outcome {
                problems,
                ..Default::default()
            };
            return match service::save_report(&state.db, &actor, &up.file_name, "—", &out).await {
                Ok(id) => Redirect::to(&format!("/awards/imports/{id}")).into_response(),
                Err(_) => back("服务器内部错误，请稍后重试"),
            };
        }
    };
    let who = actor.who();
    let result = match service::apply(&state.db, &who, "import", records).await {
        Ok(out) => service::save_report(&state.db, &actor, &up.file_name, format, &out).await,
        Err(e) => Err(e),
    };
    match result {
        Ok(id) => Redirect::to(&format!("/awards/imports/{id}")).into_response(),
        Err(_) => back("服务器内部错误，请稍后重试"),
    }
}
