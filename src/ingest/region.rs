//! The region of a gazette or document, derived from its name when nothing else says it:
//! 焦作市人民政府公报 -> 河南省焦作市, 上海市人民政府公报 -> 上海市.
//!
//! The table lists the provincial-level divisions and their prefecture-level cities (地级市), whose
//! names are unique across the country. Autonomous prefectures, leagues and counties are left out:
//! a name that is not in the table gives no region rather than a guess.

/// Province (full name), then its prefecture-level cities without the 市 suffix.
const PROVINCES: &[(&str, &str)] = &[
    ("北京市", ""),
    ("天津市", ""),
    ("上海市", ""),
    ("重庆市", ""),
    (
        "河北省",
        "石家庄 唐山 秦皇岛 邯郸 邢台 保定 张家口 承德 沧州 廊坊 衡水",
    ),
    (
        "山西省",
        "太原 大同 阳泉 长治 晋城 朔州 晋中 运城 忻州 临汾 吕梁",
    ),
    (
        "内蒙古自治区",
        "呼和浩特 包头 乌海 赤峰 通辽 鄂尔多斯 呼伦贝尔 巴彦淖尔 乌兰察布",
    ),
    (
        "辽宁省",
        "沈阳 大连 鞍山 抚顺 本溪 丹东 锦州 营口 阜新 辽阳 盘锦 铁岭 朝阳 葫芦岛",
    ),
    ("吉林省", "长春 吉林 四平 辽源 通化 白山 松原 白城"),
    (
        "黑龙江省",
        "哈尔滨 齐齐哈尔 鸡西 鹤岗 双鸭山 大庆 伊春 佳木斯 七台河 牡丹江 黑河 绥化",
    ),
    (
        "江苏省",
        "南京 无锡 徐州 常州 苏州 南通 连云港 淮安 盐城 扬州 镇江 泰州 宿迁",
    ),
    (
        "浙江省",
        "杭州 宁波 温州 嘉兴 湖州 绍兴 金华 衢州 舟山 台州 丽水",
    ),
    (
        "安徽省",
        "合肥 芜湖 蚌埠 淮南 马鞍山 淮北 铜陵 安庆 黄山 滁州 阜阳 宿州 六安 亳州 池州 宣城",
    ),
    ("福建省", "福州 厦门 莆田 三明 泉州 漳州 南平 龙岩 宁德"),
    (
        "江西省",
        "南昌 景德镇 萍乡 九江 新余 鹰潭 赣州 吉安 宜春 抚州 上饶",
    ),
    (
        "山东省",
        "济南 青岛 淄博 枣庄 东营 烟台 潍坊 济宁 泰安 威海 日照 临沂 德州 聊城 滨州 菏泽",
    ),
    (
        "河南省",
        "郑州 开封 洛阳 平顶山 安阳 鹤壁 新乡 焦作 濮阳 许昌 漯河 三门峡 南阳 商丘 信阳 周口 驻马店",
    ),
    (
        "湖北省",
        "武汉 黄石 十堰 宜昌 襄阳 鄂州 荆门 孝感 荆州 黄冈 咸宁 随州",
    ),
    (
        "湖南省",
        "长沙 株洲 湘潭 衡阳 邵阳 岳阳 常德 张家界 益阳 郴州 永州 怀化 娄底",
    ),
    (
        "广东省",
        "广州 韶关 深圳 珠海 汕头 佛山 江门 湛江 茂名 肇庆 惠州 梅州 汕尾 河源 阳江 清远 东莞 中山 潮州 揭阳 云浮",
    ),
    (
        "广西壮族自治区",
        "南宁 柳州 桂林 梧州 北海 防城港 钦州 贵港 玉林 百色 贺州 河池 来宾 崇左",
    ),
    ("海南省", "海口 三亚 三沙 儋州"),
    (
        "四川省",
        "成都 自贡 攀枝花 泸州 德阳 绵阳 广元 遂宁 内江 乐山 南充 眉山 宜宾 广安 达州 雅安 巴中 资阳",
    ),
    ("贵州省", "贵阳 六盘水 遵义 安顺 毕节 铜仁"),
    ("云南省", "昆明 曲靖 玉溪 保山 昭通 丽江 普洱 临沧"),
    ("西藏自治区", "拉萨 日喀则 昌都 林芝 山南 那曲"),
    (
        "陕西省",
        "西安 铜川 宝鸡 咸阳 渭南 延安 汉中 榆林 安康 商洛",
    ),
    (
        "甘肃省",
        "兰州 嘉峪关 金昌 白银 天水 武威 张掖 平凉 酒泉 庆阳 定西 陇南",
    ),
    ("青海省", "西宁 海东"),
    ("宁夏回族自治区", "银川 石嘴山 吴忠 固原 中卫"),
    ("新疆维吾尔自治区", "乌鲁木齐 克拉玛依 吐鲁番 哈密"),
    ("台湾省", ""),
    ("香港特别行政区", ""),
    ("澳门特别行政区", ""),
];

