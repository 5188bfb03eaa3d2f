//! The county at scale: 36 more filed projects across the four sectors and
//! thirteen towns, awarded from 2022-07 to 2026-10, so that the county map,
//! the dashboards and the statistics have a county to show. Each is filed
//! with its project manager, contract scan and award notice; started ones
//! have their advance and quarterly progress payments; the progress story
//! (`demo_progress`) then reports their months by the tale given here: most
//! on the planned line, some behind (yellow), one far behind (red), three
//! past their completion unfinished, three without a site on the map, and
//! the latest not started. Loaded after the money story, before progress.
use crate::demo_history::{Demo, PDF, actor, file_demos};
use app::{
    domain::progress::planned_pct,
    error::AppError,
    features::payments::{self, service::PaymentForm},
    platform::{db::Db, records, settings::Settings, storage::FileStore, time::today},
};
use chrono::{Datelike, Months, NaiveDate};

/// How a project's months go (read by the progress story).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Tale {
    /// On the planned line, completed in its completion month.
    OnPlan,
    /// 15 points behind the line (yellow).
    Behind,
    /// 36 points behind (red).
    FarBehind,
    /// Past its completion, unfinished.
    Overdue,
    /// Its site not placed yet (reports on the line).
    Unplaced,
}

impl Tale {
    /// Points behind the planned line its reports run.
    pub(crate) fn lag(self) -> f64 {
        match self {
            Self::Behind => 15.0,
            Self::FarBehind => 36.0,
            _ => 1.0,
        }
    }
}

macro_rules! county {
    ($code:literal, $name:literal, $owner:literal, $owner_code:literal, $contractor:literal, $sector:literal,
     $award:literal, $award_date:literal, $price:literal, $signed:literal, $start:literal, $end:literal,
     $pm:expr) => {
        Demo {
            code: $code,
            name: $name,
            owner: $owner,
            owner_code: $owner_code,
            contractor_code: $contractor,
            sector: $sector,
            award_price: $award,
            award_date: $award_date,
            price: $price,
            signed: $signed,
            start: $start,
            end: $end,
            pm: $pm,
            changes: &[],
            payments: &[],
        }
    };
}

