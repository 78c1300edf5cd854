// The parameter changes the benchmark makes, as the page's controls make them: each edits a
// policy object, which is then sent as new JSON text.
export const CHANGES = {
  // a budget figure (stage 2 only: the per-case pass is reused)
  budget_growth_cap: (p) => {
    p.funds.employee.forecast.growth_cap = '0.05';
  },
  // a level coefficient (stage 2 only)
  level_coefficient: (p) => {
    p.coefficients.levels[0].coefficient = '1.12';
  },
  // a risk-sharing band (stage 2 only)
  risk_sharing_band: (p) => {
    p.settlement.risk_sharing.overspend.bands[0].up_to = '0.15';
  },
  // the high-outlier threshold H (a points parameter: the per-case pass runs again)
  outlier_threshold: (p) => {
    p.points.outliers.high_ratio = '2.5';
  },
  // H moved again (from 2.5 to 2.2: the cases between are rescored)
  outlier_threshold_again: (p) => {
    p.points.outliers.high_ratio = '2.2';
  },
};

// The figures checked against the native output: per fund the pool, point value and every
// unit's points, S and fund payment.
export function figures(settlement) {
  return settlement.funds.map((f) => ({
    fund: f.fund,
    pool: f.pool,
    point_value: f.point_value,
    units: f.units.map((u) => [u.code, u.points.total, u.settlement, u.fund_pays]),
  }));
}
