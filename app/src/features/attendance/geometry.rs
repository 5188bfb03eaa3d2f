//! Attendance-area geometry, decided on the server with the `geo` crate.
//!
//! Areas are stored as GeoJSON in WGS-84 (what phones report): a Polygon, or
//! a Point with a `radius` (metres) for a circle. Distances are computed in a
//! local metric plane around the reading (equirectangular; exact to well
//! under a metre over a construction site), circles by haversine.
use geo::{
    Area as _, Contains, Coord, Distance, Euclidean, Haversine, LineString, Point, Polygon,
    Validation,
};
use serde_json::{Value, json};

/// China's extent, generously (WGS-84 degrees).
const LAT: (f64, f64) = (3.8, 53.6);
const LNG: (f64, f64) = (73.5, 135.1);

/// Limits on what an owner may draw.
#[derive(Debug, Clone, Copy)]
pub struct AreaLimits {
    pub min_m2: f64,
    pub max_m2: f64,
    pub min_radius_m: f64,
    pub max_radius_m: f64,
}

impl Default for AreaLimits {
    fn default() -> Self {
        Self {
            min_m2: 100.0,
            max_m2: 5_000_000.0,
            min_radius_m: 20.0,
            max_radius_m: 2_000.0,
        }
    }
}

/// A validated attendance area. Coordinates are (lng, lat) as in GeoJSON.
#[derive(Debug, Clone, PartialEq)]
pub enum Area {
    Polygon(Vec<(f64, f64)>),
    Circle { center: (f64, f64), radius_m: f64 },
}

fn in_china(lng: f64, lat: f64) -> bool {
    lng.is_finite()
        && lat.is_finite()
        && (LAT.0..=LAT.1).contains(&lat)
        && (LNG.0..=LNG.1).contains(&lng)
}

fn pair(v: &Value) -> Option<(f64, f64)> {
    let a = v.as_array()?;
    (a.len() >= 2).then_some(())?;
    Some((a[0].as_f64()?, a[1].as_f64()?))
}

/// Metres east and north of `origin` (lng, lat).
fn project(origin: (f64, f64), p: (f64, f64)) -> Coord<f64> {
    let k = origin.1.to_radians().cos();
    Coord {
        x: (p.0 - origin.0) * 111_320.0 * k,
        y: (p.1 - origin.1) * 110_540.0,
    }
}

fn projected(ring: &[(f64, f64)], origin: (f64, f64)) -> Polygon<f64> {
    Polygon::new(
        LineString::from(ring.iter().map(|&p| project(origin, p)).collect::<Vec<_>>()),
        vec![],
    )
}

impl Area {
    /// Parses and checks a GeoJSON geometry (or Feature). Messages are for people.
    pub fn parse(v: &Value, limits: &AreaLimits) -> Result<Self, String> {
        let (geometry, props) = match v.get("type").and_then(Value::as_str) {
            Some("Feature") => (
                v.get("geometry").unwrap_or(&Value::Null),
                v.get("properties"),
            ),
            _ => (v, None),
        };
        match geometry.get("type").and_then(Value::as_str) {
            Some("Polygon") => {
                let ring = geometry
                    .get("coordinates")
                    .and_then(|c| c.get(0))
                    .and_then(Value::as_array)
                    .ok_or("区域格式有误：缺少多边形坐标")?;
                let mut pts: Vec<(f64, f64)> = ring
                    .iter()
                    .map(pair)
                    .collect::<Option<_>>()
                    .ok_or("区域格式有误：坐标应为 [经度, 纬度]")?;
                if pts.iter().any(|&(x, y)| !in_china(x, y)) {
                    return Err("区域坐标不在中国境内，请检查经纬度（WGS-84）".into());
                }
                if pts.first() != pts.last() {
                    pts.push(pts[0]);
                }
                let mut distinct = pts[..pts.len() - 1].to_vec();
                distinct.dedup();
                if distinct.len() < 3 {
                    return Err("多边形至少需要 3 个不同的顶点".into());
                }
                let origin = pts[0];
                let poly = projected(&pts, origin);
                if !poly.is_valid() {
                    return Err("多边形的边不能相互交叉".into());
                }
                let area = poly.unsigned_area();
                if area < limits.min_m2 {
                    return Err(format!(
                        "区域面积过小（{area:.0} 平方米，至少 {:.0}）",
                        limits.min_m2
                    ));
                }
                if area > limits.max_m2 {
                    return Err(format!(
                        "区域面积过大（{:.2} 平方公里，至多 {:.2}）",
                        area / 1e6,
                        limits.max_m2 / 1e6
                    ));
                }
                Ok(Self::Polygon(pts))
            }
            Some("Point") => {
                let center = geometry
                    .get("coordinates")
                    .and_then(pair)
                    .ok_or("区域格式有误：缺少圆心坐标")?;
                if !in_china(center.0, center.1) {
                    return Err("区域坐标不在中国境内，请检查经纬度（WGS-84）".into());
                }
                let radius_m = props
                    .and_then(|p| p.get("radius"))
                    .and_then(Value::as_f64)
                    .ok_or("圆形区域须有半径（米）")?;
                if !(limits.min_radius_m..=limits.max_radius_m).contains(&radius_m) {
                    return Err(format!(
                        "圆形区域半径应在 {:.0}–{:.0} 米之间",
                        limits.min_radius_m, limits.max_radius_m
                    ));
                }
                Ok(Self::Circle { center, radius_m })
            }
            _ => Err("区域应为多边形或圆形".into()),
        }
    }