pub(crate) const COUNTY: &[Demo] = &[
    county!(
        "PY2022-0708",
        "萧江镇中心小学改扩建工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326145678901",
        "住建",
        "13475000",
        "2022-07-08",
        "13402200",
        "2022-07-22",
        "2022-08-04",
        "2024-03-03",
        (
            "崔伟东",
            "33032619730704600",
            "13866600010",
            "浙2331198000000"
        )
    ),
    county!(
        "PY2022-0812",
        "昆阳镇中学风雨操场及食堂工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326MA2AB1C2D",
        "住建",
        "6550000",
        "2022-08-12",
        "6394300",
        "2022-09-01",
        "2022-09-14",
        "2023-05-15",
        (
            "贾玉林",
            "33032619730604601",
            "13866600011",
            "浙2331118000037"
        )
    ),
    county!(
        "PY2022-0927",
        "昆阳镇公办幼儿园新建工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326145678901",
        "住建",
        "8850000",
        "2022-09-27",
        "8719300",
        "2022-10-16",
        "2022-10-27",
        "2024-01-26",
        (
            "杜光辉",
            "33032619850206602",
            "13866600012",
            "浙2331258000074"
        )
    ),
    county!(
        "PY2022-1116",
        "南雁镇卫生院迁建工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326145612345",
        "住建",
        "39748000",
        "2022-11-16",
        "39263400",
        "2022-12-05",
        "2022-12-28",
        "2024-11-26",
        (
            "马立群",
            "33032619711007603",
            "13866600013",
            "浙2331228000111"
        )
    ),
    county!(
        "PY2022-1225",
        "山门镇老旧小区改造工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326145678901",
        "住建",
        "14638000",
        "2022-12-25",
        "14466800",
        "2023-01-20",
        "2023-02-08",
        "2023-10-09",
        (
            "易海波",
            "33032619810610604",
            "13866600014",
            "浙2331278000148"
        )
    ),
    county!(
        "PY2023-0215",
        "腾蛟镇安置房一期工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "65998000",
        "2023-02-15",
        "64528800",
        "2023-03-03",
        "2023-03-23",
        "2024-11-20",
        (
            "汪文斌",
            "33032619731003605",
            "13866600015",
            "浙2331128000185"
        )
    ),
    county!(
        "PY2023-0327",
        "万全镇农贸市场提升改造工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "4385000",
        "2023-03-27",
        "4302300",
        "2023-04-14",
        "2023-05-01",
        "2023-10-30",
        (
            "胡海波",
            "33032619850416606",
            "13866600016",
            "浙2331248000222"
        )
    ),
    county!(
        "PY2023-0508",
        "昆阳镇滨河公园景观工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "14925000",
        "2023-05-08",
        "14723000",
        "2023-05-21",
        "2023-06-02",
        "2024-07-31",
        (
            "沈小龙",
            "33032619900328607",
            "13866600017",
            "浙2331298000259"
        )
    ),
    county!(
        "PY2023-0623",
        "麻步镇县道提升改造工程",
        "jtfz",
        "91330326MA2C7Q8K1",
        "91330326MA2H3J4K5",
        "交通",
        "23183000",
        "2023-06-23",
        "22794000",
        "2023-07-08",
        "2023-07-18",
        "2024-12-15",
        (
            "高永康",
            "33032619790426608",
            "13866600018",
            "浙2331268000296"
        )
    ),
    county!(
        "PY2023-0811",
        "顺溪镇危桥加固改造工程",
        "jtfz",
        "91330326MA2C7Q8K1",
        "91330326MA2H3J4K5",
        "交通",
        "6930000",
        "2023-08-11",
        "6767100",
        "2023-09-23",
        "2023-10-04",
        "2024-09-02",
        (
            "周伟东",
            "33032619780907609",
            "13866600019",
            "浙2331298000333"
        )
    ),
    county!(
        "PY2023-0920",
        "水头镇公交首末站及停车场工程",
        "jtfz",
        "91330326MA2C7Q8K1",
        "91330326MA2H3J4K5",
        "交通",
        "5943000",
        "2023-09-20",
        "5841900",
        "2023-10-08",
        "2023-10-16",
        "2024-10-14",
        (
            "贺向阳",
            "33032619891223610",
            "13866600020",
            "浙2331278000370"
        )
    ),
    county!(
        "PY2023-1111",
        "昆阳镇海塘安澜提标工程",
        "aojiang",
        "11330326002558B45",
        "91330326145612345",
        "水利",
        "28755000",
        "2023-11-11",
        "28081600",
        "2023-11-28",
        "2023-12-14",
        "2025-11-12",
        (
            "郝向阳",
            "33032619850907611",
            "13866600021",
            "浙2331138000407"
        )
    ),
    county!(
        "PY2023-1229",
        "万全镇河道综合治理工程",
        "aojiang",
        "11330326002558B45",
        "91330326145612345",
        "水利",
        "19345000",
        "2023-12-29",
        "18996300",
        "2024-01-16",
        "2024-02-10",
        "2025-02-08",
        (
            "郝立群",
            "33032619810320612",
            "13866600022",
            "浙2331228000444"
        )
    ),
    county!(
        "PY2024-0208",
        "水头镇山塘除险加固工程",
        "aojiang",
        "11330326002558B45",
        "91330326MA2L6M7N8",
        "水利",
        "5395000",
        "2024-02-08",
        "5315200",
        "2024-02-29",
        "2024-03-19",
        "2025-01-17",
        (
            "谭建明",
            "33032619710126613",
            "13866600023",
            "浙2331218000481"
        )
    ),
    county!(
        "PY2024-0328",
        "海西镇高标准农田建设项目",
        "aojiang",
        "11330326002558B45",
        "91330326MA2L6M7N8",
        "农业农村",
        "9288000",
        "2024-03-28",
        "9229100",
        "2024-04-16",
        "2024-04-24",
        "2024-10-23",
        (
            "汤伟东",
            "33032619821011614",
            "13866600024",
            "浙2331288000518"
        )
    ),
    county!(
        "PY2024-0506",
        "万全镇农村生活污水治理提升工程",
        "aojiang",
        "11330326002558B45",
        "91330326MA2L6M7N8",
        "农业农村",
        "8845000",
        "2024-05-06",
        "8799200",
        "2024-05-21",
        "2024-06-10",
        "2025-02-08",
        (
            "陆玉林",
            "33032619890503615",
            "13866600025",
            "浙2331228000555"
        )
    ),
    county!(
        "PY2024-0625",
        "昆阳镇中心小学改扩建工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326MA2AB1C2D",
        "住建",
        "15623000",
        "2024-06-25",
        "15542900",
        "2024-07-09",
        "2024-07-16",
        "2025-12-14",
        (
            "薛晓峰",
            "33032619730304616",
            "13866600026",
            "浙2331278000592"
        )
    ),
    county!(
        "PY2024-0810",
        "水头镇中学风雨操场及食堂工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326145612345",
        "住建",
        "5190000",
        "2024-08-10",
        "5098900",
        "2024-08-23",
        "2024-09-04",
        "2025-06-04",
        (
            "孔春雷",
            "33032619810321617",
            "13866600027",
            "浙2331298000629"
        )
    ),
    county!(
        "PY2024-0922",
        "万全镇公办幼儿园新建工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326MA2AB1C2D",
        "住建",
        "8790000",
        "2024-09-22",
        "8771900",
        "2024-10-19",
        "2024-11-09",
        "2026-04-09",
        (
            "萧海涛",
            "33032619760415618",
            "13866600028",
            "浙2331168000666"
        )
    ),
    county!(
        "PY2024-1103",
        "水头镇卫生院迁建工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "25015000",
        "2024-11-03",
        "24406300",
        "2024-11-20",
        "2024-12-14",
        "2026-09-13",
        (
            "萧向阳",
            "33032619790724619",
            "13866600029",
            "浙2331238000703"
        )
    ),
    county!(
        "PY2024-1221",
        "南雁镇老旧小区改造工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "14118000",
        "2024-12-21",
        "13823900",
        "2025-01-17",
        "2025-02-05",
        "2025-12-06",
        (
            "乔志勇",
            "33032619900828620",
            "13866600030",
            "浙2331188000740"
        )
    ),
    county!(
        "PY2025-0127",
        "萧江镇安置房一期工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "53523000",
        "2025-01-27",
        "52670700",
        "2025-02-13",
        "2025-03-02",
        "2027-08-31",
        (
            "钟振华",
            "33032619721014621",
            "13866600031",
            "浙2331308000777"
        )
    ),
    county!(
        "PY2025-0313",
        "顺溪镇农贸市场提升改造工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326145612345",
        "住建",
        "5908000",
        "2025-03-13",
        "5863600",
        "2025-04-03",
        "2025-04-11",
        "2026-01-09",
        (
            "崔建明",
            "33032619711128622",
            "13866600032",
            "浙2331258000814"
        )
    ),
    county!(
        "PY2025-0505",
        "怀溪镇滨河公园景观工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2L6M7N8",
        "住建",
        "7005000",
        "2025-05-05",
        "6972300",
        "2025-05-22",
        "2025-06-04",
        "2026-07-04",
        (
            "蒋锦程",
            "33032619720814623",
            "13866600033",
            "浙2331308000851"
        )
    ),
    county!(
        "PY2025-0615",
        "万全镇县道提升改造工程",
        "jtfz",
        "91330326MA2C7Q8K1",
        "91330326MA2P9Q0R1",
        "交通",
        "41790000",
        "2025-06-15",
        "41501300",
        "2025-07-08",
        "2025-07-27",
        "2026-11-25",
        (
            "魏永康",
            "33032619890319624",
            "13866600034",
            "浙2331238000888"
        )
    ),
    county!(
        "PY2025-0724",
        "凤卧镇危桥加固改造工程",
        "jtfz",
        "91330326MA2C7Q8K1",
        "91330326MA2L6M7N8",
        "交通",
        "3655000",
        "2025-07-24",
        "3597800",
        "2025-08-10",
        "2025-08-29",
        "2026-08-28",
        (
            "范旭东",
            "33032619781021625",
            "13866600035",
            "浙2331218000925"
        )
    ),
    county!(
        "PY2025-0907",
        "腾蛟镇公交首末站及停车场工程",
        "jtfz",
        "91330326MA2C7Q8K1",
        "91330326MA2H3J4K5",
        "交通",
        "6743000",
        "2025-09-07",
        "6695600",
        "2025-10-19",
        "2025-11-07",
        "2027-01-06",
        (
            "钱玉林",
            "33032619710613626",
            "13866600036",
            "浙2331188000962"
        )
    ),
    county!(
        "PY2025-1030",
        "山门镇海塘安澜提标工程",
        "aojiang",
        "11330326002558B45",
        "91330326145612345",
        "水利",
        "59148000",
        "2025-10-30",
        "58782500",
        "2025-11-11",
        "2025-11-18",
        "2027-05-19",
        (
            "韩小龙",
            "33032619710312627",
            "13866600037",
            "浙2331108000999"
        )
    ),
    county!(
        "PY2025-1208",
        "海西镇河道综合治理工程",
        "aojiang",
        "11330326002558B45",
        "91330326MA2L6M7N8",
        "水利",
        "10675000",
        "2025-12-08",
        "10490100",
        "2025-12-29",
        "2026-01-08",
        "2027-05-09",
        (
            "曾洪涛",
            "33032619780701628",
            "13866600038",
            "浙2331208001036"
        )
    ),
    county!(
        "PY2026-0118",
        "海西镇山塘除险加固工程",
        "aojiang",
        "11330326002558B45",
        "91330326145612345",
        "水利",
        "6368000",
        "2026-01-18",
        "6318900",
        "2026-02-03",
        "2026-02-28",
        "2026-12-29",
        (
            "龙建国",
            "33032619810211629",
            "13866600039",
            "浙2331208001073"
        )
    ),
    county!(
        "PY2026-0309",
        "萧江镇高标准农田建设项目",
        "aojiang",
        "11330326002558B45",
        "91330326MA2L6M7N8",
        "农业农村",
        "4053000",
        "2026-03-09",
        "3985400",
        "2026-03-25",
        "2026-04-06",
        "2027-03-06",
        (
            "蒋海涛",
            "33032619871016630",
            "13866600040",
            "浙2331138001110"
        )
    ),
    county!(
        "PY2026-0428",
        "顺溪镇农村生活污水治理提升工程",
        "aojiang",
        "11330326002558B45",
        "91330326MA2L6M7N8",
        "农业农村",
        "3275000",
        "2026-04-28",
        "3248700",
        "2026-05-16",
        "2026-06-06",
        "2027-01-04",
        (
            "金小龙",
            "33032619810723631",
            "13866600041",
            "浙2331168001147"
        )
    ),
    county!(
        "PY2026-0612",
        "南雁镇中心小学改扩建工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326145678901",
        "住建",
        "9543000",
        "2026-06-12",
        "9408100",
        "2026-07-03",
        "2026-07-11",
        "2027-09-09",
        (
            "黎明辉",
            "33032619770803632",
            "13866600042",
            "浙2331278001184"
        )
    ),
    county!(
        "PY2026-0717",
        "南雁镇中学风雨操场及食堂工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326145678901",
        "住建",
        "11448000",
        "2026-07-17",
        "11236400",
        "2026-07-29",
        "2026-08-12",
        "2027-05-12",
        (
            "潘卫国",
            "33032619790315633",
            "13866600043",
            "浙2331168001221"
        )
    ),
    county!(
        "PY2026-0911",
        "麻步镇公办幼儿园新建工程",
        "jiaoyu",
        "11330326002558A12",
        "91330326145678901",
        "住建",
        "14285000",
        "2026-09-11",
        "13991100",
        "2026-09-23",
        "2026-10-15",
        "2028-03-14",
        (
            "段晓峰",
            "33032619730325634",
            "13866600044",
            "浙2331138001258"
        )
    ),
    county!(
        "PY2026-1023",
        "万全镇卫生院迁建工程",
        "chengjian",
        "12330326MB0H12345",
        "91330326MA2AB1C2D",
        "住建",
        "31365000",
        "2026-10-23",
        "30634000",
        "2026-11-15",
        "2026-12-20",
        "2028-12-19",
        (
            "曹玉林",
            "33032619880225635",
            "13866600045",
            "浙2331138001295"
        )
    ),
];

