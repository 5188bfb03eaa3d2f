use super::{
    CheckIn, Decision, FlaggedCheckin, MonthView, MyMonth, MyProject, SaveCalendar,
    attendance_month, flagged_checkins, load_my_month, my_projects,
};
use crate::{
    domain::{ROSTER_ROLES, label_of},
    features::filings::ProjectPicker,
    fmt::datetime,
    kit::{
        form::{FormAlert, FormErrors, SubmitButton, successes},
        layout::PageHeader,
        status::Loaded,
        table::{DataTable, ExportLink, text_param},
    },
};
use leptos::prelude::*;
use leptos_meta::Title;

/// What the page tells the person: a decision, or why no position came.
#[derive(Clone, PartialEq)]
enum Outcome {
    Working(&'static str),
    Done(Decision),
    NoPosition(String),
}

/// 打卡: phone-first. The server renders the projects; the button needs the
/// wasm and the browser's geolocation (secure origins only).
#[component]
pub fn CheckinPage() -> impl IntoView {
    let projects = Resource::new(|| (), |_| my_projects());
    let action = ServerAction::<CheckIn>::new();
    // The person's own month, read again after each check-in.
    let mine = Resource::new(
        move || action.version().get(),
        |_| load_my_month(String::new()),
    );
    let outcome = RwSignal::new(None::<(i64, Outcome)>);
    let busy = RwSignal::new(false);
    Effect::new(move |_| {
        if let Some(result) = action.value().get() {
            let filing = outcome.get_untracked().map(|(f, _)| f).unwrap_or(0);
            busy.set(false);
            outcome.set(Some((
                filing,
                match result {
                    Ok(d) => Outcome::Done(d),
                    Err(e) => Outcome::NoPosition(e.to_string()),
                },
            )));
        }
    });
    // `photo`: the id of the project's photo input, when it requires one.
    let press = move |filing_id: i64, photo: Option<String>| {
        if busy.get_untracked() {
            return;
        }
        if let Some(input) = &photo
            && !has_file(input)
        {
            outcome.set(Some((
                filing_id,
                Outcome::NoPosition("该项目要求打卡时拍摄现场照片：请先点“拍摄现场照片”。".into()),
            )));
            return;
        }
        busy.set(true);
        outcome.set(Some((filing_id, Outcome::Working("正在获取位置…"))));
        locate(move |r| match r {
            Ok((lat, lng, accuracy)) => {
                outcome.set(Some((filing_id, Outcome::Working("正在提交…"))));
                let reading = CheckIn {
                    filing_id,
                    lat,
                    lng,
                    accuracy,
                    device_key: device_key(),
                };
                match photo {
                    None => {
                        action.dispatch(reading);
                    }
                    Some(input) => leptos::task::spawn_local(async move {
                        let answer = post_with_photo(&input, reading).await;
                        busy.set(false);
                        outcome.set(Some((
                            filing_id,
                            match answer {
                                Ok(d) => Outcome::Done(d),
                                Err(m) => Outcome::NoPosition(m),
                            },
                        )));
                    }),
                }
            }
            Err(msg) => {
                busy.set(false);
                outcome.set(Some((filing_id, Outcome::NoPosition(msg))));
            }
        });
    };
    view! {
        <Title text="打卡 · 标后履约监管"/>
        <PageHeader title="今日打卡"/>
        <noscript><div class="alert alert-warn">"打卡需要浏览器开启 JavaScript 并允许使用位置信息。"</div></noscript>
        // Makes 打卡 work before the wasm arrives on a weak signal: inline (3 KB),
        // since a script of its own would queue behind the wasm's download.
        <script nonce=leptos::nonce::use_nonce() inner_html=CHECKIN_EARLY_JS></script>
        <Loaded resource=projects children={move |list: Vec<MyProject>| {
            if list.is_empty() {
                return view! { <section class="card"><p class="muted">"您目前不在任何已备案项目的关键人员名单中。"</p></section> }.into_any();
            }
            list.into_iter().map(|p| {
                let id = p.filing_id;
                let mine = move || outcome.get().filter(|(f, _)| *f == id).map(|(_, o)| o);
                let photo_input = format!("photo-{id}");
                let photo = p.photo_required.then(|| photo_input.clone());
                view! {
                    <section class="card checkin-card" data-filing=id>
                        <h2>{p.project_name} <span class="muted">" · " {p.section_name}</span></h2>
                        <p class="muted">{label_of(&ROSTER_ROLES, &p.role)}
                            {p.done_today.then_some(" · 今日已打卡")}
                            {(!p.has_area).then_some(" · 尚未设置考勤区域")}</p>
                        {p.photo_required.then(|| view! {
                            <div class="field photo-field">
                                <label for=photo_input.clone()>"拍摄现场照片（本项目要求）"</label>
                                <input type="file" id=photo_input.clone() name="file" accept="image/*" capture="environment"/>
                            </div>
                        })}
                        <button type="button" class="btn btn-primary btn-checkin" disabled=move || busy.get()
                            on:click=move |_| press(id, photo.clone())>
                            "打卡"
                        </button>
                        {move || mine().map(|o| match o {
                            Outcome::Working(m) => view! { <p class="checkin-msg" role="status">{m}</p> }.into_any(),
                            Outcome::NoPosition(m) => view! { <div class="alert alert-warn checkin-msg" role="alert">{m}</div> }.into_any(),
                            Outcome::Done(d) => {
                                let class = if d.accepted { "alert alert-ok checkin-msg" } else { "alert alert-error checkin-msg" };
                                view! {
                                    <div class=class role="status">
                                        <strong>{d.message}</strong>
                                        <div class="muted">"服务器时间 " {datetime(d.at)}</div>
                                    </div>
                                }.into_any()
                            }
                        })}
                    </section>
                }
            }).collect_view().into_any()
        }}/>
        <Loaded resource=mine children=|m: MyMonth| view! { <MyRecord m/> }/>
    }
}

/// The check-in before the app has loaded (see the script's head).
const CHECKIN_EARLY_JS: &str = include_str!("checkin_early.js");

/// 我的考勤: this month's calendar per roster, the rate, since when, and why
/// a roster left can no longer be checked in to.
#[component]
fn MyRecord(m: MyMonth) -> impl IntoView {
    const WD: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let lead = m.first_weekday as usize;
    m.rosters
        .into_iter()
        .map(|r| {
            let rate = r.rate();
            let cells = r
                .cells
                .iter()
                .enumerate()
                .map(|(i, c)| {
                    let title = match c.as_str() {
                        "ok" => "已打卡",
                        "flag" => "已打卡（存疑）",
                        "refused" => "打卡未通过",
                        "none" => "应打卡未打卡",
                        "rest" => "休息日",
                        "out" => "不在名单内",
                        _ => "",
                    };
                    view! { <li class=format!("cal-{c}") title=title><span>{i + 1}</span></li> }
                })
                .collect_view();
            view! {
                <section class="card my-record" aria-label="我的考勤">
                    <h2>"我的考勤 · " {m.month.clone()}</h2>
                    <p><strong>{r.project.clone()}</strong><br/>
                        <span class="muted">{r.role.clone()} " · " {r.joined_on.clone()} " 起在名单"</span></p>
                    {r.left.clone().map(|w| view! { <div class="alert alert-warn" role="status">{w}</div> })}
                    <p class="my-rate">"本月到岗 " <strong class="num">{r.counted} " / " {r.required}</strong> " 天"
                        {rate.map(|x| format!("（{x:.0}%）"))}</p>
                    <ol class="my-cal" aria-label="本月日历">
                        {WD.iter().map(|w| view! { <li class="my-cal-head" aria-hidden="true">{*w}</li> }).collect_view()}
                        {(0..lead).map(|_| view! { <li class="my-cal-pad" aria-hidden="true"></li> }).collect_view()}
                        {cells}
                    </ol>
                    <p class="hint">"✓ 已打卡 · 黄底 存疑 · 红字 未通过或应打卡未打卡 · 灰底 休息日或不在名单"</p>
                </section>
            }
        })
        .collect_view()
}

/// Has the person taken (or chosen) a photo in the input `id`?
fn has_file(id: &str) -> bool {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.get_element_by_id(id))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .is_some_and(|f| f.length() > 0)
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = id;
        false
    }
}

