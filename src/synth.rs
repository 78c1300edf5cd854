//! A deterministic synthetic city (or province) for demos and benchmarks.
//!
//! [`Synth::new`] builds institutions over the five levels (三甲, 三乙, 二甲, 二乙, 一级, a few
//! 医共体), a DIP catalog with log-normal scores and ~15% 基层病种, and an iterator of cases with
//! log-normal costs (a few percent beyond each outlier threshold), both funds, twelve months, a
//! few 特例单议 applications and QC-failed cases. Everything follows from the seed: the same seed
//! and size give the same bytes on every platform (the sampling uses only IEEE basic
//! operations, never the platform's `exp`/`ln`).
//!
//! The sampling is in `f64` (this is not the calculation path); every amount written out is
//! decimal text to the fen, from integer fen. The files use the canonical Chinese headers of
//! `docs/import.md`, and [`Synth::policy`] is the 宁德2024 preset with its budget amounts scaled
//! so the DIP budget is ~97% of the generated fund spending (a realistic point value).
//!
//! Nothing here touches the file system: writers are given by the caller.
//!
//! ```
//! use dipcalc::synth::{Synth, SynthSize};
//!
//! let synth = Synth::new(SynthSize::cases(500), 7);
//! let mut csv = Vec::new();
//! let totals = synth.write_cases_csv(&mut csv).unwrap();
//! assert_eq!(totals.cases, 500);
//! assert!(String::from_utf8(csv).unwrap().starts_with("结算流水号,机构编码,险种,病种编码"));
//! ```

use std::fmt::Write as _;
use std::io::{self, Seek, Write};

use rust_decimal::Decimal;

use crate::policy::{Amount, Policy, Unit};
use crate::records::{Case, CaseKind, Catalog, Fund, Group, Institution, Review};

/// The year the synthetic cases are settled in (the 宁德2024 preset's year).
pub const YEAR: u16 = 2024;

/// Excel's sheet holds 1,048,576 rows: a header and this many cases.
pub const EXCEL_MAX_CASES: u64 = 1_048_575;

/// The five levels (宁德2025答复 二 "三级五等"), highest first.
pub const LEVELS: [&str; 5] = ["三甲", "三乙", "二甲", "二乙", "一级"];

/// The DIP budget as a share of the generated fund spending (a slightly tight budget, as usual).
const BUDGET_SHARE_PERCENT: i64 = 97;

// ---------------------------------------------------------------------------------------------
// Random numbers: xoshiro256++ seeded through SplitMix64, and distributions built only from
// IEEE basic operations (+ − × ÷ √, exact on every platform), so the bytes never depend on libm.

/// xoshiro256++ (Blackman & Vigna), seeded with SplitMix64.
#[derive(Debug, Clone)]
pub struct Rng {
    s: [u64; 4],
}

impl Rng {
    pub fn new(seed: u64) -> Self {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        };
        Rng {
            s: [next(), next(), next(), next()],
        }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = s[0].wrapping_add(s[3]).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in [0, 1), 53 bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f64, hi: f64) -> f64 {
        lo + (hi - lo) * self.uniform()
    }

    /// Uniform integer in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        ((u128::from(self.next_u64()) * u128::from(n)) >> 64) as u64
    }

    pub fn chance(&mut self, p: f64) -> bool {
        self.uniform() < p
    }

    /// Standard normal, approximately: the Irwin–Hall sum of twelve uniforms minus 6 (tails end
    /// at ±6σ, which is all a synthetic cost needs).
    pub fn normal(&mut self) -> f64 {
        let mut sum = 0.0;
        for _ in 0..12 {
            sum += self.uniform();
        }
        sum - 6.0
    }

    /// Log-normal: `median × e^(σ·N(0,1))`.
    pub fn log_normal(&mut self, median: f64, sigma: f64) -> f64 {
        median * exp(sigma * self.normal())
    }
}

/// e^x from IEEE basic operations only (same bits everywhere): x = k·ln2 + r, |r| ≤ ln2/2,
/// a degree-14 Taylor polynomial for e^r, and 2^k put into the exponent bits.
fn exp(x: f64) -> f64 {
    const LN2_HI: f64 = 6.931_471_803_691_238e-1;
    const LN2_LO: f64 = 1.908_214_929_270_587_7e-10;
    const LOG2_E: f64 = std::f64::consts::LOG2_E;
    let x = x.clamp(-700.0, 700.0);
    let k = (x * LOG2_E).round();
    let r = (x - k * LN2_HI) - k * LN2_LO;
    let mut term = 1.0;
    let mut sum = 1.0;
    for n in 1..=14 {
        term = term * r / f64::from(n);
        sum += term;
    }
    let bits = ((k as i64 + 1023) as u64) << 52;
    sum * f64::from_bits(bits)
}

/// Rounds a non-negative f64 to an integer (half up): sampled amounts to fen.
fn to_int(x: f64) -> i64 {
    (x + 0.5).floor() as i64
}

/// Cumulative weights for sampling an index in proportion to its weight.
#[derive(Debug, Clone, Default)]
struct Weighted {
    cumulative: Vec<f64>,
}

impl Weighted {
    fn new(weights: impl IntoIterator<Item = f64>) -> Self {
        let mut total = 0.0;
        let cumulative = weights
            .into_iter()
            .map(|w| {
                total += w;
                total
            })
            .collect();
        Weighted { cumulative }
    }

    fn total(&self) -> f64 {
        self.cumulative.last().copied().unwrap_or(0.0)
    }

    fn sample(&self, rng: &mut Rng) -> usize {
        let u = rng.uniform() * self.total();
        let i = self.cumulative.partition_point(|&c| c <= u);
        i.min(self.cumulative.len() - 1)
    }
}

// ---------------------------------------------------------------------------------------------
// Sizes.

/// How big the synthetic region is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SynthSize {
    pub cases: u64,
    pub institutions: usize,
    pub groups: usize,
    /// The catalog's shape: the generator's short codes, or a real city catalog's.
    pub shape: Shape,
}

/// The shape of the generated catalog.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Short codes (`I21.0003-30`), a cost spread of the same width in every group.
    Synthetic,
    /// Shaped like a real published city catalog: national-style DIP codes (`K80.2`,
    /// `G45.9:88.4101`, `I25.1:36.0600x001`), log-normal average costs over a wide range, a
    /// coefficient of variation and a published case count per group (the columns 变异系数 and
    /// 例数), case volumes as skewed as a real year's.
    City,
}

impl SynthSize {
    /// The page's demo city: 30 institutions, 800 groups, 50,000 cases.
    pub const DEMO: SynthSize = SynthSize {
        cases: 50_000,
        institutions: 30,
        groups: 800,
        shape: Shape::Synthetic,
    };

