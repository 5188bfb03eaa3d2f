//! 考勤区域 on a map: the owner draws polygons and circles (Leaflet-Geoman,
//! with vertex editing, moving and removal before saving), sees the saved
//! areas, and deletes them. The map renders only after hydration (leaflet
//! cannot run during SSR), and works with no tiles on a plain background.
use super::{AreaItem, AreasView, RemoveArea, SaveArea, list_areas};
use crate::{
    domain::datum::{Datum, parse_coordinate, wgs_to_gcj},
    kit::{
        form::{FormAlert, FormErrors, SubmitButton, TextField, successes},
        layout::PageHeader,
        map::{PINGYANG, Shape, add_scale, load_scripts},
        status::Loaded,
        table::{DataTable, id_param},
    },
};
use leptos::prelude::*;
use leptos_leaflet::prelude::*;
use leptos_meta::{Stylesheet, Title};

#[component]
pub fn AreasPage() -> impl IntoView {
    let id = id_param();
    let save = ServerAction::<SaveArea>::new();
    let remove = ServerAction::<RemoveArea>::new();
    let (s1, s2) = (successes(save), successes(remove));
    let view_data = Resource::new(
        move || (id.get(), s1.get(), s2.get()),
        |(id, _, _)| list_areas(id),
    );
    let hydrated = RwSignal::new(false);
    let scripts = RwSignal::new(false);
    Effect::new(move |_| {
        hydrated.set(true);
        load_scripts(scripts, true);
    });
    // The drawn, not yet saved area (GeoJSON, WGS-84).
    let drawn = RwSignal::new(String::new());
    // After a save the drawn shape *is* the saved area: nothing is left to
    // save again (the map is drawn afresh from the saved list).
    Effect::new(move |_| {
        if s1.get() > 0 {
            drawn.set(String::new());
        }
    });
    let errors = FormErrors::of(save);
    view! {
        <Title text="考勤区域 · 标后履约监管"/>
        <Stylesheet id="leaflet-css" href="/vendor/leaflet/leaflet.css"/>
        <Stylesheet id="geoman-css" href="/vendor/geoman/leaflet-geoman.css"/>
        <PageHeader title="考勤区域">
            <a class="btn" href=move || format!("/filings/{}", id.get())>"返回备案"</a>
        </PageHeader>
        <Show when=move || s1.get() != 0>
            <div class="alert alert-ok" role="status">"区域已保存。关键人员在该区域内即可打卡。"</div>
        </Show>
        <Show when=move || s2.get() != 0>
            <div class="alert alert-ok" role="status">"区域已删除，删除原因已记入变更记录。"</div>
        </Show>
        <Loaded resource=view_data children={move |v: AreasView| {
            let editable = v.editable;
            let submitted = v.submitted;
            let filing_id = v.filing_id;
            let list = v.areas.clone();
            view! {
                <section class="card">
                    <h2>{v.project.clone()}</h2>
                    <Show when=move || hydrated.get() && scripts.get()
                        fallback=|| view! { <div class="map map-placeholder">"地图加载中…"</div> }>
                        <AreaMap v=v.clone() drawn editable/>
                    </Show>
                    {editable.then(|| view! {
                        <p class="hint">"先用上方“定位”找到工地（输入坐标或用当前位置），再用地图左上角的工具画多边形或圆形；画好后可拖动顶点、整体移动或删除，再填写名称保存。"</p>
                        <ActionForm action=save attr:class="form" attr:novalidate=true>
                            <FormAlert errors/>
                            <input type="hidden" name="filing_id" value=filing_id/>
                            <input type="hidden" name="geojson" prop:value=move || drawn.get()/>
                            <TextField label="区域名称" name="name" errors required=true maxlength=30 placeholder="如：主施工区"/>
                            <p class="field-error" id="f-geojson-err">{errors.field("geojson")}</p>
                            <div class="form-actions">
                                <SubmitButton label="保存区域" pending=save.pending()/>
                                <span class="muted drawn-state">{move || if drawn.get().is_empty() { "尚未绘制" } else { "已绘制，待保存" }}</span>
                            </div>
                        </ActionForm>
                    })}
                </section>
                <section class="card">
                    <h2>"已保存的区域"</h2>
                    <FormAlert errors=FormErrors::of(remove)/>
                    <DataTable
                        columns=vec!["名称", "形状", ""]
                        rows=list
                        row=move |a: AreaItem| vec![
                            a.name.clone().into_any(),
                            (if a.geojson.contains("\"Point\"") { "圆形" } else { "多边形" }).into_any(),
                            editable.then(|| view! { <RemoveAreaForm remove filing_id area=a.clone() submitted/> }).into_any(),
                        ]
                        empty="尚未设置考勤区域：关键人员无法打卡"
                    />
                </section>
            }
        }}/>
    }
}