/// Sends the reading with the photo in `input` as one multipart post (the
/// server stores both or neither).
async fn post_with_photo(input: &str, r: CheckIn) -> Result<Decision, String> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        use wasm_bindgen_futures::JsFuture;
        let failed = || "网络异常，打卡未提交，请重试".to_string();
        let window = web_sys::window().ok_or_else(failed)?;
        let file = window
            .document()
            .and_then(|d| d.get_element_by_id(input))
            .and_then(|e| e.dyn_into::<web_sys::HtmlInputElement>().ok())
            .and_then(|i| i.files())
            .and_then(|f| f.get(0))
            .ok_or_else(|| "请先拍摄现场照片".to_string())?;
        let form = web_sys::FormData::new().map_err(|_| failed())?;
        let fields = [
            ("filing_id", r.filing_id.to_string()),
            ("lat", r.lat.to_string()),
            ("lng", r.lng.to_string()),
            ("accuracy", r.accuracy.to_string()),
            ("device_key", r.device_key),
        ];
        for (k, v) in &fields {
            form.append_with_str(k, v).map_err(|_| failed())?;
        }
        form.append_with_blob("file", &file).map_err(|_| failed())?;
        let init = web_sys::RequestInit::new();
        init.set_method("POST");
        init.set_body(&form);
        let resp: web_sys::Response =
            JsFuture::from(window.fetch_with_str_and_init("/api/checkin/photo", &init))
                .await
                .map_err(|_| failed())?
                .dyn_into()
                .map_err(|_| failed())?;
        let text = JsFuture::from(resp.text().map_err(|_| failed())?)
            .await
            .ok()
            .and_then(|t| t.as_string())
            .unwrap_or_default();
        if resp.ok() {
            serde_json::from_str(&text).map_err(|_| failed())
        } else {
            Err(serde_json::from_str::<serde_json::Value>(&text)
                .ok()
                .and_then(|v| v["error"].as_str().map(str::to_string))
                .unwrap_or_else(failed))
        }
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (input, r);
        Err(String::new())
    }
}