    /// A city-year the size of a real 2025 city DIP catalog: 1,870,844 cases (its published case
    /// count), 4,448 groups, 60 institutions; ~131 MB of CSV (11 columns).
    pub const CITY: SynthSize = SynthSize {
        cases: 1_870_844,
        institutions: 60,
        groups: 4_448,
        shape: Shape::City,
    };

    /// A region with `n` cases (at least 100): institutions grow as n^0.75 and the catalog as
    /// n^0.5 from the demo city (100k → 50 institutions / 1,131 groups; 1m → 284 / 3,578).
    pub fn cases(n: u64) -> SynthSize {
        let n = n.max(100);
        let x = n as f64 / SynthSize::DEMO.cases as f64;
        let root = x.sqrt();
        let institutions = to_int(30.0 * root * root.sqrt()).max(10) as usize;
        let groups = to_int(800.0 * root).max(60) as usize;
        SynthSize {
            cases: n,
            institutions,
            groups,
            shape: Shape::Synthetic,
        }
    }

    /// `demo`, `100k`, `300k`, `1m`, `excel` (Excel's row limit), `city` ([`SynthSize::CITY`]),
    /// or a number of cases with an optional `k`/`m` suffix.
    pub fn parse(text: &str) -> Option<SynthSize> {
        let t = text.trim().to_ascii_lowercase();
        match t.as_str() {
            "demo" => return Some(SynthSize::DEMO),
            "city" => return Some(SynthSize::CITY),
            "excel" => return Some(SynthSize::cases(EXCEL_MAX_CASES)),
            _ => {}
        }
        let (digits, mult) = if let Some(d) = t.strip_suffix('k') {
            (d, 1_000)
        } else if let Some(d) = t.strip_suffix('m') {
            (d, 1_000_000)
        } else {
            (t.as_str(), 1)
        };
        let n: u64 = digits.replace('_', "").parse().ok()?;
        n.checked_mul(mult).filter(|n| *n >= 100).map(SynthSize::cases)
    }
}

// ---------------------------------------------------------------------------------------------
// The region.

/// A generated institution.
#[derive(Debug, Clone)]
pub struct SynthInstitution {
    pub code: String,
    pub name: String,
    /// Index into [`LEVELS`].
    pub level: usize,
    pub alliance: Option<String>,
    /// 加成系数 (a 中医 bonus), in thousandths.
    pub bonus_milli: Option<i64>,
    /// 扣减系数, in thousandths.
    pub deduction_milli: Option<i64>,
    /// 考核得分 in tenths.
    pub assessment_tenths: i64,
    /// 上年 / 前年基金支付, fen.
    pub history_fen: [i64; 2],
    /// Applies for 特例单议 ten times as often (the 3% flag).
    pub review_heavy: bool,
    volume: f64,
}

/// A generated DIP group.
#[derive(Debug, Clone)]
pub struct SynthGroup {
    pub code: String,
    pub name: String,
    /// 病种分值 in hundredths.
    pub score_centi: i64,
    pub grassroots: bool,
    /// 次均费用, fen.
    pub reference_fen: i64,
    /// 变异系数 of the group's costs, in ten-thousandths ([`Shape::City`] only).
    pub cv_myriad: Option<i64>,
    /// 例数, the catalog's published case count ([`Shape::City`] only); cases are drawn in
    /// proportion to it.
    pub published_cases: Option<u64>,
    popularity: f64,
    /// σ of the log-normal cost ratio of the group's cases.
    sigma: f64,
}

/// A generated case; amounts in fen, scores and points in hundredths.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthCase {
    /// 0-based position in the file (the CSV row is `index + 2`).
    pub index: u64,
    pub institution: usize,
    pub fund: Fund,
    pub group: usize,
    pub cost_fen: i64,
    pub personal_fen: i64,
    pub excluded_fen: i64,
    pub days: u32,
    pub month: u8,
    pub day: u8,
    pub review_applied: bool,
    pub review_score_centi: Option<i64>,
    pub review_delta_centi: Option<i64>,
    pub qc_passed: bool,
    pub supplemented: bool,
}

impl SynthCase {
    /// 统筹基金支付 = cost − personal burden.
    pub fn fund_payment_fen(&self) -> i64 {
        self.cost_fen - self.personal_fen
    }

    /// The engine settles it at year end (QC passed, or failed and supplemented).
    pub fn included(&self) -> bool {
        self.qc_passed || self.supplemented
    }
}

/// What a written case file adds up to, per fund (index 0 职工, 1 居民).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub cases: u64,
    pub fund_cases: [u64; 2],
    pub cost_fen: [i64; 2],
    pub personal_fen: [i64; 2],
    pub excluded_fen: [i64; 2],
    /// Fund spending of the cases the engine includes: cost − excluded − personal burden.
    pub included_fund_fen: [i64; 2],
}

impl Totals {
    pub fn add(&mut self, c: &SynthCase) {
        let f = fund_slot(c.fund);
        self.cases += 1;
        self.fund_cases[f] += 1;
        self.cost_fen[f] += c.cost_fen;
        self.personal_fen[f] += c.personal_fen;
        self.excluded_fen[f] += c.excluded_fen;
        if c.included() {
            self.included_fund_fen[f] += c.cost_fen - c.excluded_fen - c.personal_fen;
        }
    }
}

fn fund_slot(f: Fund) -> usize {
    match f {
        Fund::Employee => 0,
        Fund::Resident => 1,
    }
}

/// Fictional place names (a county or district each).
const PLACES: [&str; 24] = [
    "东湖", "西岭", "南溪", "北山", "青云", "白石", "金沙", "玉泉", "松阳", "桃源", "梅岭", "竹溪", "兰亭", "枫林",
    "柳湾", "石门", "龙潭", "凤岗", "鹤鸣", "云台", "清河", "长汀", "霞浦", "屏南",
];

/// Fictional cities (a province pools several).
const CITIES: [&str; 6] = ["宁川", "安澜", "瑞溪", "青屿", "临江", "永和"];

/// Hospital kinds by level.
const KINDS: [&[&str]; 5] = [
    &["市第一医院", "市中心医院", "市中医院", "医学院附属医院"],
    &["市第二医院", "市中西医结合医院", "市第三医院"],
    &["县医院", "县中医院", "县妇幼保健院"],
    &["县第二医院", "县中医院", "县人民医院"],
    &["镇卫生院", "乡卫生院", "社区卫生服务中心"],
];

