//! The six tables: their fields, header aliases and which columns a header must have.
//!
//! Every field has a globally unique key (`total_cost`), a canonical Chinese header
//! (`医疗总费用`), an English label, the kind of value it holds and the header texts accepted
//! for it. Headers are compared after [`super::text::normalize_header`]: full-width folded to
//! half-width, case, spaces, `_` and `-` ignored, a trailing unit such as `(元)` removed. The
//! first alias is the canonical name; when two columns match the same field, the one matching
//! the earlier alias wins (ties: the leftmost column) and the other is listed as ignored.
//! `docs/import.md` lists the same tables (a test keeps them in step).

use serde::{Deserialize, Serialize};

/// What a column holds; decides the parser, the message and whether a 万元 unit applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum ValueKind {
    /// An identifier (机构编码, 病种编码): trimmed, `="0012"` and a leading `'` unwrapped.
    Code,
    /// Free text (names, levels).
    Text,
    /// 元 (a 万元 unit multiplies it by 10000); `%` is an error.
    Money,
    /// Several amounts in one cell, separated by `;` `；` `、` `,` `，` or `|`.
    MoneyList,
    /// A plain number (score, points).
    Number,
    /// Days (non-negative).
    Days,
    /// A coefficient: `1.05` or `105%`.
    Coefficient,
    /// Several coefficients in one cell.
    CoefficientList,
    /// A whole number ≥ 0.
    Count,
    /// 是/否, Y/N, 1/0, TRUE/FALSE …
    Bool,
    /// A date; only the year and month are kept.
    Date,
    /// A month 1–12 (or a date, or 202403); empty or 全年 = the whole year.
    Month,
    /// 职工 or 居民.
    Fund,
    /// DIP, 床日 or 项目.
    CaseKind,
    /// 离院方式: a 医保结算清单 code (1–5, 9) or its name.
    Discharge,
    /// DIP or 床日 (catalog rows).
    CatalogType,
    /// 病种类型: 核心病种, 综合病种 … or a code from the legend in the header (catalog rows).
    GroupCategory,
}

impl ValueKind {
    /// A 万元 unit line or header multiplies these by 10000.
    pub(crate) fn is_money(self) -> bool {
        matches!(self, ValueKind::Money | ValueKind::MoneyList)
    }
}

/// One field of a table.
#[derive(Debug)]
pub(crate) struct Field {
    pub key: &'static str,
    pub zh: &'static str,
    pub en: &'static str,
    pub kind: ValueKind,
    /// Accepted header texts, canonical first.
    pub aliases: &'static [&'static str],
}

/// The tables the input layer reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TableKind {
    /// 病例明细 → `Vec<Case>`.
    Cases,
    /// 病种目录 → `Catalog`.
    Catalog,
    /// 机构 → `Vec<Institution>`.
    Institutions,
    /// 机构汇总 → `Vec<InstitutionSummary>`.
    Summaries,
    /// 门诊 → `Vec<OutpatientRecord>`.
    Outpatient,
    /// 年终调整 → `Vec<InstitutionAdjustment>`.
    Adjustments,
    /// 区域公布数据 → `Vec<PublishedMonth>` (the bureau's monthly figures, SPEC §11).
    Published,
}

impl TableKind {
    /// All tables, in the order the documentation lists them.
    pub const ALL: [TableKind; 7] = [
        TableKind::Cases,
        TableKind::Catalog,
        TableKind::Institutions,
        TableKind::Summaries,
        TableKind::Outpatient,
        TableKind::Adjustments,
        TableKind::Published,
    ];

    /// The table's Chinese name.
    pub fn label_zh(self) -> &'static str {
        match self {
            TableKind::Cases => "病例明细",
            TableKind::Catalog => "病种目录",
            TableKind::Institutions => "机构",
            TableKind::Summaries => "机构汇总",
            TableKind::Outpatient => "门诊",
            TableKind::Adjustments => "年终调整",
            TableKind::Published => "区域公布数据",
        }
    }

    /// The table's English name.
    pub fn label_en(self) -> &'static str {
        match self {
            TableKind::Cases => "cases",
            TableKind::Catalog => "catalog",
            TableKind::Institutions => "institutions",
            TableKind::Summaries => "institution summaries",
            TableKind::Outpatient => "outpatient",
            TableKind::Adjustments => "year-end adjustments",
            TableKind::Published => "published region figures",
        }
    }

    pub(crate) fn spec(self) -> &'static TableSpec {
        match self {
            TableKind::Cases => &CASES,
            TableKind::Catalog => &CATALOG,
            TableKind::Institutions => &INSTITUTIONS,
            TableKind::Summaries => &SUMMARIES,
            TableKind::Outpatient => &OUTPATIENT,
            TableKind::Adjustments => &ADJUSTMENTS,
            TableKind::Published => &PUBLISHED,
        }
    }
}