/// 删除: opens a confirmation with the reason (required once the filing is
/// submitted, as every change after filing); a plain form, so it works
/// without JavaScript too.
#[component]
fn RemoveAreaForm(
    remove: ServerAction<RemoveArea>,
    filing_id: i64,
    area: AreaItem,
    submitted: bool,
) -> impl IntoView {
    let errors = FormErrors::of(remove);
    let label = if submitted {
        "删除原因（必填）"
    } else {
        "删除原因"
    };
    view! {
        <details class="confirm">
            <summary class="btn btn-small btn-danger">"删除"</summary>
            <ActionForm action=remove attr:class="form confirm-form" attr:novalidate=true>
                <input type="hidden" name="filing_id" value=filing_id/>
                <input type="hidden" name="area_id" value=area.id/>
                <p>"确认删除“" {area.name.clone()} "”？删除后关键人员不能再在该区域打卡。"</p>
                // One form per area: the field's id names the area.
                <div class="field">
                    <label for=format!("area-reason-{}", area.id)>{label}</label>
                    <input id=format!("area-reason-{}", area.id) name="reason" type="text" maxlength=200
                        required=submitted placeholder="如：围挡调整，改用新范围"/>
                    <p class="field-error" role="alert">{errors.field("reason")}</p>
                </div>
                <button type="submit" class="btn btn-small btn-danger">"确认删除"</button>
            </ActionForm>
        </details>
    }
}

#[component]
fn AreaMap(v: AreasView, drawn: RwSignal<String>, editable: bool) -> impl IntoView {
    let list: Vec<Shape> = v
        .areas
        .iter()
        .filter_map(|a| Shape::parse(&a.geojson, &v.tile_datum))
        .collect();
    let center = list
        .first()
        .and_then(Shape::centre)
        .unwrap_or(Position::new(PINGYANG.0, PINGYANG.1));
    let (map, set_map) = signal_local::<Option<leptos_leaflet::leaflet::Map>>(None);
    let gcj = v.tile_datum == "gcj02";
    Effect::new(move |_| {
        if let Some(m) = map.get() {
            add_scale(&m);
            if editable {
                setup_drawing(&m, drawn, gcj);
            }
        }
    });
    // Finding the site without tiles: a coordinate pasted from a map app (in
    // its datum) or the browser's own position centres the map there.
    let place = RwSignal::new(String::new());
    let place_datum = RwSignal::new("wgs84".to_string());
    let place_msg = RwSignal::new(String::new());
    let go_to = move |(lat, lng): (f64, f64)| {
        let (lat, lng) = if gcj {
            wgs_to_gcj(lat, lng)
        } else {
            (lat, lng)
        };
        if let Some(m) = map.get_untracked() {
            m.set_view(&leptos_leaflet::leaflet::LatLng::new(lat, lng), 17.0);
        }
    };
    let on_place = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match parse_coordinate(&place.get_untracked()) {
            Ok((lat, lng)) => {
                let (wlat, wlng) = Datum::parse(&place_datum.get_untracked()).to_wgs(lat, lng);
                go_to((wlat, wlng));
                place_msg.set(format!("已定位到 {wlat:.6}, {wlng:.6}（WGS-84）"));
            }
            Err(e) => place_msg.set(e),
        }
    };
    let on_me = move |_| {
        place_msg.set("正在获取当前位置…".into());
        super::pages::locate(move |r| match r {
            Ok((lat, lng, acc)) => {
                go_to((lat, lng));
                place_msg.set(format!("已定位到当前位置（精度约 {acc:.0} 米）"));
            }
            Err(e) => place_msg.set(e),
        });
    };
    let tiles = (!v.tile_url.is_empty())
        .then(|| view! { <TileLayer url=v.tile_url.clone() attribution=""/> });
    let overlays = list.into_iter().map(|s| s.view("#1b5fc1")).collect_view();
    view! {
        <form class="map-locate" on:submit=on_place aria-label="定位">
            <label for="map-place">"定位到坐标"</label>
            <input id="map-place" type="text" inputmode="decimal" placeholder="如 27.6625, 120.5655"
                prop:value=move || place.get() on:input=move |e| place.set(event_target_value(&e))/>
            <select aria-label="坐标系" on:change=move |e| place_datum.set(event_target_value(&e))>
                <option value="wgs84">"GPS / 天地图（WGS-84）"</option>
                <option value="gcj02">"高德 / 腾讯 / 微信（GCJ-02）"</option>
                <option value="bd09">"百度（BD-09）"</option>
            </select>
            <button type="submit" class="btn btn-small">"定位"</button>
            <button type="button" class="btn btn-small" on:click=on_me>"我的位置"</button>
            <span class="muted map-locate-msg" role="status">{move || place_msg.get()}</span>
        </form>
        <MapContainer class="map" center=center zoom=17.0 map=set_map>
            {tiles}
            {overlays}
        </MapContainer>
    }
}