/// Share of institutions, relative case volume, share of 职工 cases, share of 基层病种 cases
/// (宁德2025答复 二: 三甲 21.80%, 二甲 47.49%, 二乙 62.10%), cost level against the regional
/// reference (tuned so each level's cost is within a few percent of what the 宁德 coefficients pay
/// it, institutions landing in and around the risk-sharing bands), reimbursement offset.
const LEVEL_MIX: [f64; 5] = [0.10, 0.10, 0.20, 0.20, 0.40];
const LEVEL_VOLUME: [f64; 5] = [12.0, 6.0, 3.5, 1.6, 0.45];
const LEVEL_EMPLOYEE: [f64; 5] = [0.50, 0.45, 0.38, 0.32, 0.22];
const LEVEL_GRASSROOTS: [f64; 5] = [0.22, 0.30, 0.47, 0.62, 0.80];
const LEVEL_COST: [f64; 5] = [1.09, 0.99, 0.87, 0.83, 0.83];
const LEVEL_REIMBURSE: [f64; 5] = [-0.04, -0.02, 0.0, 0.03, 0.06];

/// Diseases (ICD-10 category, name, relative cost).
const DISEASES: [(&str, &str, f64); 40] = [
    ("I21", "急性心肌梗死", 2.2),
    ("I63", "脑梗死", 1.3),
    ("I61", "脑出血", 2.0),
    ("I50", "心力衰竭", 1.1),
    ("I20", "心绞痛", 1.2),
    ("I10", "原发性高血压", 0.5),
    ("J18", "肺炎", 0.7),
    ("J44", "慢性阻塞性肺病", 0.8),
    ("J20", "急性支气管炎", 0.4),
    ("J06", "急性上呼吸道感染", 0.3),
    ("E11", "2型糖尿病", 0.6),
    ("K80", "胆石症", 1.1),
    ("K35", "急性阑尾炎", 0.9),
    ("K29", "胃炎", 0.4),
    ("K56", "肠梗阻", 1.0),
    ("K74", "肝硬化", 1.2),
    ("N18", "慢性肾脏病", 1.3),
    ("N20", "肾结石", 0.8),
    ("N39", "泌尿道感染", 0.4),
    ("C34", "肺恶性肿瘤", 2.5),
    ("C16", "胃恶性肿瘤", 2.4),
    ("C18", "结肠恶性肿瘤", 2.3),
    ("C50", "乳腺恶性肿瘤", 1.9),
    ("C22", "肝恶性肿瘤", 2.3),
    ("S72", "股骨骨折", 2.1),
    ("S82", "小腿骨折", 1.6),
    ("S06", "颅内损伤", 1.8),
    ("M17", "膝关节病", 1.9),
    ("M51", "椎间盘疾患", 1.2),
    ("O80", "单胎顺产", 0.5),
    ("O82", "剖宫产", 0.8),
    ("P07", "早产儿", 1.5),
    ("H25", "老年性白内障", 0.7),
    ("H40", "青光眼", 0.8),
    ("A09", "感染性腹泻", 0.3),
    ("R50", "发热", 0.3),
    ("L03", "蜂窝织炎", 0.4),
    ("D25", "子宫平滑肌瘤", 1.0),
    ("G45", "短暂性脑缺血", 0.6),
    ("F20", "精神分裂症", 1.4),
];

/// Treatments (suffix, name, cost multiplier, share of groups).
const TREATMENTS: [(&str, &str, f64, f64); 4] = [
    ("00", "保守治疗", 0.55, 0.40),
    ("10", "诊断性操作", 0.8, 0.15),
    ("20", "治疗性操作", 1.2, 0.20),
    ("30", "手术", 2.4, 0.25),
];

/// Seasonality, for the year-end estimate's backtest (SPEC §11): each month's share of the
/// cases follows [`SEASON_SHAPE`] × (1 + `growth` × (m − 1) ÷ 11), and each institution's volume
/// in each month is multiplied by its own log-normal noise (median 1, `noise` = σ). Without it
/// ([`Synth::new`]) cases spread evenly over the months, as the benchmarks and the demo expect.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Season {
    pub growth: f64,
    pub noise: f64,
    /// 0 for the year estimated, 1 for the year before (same institutions and catalog, its own
    /// noise and cases: the previous-year file of an estimate).
    pub year: u64,
}

impl Season {
    /// 6% growth over the year, 12% month-to-month noise per institution.
    pub const DEFAULT: Season = Season {
        growth: 0.06,
        noise: 0.12,
        year: 0,
    };
}

/// Relative volume by month: the Spring-Festival dip (January, February) and the Q4 rise.
pub const SEASON_SHAPE: [f64; 12] = [0.95, 0.72, 1.02, 1.0, 1.0, 0.98, 1.0, 1.0, 0.98, 1.04, 1.1, 1.2];

/// The months of a seasonal region: cumulative shares of the cases, and each month's
/// institution weights (volume × noise).
#[derive(Debug, Clone)]
struct Months {
    cumulative: [f64; 12],
    by_volume: Vec<Weighted>,
}

/// The region: institutions, catalog, and the case sampler.
#[derive(Debug, Clone)]
pub struct Synth {
    pub seed: u64,
    pub size: SynthSize,
    pub institutions: Vec<SynthInstitution>,
    pub groups: Vec<SynthGroup>,
    by_volume: Weighted,
    /// `Some` for a seasonal region ([`Synth::with_season`]).
    season: Option<Months>,
    /// Mixed into the cases' seed: 0, or another year of a seasonal region.
    case_salt: u64,
    /// The 基层病种 groups and the others, each with its popularity weights.
    grassroots_groups: (Vec<usize>, Weighted),
    other_groups: (Vec<usize>, Weighted),
}

impl Synth {
    /// The region of this size for this seed.
    pub fn new(size: SynthSize, seed: u64) -> Synth {
        let mut rng = Rng::new(seed ^ 0x0064_6970_6361_6C63); // "dipcalc"
        let institutions = make_institutions(&mut rng, size);
        let groups = match size.shape {
            Shape::Synthetic => make_groups(&mut rng, size),
            Shape::City => make_city_groups(&mut rng, size),
        };
        let by_volume = Weighted::new(institutions.iter().map(|i| i.volume));
        let split = |grassroots: bool| {
            let idx: Vec<usize> = (0..groups.len())
                .filter(|&g| groups[g].grassroots == grassroots)
                .collect();
            let w = Weighted::new(idx.iter().map(|&g| groups[g].popularity));
            (idx, w)
        };
        let grassroots_groups = split(true);
        let other_groups = split(false);
        let mut synth = Synth {
            seed,
            size,
            institutions,
            groups,
            by_volume,
            grassroots_groups,
            other_groups,
            season: None,
            case_salt: 0,
        };
        synth.fill_history();
        synth
    }

