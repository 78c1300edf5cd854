//! Analyses that make the numbers useful (SPEC §8).
