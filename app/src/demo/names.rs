//! Word lists from which the demo data set assembles company and person names.

use entities::Industry;

/// Trade names (字号) used anywhere; two characters each, avoiding famous brands.
#[rustfmt::skip]
pub const TRADE_NAMES: &[&str] = &[
    "恒泰", "华信", "鑫源", "宏达", "永盛", "金鼎", "瑞丰", "隆兴", "振华", "伟业",
    "嘉禾", "泰和", "德润", "汇通", "博远", "晟达", "联创", "正泰", "天成", "兴业",
    "富源", "广源", "海通", "金泰", "新元", "通达", "宏远", "昌盛", "兴旺", "福瑞",
    "祥和", "华泰", "鼎盛", "卓越", "远航", "盛世", "明阳", "旭日", "华美", "金诚",
    "信达", "安泰", "恒通", "聚源", "益丰", "丰源", "鸿运", "利华", "盛达", "宏昌",
    "万通", "华丰", "金源", "鑫泰", "鑫达", "荣盛", "鸿达", "中泰", "华盛", "立信",
    "百川", "和平", "友谊", "久安", "合力", "众诚", "四方", "三友", "元亨", "宝丰",
    "宝利", "恒源", "恒达", "恒昌", "恒信", "泰丰", "泰达", "泰隆", "永安", "永兴",
    "永泰", "永昌", "隆盛", "金海", "金河", "金马", "银河", "天利", "天元", "天泽",
    "天宇", "润丰", "润达", "瑞祥", "瑞达", "瑞泰", "腾达", "腾飞", "凯达", "凯旋",
    "佳盛", "佳利", "德盛", "德丰", "德信", "福源", "福达", "兴达", "兴源", "建华",
    "建新", "志远", "致远", "弘毅", "弘达", "宏业", "宏泰", "汇丰", "汇源", "晨光",
    "旭升", "星火", "新星", "顺达", "顺发", "安达", "安瑞", "盛源", "广达", "广厦",
    "同心", "同力", "协力", "长兴", "长丰", "长荣", "和顺", "和盛", "利民", "惠民",
];

/// Trade names with a regional flavour, by the province's two-digit prefix.
pub const REGIONAL_TRADE_NAMES: &[(&str, &[&str])] = &[
    (
        "11",
        &[
            "京华", "京联", "燕京", "京顺", "京发", "京北", "京南", "京西", "京兴", "京运",
        ],
    ),
    (
        "13",
        &[
            "冀东", "冀中", "冀南", "冀北", "燕赵", "燕山", "太行", "渤海", "滦河", "冀港", "冀安",
            "京津",
        ],
    ),
    (
        "44",
        &[
            "粤海", "南粤", "岭南", "珠江", "粤兴", "粤华", "穗丰", "鹏程", "南方", "海湾", "羊城",
        ],
    ),
];

/// The trade names with a regional flavour for a region code, if any.
#[must_use]
pub fn regional_trade_names(region_code: &str) -> &'static [&'static str] {
    REGIONAL_TRADE_NAMES
        .iter()
        .find(|(prefix, _)| region_code.starts_with(prefix))
        .map_or(&[], |(_, names)| names)
}

/// The words naming an industry's business in a company name (行业表述).
#[must_use]
pub fn industry_words(industry: Industry) -> &'static [&'static str] {
    match industry {
        Industry::HazardousChemicals => &[
            "化工",
            "石化",
            "精细化工",
            "化学品",
            "化学工业",
            "危险化学品经营",
            "燃气",
            "石油化工",
            "化工贸易",
            "工业气体",
            "油品储运",
        ],
        Industry::NonCoalMine => &[
            "矿业",
            "石业",
            "矿产开发",
            "铁矿",
            "石灰石矿业",
            "建材矿业",
            "砂石",
            "采石",
        ],
        Industry::CoalMine => &["煤业", "煤矿", "矿业", "能源", "煤炭开采"],
        Industry::Fireworks => &["烟花爆竹", "烟花爆竹批发", "烟花爆竹经营", "烟花"],
        Industry::Transport => &[
            "物流",
            "运输",
            "危险货物运输",
            "汽车运输",
            "货运",
            "客运",
            "供应链",
            "储运",
        ],
        Industry::MetalSmelting => &[
            "钢铁",
            "特钢",
            "铸造",
            "铝业",
            "冶金",
            "金属制品",
            "钢管",
            "铸业",
            "有色金属",
            "轧钢",
        ],
        Industry::Fishery => &["水产", "渔业", "海洋渔业", "远洋渔业", "水产养殖", "海产"],
        Industry::Other => &[
            "机械",
            "机械制造",
            "食品",
            "纺织",
            "建材",
            "电子",
            "塑料制品",
            "家具",
            "印染",
            "造纸",
            "木业",
            "包装",
            "制药",
            "服装",
            "陶瓷",
            "玻璃",
            "粮油",
            "饲料",
            "橡胶制品",
            "电器",
        ],
    }
}