/// A random key kept in this browser, so the server can tell one phone used
/// by several people (kept in localStorage; no personal data).
fn device_key() -> String {
    #[cfg(feature = "hydrate")]
    {
        use gloo_storage::{LocalStorage, Storage};
        const KEY: &str = "bhly_device";
        if let Ok(k) = LocalStorage::get::<String>(KEY) {
            return k;
        }
        // Earlier versions stored the key as bare text, not JSON: keep it.
        if let Ok(Some(k)) = LocalStorage::raw().get_item(KEY)
            && !k.is_empty()
            && k.bytes().all(|b| b.is_ascii_hexdigit())
        {
            let _ = LocalStorage::set(KEY, &k);
            return k;
        }
        let key: String = (0..4)
            .map(|_| {
                format!(
                    "{:08x}",
                    (js_sys::Math::random() * f64::from(u32::MAX)) as u32
                )
            })
            .collect();
        let _ = LocalStorage::set(KEY, &key);
        key
    }
    #[cfg(not(feature = "hydrate"))]
    String::new()
}

/// Asks the browser for one high-accuracy position (lat, lng, accuracy m).
pub(super) fn locate(done: impl FnOnce(Result<(f64, f64, f64), String>) + 'static) {
    #[cfg(feature = "hydrate")]
    {
        use std::{cell::RefCell, rc::Rc};
        use wasm_bindgen::{JsCast, closure::Closure};
        let Some(window) = web_sys::window() else {
            return done(Err("无法使用浏览器定位".into()));
        };
        if !window.is_secure_context() {
            return done(Err(
                "当前连接不是 https，浏览器不提供定位。请使用以 https:// 开头的地址打开本页。"
                    .into(),
            ));
        }
        let Ok(geo) = window.navigator().geolocation() else {
            return done(Err("此浏览器不支持定位，请换用系统浏览器或微信打开".into()));
        };
        let done = Rc::new(RefCell::new(Some(done)));
        let d1 = done.clone();
        // GeolocationPosition is an unstable web-sys type; read it by name.
        let num = |v: &wasm_bindgen::JsValue, key: &str| {
            js_sys::Reflect::get(v, &key.into())
                .ok()
                .and_then(|x| x.as_f64())
        };
        let ok = Closure::once_into_js(move |pos: wasm_bindgen::JsValue| {
            let c = js_sys::Reflect::get(&pos, &"coords".into()).unwrap_or_default();
            let reading = match (
                num(&c, "latitude"),
                num(&c, "longitude"),
                num(&c, "accuracy"),
            ) {
                (Some(lat), Some(lng), Some(acc)) => Ok((lat, lng, acc)),
                _ => Err("无法获取位置，请重试".to_string()),
            };
            if let Some(f) = d1.borrow_mut().take() {
                f(reading);
            }
        });
        let d2 = done.clone();
        let err = Closure::once_into_js(move |e: wasm_bindgen::JsValue| {
            let msg = match num(&e, "code").unwrap_or(0.0) as u16 {
                1 => {
                    "未获得定位权限：请在浏览器（或微信右上角菜单）的设置中允许本网站使用位置信息，然后重试。"
                }
                3 => "定位超时：请到室外开阔处，打开手机 GPS 后重试。",
                _ => "无法获取位置：请到室外开阔处，打开手机 GPS 后重试。",
            };
            if let Some(f) = d2.borrow_mut().take() {
                f(Err(msg.into()));
            }
        });
        let opts = web_sys::PositionOptions::new();
        opts.set_enable_high_accuracy(true);
        opts.set_timeout(15_000);
        opts.set_maximum_age(0);
        if geo
            .get_current_position_with_error_callback_and_options(
                ok.unchecked_ref(),
                Some(err.unchecked_ref()),
                &opts,
            )
            .is_err()
            && let Some(f) = done.borrow_mut().take()
        {
            f(Err("无法使用浏览器定位".into()));
        }
    }
    #[cfg(not(feature = "hydrate"))]
    drop(done);
}