/// A table: its fields and the header requirements (each an any-of list of field indices).
#[derive(Debug)]
pub(crate) struct TableSpec {
    pub kind: TableKind,
    pub fields: &'static [Field],
    pub required: &'static [&'static [usize]],
    /// The field whose emptiness marks a totals or note row (the row's code).
    pub key_field: usize,
    /// Catalog only: header texts that, with a level name around them, make a per-level
    /// reference-cost column (次均费用(三甲), 三甲次均费用).
    pub level_cost_stems: &'static [&'static str],
}

impl TableSpec {
    pub(crate) fn field_index(&self, key_or_name: &str) -> Option<usize> {
        let wanted = super::text::normalize_header(key_or_name).text;
        self.fields.iter().position(|f| {
            f.key == key_or_name
                || super::text::normalize_header(f.key).text == wanted
                || super::text::normalize_header(f.zh).text == wanted
        })
    }
}

/// Normalized alias → (field index, alias rank), per table, built once.
pub(crate) fn alias_index(kind: TableKind) -> &'static std::collections::HashMap<String, (usize, usize)> {
    use std::collections::HashMap;
    use std::sync::OnceLock;
    static INDEX: [OnceLock<HashMap<String, (usize, usize)>>; 7] = [
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
        OnceLock::new(),
    ];
    let slot = match kind {
        TableKind::Cases => &INDEX[0],
        TableKind::Catalog => &INDEX[1],
        TableKind::Institutions => &INDEX[2],
        TableKind::Summaries => &INDEX[3],
        TableKind::Outpatient => &INDEX[4],
        TableKind::Adjustments => &INDEX[5],
        TableKind::Published => &INDEX[6],
    };
    slot.get_or_init(|| {
        let mut map = HashMap::new();
        for (f, field) in kind.spec().fields.iter().enumerate() {
            for (rank, alias) in field.aliases.iter().enumerate() {
                map.entry(super::text::normalize_header(alias).text)
                    .or_insert((f, rank));
            }
        }
        map
    })
}

/// Looks a field up by key in any table (keys are unique across tables).
pub(crate) fn field_by_key(key: &str) -> Option<&'static Field> {
    TableKind::ALL
        .iter()
        .flat_map(|t| t.spec().fields.iter())
        .find(|f| f.key == key)
}

use ValueKind as K;

const INSTITUTION: Field = Field {
    key: "institution",
    zh: "机构编码",
    en: "institution code",
    kind: K::Code,
    aliases: &[
        "机构编码",
        "机构代码",
        "定点医药机构编号",
        "定点医药机构编码",
        "定点医疗机构编码",
        "定点医疗机构编号",
        "定点机构编码",
        "医疗机构编码",
        "医疗机构代码",
        "医院编码",
        "医院代码",
        "fixmedins_code",
        "institution",
        "institution_code",
    ],
};

const FUND: Field = Field {
    key: "fund",
    zh: "险种",
    en: "fund",
    kind: K::Fund,
    aliases: &[
        "险种",
        "险种类型",
        "险种类别",
        "医保类型",
        "参保类型",
        "参保险种",
        "医疗保险类型",
        "insutype",
        "fund",
    ],
};

const TOTAL_COST: Field = Field {
    key: "total_cost",
    zh: "医疗总费用",
    en: "total cost",
    kind: K::Money,
    aliases: &[
        "医疗总费用",
        "实际发生总费用",
        "总费用",
        "住院总费用",
        "医疗费总额",
        "医疗费用总额",
        "费用总额",
        "totamt",
        "medfee_sumamt",
        "total_cost",
    ],
};

const PERSONAL_BURDEN: Field = Field {
    key: "personal_burden",
    zh: "个人负担",
    en: "personal burden",
    kind: K::Money,
    aliases: &[
        "个人负担",
        "个人负担费用",
        "个人负担金额",
        "个人负担总金额",
        "个人支付",
        "个人支付金额",
        "个人自付",
        "个人自付金额",
        "个人现金支付",
        "psn_part_amt",
        "personal_burden",
    ],
};

const FUND_PAYMENT: Field = Field {
    key: "fund_payment",
    zh: "统筹基金支付",
    en: "fund payment",
    kind: K::Money,
    aliases: &[
        "统筹基金支付",
        "医保记账费用",
        "统筹基金支付金额",
        "基金支付",
        "基金支付金额",
        "基金支付总额",
        "医保基金支付",
        "统筹支付",
        "医保支付",
        "记账金额",
        "hifp_pay",
        "fund_pay",
        "fund_pay_sumamt",
        "fund_payment",
    ],
};

/// 吉林2024 第六条: 职工 fund money is 统筹基金、公补基金和大额基金, 居民 统筹基金及大病保险. These
/// three columns count as fund money only when [`super::ReadOptions::fund_parts`] names them.
const FUND_CIVIL: Field = Field {
    key: "civil_servant_fund",
    zh: "公务员医疗补助",
    en: "civil-servant subsidy (公补基金)",
    kind: K::Money,
    aliases: &[
        "公务员医疗补助",
        "公务员医疗补助资金支出",
        "公补基金",
        "公补基金支付",
        "公务员补助",
        "cvlserv_pay",
        "civil_servant_fund",
    ],
};