/// The short name a province goes by: 河南省 -> 河南, 广西壮族自治区 -> 广西, 北京市 -> 北京.
fn short_name(province: &str) -> &str {
    for suffix in [
        "壮族自治区",
        "回族自治区",
        "维吾尔自治区",
        "特别行政区",
        "自治区",
        "省",
        "市",
    ] {
        if let Some(short) = province.strip_suffix(suffix) {
            return short;
        }
    }
    province
}

/// The region a gazette or document name points to, or `None` when it names none or several.
pub fn derive(name: &str) -> Option<String> {
    let mut found: Vec<String> = Vec::new();
    for (province, cities) in PROVINCES {
        for city in cities.split_whitespace() {
            if names_city(name, city) {
                found.push(format!("{province}{city}市"));
            }
        }
    }
    if found.is_empty() {
        // A province named in full anywhere (2026年上海市政府工作报告), or by its short name at the
        // start (上海口岸服务条例).
        found = PROVINCES
            .iter()
            .filter(|(province, _)| {
                name.contains(province) || name.starts_with(short_name(province))
            })
            .map(|(province, _)| province.to_string())
            .collect();
    }
    found.sort();
    found.dedup();
    match found.as_slice() {
        [one] => Some(one.clone()),
        _ => None,
    }
}

/// True when `name` holds `city` followed by 市 (焦作市), checked without writing 焦作市 out
/// for each of the table's cities: every file's gazette name is checked against them all. Each
/// 市 is looked at, not each occurrence of the city, which may overlap another (阿阿 in 阿阿阿市).
fn names_city(name: &str, city: &str) -> bool {
    name.match_indices('市')
        .any(|(at, _)| name[..at].ends_with(city))
}

/// Every prefecture-level city of the table as its gazette would name it (焦作市), with its
/// province (河南省), in the table's order.
pub fn cities() -> impl Iterator<Item = (&'static str, String)> {
    PROVINCES.iter().flat_map(|(province, cities)| {
        cities
            .split_whitespace()
            .map(move |city| (*province, format!("{city}市")))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A city is named where its name stands followed by 市, as `contains` of the two together
    /// finds it: an earlier occurrence without 市 does not hide a later one with it.
    #[test]
    fn a_city_is_named_with_its_suffix() {
        for name in [
            "焦作市人民政府公报",
            "焦作人民政府公报",
            "焦作焦作市公报",
            "焦作",
            "焦作市",
            "市焦作",
            "河南省焦作县焦作市",
            "",
        ] {
            assert_eq!(
                super::names_city(name, "焦作"),
                name.contains("焦作市"),
                "{name}"
            );
        }
        // A name that overlaps itself: its second occurrence, not its first, stands before 市.
        for name in ["阿阿阿市", "阿阿市", "阿市阿阿", "阿阿阿"] {
            assert_eq!(
                super::names_city(name, "阿阿"),
                name.contains("阿阿市"),
                "{name}"
            );
        }
    }

    #[test]
    fn derives_a_city_and_its_province() {
        assert_eq!(
            derive("焦作市人民政府公报").as_deref(),
            Some("河南省焦作市")
        );
        assert_eq!(
            derive("吉林市人民政府公报").as_deref(),
            Some("吉林省吉林市")
        );
    }

    #[test]
    fn derives_a_province_named_at_the_start() {
        assert_eq!(derive("上海市人民政府公报").as_deref(), Some("上海市"));
        assert_eq!(derive("河南省人民政府公报").as_deref(), Some("河南省"));
        assert_eq!(
            derive("广西壮族自治区人民政府公报").as_deref(),
            Some("广西壮族自治区")
        );
        assert_eq!(derive("上海口岸服务条例").as_deref(), Some("上海市"));
        assert_eq!(
            derive("2026年上海市政府工作报告").as_deref(),
            Some("上海市")
        );
    }

    #[test]
    fn derives_nothing_from_a_name_without_a_place_or_with_two() {
        assert_eq!(derive("国务院公报"), None);
        assert_eq!(derive("郑州市与焦作市合作协议"), None);
    }
}