/// 考勤统计: a project's month calendar per person, the monthly rate,
/// today's missing check-ins, and the flagged check-ins in scope.
#[component]
pub fn AttendancePage() -> impl IntoView {
    let (filing, month) = (text_param("filing_id"), text_param("month"));
    let save = ServerAction::<SaveCalendar>::new();
    let saved = successes(save);
    let view_data = Resource::new(
        move || (filing.get(), month.get(), saved.get()),
        move |(f, m, _)| async move {
            match f.parse::<i64>() {
                // An empty month means this month (decided by the server's clock).
                Ok(id) => attendance_month(id, m).await.map(Some),
                Err(_) => Ok(None),
            }
        },
    );
    let flagged = Resource::new(|| (), |_| flagged_checkins());
    view! {
        <Title text="考勤统计 · 标后履约监管"/>
        <PageHeader title="考勤统计"/>
        <form method="get" class="filters">
            <ProjectPicker value=filing.get_untracked()/>
            <input type="month" name="month" value=month.get_untracked() aria-label="月份"/>
            <button type="submit" class="btn">"查看"</button>
        </form>
        <Loaded resource=view_data children={move |v: Option<MonthView>| match v {
            None => view! { <p class="muted">"请选择已备案项目。"</p> }.into_any(),
            Some(v) => view! { <MonthCalendar v=v.clone()/> <CalendarForm v save/> }.into_any(),
        }}/>
        <section class="card">
            <h2>"存疑打卡" <ExportLink href="/export/flagged-checkins.xlsx"/></h2>
            <p class="hint">"以下打卡已通过位置判定，但存在异常迹象（移动速度、共用设备、坐标完全相同、定位精度异常），请核查。"</p>
            <Loaded resource=flagged children={|list: Vec<FlaggedCheckin>| view! {
                <DataTable
                    columns=vec!["时间", "人员", "项目", "异常", "定位精度", "照片"]
                    rows=list
                    row=|c: FlaggedCheckin| vec![
                        datetime(c.at).into_any(),
                        c.person.into_any(),
                        c.project.into_any(),
                        c.flags.into_any(),
                        format!("{:.0} 米", c.accuracy_m).into_any(),
                        c.has_photo.then(|| view! {
                            <a href=format!("/files/checkins/{}/photo", c.id) target="_blank" rel="noopener">"查看"</a>
                        }).into_any(),
                    ]
                    empty="暂无存疑打卡"
                />
            }}/>
        </section>
    }
}