    /// The same region with seasonal months ([`Season`]); the institutions, catalog and history
    /// are those of [`Synth::new`] for the seed.
    pub fn with_season(size: SynthSize, seed: u64, season: Season) -> Synth {
        let mut synth = Synth::new(size, seed);
        let salt = season.year.wrapping_mul(0x9E37_79B9_7F4A_7C15);
        let mut rng = Rng::new(seed ^ 0x7365_6173_6f6e ^ salt); // "season"
        let share: Vec<f64> = (0..12)
            .map(|m| SEASON_SHAPE[m] * (1.0 + season.growth * m as f64 / 11.0))
            .collect();
        let total: f64 = share.iter().sum();
        let mut cumulative = [0.0; 12];
        let mut acc = 0.0;
        for (c, s) in cumulative.iter_mut().zip(&share) {
            acc += s / total;
            *c = acc;
        }
        cumulative[11] = 1.0;
        let by_volume = (0..12)
            .map(|_| {
                let noisy: Vec<f64> = synth
                    .institutions
                    .iter()
                    .map(|i| i.volume * rng.log_normal(1.0, season.noise))
                    .collect();
                Weighted::new(noisy)
            })
            .collect();
        synth.season = Some(Months { cumulative, by_volume });
        synth.case_salt = salt;
        synth
    }

    /// 上年/前年基金支付 from each institution's expected spending (for the allotment presets).
    fn fill_history(&mut self) {
        let mut rng = Rng::new(self.seed ^ 0x6869_7374);
        let total = self.by_volume.total();
        let cases = self.size.cases as f64;
        let mean_cost = match self.size.shape {
            Shape::Synthetic => 5_600.0,
            Shape::City => {
                let weight: f64 = self.groups.iter().map(|g| g.popularity).sum();
                let cost: f64 = self
                    .groups
                    .iter()
                    .map(|g| g.popularity * g.reference_fen as f64 / 100.0)
                    .sum();
                cost / weight
            }
        };
        for inst in &mut self.institutions {
            let expected = cases * inst.volume / total * mean_cost * LEVEL_COST[inst.level];
            let last = rng.log_normal(expected / 1.06, 0.08);
            let before = last * rng.range(0.90, 1.0);
            inst.history_fen = [to_int(last / 100.0) * 10_000, to_int(before / 100.0) * 10_000];
        }
    }