const FUND_LARGE: Field = Field {
    key: "large_fund",
    zh: "大额医疗费用补助",
    en: "large-expense fund (大额基金)",
    kind: K::Money,
    aliases: &[
        "大额医疗费用补助",
        "大额医疗补助",
        "大额医疗补助基金支出",
        "大额基金",
        "大额基金支付",
        "hifob_pay",
        "large_fund",
    ],
};

const FUND_SERIOUS: Field = Field {
    key: "serious_illness_fund",
    zh: "大病保险",
    en: "serious-illness insurance (大病保险)",
    kind: K::Money,
    aliases: &[
        "大病保险",
        "大病保险资金支出",
        "大病保险支付",
        "居民大病保险",
        "hifmi_pay",
        "serious_illness_fund",
    ],
};

const MONTH: Field = Field {
    key: "month",
    zh: "月份",
    en: "month",
    kind: K::Month,
    aliases: &["月份", "结算月份", "结算月", "所属月份", "期间", "month"],
};

const GROUP_CODE: Field = Field {
    key: "group",
    zh: "病种编码",
    en: "group code",
    kind: K::Code,
    aliases: &[
        "病种编码",
        "病种代码",
        "病种组合编码",
        "DIP编码",
        "DIP病种编码",
        "DIP分组编码",
        "病组编码",
        "DRG编码",
        "分组编码",
        "入组编码",
        "床日组编码",
        "group",
        "group_code",
        "dip_code",
        "dip_grp_code",
    ],
};

/// 病例明细.
pub(crate) mod cases {
    pub const INSTITUTION: usize = 0;
    pub const FUND: usize = 1;
    pub const KIND: usize = 2;
    pub const GROUP: usize = 3;
    pub const TOTAL_COST: usize = 4;
    pub const PERSONAL_BURDEN: usize = 5;
    pub const FUND_PAYMENT: usize = 6;
    pub const EXCLUDED_COST: usize = 7;
    pub const DAYS: usize = 8;
    pub const SETTLE_DATE: usize = 9;
    pub const MONTH: usize = 10;
    pub const REVIEW_APPLIED: usize = 11;
    pub const REVIEW_SCORE: usize = 12;
    pub const REVIEW_DELTA: usize = 13;
    pub const QC_PASSED: usize = 14;
    pub const SUPPLEMENTED: usize = 15;
    pub const FUND_PARTS: [usize; 3] = [16, 17, 18];
    pub const DISCHARGE: usize = 19;
    pub const SUBTYPE_COEFFICIENT: usize = 20;
    pub const BONUS_SCORE: usize = 21;
}

pub(crate) static CASES: TableSpec = TableSpec {
    kind: TableKind::Cases,
    fields: &[
        INSTITUTION,
        FUND,
        Field {
            key: "kind",
            zh: "结算类型",
            en: "settlement type",
            kind: K::CaseKind,
            aliases: &[
                "结算类型",
                "付费类型",
                "付费方式",
                "支付方式",
                "结算方式",
                "病例类型",
                "kind",
                "case_kind",
                "pay_type",
            ],
        },
        GROUP_CODE,
        TOTAL_COST,
        PERSONAL_BURDEN,
        FUND_PAYMENT,
        Field {
            key: "excluded_cost",
            zh: "先进医疗技术费用",
            en: "excluded cost (advanced technology)",
            kind: K::Money,
            aliases: &[
                "先进医疗技术费用",
                "先进技术费用",
                "新技术费用",
                "除外费用",
                "除外支付费用",
                "excluded_cost",
            ],
        },
        Field {
            key: "days",
            zh: "住院天数",
            en: "inpatient days",
            kind: K::Days,
            aliases: &[
                "住院天数",
                "实际住院天数",
                "住院日数",
                "床日数",
                "real_hosp_days",
                "days",
                "los",
            ],
        },
        Field {
            key: "settle_date",
            zh: "结算日期",
            en: "settlement date",
            kind: K::Date,
            aliases: &[
                "结算日期",
                "结算时间",
                "费用结算日期",
                "结算日期时间",
                "setl_time",
                "setl_date",
                "settle_date",
                "settlement_date",
                "date",
            ],
        },
        MONTH,
        Field {
            key: "review_applied",
            zh: "是否特病单议",
            en: "special review applied",
            kind: K::Bool,
            aliases: &[
                "是否特病单议",
                "是否特例单议",
                "特例单议",
                "特病单议",
                "特例单议申请",
                "是否申请特例单议",
                "申请特例单议",
                "review_applied",
                "special_review",
            ],
        },
        Field {
            key: "review_score",
            zh: "特例单议分值",
            en: "special review score",
            kind: K::Number,
            aliases: &["特例单议分值", "特病单议分值", "单议分值", "评审分值", "review_score"],
        },
        Field {
            key: "review_points_delta",
            zh: "特例单议增减点数",
            en: "special review point change",
            kind: K::Number,
            aliases: &[
                "特例单议增减点数",
                "特病单议增减点数",
                "单议增减点数",
                "增减点数",
                "review_points_delta",
                "review_delta",
            ],
        },
        Field {
            key: "qc_passed",
            zh: "质控通过",
            en: "QC passed",
            kind: K::Bool,
            aliases: &[
                "质控通过",
                "清单质控通过",
                "是否质控通过",
                "质控结果",
                "清单质控结果",
                "qc_passed",
                "qc",
            ],
        },
        Field {
            key: "supplemented",
            zh: "补充结算",
            en: "supplemented",
            kind: K::Bool,
            aliases: &["补充结算", "是否补充结算", "补充结算标识", "supplemented"],
        },
        FUND_CIVIL,
        FUND_LARGE,
        FUND_SERIOUS,
        Field {
            key: "discharge",
            zh: "离院方式",
            en: "discharge mode",
            kind: K::Discharge,
            aliases: &[
                "离院方式",
                "离院方式代码",
                "出院方式",
                "离院类型",
                "dscg_way",
                "discharge",
                "discharge_mode",
            ],
        },
        Field {
            key: "subtype_coefficient",
            zh: "辅助分型调节系数",
            en: "subtype coefficient",
            kind: K::Coefficient,
            aliases: &[
                "辅助分型调节系数",
                "辅助分型系数",
                "辅助目录系数",
                "辅助分型校正系数",
                "分型调节系数",
                "subtype_coefficient",
            ],
        },
        Field {
            key: "bonus_score",
            zh: "新药新技术加成分值",
            en: "new drug and technology bonus score",
            kind: K::Number,
            aliases: &[
                "新药新技术加成分值",
                "新技术加成分值",
                "加成分值",
                "分值加成",
                "bonus_score",
            ],
        },
    ],
    required: &[
        &[cases::INSTITUTION],
        &[cases::FUND],
        &[cases::GROUP],
        &[cases::TOTAL_COST],
        &[cases::PERSONAL_BURDEN, cases::FUND_PAYMENT],
        &[cases::SETTLE_DATE, cases::MONTH],
    ],
    key_field: cases::INSTITUTION,
    level_cost_stems: &[],
};