/// Where each project is (none for the three not yet placed) and how its months go.
const PLACES: &[(&str, &str, f64, f64, Tale)] = &[
    (
        "PY2022-0708",
        "平阳县萧江镇新桥路",
        27.611,
        120.4679,
        Tale::OnPlan,
    ),
    (
        "PY2022-0812",
        "平阳县昆阳镇钱仓村",
        27.6777,
        120.5805,
        Tale::OnPlan,
    ),
    (
        "PY2022-0927",
        "平阳县昆阳镇岭下村",
        27.6526,
        120.5667,
        Tale::Unplaced,
    ),
    (
        "PY2022-1116",
        "平阳县南雁镇钱仓路",
        27.5232,
        120.3741,
        Tale::Overdue,
    ),
    (
        "PY2022-1225",
        "平阳县山门镇凤山路",
        27.5814,
        120.3239,
        Tale::OnPlan,
    ),
    (
        "PY2023-0215",
        "平阳县腾蛟镇西湾路",
        27.625,
        120.3965,
        Tale::Overdue,
    ),
    (
        "PY2023-0327",
        "平阳县万全镇江南村",
        27.6356,
        120.6125,
        Tale::OnPlan,
    ),
    (
        "PY2023-0508",
        "平阳县昆阳镇墨城路",
        27.6671,
        120.5745,
        Tale::OnPlan,
    ),
    (
        "PY2023-0623",
        "平阳县麻步镇后垟路",
        27.5946,
        120.4998,
        Tale::OnPlan,
    ),
    (
        "PY2023-0811",
        "平阳县顺溪镇岭下路",
        27.4806,
        120.3122,
        Tale::OnPlan,
    ),
    (
        "PY2023-0920",
        "平阳县水头镇湖屿村",
        27.554,
        120.4271,
        Tale::OnPlan,
    ),
    (
        "PY2023-1111",
        "平阳县昆阳镇岭下社区",
        27.6485,
        120.5652,
        Tale::OnPlan,
    ),
    (
        "PY2023-1229",
        "平阳县万全镇钱仓村",
        27.6504,
        120.6249,
        Tale::OnPlan,
    ),
    (
        "PY2024-0208",
        "平阳县水头镇江屿路",
        27.552,
        120.4311,
        Tale::Overdue,
    ),
    (
        "PY2024-0328",
        "平阳县海西镇墨城村",
        27.5678,
        120.622,
        Tale::OnPlan,
    ),
    (
        "PY2024-0506",
        "平阳县万全镇塘下村",
        27.6193,
        120.6337,
        Tale::OnPlan,
    ),
    (
        "PY2024-0625",
        "平阳县昆阳镇前林路",
        27.677,
        120.559,
        Tale::OnPlan,
    ),
    (
        "PY2024-0810",
        "平阳县水头镇塘下村",
        27.5529,
        120.44,
        Tale::OnPlan,
    ),
    (
        "PY2024-0922",
        "平阳县万全镇岭下路",
        27.6502,
        120.6338,
        Tale::OnPlan,
    ),
    (
        "PY2024-1103",
        "平阳县水头镇湖屿路",
        27.5675,
        120.4071,
        Tale::Unplaced,
    ),
    (
        "PY2024-1221",
        "平阳县南雁镇岭下社区",
        27.5179,
        120.4038,
        Tale::OnPlan,
    ),
    (
        "PY2025-0127",
        "平阳县萧江镇钱仓社区",
        27.6282,
        120.4699,
        Tale::FarBehind,
    ),
    (
        "PY2025-0313",
        "平阳县顺溪镇东岙社区",
        27.4679,
        120.3104,
        Tale::OnPlan,
    ),
    (
        "PY2025-0505",
        "平阳县怀溪镇新桥路",
        27.4942,
        120.2842,
        Tale::OnPlan,
    ),
    (
        "PY2025-0615",
        "平阳县万全镇岭下村",
        27.6289,
        120.6163,
        Tale::OnPlan,
    ),
    (
        "PY2025-0724",
        "平阳县凤卧镇塘下村",
        27.632,
        120.2978,
        Tale::OnPlan,
    ),
    (
        "PY2025-0907",
        "平阳县腾蛟镇东岙村",
        27.6462,
        120.3777,
        Tale::Unplaced,
    ),
    (
        "PY2025-1030",
        "平阳县山门镇后垟村",
        27.5806,
        120.3153,
        Tale::OnPlan,
    ),
    (
        "PY2025-1208",
        "平阳县海西镇东岙村",
        27.5779,
        120.6462,
        Tale::OnPlan,
    ),
    (
        "PY2026-0118",
        "平阳县海西镇凤山村",
        27.5578,
        120.6516,
        Tale::OnPlan,
    ),
    (
        "PY2026-0309",
        "平阳县萧江镇钱仓村",
        27.6299,
        120.4557,
        Tale::Behind,
    ),
    (
        "PY2026-0428",
        "平阳县顺溪镇凤山村",
        27.4849,
        120.3082,
        Tale::Behind,
    ),
    (
        "PY2026-0612",
        "平阳县南雁镇后垟路",
        27.5083,
        120.389,
        Tale::Behind,
    ),
    (
        "PY2026-0717",
        "平阳县南雁镇钱仓村",
        27.5342,
        120.3953,
        Tale::Behind,
    ),
    (
        "PY2026-0911",
        "平阳县麻步镇西湾路",
        27.6019,
        120.5319,
        Tale::OnPlan,
    ),
    (
        "PY2026-1023",
        "平阳县万全镇凤山社区",
        27.6361,
        120.6057,
        Tale::OnPlan,
    ),
];