#[component]
fn MonthCalendar(v: MonthView) -> impl IntoView {
    let head = v
        .weekdays
        .iter()
        .enumerate()
        .map(|(i, w)| view! { <th scope="col" class:weekend={w == "日"}>{i + 1}<br/><small>{w.clone()}</small></th> })
        .collect_view();
    let rows = v
        .people
        .iter()
        .map(|p| {
            let rate = p.rate().map(|r| format!("{r:.0}%")).unwrap_or_else(|| "—".into());
            let low = p.rate().is_some_and(|r| r < 80.0);
            view! {
                <tr>
                    <th scope="row">{p.name.clone()}<br/><small class="muted">{label_of(&ROSTER_ROLES, &p.role)}</small></th>
                    {p.cells.iter().map(|c| {
                        let (mark, title) = match c.as_str() {
                            "ok" => ("✓", "已打卡"),
                            "flag" => ("⚑", "已打卡（存疑）"),
                            "refused" => ("✗", "打卡未通过"),
                            "none" => ("·", "未打卡"),
                            "rest" => ("", "休息日"),
                            "out" => ("", "不在名单内（入职前或离岗后）"),
                            _ => ("", ""),
                        };
                        view! { <td class=format!("cal-{c}") title=title>{mark}</td> }
                    }).collect_view()}
                    <td class="num" class:bad=low>{rate}<br/><small class="muted">{p.counted} "/" {p.required}</small></td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <section class="card">
            <h2>{v.project.clone()} " · " {v.month.clone()}</h2>
            {(!v.missing_today.is_empty()).then(|| view! {
                <div class="alert alert-warn" role="status">"今日未打卡：" {v.missing_today.join("、")}</div>
            })}
            <div class="table-wrap calendar-wrap">
                <table class="calendar">
                    <thead><tr><th scope="col">"人员"</th>{head}<th scope="col">"出勤率"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
            <p class="hint">"✓ 已打卡　⚑ 已打卡但存疑　✗ 打卡未通过　· 应到未打卡；灰色为休息日或不在名单内的日子；出勤率 = 已打卡天数 / 应出勤天数（按项目考勤日历，自进入名单之日起，截至今日）"</p>
        </section>
    }
}

/// The owner's calendar settings: weekdays, holidays, make-up workdays.
#[component]
fn CalendarForm(v: MonthView, save: ServerAction<SaveCalendar>) -> impl IntoView {
    if !v.editable {
        return ().into_any();
    }
    let errors = FormErrors::of(save);
    const WD: [&str; 7] = ["一", "二", "三", "四", "五", "六", "日"];
    let boxes = (1..=7)
        .map(|d| {
            let checked = v.workdays.contains(char::from(b'0' + d as u8));
            view! {
                <label class="check"><input type="checkbox" name=format!("w{d}") value="1" checked=checked/>"周" {WD[d - 1]}</label>
            }
        })
        .collect_view();
    view! {
        <details class="card calendar-form">
            <summary>"考勤设置（应打卡的日子、现场照片）"</summary>
            <ActionForm action=save attr:class="form">
                <FormAlert errors/>
                <input type="hidden" name="filing_id" value=v.filing_id/>
                <fieldset class="field weekdays">
                    <legend>"每周需打卡的日子"</legend>
                    {boxes}
                    <p class="field-error">{errors.field("workdays")}</p>
                </fieldset>
                <div class="field">
                    <label for="f-holidays">"节假日（不需打卡）"</label>
                    <textarea id="f-holidays" name="holidays" rows="2" placeholder="如：2026-10-01, 2026-10-02">{v.holidays.clone()}</textarea>
                    <p class="field-error">{errors.field("holidays")}</p>
                </div>
                <div class="field">
                    <label for="f-makeup_days">"调休上班日（需打卡）"</label>
                    <textarea id="f-makeup_days" name="makeup_days" rows="2" placeholder="如：2026-10-11">{v.makeup_days.clone()}</textarea>
                    <p class="field-error">{errors.field("makeup_days")}</p>
                </div>
                <label class="check"><input type="checkbox" name="photo_required" value="1" checked=v.photo_required/>
                    "打卡时须拍摄现场照片"</label>
                <div class="form-actions"><SubmitButton label="保存设置" pending=save.pending()/></div>
            </ActionForm>
        </details>
    }
    .into_any()
}
