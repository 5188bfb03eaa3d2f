//! The projects drawn on Leaflet as circle markers: SVG for a county (each
//! marker an element a person or a test can click), a canvas renderer past
//! [`CANVAS_FROM`] markers (a province's 10,000 stay fluid). The layer is
//! redrawn whenever the filtered list changes; a click selects the project.
use super::MapProject;
use crate::kit::map::{PINGYANG, add_scale};
use leptos::prelude::*;
use leptos_leaflet::prelude::*;

/// From this many markers on, draw on one canvas instead of SVG elements.
#[cfg_attr(not(feature = "hydrate"), allow(dead_code))]
pub const CANVAS_FROM: usize = 2000;

#[component]
pub fn ProjectsMap(
    /// The projects that pass the filters (those without a site are skipped).
    projects: Signal<Vec<MapProject>>,
    selected: RwSignal<i64>,
    /// The page is in full-screen (大屏) mode: the map's size changed.
    full: RwSignal<bool>,
    tile_url: String,
    datum: String,
) -> impl IntoView {
    let (map, set_map) = signal_local::<Option<leptos_leaflet::leaflet::Map>>(None);
    let drawn = RwSignal::new(0usize);
    Effect::new(move |_| {
        if let Some(m) = map.get() {
            add_scale(&m);
        }
    });
    // The layer of markers, kept between redraws.
    let layer = StoredValue::new_local(None::<leptos_leaflet::leaflet::LayerGroup>);
    let fitted = StoredValue::new(false);
    let d = datum.clone();
    Effect::new(move |_| {
        let list = projects.get();
        let Some(m) = map.get() else { return };
        let n = draw(&m, layer, &list, &d, selected, !fitted.get_value());
        fitted.set_value(true);
        drawn.set(n);
    });
    // Leaflet measures its box once: tell it when 大屏 resizes it.
    Effect::new(move |_| {
        full.track();
        if let Some(m) = map.get_untracked() {
            set_timeout(
                move || {
                    m.invalidate_size(false);
                },
                std::time::Duration::from_millis(50),
            );
        }
    });
    // A project chosen from a list is brought into view.
    let d2 = datum.clone();
    Effect::new(move |_| {
        let id = selected.get();
        let Some(m) = map.get_untracked() else { return };
        if let Some((lat, lng)) =
            projects.with_untracked(|ps| ps.iter().find(|p| p.filing_id == id).and_then(|p| p.site))
        {
            let p = crate::kit::map::shown(&d2, lat, lng);
            m.set_view(
                &leptos_leaflet::leaflet::LatLng::new(p.lat, p.lng),
                m.get_zoom().max(14.0),
            );
        }
    });
    let tiles =
        (!tile_url.is_empty()).then(|| view! { <TileLayer url=tile_url.clone() attribution=""/> });
    view! {
        <div class="map-frame" data-markers=move || drawn.get()>
            <MapContainer class="map map-county" center=Position::new(PINGYANG.0, PINGYANG.1) zoom=11.0 map=set_map>
                {tiles}
            </MapContainer>
        </div>
    }
}

/// Replaces the markers with `list`'s; returns how many were drawn.
fn draw(
    map: &leptos_leaflet::leaflet::Map,
    layer: StoredValue<Option<leptos_leaflet::leaflet::LayerGroup>, LocalStorage>,
    list: &[MapProject],
    datum: &str,
    selected: RwSignal<i64>,
    fit: bool,
) -> usize {
    #[cfg(feature = "hydrate")]
    {
        use js_sys::{Function, Object, Reflect};
        use leptos_leaflet::leaflet::{CircleMarker, LatLng, LatLngBounds, LayerGroup};
        use wasm_bindgen::{JsCast, JsValue, closure::Closure};
        let group = layer.with_value(|g| g.clone()).unwrap_or_else(|| {
            let g = LayerGroup::new();
            let as_layer: &leptos_leaflet::leaflet::Layer = g.unchecked_ref();
            as_layer.add_to(map);
            layer.set_value(Some(g.clone()));
            g
        });
        group.clear_layers();
        let sited: Vec<&MapProject> = list.iter().filter(|p| p.site.is_some()).collect();
        let renderer = (sited.len() >= CANVAS_FROM)
            .then(|| {
                let l = Reflect::get(&web_sys::window()?.into(), &"L".into()).ok()?;
                let canvas: Function = Reflect::get(&l, &"canvas".into()).ok()?.dyn_into().ok()?;
                canvas.call0(&l).ok()
            })
            .flatten();
        let mut bounds: Option<LatLngBounds> = None;
        for p in &sited {
            let Some((lat, lng)) = p.site else { continue };
            let pos = crate::kit::map::shown(datum, lat, lng);
            let ll = LatLng::new(pos.lat, pos.lng);
            let opts = Object::new();
            let set = |k: &str, v: JsValue| {
                let _ = Reflect::set(&opts, &k.into(), &v);
            };
            let orders = p.orders > 0;
            set("radius", 8.0.into());
            set("fillColor", p.light.colour().into());
            set("fillOpacity", 0.9.into());
            // A dark ring marks open supervision orders.
            set("color", if orders { "#202124" } else { "#ffffff" }.into());
            set("weight", if orders { 3.0 } else { 1.5 }.into());
            set("className", format!("pm pm-{}", p.filing_id).into());
            if let Some(r) = &renderer {
                set("renderer", r.clone());
            }
            let marker = CircleMarker::new_with_options(&ll, &opts);
            let id = p.filing_id;
            let click = Closure::<dyn Fn(JsValue)>::new(move |_| selected.set(id)).into_js_value();
            let evented: &leptos_leaflet::leaflet::Evented = marker.unchecked_ref();
            evented.on("click", &click);
            // The name on hover (the crate's binding names a method Leaflet lacks).
            if let Ok(bind) =
                Reflect::get(&marker, &"bindTooltip".into()).and_then(|f| f.dyn_into::<Function>())
            {
                let _ = bind.call1(&marker, &p.name.clone().into());
            }
            let as_layer: &leptos_leaflet::leaflet::Layer = marker.unchecked_ref();
            group.add_layer(as_layer);
            match &bounds {
                Some(b) => {
                    b.extend(&ll);
                }
                None => bounds = Some(LatLngBounds::new(&ll, &ll)),
            }
        }
        if fit && let Some(b) = bounds {
            let opts = Object::new();
            let _ = Reflect::set(
                &opts,
                &"padding".into(),
                &js_sys::Array::of2(&30.into(), &30.into()),
            );
            let _ = Reflect::set(&opts, &"maxZoom".into(), &15.into());
            map.fit_bounds_with_options(&b, &opts);
        }
        sited.len()
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = (map, layer, list, datum, selected, fit);
        0
    }
}