/// 病种目录.
pub(crate) mod catalog {
    pub const GROUP: usize = 0;
    pub const NAME: usize = 1;
    pub const SCORE: usize = 2;
    pub const GRASSROOTS: usize = 3;
    pub const REFERENCE_COST: usize = 4;
    pub const TYPE: usize = 5;
    pub const DAILY_FUND_STANDARD: usize = 6;
    pub const CATEGORY: usize = 7;
    pub const REMARK: usize = 8;
    pub const RELATIVE_WEIGHT: usize = 9;
}

const REFERENCE_COST_ALIASES: &[&str] = &[
    "次均费用",
    "参考费用",
    "次均医疗总费用",
    "上年度次均费用",
    "上一年度次均医疗总费用",
    "参考次均费用",
    "例均费用",
    "次均住院费用",
    "reference_cost",
    "avg_cost",
    "avg_fee",
    "dip_avg_fee",
];

pub(crate) static CATALOG: TableSpec = TableSpec {
    kind: TableKind::Catalog,
    fields: &[
        GROUP_CODE,
        Field {
            key: "group_name",
            zh: "病种名称",
            en: "group name",
            kind: K::Text,
            aliases: &[
                "病种名称",
                "病种组合名称",
                "DIP名称",
                "病组名称",
                "床日组名称",
                "分组名称",
                "group_name",
                "name",
                "dip_name",
                "dip_grp_name",
            ],
        },
        Field {
            key: "score",
            zh: "病种分值",
            en: "score",
            kind: K::Number,
            aliases: &[
                "病种分值",
                "分值",
                "基准分值",
                "权重",
                "病种权重",
                "病组权重",
                "相对权重",
                "RW",
                "score",
                "weight_score",
                "dip_score",
                "dip_value",
            ],
        },
        Field {
            key: "grassroots",
            zh: "基层病种",
            en: "grassroots group",
            kind: K::Bool,
            aliases: &[
                "基层病种",
                "是否基层病种",
                "基层病种标识",
                "grassroots",
                "is_grassroots",
            ],
        },
        Field {
            key: "reference_cost",
            zh: "次均费用",
            en: "reference cost",
            kind: K::Money,
            aliases: REFERENCE_COST_ALIASES,
        },
        Field {
            key: "group_type",
            zh: "类型",
            en: "type",
            kind: K::CatalogType,
            aliases: &[
                "类型",
                "付费类型",
                "付费方式",
                "支付类型",
                "支付方式",
                "结算类型",
                "group_type",
                "type",
                "pay_type",
            ],
        },
        Field {
            key: "daily_fund_standard",
            zh: "日均基金支付标准",
            en: "daily fund standard",
            kind: K::Money,
            aliases: &[
                "日均基金支付标准",
                "日均统筹基金支付标准",
                "床日支付标准",
                "床日付费标准",
                "日均支付标准",
                "日支付标准",
                "床日标准",
                "daily_fund_standard",
            ],
        },
        Field {
            key: "category",
            zh: "病种类型",
            en: "catalog category (核心/综合病种 …)",
            kind: K::GroupCategory,
            aliases: &[
                "病种类型",
                "病种类别",
                "病种分类",
                "目录类别",
                "病种属性",
                "category",
                "group_category",
                "dip_category",
            ],
        },
        Field {
            key: "remark",
            zh: "备注",
            en: "remark",
            kind: K::Text,
            aliases: &["备注", "备注说明", "说明", "remark", "remarks", "memo"],
        },
        Field {
            key: "relative_weight",
            zh: "权重系数",
            en: "relative weight (score ÷ 1000)",
            kind: K::Number,
            aliases: &["权重系数", "病种权重系数", "relative_weight", "weight", "dip_weight"],
        },
    ],
    required: &[
        &[catalog::GROUP],
        &[catalog::SCORE, catalog::DAILY_FUND_STANDARD, catalog::RELATIVE_WEIGHT],
    ],
    key_field: catalog::GROUP,
    level_cost_stems: REFERENCE_COST_ALIASES,
};

