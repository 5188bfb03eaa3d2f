//! WGS-84 ↔ GCJ-02. Phones report WGS-84 and we store it; Gaode-style tiles
//! draw in GCJ-02 (offset by hundreds of metres), so a map on such tiles
//! shifts stored positions for display and drawn positions back before
//! saving. The forward formula is the published one; the inverse iterates.

const A: f64 = 6_378_245.0;
const EE: f64 = 0.006_693_421_622_965_943;

fn d_lat(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    r
}

fn d_lng(x: f64, y: f64) -> f64 {
    use std::f64::consts::PI;
    let mut r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * x.abs().sqrt();
    r += (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    r += (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0;
    r += (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    r
}

/// WGS-84 (lat, lng) → GCJ-02 (lat, lng).
pub fn wgs_to_gcj(lat: f64, lng: f64) -> (f64, f64) {
    use std::f64::consts::PI;
    let (x, y) = (lng - 105.0, lat - 35.0);
    let rad = lat / 180.0 * PI;
    let magic = 1.0 - EE * rad.sin() * rad.sin();
    let sqrt_magic = magic.sqrt();
    let dlat = d_lat(x, y) * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let dlng = d_lng(x, y) * 180.0 / (A / sqrt_magic * rad.cos() * PI);
    (lat + dlat, lng + dlng)
}

/// GCJ-02 (lat, lng) → WGS-84 (lat, lng), to well under a metre.
pub fn gcj_to_wgs(lat: f64, lng: f64) -> (f64, f64) {
    let (mut wlat, mut wlng) = (lat, lng);
    for _ in 0..8 {
        let (glat, glng) = wgs_to_gcj(wlat, wlng);
        wlat -= glat - lat;
        wlng -= glng - lng;
    }
    (wlat, wlng)
}

/// BD-09 (Baidu) (lat, lng) → GCJ-02 (lat, lng), the published formula.
pub fn bd_to_gcj(lat: f64, lng: f64) -> (f64, f64) {
    let x_pi = std::f64::consts::PI * 3000.0 / 180.0;
    let (x, y) = (lng - 0.0065, lat - 0.006);
    let z = x.hypot(y) - 0.00002 * (y * x_pi).sin();
    let theta = y.atan2(x) - 0.000003 * (x * x_pi).cos();
    (z * theta.sin(), z * theta.cos())
}

/// The datum a pasted coordinate is in: phones' GPS and 天地图 use WGS-84,
/// 高德/腾讯/微信 share GCJ-02, 百度 BD-09.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Datum {
    Wgs84,
    Gcj02,
    Bd09,
}

impl Datum {
    pub fn parse(code: &str) -> Self {
        match code {
            "gcj02" => Self::Gcj02,
            "bd09" => Self::Bd09,
            _ => Self::Wgs84,
        }
    }

    /// (lat, lng) in this datum → WGS-84, the datum we store.
    pub fn to_wgs(self, lat: f64, lng: f64) -> (f64, f64) {
        match self {
            Self::Wgs84 => (lat, lng),
            Self::Gcj02 => gcj_to_wgs(lat, lng),
            Self::Bd09 => {
                let (glat, glng) = bd_to_gcj(lat, lng);
                gcj_to_wgs(glat, glng)
            }
        }
    }
}

/// Reads a coordinate as map apps share it: "27.6625, 120.5655" or
/// "120.5655,27.6625" (either order: in China a longitude is above 73, a
/// latitude below 54), separated by a comma (ASCII or full-width) or spaces.
/// Returns (lat, lng); refuses points outside China's extent.
pub fn parse_coordinate(text: &str) -> Result<(f64, f64), String> {
    let numbers: Vec<f64> = text
        .split(|c: char| c == ',' || c == '，' || c.is_whitespace())
        .filter(|p| !p.is_empty())
        .map(|p| p.parse::<f64>())
        .collect::<Result<_, _>>()
        .map_err(|_| "坐标应为两个数字，如 27.6625, 120.5655".to_string())?;
    let [a, b] = numbers[..] else {
        return Err("坐标应为两个数字，如 27.6625, 120.5655".into());
    };
    let (lat, lng) = if a > b { (b, a) } else { (a, b) };
    if !((3.0..=54.0).contains(&lat) && (73.0..=136.0).contains(&lng)) {
        return Err("该坐标不在中国境内，请核对经纬度".into());
    }
    Ok((lat, lng))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_coordinates_in_either_order() {
        assert_eq!(
            parse_coordinate("27.6625, 120.5655"),
            Ok((27.6625, 120.5655))
        );
        assert_eq!(
            parse_coordinate("120.5655，27.6625"),
            Ok((27.6625, 120.5655))
        );
        assert_eq!(
            parse_coordinate(" 120.5655 27.6625 "),
            Ok((27.6625, 120.5655))
        );
        assert!(parse_coordinate("27.6625").is_err());
        assert!(parse_coordinate("abc, 120").is_err());
        assert!(
            parse_coordinate("48.85, 2.35")
                .unwrap_err()
                .contains("中国境内")
        );
    }

    #[test]
    fn baidu_coordinates_come_back_to_the_same_place() {
        // 百度 puts a point about 1 km from GCJ-02; back through GCJ-02 and
        // WGS-84 it lands within a few metres of where GPS put it.
        let (lat, lng) = (27.662, 120.565);
        let (glat, glng) = wgs_to_gcj(lat, lng);
        // GCJ → BD (published forward formula) to make a Baidu reading.
        let x_pi = std::f64::consts::PI * 3000.0 / 180.0;
        let z = glng.hypot(glat) + 0.00002 * (glat * x_pi).sin();
        let theta = glat.atan2(glng) + 0.000003 * (glng * x_pi).cos();
        let (blat, blng) = (z * theta.sin() + 0.006, z * theta.cos() + 0.0065);
        let (wlat, wlng) = Datum::Bd09.to_wgs(blat, blng);
        let metres = ((wlat - lat) * 110_540.0).hypot((wlng - lng) * 98_600.0);
        assert!(metres < 5.0, "{metres}");
    }

    #[test]
    fn shifts_by_hundreds_of_metres_and_back() {
        let (lat, lng) = (27.662, 120.565);
        let (glat, glng) = wgs_to_gcj(lat, lng);
        let metres = ((glat - lat) * 110_540.0).hypot((glng - lng) * 98_600.0);
        assert!((200.0..800.0).contains(&metres), "{metres}");
        let (blat, blng) = gcj_to_wgs(glat, glng);
        assert!((blat - lat).abs() < 1e-7 && (blng - lng).abs() < 1e-7);
    }
}