    /// The cases, in settlement-date order.
    pub fn cases(&self) -> Cases<'_> {
        Cases {
            synth: self,
            rng: Rng::new(self.seed ^ 0x0063_6173_6573 ^ self.case_salt),
            next: 0,
        }
    }

    fn sample_case(&self, rng: &mut Rng, index: u64) -> SynthCase {
        let n = self.size.cases;
        let month = match &self.season {
            None => (index * 12 / n) as u8 + 1,
            Some(s) => {
                let u = (index as f64 + 0.5) / n as f64;
                s.cumulative.partition_point(|&c| c <= u).min(11) as u8 + 1
            }
        };
        let day = rng.below(u64::from(days_in_month(month))) as u8 + 1;
        let i = match &self.season {
            None => self.by_volume.sample(rng),
            Some(s) => s.by_volume[usize::from(month - 1)].sample(rng),
        };
        let inst = &self.institutions[i];
        let level = inst.level;
        let fund = if rng.chance(LEVEL_EMPLOYEE[level]) {
            Fund::Employee
        } else {
            Fund::Resident
        };
        let (pool, weights) = if rng.chance(LEVEL_GRASSROOTS[level]) {
            &self.grassroots_groups
        } else {
            &self.other_groups
        };
        let (pool, weights) = if pool.is_empty() {
            (&self.other_groups.0, &self.other_groups.1)
        } else {
            (pool, weights)
        };
        let g = pool[weights.sample(rng)];
        let group = &self.groups[g];

        // Cost ratio r: log-normal around the level's cost level, a few percent beyond 2 and
        // below 0.5, and now and then an extreme case.
        let mut r = rng.log_normal(LEVEL_COST[level], group.sigma);
        if rng.chance(0.003) {
            r *= rng.range(2.5, 6.0);
        }
        let cost_fen = to_int(group.reference_fen as f64 * r).max(5_000);
        let excluded_fen = if level <= 1 && rng.chance(0.003) {
            to_int(cost_fen as f64 * rng.range(0.1, 0.4))
        } else {
            0
        };
        let base_ratio = match fund {
            Fund::Employee => 0.78,
            Fund::Resident => 0.62,
        };
        let reimburse = (base_ratio + LEVEL_REIMBURSE[level] + 0.05 * rng.normal()).clamp(0.3, 0.95);
        let personal_fen = cost_fen - to_int(cost_fen as f64 * reimburse);
        let days = to_int(rng.log_normal(7.0, 0.5)).clamp(1, 180) as u32;

        // 特例单议: mostly for very costly cases; two institutions apply far more often.
        let effective_r = (cost_fen - excluded_fen) as f64 / group.reference_fen as f64;
        let mut p_review = if effective_r >= 2.0 { 0.12 } else { 0.002 };
        if inst.review_heavy {
            p_review *= 10.0;
        }
        let (mut review_applied, mut review_score_centi, mut review_delta_centi) = (false, None, None);
        if rng.chance(p_review) {
            review_applied = true;
            let outcome = rng.uniform();
            if outcome < 0.4 {
                // The review sets a score from the case's own cost (休宁2021 11).
                review_score_centi = Some(to_int((cost_fen - excluded_fen) as f64 / 100.0 * rng.range(0.85, 1.0)));
            } else if outcome < 0.6 {
                // A change in points (吉林2024 第二十六条), up or down.
                let delta = group.score_centi as f64 * rng.range(-0.2, 0.5);
                review_delta_centi = Some(if delta < 0.0 { -to_int(-delta) } else { to_int(delta) });
            }
        }
        let qc_passed = !rng.chance(0.01);
        let supplemented = !qc_passed && rng.chance(0.5);
        SynthCase {
            index,
            institution: i,
            fund,
            group: g,
            cost_fen,
            personal_fen,
            excluded_fen,
            days,
            month,
            day,
            review_applied,
            review_score_centi,
            review_delta_centi,
            qc_passed,
            supplemented,
        }
    }

    // ---- text --------------------------------------------------------------------------------

    /// The header of `cases.csv` (canonical names; 结算流水号 is an extra column the input layer
    /// ignores, as in real exports).
    pub const CASES_HEADER: [&'static str; 15] = [
        "结算流水号",
        "机构编码",
        "险种",
        "病种编码",
        "医疗总费用",
        "个人负担",
        "统筹基金支付",
        "先进医疗技术费用",
        "住院天数",
        "结算日期",
        "是否特病单议",
        "特例单议分值",
        "特例单议增减点数",
        "质控通过",
        "补充结算",
    ];

    /// One case as its CSV cells (the text every writer uses).
    fn case_cells(&self, c: &SynthCase, out: &mut [String; 15]) {
        for s in out.iter_mut() {
            s.clear();
        }
        let _ = write!(out[0], "JS{YEAR}{:08}", c.index + 1);
        out[1].push_str(&self.institutions[c.institution].code);
        out[2].push_str(c.fund.label_zh());
        out[3].push_str(&self.groups[c.group].code);
        push_fixed(&mut out[4], c.cost_fen);
        push_fixed(&mut out[5], c.personal_fen);
        push_fixed(&mut out[6], c.fund_payment_fen());
        if c.excluded_fen > 0 {
            push_fixed(&mut out[7], c.excluded_fen);
        }
        let _ = write!(out[8], "{}", c.days);
        let _ = write!(out[9], "{YEAR}-{:02}-{:02}", c.month, c.day);
        out[10].push_str(yes_no(c.review_applied));
        if let Some(s) = c.review_score_centi {
            push_fixed(&mut out[11], s);
        }
        if let Some(d) = c.review_delta_centi {
            push_fixed(&mut out[12], d);
        }
        out[13].push_str(yes_no(c.qc_passed));
        out[14].push_str(yes_no(c.supplemented));
    }

    /// The columns of [`Synth::CASES_HEADER`] a [`Shape::City`] case file has: a city's
    /// export without the serial number, the fund payment (cost − personal burden), the days
    /// and the review flag, ~70 bytes a case.
    const CITY_COLUMNS: [usize; 11] = [1, 2, 3, 4, 5, 7, 9, 11, 12, 13, 14];

    /// The columns written to `cases.csv`, as indices into [`Synth::CASES_HEADER`].
    fn csv_columns(&self) -> &'static [usize] {
        const ALL: [usize; 15] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14];
        match self.size.shape {
            Shape::Synthetic => &ALL,
            Shape::City => &Self::CITY_COLUMNS,
        }
    }

    /// Writes `cases.csv` (UTF-8, no BOM, LF) and returns what it adds up to.
    pub fn write_cases_csv<W: Write>(&self, w: W) -> io::Result<Totals> {
        let mut w = io::BufWriter::with_capacity(1 << 16, w);
        let columns = self.csv_columns();
        let header: Vec<&str> = columns.iter().map(|&k| Self::CASES_HEADER[k]).collect();
        w.write_all(header.join(",").as_bytes())?;
        w.write_all(b"\n")?;
        let mut cells: [String; 15] = Default::default();
        let mut line = String::with_capacity(256);
        let mut totals = Totals::default();
        for c in self.cases() {
            self.case_cells(&c, &mut cells);
            line.clear();
            for (n, &k) in columns.iter().enumerate() {
                if n > 0 {
                    line.push(',');
                }
                line.push_str(&cells[k]);
            }
            line.push('\n');
            w.write_all(line.as_bytes())?;
            totals.add(&c);
        }
        w.flush()?;
        Ok(totals)
    }

    /// The institutions file.
    pub fn institutions_csv(&self) -> String {
        let mut out = String::from(
            "机构编码,机构名称,医保结算等级,医共体,基本调节系数,加成系数,扣减系数,考核得分,上年基金支付,前年基金支付\n",
        );
        for inst in &self.institutions {
            let _ = write!(
                out,
                "{},{},{},{},,",
                inst.code,
                inst.name,
                LEVELS[inst.level],
                inst.alliance.as_deref().unwrap_or("")
            );
            if let Some(b) = inst.bonus_milli {
                push_scaled(&mut out, b, 3);
            }
            out.push(',');
            if let Some(d) = inst.deduction_milli {
                push_scaled(&mut out, d, 3);
            }
            out.push(',');
            push_scaled(&mut out, inst.assessment_tenths, 1);
            out.push(',');
            push_fixed(&mut out, inst.history_fen[0]);
            out.push(',');
            push_fixed(&mut out, inst.history_fen[1]);
            out.push('\n');
        }
        out
    }

    /// The catalog file.
    /// The catalog file ([`Shape::City`]: with the columns 变异系数 and 例数, as published
    /// catalogs have them; the settlement does not read them).
    pub fn catalog_csv(&self) -> String {
        let city = self.size.shape == Shape::City;
        let mut out = String::from("病种编码,病种名称,病种分值,基层病种,次均费用");
        out.push_str(if city { ",变异系数,例数\n" } else { "\n" });
        for g in &self.groups {
            let _ = write!(out, "{},{},", g.code, g.name);
            push_fixed(&mut out, g.score_centi);
            let _ = write!(out, ",{},", yes_no(g.grassroots));
            push_fixed(&mut out, g.reference_fen);
            if city {
                out.push(',');
                push_scaled(&mut out, g.cv_myriad.unwrap_or(0), 4);
                let _ = write!(out, ",{}", g.published_cases.unwrap_or(0));
            }
            out.push('\n');
        }
        out
    }

    // ---- records (what the input layer should read back) -------------------------------------

    pub fn institution_records(&self) -> Vec<Institution> {
        self.institutions
            .iter()
            .map(|i| Institution {
                code: i.code.clone(),
                name: i.name.clone(),
                level: LEVELS[i.level].to_string(),
                alliance: i.alliance.clone(),
                base_coefficient: None,
                bonuses: i.bonus_milli.map(|b| Decimal::new(b, 3)).into_iter().collect(),
                deductions: i.deduction_milli.map(|d| Decimal::new(d, 3)).into_iter().collect(),
                factors: vec![],
                assessment_score: Some(Decimal::new(i.assessment_tenths, 1)),
                primary_care: None,
                history: i.history_fen.iter().map(|h| Decimal::new(*h, 2)).collect(),
                budget_inputs: Default::default(),
            })
            .collect()
    }

    pub fn catalog_records(&self) -> Catalog {
        Catalog {
            groups: self
                .groups
                .iter()
                .map(|g| Group {
                    code: g.code.clone(),
                    name: g.name.clone(),
                    score: Decimal::new(g.score_centi, 2),
                    grassroots: g.grassroots,
                    reference_cost: Decimal::new(g.reference_fen, 2),
                    reference_cost_by_level: vec![],
                    category: None,
                })
                .collect(),
            per_diem_groups: vec![],
        }
    }

    /// The record the input layer makes of this case's CSV row.
    pub fn case_record(&self, c: &SynthCase) -> Case {
        Case {
            institution: self.institutions[c.institution].code.clone(),
            fund: c.fund,
            kind: CaseKind::Dip,
            group: self.groups[c.group].code.clone(),
            total_cost: Decimal::new(c.cost_fen, 2),
            personal_burden: Decimal::new(c.personal_fen, 2),
            excluded_cost: Decimal::new(c.excluded_fen, 2),
            days: Decimal::from(c.days),
            month: c.month,
            review: Review {
                applied: c.review_applied,
                score: c.review_score_centi.map(|s| Decimal::new(s, 2)),
                points_delta: c.review_delta_centi.map(|d| Decimal::new(d, 2)),
            },
            qc_passed: c.qc_passed,
            supplemented: c.supplemented,
            source_row: c.index + 2,
            extras: Default::default(),
        }
    }

    /// Every case's totals without writing anything.
    pub fn totals(&self) -> Totals {
        let mut t = Totals::default();
        for c in self.cases() {
            t.add(&c);
        }
        t
    }

    // ---- policy ------------------------------------------------------------------------------

    /// The 宁德2024 preset with every budget amount of each fund (raised, deductions, history,
    /// earmarks) scaled by one factor, so the DIP budget B = F is 97% of the fund spending of
    /// the included cases: the point value lands near the cost level, a few percent tight.
    pub fn policy(&self, totals: &Totals) -> Policy {
        let mut policy = crate::policy::preset("宁德2024")
            .expect("the 宁德2024 preset exists")
            .expect("the 宁德2024 preset is valid");
        policy.name = "宁德2024（合成数据）".into();
        policy.title = format!(
            "{}——预算金额按合成数据（种子 {}，{} 例）等比缩放",
            policy.title, self.seed, totals.cases
        );
        for fund in Fund::ALL {
            let spending = totals.included_fund_fen[fund_slot(fund)];
            let Some(fp) = policy.funds.get_mut(fund) else { continue };
            let Some(forecast) = fp.forecast.as_ref() else { continue };
            let (preset_forecast, _, _) = crate::engine::budget::forecast_amount(forecast);
            let target = Decimal::new(spending.max(100) * BUDGET_SHARE_PERCENT / 100, 2);
            let k = target / preset_forecast;
            let scale = |a: &mut Amount| {
                let mut v = crate::engine::rounding::round_money(a.to_yuan() * k);
                v.rescale(2);
                *a = Amount {
                    value: v,
                    unit: Unit::Yuan,
                };
            };
            if let Some(r) = fp.raised.as_mut() {
                scale(r);
            }
            for d in fp.deductions.iter_mut().chain(fp.earmarks.iter_mut()) {
                scale(&mut d.amount);
            }
            for a in &mut fp.adjustments {
                scale(&mut a.amount);
            }
            if let Some(f) = fp.forecast.as_mut() {
                for h in &mut f.history {
                    scale(&mut h.amount);
                }
            }
        }
        policy
    }

    // ---- xlsx --------------------------------------------------------------------------------

    /// Writes the cases as an .xlsx workbook (one sheet 病例明细, at most [`EXCEL_MAX_CASES`]
    /// cases; the rest are left out): codes and flags as text, amounts as numbers, 结算日期 as a
    /// date cell, as Excel itself would save an export.
    pub fn write_cases_xlsx<W: Write + Seek>(&self, w: W) -> io::Result<Totals> {
        use zip::write::SimpleFileOptions;
        let mut zip = zip::ZipWriter::new(w);
        let opts = SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Deflated)
            .compression_level(Some(1));
        let zerr = |e: zip::result::ZipError| io::Error::other(e.to_string());
        for (name, text) in XLSX_PARTS {
            zip.start_file(*name, opts).map_err(zerr)?;
            zip.write_all(text.as_bytes())?;
        }
        zip.start_file("xl/worksheets/sheet1.xml", opts.large_file(true))
            .map_err(zerr)?;
        let mut totals = Totals::default();
        {
            let mut w = io::BufWriter::with_capacity(1 << 16, &mut zip);
            w.write_all(
                b"<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<worksheet xmlns=\"http://schemas.openxmlformats.org/spreadsheetml/2006/main\"><sheetData>",
            )?;
            let mut row = String::with_capacity(1024);
            row.push_str("<row r=\"1\">");
            for (k, h) in Self::CASES_HEADER.iter().enumerate() {
                push_text_cell(&mut row, k, 1, h);
            }
            row.push_str("</row>");
            w.write_all(row.as_bytes())?;
            let mut cells: [String; 15] = Default::default();
            for c in self.cases().take(EXCEL_MAX_CASES as usize) {
                self.case_cells(&c, &mut cells);
                let r = c.index + 2;
                row.clear();
                let _ = write!(row, "<row r=\"{r}\">");
                for (k, cell) in cells.iter().enumerate() {
                    if cell.is_empty() {
                        continue;
                    }
                    match k {
                        4..=8 | 11 | 12 => {
                            let _ = write!(row, "<c r=\"{}{r}\"><v>{cell}</v></c>", COLS[k]);
                        }
                        9 => {
                            let serial = excel_serial(c.month, c.day);
                            let _ = write!(row, "<c r=\"{}{r}\" s=\"1\"><v>{serial}</v></c>", COLS[k]);
                        }
                        _ => push_text_cell(&mut row, k, r, cell),
                    }
                }
                row.push_str("</row>");
                w.write_all(row.as_bytes())?;
                totals.add(&c);
            }
            w.write_all(b"</sheetData></worksheet>")?;
            w.flush()?;
        }
        zip.finish().map_err(zerr)?;
        Ok(totals)
    }
}

