//! The seed presets, and the national one (SPEC §12: 国家DIP3.0, the rules cities add), kept as data
//! files in `presets/` and compiled in, so the command line and the page offer the same rules.
//! Every value of a preset names its document and article in `refs` (SPEC §9).

use super::{Policy, PolicyError};

/// (name, JSON text) of every preset, in the order the page lists them.
pub const PRESETS: &[(&str, &str)] = &[
    ("宁德2024", include_str!("../../presets/ningde-2024.json")),
    ("吉林2024", include_str!("../../presets/jilin-2024.json")),
    ("信阳2019", include_str!("../../presets/xinyang-2019.json")),
    ("休宁2021", include_str!("../../presets/xiuning-2021.json")),
    ("国家DIP3.0", include_str!("../../presets/national-dip3.json")),
];

/// The names of all presets.
pub fn preset_names() -> Vec<&'static str> {
    PRESETS.iter().map(|(name, _)| *name).collect()
}

/// The JSON text of a preset, exactly as shipped.
pub fn preset_json(name: &str) -> Option<&'static str> {
    PRESETS.iter().find(|(n, _)| *n == name).map(|(_, json)| *json)
}

/// A preset, parsed and validated.
pub fn preset(name: &str) -> Option<Result<Policy, PolicyError>> {
    preset_json(name).map(Policy::from_json)
}