/// Catalog columns that bureau exports carry and the settlement does not use: (meaning in
/// Chinese, in English, headers). Listed as known in the report rather than unknown.
const CATALOG_KNOWN: &[(&str, &str, &[&str])] = &[
    ("序号", "row number", &["序号", "id", "no"]),
    (
        "区域次均费用",
        "the region's mean cost per case",
        &[
            "region_ave_val",
            "region_avg_val",
            "区域次均费用",
            "全市次均费用",
            "区域平均费用",
        ],
    ),
    ("变异系数", "coefficient of variation", &["cv", "变异系数"]),
    ("病例数", "case count", &["bill_count", "case_count", "病例数", "例数"]),
    (
        "平均住院日",
        "mean length of stay",
        &["avg_ipt_days", "平均住院日", "平均住院天数"],
    ),
];

/// What a catalog header the settlement does not use holds, if it is one exports carry.
pub(crate) fn known_unused(kind: TableKind, normalized: &str) -> Option<(&'static str, &'static str)> {
    if kind != TableKind::Catalog {
        return None;
    }
    CATALOG_KNOWN
        .iter()
        .find(|(_, _, headers)| {
            headers
                .iter()
                .any(|h| super::text::normalize_header(h).text == normalized)
        })
        .map(|(zh, en, _)| (*zh, *en))
}

/// 机构.
pub(crate) mod institutions {
    pub const INSTITUTION: usize = 0;
    pub const NAME: usize = 1;
    pub const LEVEL: usize = 2;
    pub const ALLIANCE: usize = 3;
    pub const BASE_COEFFICIENT: usize = 4;
    pub const BONUSES: usize = 5;
    pub const DEDUCTIONS: usize = 6;
    pub const FACTORS: usize = 7;
    pub const ASSESSMENT_SCORE: usize = 8;
    pub const PRIMARY_CARE: usize = 9;
    pub const HISTORY: usize = 10;
    pub const HISTORY_1: usize = 11;
    pub const HISTORY_2: usize = 12;
    pub const HISTORY_3: usize = 13;
    pub const CATEGORY: usize = 14;
    /// 出院结算人次, 人次人头比, 次均住院天数, 次均住院费用, 床日费用 (信阳2019 三(二)).
    pub const INDICATORS: [usize; 5] = [15, 16, 17, 18, 19];
    pub const LAST_YEAR_MONTHS: usize = 20;
    pub const BASE_POINTS: usize = 21;
}