/// The cases of a [`Synth`], generated one by one.
pub struct Cases<'a> {
    synth: &'a Synth,
    rng: Rng,
    next: u64,
}

impl Iterator for Cases<'_> {
    type Item = SynthCase;

    fn next(&mut self) -> Option<SynthCase> {
        if self.next >= self.synth.size.cases {
            return None;
        }
        let c = self.synth.sample_case(&mut self.rng, self.next);
        self.next += 1;
        Some(c)
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        let left = (self.synth.size.cases - self.next) as usize;
        (left, Some(left))
    }
}

fn make_institutions(rng: &mut Rng, size: SynthSize) -> Vec<SynthInstitution> {
    let n = size.institutions.max(5);
    let mut counts = [0usize; 5];
    for l in 0..4 {
        counts[l] = to_int(LEVEL_MIX[l] * n as f64).max(1) as usize;
    }
    counts[4] = n.saturating_sub(counts[..4].iter().sum()).max(1);
    let mut out = Vec::with_capacity(n);
    let mut place = 0usize;
    for (level, &count) in counts.iter().enumerate() {
        for k in 0..count {
            let kinds = KINDS[level];
            let kind = kinds[k % kinds.len()];
            // City hospitals take a city's name; the others take the next county or town.
            let town = PLACES[place % PLACES.len()];
            let round = place / PLACES.len();
            if level >= 2 {
                place += 1;
            }
            let name = match (level, round) {
                (0 | 1, _) => {
                    let city = CITIES[(k / kinds.len()) % CITIES.len()];
                    let branch = k / (kinds.len() * CITIES.len());
                    if branch == 0 {
                        format!("{city}{kind}")
                    } else {
                        format!("{city}{kind}第{}分院", branch + 1)
                    }
                }
                (_, 0) => format!("{town}{kind}"),
                (_, r) => format!("{town}{kind}第{}分院", r + 1),
            };
            let code = format!("H350900{:05}", out.len() + 1);
            let bonus_milli = kind.contains("中医").then_some(30);
            let deduction_milli = if rng.chance(0.2) {
                Some(10 * (1 + rng.below(2) as i64))
            } else {
                None
            };
            out.push(SynthInstitution {
                code,
                name,
                level,
                alliance: None,
                bonus_milli,
                deduction_milli,
                assessment_tenths: 800 + rng.below(201) as i64,
                history_fen: [0, 0],
                review_heavy: false,
                volume: rng.log_normal(LEVEL_VOLUME[level], 0.4),
            });
        }
    }
    // 医共体: county hospitals (二甲/二乙) lead; two thirds of the 一级 institutions join one.
    let leaders: Vec<usize> = (0..out.len())
        .filter(|&i| out[i].level == 2 || out[i].level == 3)
        .collect();
    let alliances = (counts[3] / 2).max(1).min(leaders.len());
    let leaders: Vec<usize> = (0..alliances).map(|a| leaders[a * leaders.len() / alliances]).collect();
    let names: Vec<String> = leaders
        .iter()
        .map(|&l| {
            format!(
                "{}医共体",
                out[l]
                    .name
                    .trim_end_matches(|c: char| c != '县' && c != '区')
                    .trim_end_matches(['县', '区'])
            )
        })
        .map(|n| {
            if n == "医共体" {
                "县域医共体".to_string()
            } else {
                n
            }
        })
        .collect();
    for (a, &l) in leaders.iter().enumerate() {
        out[l].alliance = Some(dedup_name(&names, a));
    }
    let primary: Vec<usize> = (0..out.len()).filter(|&i| out[i].level == 4).collect();
    for (k, &i) in primary.iter().enumerate() {
        if k % 3 != 2 && alliances > 0 {
            out[i].alliance = Some(dedup_name(&names, k % alliances));
        }
    }
    // Two institutions apply for 特例单议 far more often (above the 3% limit).
    for level in [1usize, 2] {
        if let Some(i) = (0..out.len()).find(|&i| out[i].level == level) {
            out[i].review_heavy = true;
        }
    }
    out
}

