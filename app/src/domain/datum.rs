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

#[cfg(test)]
mod tests {
    use super::*;

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