pub(crate) static INSTITUTIONS: TableSpec = TableSpec {
    kind: TableKind::Institutions,
    fields: &[
        INSTITUTION,
        Field {
            key: "institution_name",
            zh: "机构名称",
            en: "institution name",
            kind: K::Text,
            aliases: &[
                "机构名称",
                "定点医药机构名称",
                "定点医疗机构名称",
                "医疗机构名称",
                "医院名称",
                "fixmedins_name",
                "institution_name",
                "name",
            ],
        },
        Field {
            key: "level",
            zh: "医保结算等级",
            en: "level",
            kind: K::Text,
            aliases: &[
                "医保结算等级",
                "结算等级",
                "等级",
                "医院等级",
                "机构等级",
                "医疗机构等级",
                "医保等级",
                "level",
                "hosp_lv",
            ],
        },
        Field {
            key: "alliance",
            zh: "医共体",
            en: "alliance (医共体)",
            kind: K::Text,
            aliases: &["医共体", "所属医共体", "医共体名称", "alliance"],
        },
        Field {
            key: "base_coefficient",
            zh: "基本调节系数",
            en: "base coefficient",
            kind: K::Coefficient,
            aliases: &[
                "基本调节系数",
                "基础调节系数",
                "调节系数",
                "等级系数",
                "基本系数",
                "基础系数",
                "系数因子",
                "机构系数",
                "base_coefficient",
            ],
        },
        Field {
            key: "bonuses",
            zh: "加成系数",
            en: "bonus coefficients",
            kind: K::CoefficientList,
            aliases: &["加成系数", "加成权重系数", "加成权重", "bonuses", "bonus"],
        },
        Field {
            key: "deductions",
            zh: "扣减系数",
            en: "deduction coefficients",
            kind: K::CoefficientList,
            aliases: &["扣减系数", "扣减权重系数", "扣减权重", "deductions", "deduction"],
        },
        Field {
            key: "factors",
            zh: "连乘系数",
            en: "multiplicative factors",
            kind: K::CoefficientList,
            aliases: &["连乘系数", "乘数系数", "factors"],
        },
        Field {
            key: "assessment_score",
            zh: "考核得分",
            en: "assessment score",
            kind: K::Number,
            aliases: &["考核得分", "年度考核得分", "考核分数", "考核评分", "assessment_score"],
        },
        Field {
            key: "primary_care",
            zh: "基层医疗机构",
            en: "primary-care institution",
            kind: K::Bool,
            aliases: &[
                "基层医疗机构",
                "是否基层医疗机构",
                "基层机构",
                "是否基层机构",
                "primary_care",
            ],
        },
        Field {
            key: "history",
            zh: "历史基金支付",
            en: "fund payment history",
            kind: K::MoneyList,
            aliases: &["历史基金支付", "历年基金支付", "历史基金支付额", "history"],
        },
        Field {
            key: "history_1",
            zh: "上年基金支付",
            en: "fund payment last year",
            kind: K::Money,
            aliases: &[
                "上年基金支付",
                "上年",
                "上年度基金支付",
                "上一年度基金支付",
                "history_1",
            ],
        },
        Field {
            key: "history_2",
            zh: "前年基金支付",
            en: "fund payment two years ago",
            kind: K::Money,
            aliases: &["前年基金支付", "前年", "history_2"],
        },
        Field {
            key: "history_3",
            zh: "大前年基金支付",
            en: "fund payment three years ago",
            kind: K::Money,
            aliases: &["大前年基金支付", "大前年", "history_3"],
        },
        Field {
            key: "institution_category",
            zh: "机构类别",
            en: "institution type",
            kind: K::Text,
            aliases: &[
                "机构类别",
                "机构类型",
                "医疗机构类别",
                "医院类别",
                "医院类型",
                "institution_category",
            ],
        },
        Field {
            key: "discharges",
            zh: "出院结算人次",
            en: "discharges",
            kind: K::Number,
            aliases: &["出院结算人次", "出院人次", "结算人次", "discharges"],
        },
        Field {
            key: "visits_per_person",
            zh: "人次人头比",
            en: "visits per person",
            kind: K::Number,
            aliases: &["人次人头比", "人头人次比", "visits_per_person"],
        },
        Field {
            key: "mean_days",
            zh: "次均住院天数",
            en: "mean length of stay",
            kind: K::Number,
            aliases: &["次均住院天数", "平均住院日", "平均住院天数", "mean_days"],
        },
        Field {
            key: "mean_cost",
            zh: "次均住院费用",
            en: "mean cost per stay",
            kind: K::Money,
            aliases: &["次均住院费用", "次均费用", "mean_cost"],
        },
        Field {
            key: "bed_day_cost",
            zh: "床日费用",
            en: "cost per bed-day",
            kind: K::Money,
            aliases: &["床日费用", "平均床日费用", "bed_day_cost"],
        },
        Field {
            key: "last_year_months",
            zh: "上年各月统筹费用",
            en: "last year's monthly fund amounts",
            kind: K::MoneyList,
            aliases: &[
                "上年各月统筹费用",
                "上年度各月统筹费用",
                "上年月度统筹费用",
                "last_year_months",
            ],
        },
        Field {
            key: "base_points",
            zh: "上年合理服务点数",
            en: "last year's reasonable service points",
            kind: K::Number,
            aliases: &["上年合理服务点数", "基准服务点数", "上年度合理服务点数", "base_points"],
        },
    ],
    required: &[
        &[institutions::INSTITUTION],
        &[institutions::NAME, institutions::LEVEL, institutions::BASE_COEFFICIENT],
    ],
    key_field: institutions::INSTITUTION,
    level_cost_stems: &[],
};

/// 机构汇总.
pub(crate) mod summaries {
    pub const INSTITUTION: usize = 0;
    pub const FUND: usize = 1;
    pub const MONTH: usize = 2;
    pub const POINTS: usize = 3;
    pub const TOTAL_COST: usize = 4;
    pub const PERSONAL_BURDEN: usize = 5;
    pub const FUND_PAYMENT: usize = 6;
    pub const PREPAID: usize = 7;
    pub const CASES: usize = 8;
    pub const FUND_PARTS: [usize; 3] = [9, 10, 11];
}

pub(crate) static SUMMARIES: TableSpec = TableSpec {
    kind: TableKind::Summaries,
    fields: &[
        INSTITUTION,
        FUND,
        MONTH,
        Field {
            key: "points",
            zh: "总点数",
            en: "total points",
            kind: K::Number,
            aliases: &["总点数", "点数", "总分值", "点数合计", "points", "total_points"],
        },
        TOTAL_COST,
        PERSONAL_BURDEN,
        FUND_PAYMENT,
        Field {
            key: "prepaid",
            zh: "已预付",
            en: "prepaid",
            kind: K::Money,
            aliases: &["已预付", "已预付金额", "预付金额", "已拨付", "已拨付金额", "prepaid"],
        },
        Field {
            key: "cases",
            zh: "病例数",
            en: "cases",
            kind: K::Count,
            aliases: &["病例数", "例数", "病例数量", "出院人次", "人次", "cases", "case_count"],
        },
        FUND_CIVIL,
        FUND_LARGE,
        FUND_SERIOUS,
    ],
    required: &[
        &[summaries::INSTITUTION],
        &[summaries::FUND],
        &[summaries::POINTS],
        &[summaries::TOTAL_COST],
        &[summaries::PERSONAL_BURDEN, summaries::FUND_PAYMENT],
    ],
    key_field: summaries::INSTITUTION,
    level_cost_stems: &[],
};

