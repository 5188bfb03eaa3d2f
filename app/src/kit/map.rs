//! What every Leaflet map of the app shares: loading Leaflet from /vendor
//! after hydration (leptos-leaflet cannot run during SSR), the scale bar
//! (distances read without tiles), stored shapes made ready to draw in the
//! display datum, and where a map with nothing on it opens.
use crate::domain::datum::wgs_to_gcj;
use leptos::prelude::*;
use leptos_leaflet::prelude::*;

/// The county seat of Pingyang: where a map without anything on it opens.
pub const PINGYANG: (f64, f64) = (27.662, 120.565);

/// A stored position (WGS-84) as the map draws it: shifted to GCJ-02 for
/// Gaode-style tiles (`datum` "gcj02").
pub fn shown(datum: &str, lat: f64, lng: f64) -> Position {
    let (lat, lng) = if datum == "gcj02" {
        wgs_to_gcj(lat, lng)
    } else {
        (lat, lng)
    };
    Position::new(lat, lng)
}

/// A position on the map back to what is stored (WGS-84).
pub fn stored(datum: &str, lat: f64, lng: f64) -> (f64, f64) {
    if datum == "gcj02" {
        crate::domain::datum::gcj_to_wgs(lat, lng)
    } else {
        (lat, lng)
    }
}

/// One stored area (GeoJSON, WGS-84), ready to draw (display datum applied).
pub enum Shape {
    Polygon(Vec<Position>),
    Circle(Position, f64),
}

impl Shape {
    /// Reads an area as the attendance feature stores it: a GeoJSON Feature
    /// with a Polygon, or a Point with `properties.radius` (a circle).
    pub fn parse(geojson: &str, datum: &str) -> Option<Self> {
        let g: serde_json::Value = serde_json::from_str(geojson).ok()?;
        let geom = g.get("geometry")?;
        let pair = |c: &serde_json::Value| Some((c.get(1)?.as_f64()?, c.get(0)?.as_f64()?));
        match geom.get("type")?.as_str()? {
            "Polygon" => Some(Self::Polygon(
                geom.get("coordinates")?
                    .get(0)?
                    .as_array()?
                    .iter()
                    .filter_map(pair)
                    .map(|(la, ln)| shown(datum, la, ln))
                    .collect(),
            )),
            "Point" => {
                let (la, ln) = pair(geom.get("coordinates")?)?;
                Some(Self::Circle(
                    shown(datum, la, ln),
                    g.get("properties")?.get("radius")?.as_f64()?,
                ))
            }
            _ => None,
        }
    }

    /// Its centre (a polygon's vertex mean).
    pub fn centre(&self) -> Option<Position> {
        match self {
            Self::Polygon(p) if !p.is_empty() => {
                let n = p.len() as f64;
                Some(Position::new(
                    p.iter().map(|q| q.lat).sum::<f64>() / n,
                    p.iter().map(|q| q.lng).sum::<f64>() / n,
                ))
            }
            Self::Polygon(_) => None,
            Self::Circle(c, _) => Some(*c),
        }
    }

    /// The shape as a Leaflet layer.
    pub fn view(self, color: &'static str) -> AnyView {
        match self {
            Self::Polygon(p) => view! { <Polygon positions=p color=color/> }.into_any(),
            Self::Circle(c, r) => view! { <Circle center=c radius=r color=color/> }.into_any(),
        }
    }
}

/// A metric scale bar (Leaflet's own control), so distances read without tiles.
pub fn add_scale(map: &leptos_leaflet::leaflet::Map) {
    #[cfg(feature = "hydrate")]
    {
        use js_sys::{Function, Object, Reflect};
        use wasm_bindgen::{JsCast, JsValue};
        let run = || -> Option<()> {
            let window: JsValue = web_sys::window()?.into();
            let l = Reflect::get(&window, &"L".into()).ok()?;
            let control = Reflect::get(&l, &"control".into()).ok()?;
            let scale: Function = Reflect::get(&control, &"scale".into())
                .ok()?
                .dyn_into()
                .ok()?;
            let opts = Object::new();
            Reflect::set(&opts, &"imperial".into(), &false.into()).ok()?;
            let bar = scale.call1(&control, &opts).ok()?;
            let add: Function = Reflect::get(&bar, &"addTo".into()).ok()?.dyn_into().ok()?;
            let m: &JsValue = map.as_ref();
            add.call1(&bar, m).ok()?;
            Some(())
        };
        let _ = run();
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = map;
}

/// True once the page is hydrated and Leaflet (and Geoman when `geoman`)
/// has loaded: a map page shows its map under `<Show when=ready>`.
pub fn leaflet_ready(geoman: bool) -> Signal<bool> {
    let hydrated = RwSignal::new(false);
    let scripts = RwSignal::new(false);
    Effect::new(move |_| {
        hydrated.set(true);
        load_scripts(scripts, geoman);
    });
    Signal::derive(move || hydrated.get() && scripts.get())
}

/// Loads Leaflet (served from /vendor), then Leaflet-Geoman when `geoman`
/// (drawing tools), then sets `ready`. Scripts already there are not loaded
/// again.
pub fn load_scripts(ready: RwSignal<bool>, geoman: bool) {
    #[cfg(feature = "hydrate")]
    {
        use wasm_bindgen::{JsCast, closure::Closure};
        let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
            return;
        };
        let loaded = |name: &str| {
            web_sys::window()
                .and_then(|w| js_sys::Reflect::get(&w, &name.into()).ok())
                .is_some_and(|v| !v.is_undefined())
        };
        if loaded("L")
            && (!geoman
                || js_sys::Reflect::get(
                    &js_sys::Reflect::get(&web_sys::window().unwrap(), &"L".into()).unwrap(),
                    &"PM".into(),
                )
                .is_ok_and(|v| !v.is_undefined()))
        {
            ready.set(true);
            return;
        }
        let add = move |src: &str, then: Box<dyn FnOnce()>| {
            if let Ok(el) = doc.create_element("script") {
                let _ = el.set_attribute("src", src);
                let cb = Closure::once_into_js(then);
                let _ = js_sys::Reflect::set(&el, &"onload".into(), cb.unchecked_ref());
                if let Some(head) = doc.head() {
                    let _ = head.append_child(&el);
                }
            }
        };
        let add2 = add.clone();
        add(
            "/vendor/leaflet/leaflet.js",
            Box::new(move || {
                if geoman {
                    add2(
                        "/vendor/geoman/leaflet-geoman.min.js",
                        Box::new(move || ready.set(true)),
                    )
                } else {
                    ready.set(true)
                }
            }),
        );
    }
    #[cfg(not(feature = "hydrate"))]
    let _ = (ready, geoman);
}