fn dedup_name(names: &[String], a: usize) -> String {
    let same = names[..a].iter().filter(|n| **n == names[a]).count();
    if same == 0 {
        names[a].clone()
    } else {
        format!("{}{}", names[a], same + 1)
    }
}

fn make_groups(rng: &mut Rng, size: SynthSize) -> Vec<SynthGroup> {
    let n = size.groups.max(20);
    let treatment_weights = Weighted::new(TREATMENTS.iter().map(|t| t.3));
    let mut groups: Vec<SynthGroup> = (0..n)
        .map(|g| {
            let (icd, disease, disease_cost) = DISEASES[g % DISEASES.len()];
            let t = treatment_weights.sample(rng);
            let (suffix, treatment, treatment_cost, _) = TREATMENTS[t];
            let reference = rng.log_normal(9_000.0 * disease_cost * treatment_cost, 0.45).max(800.0);
            let reference_fen = to_int(reference) * 100;
            // 分值 ≈ reference cost ÷ 100 (the §10 example's unit), with catalog noise.
            let score_centi = to_int(reference * rng.log_normal(1.0, 0.06)).max(100);
            SynthGroup {
                code: format!("{icd}.{:04}-{suffix}", g / DISEASES.len()),
                name: format!("{disease}({treatment})"),
                score_centi,
                grassroots: false,
                reference_fen,
                cv_myriad: None,
                published_cases: None,
                popularity: rng.log_normal(1.0, 1.2) / (disease_cost * treatment_cost).sqrt(),
                sigma: 0.32,
            }
        })
        .collect();
    // ~15% 基层病种: the cheapest conservatively treated groups, which are also common.
    let mut conservative: Vec<usize> = (0..n).filter(|&g| groups[g].code.ends_with("-00")).collect();
    conservative.sort_by_key(|&g| (groups[g].reference_fen, g));
    let want = to_int(0.15 * n as f64) as usize;
    for &g in conservative.iter().take(want) {
        groups[g].grassroots = true;
        groups[g].popularity *= 3.0;
    }
    groups
}

/// Treatments of a city catalog (name, cost multiplier, share of groups): 保守治疗 groups are
/// the diagnosis code alone, the others add a procedure code (ICD-9-CM-3, national extension).
const CITY_TREATMENTS: [(&str, f64, f64); 4] = [
    ("保守治疗", 0.55, 0.30),
    ("诊断性操作", 0.8, 0.12),
    ("治疗性操作", 1.3, 0.23),
    ("手术", 2.6, 0.35),
];

/// A catalog shaped like a real city's ([`Shape::City`]): national-style codes, log-normal
/// average costs (1,000–300,000 元), CVs of 0.15–0.9, and case counts as skewed as a real year's
/// (a few groups with tens of thousands of cases, many with a handful), adding up to the size's
/// cases.
fn make_city_groups(rng: &mut Rng, size: SynthSize) -> Vec<SynthGroup> {
    let n = size.groups.max(20);
    let treatment_weights = Weighted::new(CITY_TREATMENTS.iter().map(|t| t.2));
    let disease_weights = Weighted::new(DISEASES.iter().map(|d| 1.0 / d.2));
    let mut seen = std::collections::HashSet::with_capacity(n);
    let mut groups = Vec::with_capacity(n);
    while groups.len() < n {
        let (icd, disease, disease_cost) = DISEASES[disease_weights.sample(rng)];
        let t = treatment_weights.sample(rng);
        let (treatment, treatment_cost, _) = CITY_TREATMENTS[t];
        let mut code = format!("{icd}.{}", rng.below(10));
        if rng.chance(0.15) {
            let _ = write!(code, "{:02}", rng.below(100));
        }
        if t > 0 {
            code.push(':');
            push_procedure(rng, &mut code);
            if rng.chance(0.08) {
                code.push('+');
                push_procedure(rng, &mut code);
            }
        }
        if !seen.insert(code.clone()) {
            continue;
        }
        let reference = rng
            .log_normal(7_000.0 * disease_cost * treatment_cost, 0.7)
            .clamp(1_000.0, 300_000.0);
        let reference_fen = to_int(reference) * 100;
        let score_centi = to_int(reference * rng.log_normal(1.0, 0.06)).max(100);
        let cv = rng.log_normal(0.38, 0.3).clamp(0.15, 0.9);
        let cv_myriad = to_int(cv * 10_000.0);
        let cv = cv_myriad as f64 / 10_000.0;
        groups.push(SynthGroup {
            code,
            name: format!("{disease}({treatment})"),
            score_centi,
            grassroots: false,
            reference_fen,
            cv_myriad: Some(cv_myriad),
            published_cases: None,
            popularity: rng.log_normal(1.0, 1.6) / (disease_cost * treatment_cost).sqrt(),
            // Log-normal with this CV: σ² = ln(1 + CV²).
            sigma: ln_1p(cv * cv).sqrt(),
        });
    }
    // ~6% 基层病种 (a city's list of a few hundred): cheap conservatively treated groups.
    let mut conservative: Vec<usize> = (0..n).filter(|&g| !groups[g].code.contains(':')).collect();
    conservative.sort_by_key(|&g| (groups[g].reference_fen, g));
    let want = to_int(0.06 * n as f64) as usize;
    for &g in conservative.iter().take(want) {
        groups[g].grassroots = true;
        groups[g].popularity *= 4.0;
    }
    // Published case counts in proportion to popularity (at least one each), adding up to the
    // size's cases; cases are then drawn in proportion to them.
    let total: f64 = groups.iter().map(|g| g.popularity).sum();
    let cases = size.cases as f64;
    let mut counts: Vec<u64> = groups
        .iter()
        .map(|g| to_int(g.popularity / total * cases).max(1) as u64)
        .collect();
    let sum: u64 = counts.iter().sum();
    let largest = (0..n).max_by_key(|&g| (counts[g], std::cmp::Reverse(g))).unwrap_or(0);
    counts[largest] = (counts[largest] + size.cases).saturating_sub(sum).max(1);
    for (g, count) in groups.iter_mut().zip(counts) {
        g.published_cases = Some(count);
        g.popularity = count as f64;
    }
    groups
}