/// Adds the Geoman toolbar (Chinese) and keeps `drawn` in step with the one
/// unsaved shape: created, edited, dragged or removed.
fn setup_drawing(map: &leptos_leaflet::leaflet::Map, drawn: RwSignal<String>, gcj: bool) {
    #[cfg(feature = "hydrate")]
    {
        use js_sys::{Function, Object, Reflect};
        use std::{cell::RefCell, rc::Rc};
        use wasm_bindgen::{JsCast, JsValue, closure::Closure};
        let m: &JsValue = map.as_ref();
        let Ok(pm) = Reflect::get(m, &"pm".into()) else {
            return;
        };
        let call = |obj: &JsValue, name: &str, args: &[JsValue]| -> Option<JsValue> {
            let f: Function = Reflect::get(obj, &name.into()).ok()?.dyn_into().ok()?;
            f.apply(obj, &args.iter().cloned().collect()).ok()
        };
        let _ = call(&pm, "setLang", &["zh".into()]);
        let opts = Object::new();
        for (k, v) in [
            ("drawMarker", false),
            ("drawCircleMarker", false),
            ("drawPolyline", false),
            ("drawText", false),
            ("cutPolygon", false),
            ("rotateMode", false),
            ("drawRectangle", true),
            ("drawPolygon", true),
            ("drawCircle", true),
            ("editMode", true),
            ("dragMode", true),
            ("removalMode", true),
        ] {
            let _ = Reflect::set(&opts, &k.into(), &v.into());
        }
        let _ = Reflect::set(&opts, &"position".into(), &"topleft".into());
        let _ = call(&pm, "addControls", &[opts.into()]);

        let current: Rc<RefCell<Option<JsValue>>> = Rc::default();
        let to_wgs = move |lat: f64, lng: f64| {
            if gcj {
                crate::domain::datum::gcj_to_wgs(lat, lng)
            } else {
                (lat, lng)
            }
        };
        let num = |v: &JsValue, k: &str| {
            Reflect::get(v, &k.into())
                .ok()
                .and_then(|x| x.as_f64())
                .unwrap_or(f64::NAN)
        };
        let describe = move |layer: &JsValue| -> String {
            if Reflect::get(layer, &"getRadius".into()).is_ok_and(|f| f.is_function()) {
                let c = call(layer, "getLatLng", &[]).unwrap_or_default();
                let r = call(layer, "getRadius", &[])
                    .and_then(|x| x.as_f64())
                    .unwrap_or(0.0);
                let (lat, lng) = to_wgs(num(&c, "lat"), num(&c, "lng"));
                serde_json::json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [lng, lat]}, "properties": {"radius": r}}).to_string()
            } else {
                let gj = call(layer, "toGeoJSON", &[]).unwrap_or_default();
                let text = js_sys::JSON::stringify(&gj)
                    .ok()
                    .and_then(|s| s.as_string())
                    .unwrap_or_default();
                let Ok(mut v) = serde_json::from_str::<serde_json::Value>(&text) else {
                    return String::new();
                };
                if let Some(ring) = v
                    .pointer_mut("/geometry/coordinates/0")
                    .and_then(|r| r.as_array_mut())
                {
                    for p in ring.iter_mut() {
                        if let (Some(lng), Some(lat)) = (
                            p.get(0).and_then(|x| x.as_f64()),
                            p.get(1).and_then(|x| x.as_f64()),
                        ) {
                            let (wlat, wlng) = to_wgs(lat, lng);
                            *p = serde_json::json!([wlng, wlat]);
                        }
                    }
                }
                v.to_string()
            }
        };
        let cur = current.clone();
        let map_value = m.clone();
        let on_create = Closure::<dyn Fn(JsValue)>::new(move |e: JsValue| {
            let Ok(layer) = Reflect::get(&e, &"layer".into()) else {
                return;
            };
            // One unsaved shape at a time: a new one replaces the last.
            if let Some(old) = cur.borrow_mut().replace(layer.clone()) {
                let _ = call(&map_value, "removeLayer", &[old]);
            }
            drawn.set(describe(&layer));
            let l2 = layer.clone();
            let on_edit =
                Closure::<dyn Fn(JsValue)>::new(move |_: JsValue| drawn.set(describe(&l2)));
            for ev in ["pm:edit", "pm:dragend"] {
                let _ = call(&layer, "on", &[ev.into(), on_edit.as_ref().clone()]);
            }
            on_edit.forget();
            let cur2 = cur.clone();
            let on_remove = Closure::<dyn Fn(JsValue)>::new(move |_: JsValue| {
                cur2.borrow_mut().take();
                drawn.set(String::new());
            });
            let _ = call(
                &layer,
                "on",
                &["pm:remove".into(), on_remove.as_ref().clone()],
            );
            on_remove.forget();
        });
        let _ = call(m, "on", &["pm:create".into(), on_create.as_ref().clone()]);
        on_create.forget();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (map, drawn, gcj);
}