    /// The stored form: a GeoJSON Feature.
    pub fn to_geojson(&self) -> Value {
        match self {
            Self::Polygon(pts) => json!({
                "type": "Feature",
                "geometry": { "type": "Polygon", "coordinates": [pts.iter().map(|&(x, y)| [x, y]).collect::<Vec<_>>()] },
                "properties": {}
            }),
            Self::Circle { center, radius_m } => json!({
                "type": "Feature",
                "geometry": { "type": "Point", "coordinates": [center.0, center.1] },
                "properties": { "radius": radius_m }
            }),
        }
    }

    /// Metres from `p` (lng, lat) to the area: 0 inside or on the edge.
    pub fn distance_m(&self, p: (f64, f64)) -> f64 {
        match self {
            Self::Circle { center, radius_m } => {
                let d = Haversine.distance(Point::new(center.0, center.1), Point::new(p.0, p.1));
                (d - radius_m).max(0.0)
            }
            Self::Polygon(pts) => {
                let poly = projected(pts, p);
                let here = Point::new(0.0, 0.0);
                if poly.contains(&here) {
                    0.0
                } else {
                    Euclidean.distance(&here, poly.exterior())
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A square of about 111 m × 98 m near the county seat.
    fn square() -> Value {
        json!({"type": "Polygon", "coordinates": [[[120.565, 27.662], [120.566, 27.662], [120.566, 27.663], [120.565, 27.663], [120.565, 27.662]]]})
    }

    #[test]
    fn inside_outside_and_on_the_edge() {
        let a = Area::parse(&square(), &AreaLimits::default()).unwrap();
        assert_eq!(a.distance_m((120.5655, 27.6625)), 0.0);
        // On the south edge.
        assert!(a.distance_m((120.5655, 27.662)) < 0.01);
        // 0.001° of latitude south of the edge: about 110.5 m.
        let d = a.distance_m((120.5655, 27.661));
        assert!((d - 110.5).abs() < 1.0, "{d}");
        // A corner: the distance is to the vertex.
        let d = a.distance_m((120.567, 27.664));
        assert!(
            (d - (98.6f64.powi(2) + 110.5f64.powi(2)).sqrt()).abs() < 2.0,
            "{d}"
        );
    }

    #[test]
    fn circles() {
        let c = json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.565, 27.662]}, "properties": {"radius": 100}});
        let a = Area::parse(&c, &AreaLimits::default()).unwrap();
        assert_eq!(a.distance_m((120.5655, 27.662)), 0.0); // ~49 m from the centre
        let d = a.distance_m((120.565, 27.664)); // ~222 m north
        assert!((d - 122.4).abs() < 1.5, "{d}");
        let tiny = json!({"type": "Feature", "geometry": {"type": "Point", "coordinates": [120.565, 27.662]}, "properties": {"radius": 5}});
        assert!(
            Area::parse(&tiny, &AreaLimits::default())
                .unwrap_err()
                .contains("半径")
        );
    }

    #[test]
    fn an_unclosed_ring_is_closed() {
        let open = json!({"type": "Polygon", "coordinates": [[[120.565, 27.662], [120.566, 27.662], [120.566, 27.663], [120.565, 27.663]]]});
        let Area::Polygon(pts) = Area::parse(&open, &AreaLimits::default()).unwrap() else {
            panic!()
        };
        assert_eq!(pts.first(), pts.last());
    }

    #[test]
    fn bad_polygons_are_refused_with_reasons() {
        let l = AreaLimits::default();
        let bowtie = json!({"type": "Polygon", "coordinates": [[[120.565, 27.662], [120.566, 27.663], [120.566, 27.662], [120.565, 27.663], [120.565, 27.662]]]});
        assert!(Area::parse(&bowtie, &l).unwrap_err().contains("交叉"));
        let two = json!({"type": "Polygon", "coordinates": [[[120.565, 27.662], [120.566, 27.662], [120.565, 27.662]]]});
        assert!(Area::parse(&two, &l).unwrap_err().contains("3 个"));
        let abroad = json!({"type": "Polygon", "coordinates": [[[2.35, 48.85], [2.36, 48.85], [2.36, 48.86], [2.35, 48.85]]]});
        assert!(Area::parse(&abroad, &l).unwrap_err().contains("中国境内"));
        let swapped = json!({"type": "Polygon", "coordinates": [[[27.662, 120.565], [27.663, 120.565], [27.663, 120.566], [27.662, 120.565]]]});
        assert!(Area::parse(&swapped, &l).is_err());
        let huge = json!({"type": "Polygon", "coordinates": [[[120.0, 27.0], [121.0, 27.0], [121.0, 28.0], [120.0, 27.0]]]});
        assert!(Area::parse(&huge, &l).unwrap_err().contains("过大"));
        let tiny = json!({"type": "Polygon", "coordinates": [[[120.565, 27.662], [120.56501, 27.662], [120.56501, 27.66201], [120.565, 27.662]]]});
        assert!(Area::parse(&tiny, &l).unwrap_err().contains("过小"));
        assert!(Area::parse(&json!({"type": "LineString"}), &l).is_err());
        assert!(Area::parse(&json!("x"), &l).is_err());
    }

    #[test]
    fn round_trips_through_geojson() {
        let a = Area::parse(&square(), &AreaLimits::default()).unwrap();
        assert_eq!(
            Area::parse(&a.to_geojson(), &AreaLimits::default()).unwrap(),
            a
        );
    }
}