/// A procedure code as national catalogs write it: `88.4101`, `36.0600x001`.
fn push_procedure(rng: &mut Rng, code: &mut String) {
    let _ = write!(code, "{:02}.{:02}{:02}", rng.below(100), rng.below(100), rng.below(100));
    if rng.chance(0.35) {
        let _ = write!(code, "x{:03}", 1 + rng.below(12));
    }
}

/// ln(1 + x) for x ≥ 0 from IEEE basic operations only: 2·atanh(x / (2 + x)).
fn ln_1p(x: f64) -> f64 {
    let z = x / (2.0 + x);
    let z2 = z * z;
    let (mut term, mut sum) = (z, 0.0);
    for k in 0..40 {
        sum += term / f64::from(2 * k + 1);
        term *= z2;
    }
    2.0 * sum
}

fn days_in_month(month: u8) -> u8 {
    match month {
        2 if YEAR % 4 == 0 && (YEAR % 100 != 0 || YEAR % 400 == 0) => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Excel's serial number of a date in [`YEAR`] (1900 date system: 2024-01-01 is 45292).
fn excel_serial(month: u8, day: u8) -> u32 {
    let before: u32 = (1..month).map(|m| u32::from(days_in_month(m))).sum();
    45_292 + before + u32::from(day) - 1
}

fn yes_no(b: bool) -> &'static str {
    if b {
        "是"
    } else {
        "否"
    }
}

/// An integer in hundredths as decimal text: 123456 → "1234.56", -5 → "-0.05".
fn push_fixed(out: &mut String, v: i64) {
    push_scaled(out, v, 2);
}

fn push_scaled(out: &mut String, v: i64, places: u32) {
    let unit = 10i64.pow(places);
    if v < 0 {
        out.push('-');
    }
    let a = v.unsigned_abs();
    let _ = write!(
        out,
        "{}.{:0width$}",
        a / unit as u64,
        a % unit as u64,
        width = places as usize
    );
}

const COLS: [&str; 15] = [
    "A", "B", "C", "D", "E", "F", "G", "H", "I", "J", "K", "L", "M", "N", "O",
];

fn push_text_cell(row: &mut String, col: usize, r: u64, text: &str) {
    // Generated text never holds &, < or >.
    let _ = write!(
        row,
        "<c r=\"{}{r}\" t=\"inlineStr\"><is><t>{text}</t></is></c>",
        COLS[col]
    );
}

const XLSX_PARTS: &[(&str, &str)] = &[
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="病例明细" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>"#,
    ),
    (
        "xl/styles.xml",
        r#"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy\-mm\-dd"/></numFmts><fonts count="1"><font><sz val="11"/><name val="等线"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>"#,
    ),
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exp_is_accurate() {
        for x in [-3.0, -1.0, -0.1, 0.0, 0.3, 1.0, 2.5, 10.0] {
            let e: f64 = exp(x);
            assert!((e / x.exp() - 1.0).abs() < 1e-14, "{x}: {e} vs {}", x.exp());
        }
    }

    #[test]
    fn ln_1p_is_accurate() {
        for x in [0.0, 0.01, 0.15, 0.5, 0.81, 1.0] {
            let l: f64 = ln_1p(x);
            assert!((l - x.ln_1p()).abs() < 1e-14, "{x}: {l} vs {}", x.ln_1p());
        }
    }

    #[test]
    fn fixed_text() {
        let mut s = String::new();
        push_fixed(&mut s, 123456);
        s.push(' ');
        push_fixed(&mut s, -5);
        s.push(' ');
        push_scaled(&mut s, 30, 3);
        assert_eq!(s, "1234.56 -0.05 0.030");
    }

    #[test]
    fn sizes() {
        assert_eq!(SynthSize::parse("demo"), Some(SynthSize::DEMO));
        assert_eq!(SynthSize::cases(50_000), SynthSize::DEMO);
        assert_eq!(SynthSize::parse("1m").map(|s| s.cases), Some(1_000_000));
        assert_eq!(SynthSize::parse("300K").map(|s| s.cases), Some(300_000));
        assert_eq!(SynthSize::parse("excel").map(|s| s.cases), Some(EXCEL_MAX_CASES));
        assert_eq!(SynthSize::parse("2500").map(|s| s.cases), Some(2500));
        assert_eq!(SynthSize::parse("12"), None);
        assert_eq!(SynthSize::parse("lots"), None);
        assert_eq!(excel_serial(1, 1), 45_292);
        assert_eq!(excel_serial(3, 15), 45_366); // docs/import.md: 45366 is 2024-03-15
    }

    #[test]
    fn demo_city_shape() {
        let s = Synth::new(SynthSize::DEMO, 1);
        assert_eq!(s.institutions.len(), 30);
        let per_level: Vec<usize> = (0..5)
            .map(|l| s.institutions.iter().filter(|i| i.level == l).count())
            .collect();
        assert_eq!(per_level, [3, 3, 6, 6, 12]);
        let alliances: std::collections::BTreeSet<_> =
            s.institutions.iter().filter_map(|i| i.alliance.as_ref()).collect();
        assert_eq!(alliances.len(), 3, "{alliances:?}");
        assert_eq!(s.groups.len(), 800);
        assert_eq!(s.groups.iter().filter(|g| g.grassroots).count(), 120);
        let codes: std::collections::HashSet<_> = s.groups.iter().map(|g| &g.code).collect();
        assert_eq!(codes.len(), 800);
    }
}
