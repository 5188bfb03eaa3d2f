//! The site on the map: a marker the owner places by clicking and moves by
//! dragging, over the project's attendance areas (drawn for reference). The
//! marker's position goes to the form's `point` field in WGS-84 (the map's
//! datum is undone first), so typing a coordinate works without the map too.
use super::AreaShape;
use crate::kit::map::{PINGYANG, Shape, add_scale, shown, stored};
use leptos::prelude::*;
use leptos_leaflet::prelude::*;

/// "27.662000, 120.565000": the form's text of a stored point.
pub fn point_text(lat: f64, lng: f64) -> String {
    format!("{lat:.6}, {lng:.6}")
}

#[component]
pub fn SiteMap(
    /// The stored site (WGS-84), if any.
    site: Option<(f64, f64)>,
    areas: Vec<AreaShape>,
    tile_url: String,
    datum: String,
    /// The form's `point` field; set when the marker is placed or moved.
    point: RwSignal<String>,
    editable: bool,
) -> impl IntoView {
    let shapes: Vec<Shape> = areas
        .iter()
        .filter_map(|a| Shape::parse(&a.geojson, &datum))
        .collect();
    let start = site
        .map(|(lat, lng)| shown(&datum, lat, lng))
        .or_else(|| shapes.first().and_then(Shape::centre));
    let center = start.unwrap_or(Position::new(PINGYANG.0, PINGYANG.1));
    let zoom = if start.is_some() { 16.0 } else { 11.0 };
    // Where the marker is, in the map's datum (None until placed).
    let marker = RwSignal::new(start);
    let (map, set_map) = signal_local::<Option<leptos_leaflet::leaflet::Map>>(None);
    Effect::new(move |_| {
        if let Some(m) = map.get() {
            add_scale(&m);
        }
    });
    let d1 = datum.clone();
    let place = move |lat: f64, lng: f64| {
        marker.set(Some(Position::new(lat, lng)));
        let (wlat, wlng) = stored(&d1, lat, lng);
        point.set(point_text(wlat, wlng));
    };
    let place2 = place.clone();
    let events = MapEvents::new().mouse_click(move |e| {
        if editable {
            let ll = e.lat_lng();
            place(ll.lat(), ll.lng());
        }
    });
    // The typed coordinate (WGS-84) moves the marker too.
    let d2 = datum.clone();
    Effect::new(move |_| {
        let text = point.get();
        if let Ok((lat, lng)) = crate::domain::datum::parse_coordinate(&text) {
            let p = shown(&d2, lat, lng);
            let moved = marker
                .get_untracked()
                .is_none_or(|m| (m.lat - p.lat).abs() > 1e-7 || (m.lng - p.lng).abs() > 1e-7);
            if moved {
                marker.set(Some(p));
                if let Some(m) = map.get_untracked() {
                    m.set_view(&leptos_leaflet::leaflet::LatLng::new(p.lat, p.lng), 16.0);
                }
            }
        }
    });
    let tiles =
        (!tile_url.is_empty()).then(|| view! { <TileLayer url=tile_url.clone() attribution=""/> });
    let overlays = shapes.into_iter().map(|s| s.view("#1b5fc1")).collect_view();
    view! {
        <MapContainer class="map map-site" center=center zoom=zoom map=set_map events>
            {tiles}
            {overlays}
            <Show when=move || marker.get().is_some()>
                {
                    // Made here: the drag handlers live in the browser only.
                    let place = place2.clone();
                    let drag = DragEvents::new().on_drag_end(move |e| {
                        if let Ok(m) = wasm_target(&e) {
                            place(m.0, m.1);
                        }
                    });
                    view! {
                        <Marker position=Signal::derive_local(move || marker.get().unwrap_or(center))
                            draggable=editable drag_events=drag/>
                    }
                }
            </Show>
        </MapContainer>
    }
}

/// Where a dragged marker ended (lat, lng in the map's datum).
fn wasm_target(e: &leptos_leaflet::leaflet::DragEndEvent) -> Result<(f64, f64), ()> {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::JsCast;
        let target = js_sys::Reflect::get(e.as_ref(), &"target".into()).map_err(|_| ())?;
        let get: js_sys::Function = js_sys::Reflect::get(&target, &"getLatLng".into())
            .map_err(|_| ())?
            .dyn_into()
            .map_err(|_| ())?;
        let ll = get.call0(&target).map_err(|_| ())?;
        let num = |k: &str| {
            js_sys::Reflect::get(&ll, &k.into())
                .ok()
                .and_then(|v| v.as_f64())
                .ok_or(())
        };
        Ok((num("lat")?, num("lng")?))
    }
    #[cfg(not(feature = "hydrate"))]
    {
        let _ = e;
        Err(())
    }
}