/// Forms of incorporation and their relative frequency.
pub const COMPANY_FORMS: &[(&str, u32)] = &[
    ("有限公司", 62),
    ("有限责任公司", 25),
    ("股份有限公司", 10),
    ("集团有限公司", 3),
];

/// Common surnames, most frequent first, with relative weights.
#[rustfmt::skip]
pub const SURNAMES: &[(&str, u32)] = &[
    ("王", 8), ("李", 8), ("张", 8), ("刘", 6), ("陈", 6), ("杨", 4), ("黄", 4), ("赵", 4),
    ("吴", 3), ("周", 3), ("徐", 3), ("孙", 3), ("马", 3), ("朱", 3), ("胡", 3), ("郭", 3),
    ("何", 2), ("高", 2), ("林", 2), ("罗", 2), ("郑", 2), ("梁", 2), ("谢", 2), ("宋", 2),
    ("唐", 2), ("许", 2), ("韩", 2), ("冯", 2), ("邓", 2), ("曹", 2), ("彭", 2), ("曾", 2),
    ("肖", 1), ("田", 1), ("董", 1), ("袁", 1), ("潘", 1), ("于", 1), ("蒋", 1), ("蔡", 1),
    ("余", 1), ("杜", 1), ("叶", 1), ("程", 1), ("苏", 1), ("魏", 1), ("吕", 1), ("丁", 1),
    ("任", 1), ("沈", 1), ("姚", 1), ("卢", 1), ("姜", 1), ("崔", 1), ("钟", 1), ("谭", 1),
    ("陆", 1), ("汪", 1), ("范", 1), ("金", 1), ("石", 1), ("廖", 1), ("贾", 1), ("夏", 1),
    ("付", 1), ("方", 1), ("白", 1), ("邹", 1), ("孟", 1), ("熊", 1), ("秦", 1), ("邱", 1),
    ("江", 1), ("尹", 1), ("薛", 1), ("闫", 1), ("段", 1), ("雷", 1), ("侯", 1), ("史", 1),
];

/// Characters common in given names.
#[rustfmt::skip]
pub const GIVEN_NAME_CHARS: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
    "明", "超", "秀", "霞", "平", "刚", "英", "华", "玉", "萍", "红", "建", "国", "文", "辉",
    "力", "斌", "宇", "浩", "凯", "鹏", "飞", "志", "鑫", "晨", "欣", "雪", "琳", "丹", "婷",
    "宁", "波", "海", "峰", "林", "瑞", "博", "佳", "俊", "鸿", "昊", "亮", "旭", "晓", "梅",
    "燕", "莉", "慧", "颖", "倩", "洁", "彬", "健", "新", "永", "春", "庆", "荣", "振", "东",
    "兴", "立", "成", "云", "松", "嘉", "泽", "睿", "轩", "子", "思", "雨", "怡", "婧", "悦",
];

/// Why an inspector must stay away from an enterprise (回避事由).
pub const CONFLICT_REASONS: &[&str] = &[
    "亲属在该企业任职",
    "曾在该企业任职",
    "近三年曾为该企业提供安全咨询服务",
    "与该企业主要负责人有利害关系",
    "配偶持有该企业股份",
];

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_industry_has_words() {
        for industry in Industry::ALL {
            assert!(!industry_words(*industry).is_empty(), "{industry}");
        }
    }

    #[test]
    fn word_lists_have_no_duplicates() {
        let lists: [(&str, Vec<&str>); 3] = [
            ("trade names", TRADE_NAMES.to_vec()),
            ("surnames", SURNAMES.iter().map(|(s, _)| *s).collect()),
            ("given-name characters", GIVEN_NAME_CHARS.to_vec()),
        ];
        for (what, list) in lists {
            let unique: HashSet<_> = list.iter().collect();
            assert_eq!(unique.len(), list.len(), "{what} repeat a word");
        }
    }

    #[test]
    fn trade_names_are_two_characters() {
        for name in TRADE_NAMES.iter().chain(
            REGIONAL_TRADE_NAMES
                .iter()
                .flat_map(|(_, names)| names.iter()),
        ) {
            assert_eq!(name.chars().count(), 2, "{name}");
        }
    }
}