/// The site of a county project (None: not placed, or not one of these).
pub(crate) fn place(code: &str) -> Option<(&'static str, f64, f64)> {
    PLACES
        .iter()
        .find(|p| p.0 == code && p.4 != Tale::Unplaced)
        .map(|p| (p.1, p.2, p.3))
}

/// Each county project and the share of working days its key personnel
/// checked in on (lower where the works fell behind).
pub(crate) fn attendance_shares() -> impl Iterator<Item = (&'static str, f64)> {
    PLACES.iter().map(|p| {
        let share = match p.4 {
            Tale::FarBehind => 0.55,
            Tale::Overdue => 0.62,
            Tale::Behind => 0.76,
            _ => 0.9,
        };
        (p.0, share)
    })
}

/// The tale of a county project.
pub(crate) fn tale(code: &str) -> Option<Tale> {
    PLACES.iter().find(|p| p.0 == code).map(|p| p.4)
}

fn day(s: &str) -> Result<NaiveDate, AppError> {
    NaiveDate::parse_from_str(s, "%Y-%m-%d").map_err(|_| AppError::Internal)
}

/// Files the county's projects once (nothing if the first is there).
pub async fn load(db: &Db, files: &FileStore, settings: &Settings) -> Result<(), AppError> {
    let there: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM awards WHERE project_code = $1")
        .bind(COUNTY[0].code)
        .fetch_one(&db.pool)
        .await?;
    if there > 0 {
        return Ok(());
    }
    let sha = files.put(PDF.to_vec()).await?;
    file_demos(db, settings, &sha, COUNTY).await?;
    for d in COUNTY {
        pay(db, &sha, d).await?;
    }
    Ok(())
}