/// 门诊.
pub(crate) mod outpatient {
    pub const INSTITUTION: usize = 0;
    pub const FUND: usize = 1;
    pub const MONTH: usize = 2;
    pub const CAPITATION: usize = 3;
    pub const DRUGS: usize = 4;
    pub const CONSUMABLES: usize = 5;
    pub const SERVICES: usize = 6;
    pub const OTHER_POINTS: usize = 7;
    pub const TOTAL_COST: usize = 8;
    pub const PERSONAL_BURDEN: usize = 9;
    pub const FUND_PAYMENT: usize = 10;
    pub const FUND_PARTS: [usize; 3] = [11, 12, 13];
}

pub(crate) static OUTPATIENT: TableSpec = TableSpec {
    kind: TableKind::Outpatient,
    fields: &[
        INSTITUTION,
        FUND,
        MONTH,
        Field {
            key: "capitation_payment",
            zh: "人头付费",
            en: "capitation payment",
            kind: K::Money,
            aliases: &[
                "人头付费",
                "人头付费金额",
                "人头包干费用",
                "人头费用",
                "capitation_payment",
                "capitation",
            ],
        },
        Field {
            key: "drugs",
            zh: "药品费用",
            en: "drugs",
            kind: K::Money,
            aliases: &["药品费用", "药品费", "药品", "drugs"],
        },
        Field {
            key: "consumables",
            zh: "耗材费用",
            en: "consumables",
            kind: K::Money,
            aliases: &["耗材费用", "耗材", "医用耗材", "材料费", "卫生材料费", "consumables"],
        },
        Field {
            key: "services",
            zh: "医疗服务费用",
            en: "medical services",
            kind: K::Money,
            aliases: &["医疗服务费用", "医疗服务", "医疗服务费", "医疗服务项目费用", "services"],
        },
        Field {
            key: "other_points",
            zh: "其他点数",
            en: "other points",
            kind: K::Number,
            aliases: &["其他点数", "门诊慢特病点数", "其他门诊点数", "other_points"],
        },
        TOTAL_COST,
        PERSONAL_BURDEN,
        FUND_PAYMENT,
        FUND_CIVIL,
        FUND_LARGE,
        FUND_SERIOUS,
    ],
    required: &[
        &[outpatient::INSTITUTION],
        &[outpatient::FUND],
        &[
            outpatient::CAPITATION,
            outpatient::DRUGS,
            outpatient::CONSUMABLES,
            outpatient::SERVICES,
            outpatient::OTHER_POINTS,
        ],
    ],
    key_field: outpatient::INSTITUTION,
    level_cost_stems: &[],
};

/// 年终调整.
pub(crate) mod adjustments {
    pub const INSTITUTION: usize = 0;
    pub const FUND: usize = 1;
    pub const LABEL: usize = 2;
    pub const POINTS: usize = 3;
    pub const AMOUNT: usize = 4;
    pub const DEDUCTION: usize = 5;
    pub const BASIS: usize = 6;
    pub const QUALITY_RESERVE_DEDUCTION: usize = 7;
}

