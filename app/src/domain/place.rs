//! Places in an address. The county's addresses are written from the county
//! down ("平阳县萧江镇新桥路"), so the town (乡镇/街道) is the first segment
//! ending in 镇, 乡 or 街道 after the province, city and county; the
//! dashboards group projects by it without a field of their own.

/// The town of `address`, if it names one ("平阳县萧江镇新桥路" → "萧江镇").
pub fn town_of(address: &str) -> Option<String> {
    let end = ["街道", "镇", "乡"]
        .iter()
        .filter_map(|s| address.find(s).map(|i| i + s.len()))
        .min()?;
    let head = &address[..end];
    // The town starts after the last division above it.
    let start = ["省", "市", "县", "区", "州"]
        .iter()
        .filter_map(|s| head.rfind(s).map(|i| i + s.len()))
        .filter(|i| *i < end)
        .max()
        .unwrap_or(0);
    let town = head[start..].trim();
    // A bare suffix or a long run is not a town name.
    let chars = town.chars().count();
    (2..=8).contains(&chars).then(|| town.to_string())
}

#[cfg(test)]
mod tests {
    use super::town_of;

    #[test]
    fn the_town_is_the_segment_below_the_county() {
        for (address, town) in [
            ("平阳县萧江镇新桥路", Some("萧江镇")),
            ("浙江省温州市平阳县昆阳镇岭下社区", Some("昆阳镇")),
            ("鳌江镇西湾路 18 号", Some("鳌江镇")),
            ("平阳县青街畲族乡王神洞村", Some("青街畲族乡")),
            ("温州市鹿城区五马街道解放街", Some("五马街道")),
            ("平阳县新兴工业园区", None),
            ("", None),
            ("镇", None),
        ] {
            assert_eq!(town_of(address).as_deref(), town, "{address}");
        }
    }
}