/// The advance (10 %) after signing, then a progress payment at each
/// quarter's end of 80 % of the work done by then (on the project's line).
async fn pay(db: &Db, sha: &str, d: &Demo) -> Result<(), AppError> {
    let today = today();
    let (signed, start, end) = (day(d.signed)?, day(d.start)?, day(d.end)?);
    if start > today {
        return Ok(());
    }
    let owner = actor(db, d.owner).await?;
    let (filing_id, payee): (i64, String) = sqlx::query_as(
        "SELECT f.id, c.name FROM filings f JOIN awards a ON a.id = f.award_id JOIN units c ON c.id = a.contractor_unit_id
         WHERE a.project_code = $1 AND a.section_code = '01'",
    )
    .bind(d.code)
    .fetch_one(&db.pool)
    .await?;
    let price: i64 = d.price.parse().map_err(|_| AppError::Internal)?;
    let lag = tale(d.code).map_or(1.0, Tale::lag);
    let mut list = vec![PaymentForm {
        kind: "advance".into(),
        paid_on: (signed + chrono::Duration::days(15)).min(today).to_string(),
        amount: (price / 10).to_string(),
        labour: "0".into(),
        ..form(filing_id, &payee)
    }];
    let mut paid_to = start;
    let mut done_before = 0i64;
    let mut quarter = NaiveDate::from_ymd_opt(start.year(), 1, 1).unwrap_or(start);
    while let Some(next) = quarter.checked_add_months(Months::new(3)) {
        let q_end = next.pred_opt().unwrap_or(next);
        let paid_on = q_end + chrono::Duration::days(20);
        if paid_on >= today || paid_to >= end {
            break;
        }
        quarter = next;
        if q_end < start {
            continue;
        }
        let pct = (planned_pct(start, end, q_end.min(end)) - lag).max(0.0);
        let done = (price as f64 * pct / 100.0) as i64;
        let work = done - done_before;
        if work > 0 {
            let amount = work * 8 / 10;
            list.push(PaymentForm {
                kind: "progress".into(),
                paid_on: paid_on.to_string(),
                amount: amount.to_string(),
                period_from: paid_to.to_string(),
                period_to: q_end.min(end).to_string(),
                work_value: work.to_string(),
                labour: (amount * 15 / 100).to_string(),
                ..form(filing_id, &payee)
            });
        }
        done_before = done;
        paid_to = q_end.min(end) + chrono::Duration::days(1);
    }
    for (n, mut f) in list.into_iter().enumerate() {
        f.voucher_no = format!("PY-ZF-{}-{:03}", d.code, n + 1);
        let id = payments::service::save(db, &owner, 0, &f, "", "").await?;
        records::attach(
            db,
            &owner,
            &payments::RECORD,
            id,
            "voucher",
            "国库支付凭证.pdf",
            "application/pdf",
            PDF.len(),
            sha,
            "",
        )
        .await?;
        records::submit(db, &owner, &payments::RECORD, id).await?;
    }
    Ok(())
}

fn form(filing_id: i64, payee: &str) -> PaymentForm {
    PaymentForm {
        filing_id: filing_id.to_string(),
        payee: payee.to_string(),
        ..Default::default()
    }
}