/// One row per labelled year-end adjustment of one institution and fund (SPEC §7.2): points
/// (吉林2024 第二十七条 "调整定点服务机构年终结算点数"), an amount either way (信阳2019 三(二)
/// 预分额度 changes and compensation), or a deduction written as a positive sum, as audit
/// exports list it (信阳2019 三(三) "扣除不合理费用", 吉林2024 第三十二条).
pub(crate) static ADJUSTMENTS: TableSpec = TableSpec {
    kind: TableKind::Adjustments,
    fields: &[
        INSTITUTION,
        FUND,
        Field {
            key: "adjustment",
            zh: "调整项目",
            en: "adjustment",
            kind: K::Text,
            aliases: &[
                "调整项目",
                "调整名称",
                "调整类别",
                "调整类型",
                "调整事项",
                "项目名称",
                "类别",
                "名称",
                "adjustment",
                "label",
            ],
        },
        Field {
            key: "adjustment_points",
            zh: "调整点数",
            en: "point adjustment",
            kind: K::Number,
            aliases: &[
                "调整点数",
                "年终调整点数",
                "增减点数",
                "点数调整",
                "点数",
                "adjustment_points",
            ],
        },
        Field {
            key: "adjustment_amount",
            zh: "调整金额",
            en: "amount adjustment",
            kind: K::Money,
            aliases: &[
                "调整金额",
                "增减金额",
                "补偿金额",
                "追加金额",
                "金额",
                "adjustment_amount",
            ],
        },
        Field {
            key: "deduction_amount",
            zh: "扣减金额",
            en: "deduction",
            kind: K::Money,
            aliases: &[
                "扣减金额",
                "扣款金额",
                "审核扣款",
                "违规扣减",
                "扣除金额",
                "扣减",
                "deduction_amount",
            ],
        },
        Field {
            key: "basis",
            zh: "依据",
            en: "basis",
            kind: K::Text,
            aliases: &[
                "依据",
                "调整依据",
                "文件依据",
                "政策依据",
                "备注",
                "说明",
                "basis",
                "note",
            ],
        },
        Field {
            key: "quality_reserve_deduction",
            zh: "扣减质量保证金",
            en: "quality reserve deduction",
            kind: K::Money,
            aliases: &[
                "扣减质量保证金",
                "质量保证金扣减",
                "扣质量保证金",
                "quality_reserve_deduction",
            ],
        },
    ],
    required: &[
        &[adjustments::INSTITUTION],
        &[adjustments::FUND],
        &[adjustments::LABEL],
        &[
            adjustments::POINTS,
            adjustments::AMOUNT,
            adjustments::DEDUCTION,
            adjustments::QUALITY_RESERVE_DEDUCTION,
        ],
    ],
    key_field: adjustments::INSTITUTION,
    level_cost_stems: &[],
};

/// 区域公布数据: what the bureau publishes month by month (宁德2025答复 二 "按月…公布预结算点值"),
/// for an estimate from a hospital's own cases (SPEC §11).
pub(crate) mod published {
    pub const FUND: usize = 0;
    pub const MONTH: usize = 1;
    pub const POINT_VALUE: usize = 2;
    pub const REGION_POINTS: usize = 3;
    pub const MONTHLY_BUDGET: usize = 4;
}

pub(crate) static PUBLISHED: TableSpec = TableSpec {
    kind: TableKind::Published,
    fields: &[
        FUND,
        MONTH,
        Field {
            key: "point_value",
            zh: "点值",
            en: "point value",
            kind: K::Number,
            aliases: &[
                "点值",
                "月度点值",
                "预结算点值",
                "月度预结算点值",
                "预付点值",
                "结算点值",
                "point_value",
            ],
        },
        Field {
            key: "region_points",
            zh: "区域总点数",
            en: "region points",
            kind: K::Number,
            aliases: &["区域总点数", "全区域总点数", "统筹区总点数", "总点数", "region_points"],
        },
        Field {
            key: "monthly_budget",
            zh: "月度预算",
            en: "monthly budget",
            kind: K::Money,
            aliases: &["月度预算", "月预算", "月度预算总额", "当月预算", "monthly_budget"],
        },
    ],
    required: &[
        &[published::FUND],
        &[published::MONTH],
        &[published::POINT_VALUE, published::REGION_POINTS],
    ],
    key_field: published::MONTH,
    level_cost_stems: &[],
};

/// A payment column that may count as fund money (吉林2024 第六条; SPEC §3).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FundPart {
    /// 公务员医疗补助 (公补基金).
    Civil,
    /// 大额医疗费用补助 (大额基金).
    Large,
    /// 大病保险.
    Serious,
}

impl FundPart {
    /// All parts, in the order of their columns.
    pub const ALL: [FundPart; 3] = [FundPart::Civil, FundPart::Large, FundPart::Serious];
}

impl std::str::FromStr for FundPart {
    type Err = String;

    /// `civil`, `large` or `serious` (also 公补, 大额, 大病).
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s.trim() {
            "civil" | "公补" => Ok(FundPart::Civil),
            "large" | "大额" => Ok(FundPart::Large),
            "serious" | "大病" => Ok(FundPart::Serious),
            other => Err(format!("unknown fund part {other:?} (civil, large or serious)")),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::text::normalize_header;
    use super::*;

    #[test]
    fn aliases_are_unambiguous_within_each_table() {
        for table in TableKind::ALL {
            let spec = table.spec();
            let mut seen: std::collections::HashMap<String, &str> = std::collections::HashMap::new();
            for f in spec.fields {
                assert_eq!(f.aliases.first(), Some(&f.zh), "{}: canonical name first", f.key);
                assert!(f.aliases.contains(&f.key), "{}: the key is an alias too", f.key);
                for a in f.aliases {
                    let n = normalize_header(a).text;
                    if let Some(other) = seen.insert(n.clone(), f.key) {
                        assert_eq!(other, f.key, "{table:?}: \"{a}\" names both {other} and {}", f.key);
                    }
                }
            }
        }
    }

    #[test]
    fn keys_are_unique_across_tables_with_one_meaning() {
        let mut seen: std::collections::HashMap<&str, (&str, &str)> = std::collections::HashMap::new();
        for table in TableKind::ALL {
            for f in table.spec().fields {
                if let Some(prev) = seen.insert(f.key, (f.zh, f.en)) {
                    assert_eq!(prev, (f.zh, f.en), "{}", f.key);
                }
            }
        }
    }
}
