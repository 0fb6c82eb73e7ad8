//! Why a rack cannot take a device: one named reason per filter, each citing its rule, in
//! English and Bahasa Indonesia — the kube-scheduler model ("0/9 nodes are available: …").

use crate::i18n::{Lang, Text};
use serde::{Deserialize, Serialize};

/// A power side.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum Side {
    /// Feed A.
    A,
    /// Feed B.
    B,
}

impl Side {
    /// `A` or `B`.
    pub fn as_str(self) -> &'static str {
        match self {
            Side::A => "A",
            Side::B => "B",
        }
    }

    /// The other side.
    pub fn other(self) -> Side {
        match self {
            Side::A => Side::B,
            Side::B => Side::A,
        }
    }
}

/// One reason a rack cannot take a device (or a pinned position is refused).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Reason {
    /// The rack takes no new placements.
    Cordoned,
    /// The rack stands at another site than the one requested.
    OtherSite {
        /// The rack's site.
        site: String,
    },
    /// The rack is restricted to other agencies.
    AgencyNotAllowed {
        /// The requesting agency.
        agency: String,
    },
    /// The device is not a 19-inch rackmount server.
    DeviceNot19Inch,
    /// The device has fewer than two power supplies.
    TooFewPsus {
        /// How many it has.
        count: u32,
    },
    /// The rack has no 19-inch rails.
    RailsNot19Inch,
    /// The device is deeper than the rack.
    TooDeep {
        /// Device depth.
        device_mm: u32,
        /// Rack depth.
        rack_mm: u32,
    },
    /// A feed is missing, so there is no A+B pair.
    MissingFeed {
        /// The missing side.
        side: Side,
    },
    /// Feeds A and B are one and the same feed, so there is no A+B pair.
    SameFeed {
        /// The feed's name.
        name: String,
    },
    /// With `lost` down, the other feed would carry more than its budget.
    FeedOverBudget {
        /// The side that is lost.
        lost: Side,
        /// Whole rack load with the device.
        load_watts: u64,
        /// The surviving feed's budget.
        budget_watts: u64,
    },
    /// The heat would exceed the cooling budget.
    CoolingOverBudget {
        /// Heat with the device.
        heat_watts: u64,
        /// Cooling budget.
        budget_watts: u64,
    },
    /// The weight would exceed the rack's static load limit.
    Overweight {
        /// Weight with the device.
        weight_kg: u64,
        /// Limit.
        max_kg: u32,
    },
    /// No run of free units is tall enough.
    TooFewContiguousU {
        /// Units needed.
        needed: u32,
        /// Longest free run.
        largest_free: u32,
    },
    /// A pinned position runs outside the rack.
    PositionOutsideRack {
        /// Lowest unit asked.
        position_u: u32,
        /// Rack height.
        height_u: u32,
    },
    /// A pinned position overlaps a device or reserved units.
    PositionTaken {
        /// Lowest unit asked.
        position_u: u32,
        /// What is in the way (device names, or `reserved`).
        by: Vec<String>,
    },
    /// A pinned placement names a rack that is not in the inventory.
    UnknownRack {
        /// The rack.
        rack: String,
    },
}

/// The kind of a reason, for counting ("7 too few contiguous U"). Ordered as the filters run.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub enum ReasonKind {
    /// See [`Reason::UnknownRack`].
    UnknownRack,
    /// See [`Reason::Cordoned`].
    Cordoned,
    /// See [`Reason::OtherSite`].
    OtherSite,
    /// See [`Reason::AgencyNotAllowed`].
    AgencyNotAllowed,
    /// See [`Reason::DeviceNot19Inch`].
    DeviceNot19Inch,
    /// See [`Reason::TooFewPsus`].
    TooFewPsus,
    /// See [`Reason::RailsNot19Inch`].
    RailsNot19Inch,
    /// See [`Reason::TooDeep`].
    TooDeep,
    /// Feed A missing.
    MissingFeedA,
    /// Feed B missing.
    MissingFeedB,
    /// See [`Reason::SameFeed`].
    SameFeed,
    /// Feed B over budget with A lost.
    FeedBOverBudget,
    /// Feed A over budget with B lost.
    FeedAOverBudget,
    /// See [`Reason::CoolingOverBudget`].
    CoolingOverBudget,
    /// See [`Reason::Overweight`].
    Overweight,
    /// See [`Reason::TooFewContiguousU`].
    TooFewContiguousU,
    /// See [`Reason::PositionOutsideRack`].
    PositionOutsideRack,
    /// See [`Reason::PositionTaken`].
    PositionTaken,
}

impl ReasonKind {
    /// The rule the reason enforces.
    pub fn rule(self) -> &'static str {
        match self {
            ReasonKind::DeviceNot19Inch | ReasonKind::RailsNot19Inch | ReasonKind::TooDeep => {
                "HOST-RACK"
            }
            ReasonKind::TooFewPsus
            | ReasonKind::MissingFeedA
            | ReasonKind::MissingFeedB
            | ReasonKind::SameFeed
            | ReasonKind::FeedAOverBudget
            | ReasonKind::FeedBOverBudget => "HOST-POWER",
            _ => "HOST-SITE",
        }
    }

    /// A stable code for metrics and JSON output.
    pub fn code(self) -> &'static str {
        match self {
            ReasonKind::UnknownRack => "unknown-rack",
            ReasonKind::Cordoned => "cordoned",
            ReasonKind::OtherSite => "other-site",
            ReasonKind::AgencyNotAllowed => "agency-not-allowed",
            ReasonKind::DeviceNot19Inch => "device-not-19in",
            ReasonKind::TooFewPsus => "too-few-psus",
            ReasonKind::RailsNot19Inch => "rails-not-19in",
            ReasonKind::TooDeep => "too-deep",
            ReasonKind::MissingFeedA => "missing-feed-a",
            ReasonKind::MissingFeedB => "missing-feed-b",
            ReasonKind::SameFeed => "same-feed",
            ReasonKind::FeedBOverBudget => "feed-b-over-budget-a-lost",
            ReasonKind::FeedAOverBudget => "feed-a-over-budget-b-lost",
            ReasonKind::CoolingOverBudget => "cooling-over-budget",
            ReasonKind::Overweight => "overweight",
            ReasonKind::TooFewContiguousU => "too-few-contiguous-u",
            ReasonKind::PositionOutsideRack => "position-outside-rack",
            ReasonKind::PositionTaken => "position-taken",
        }
    }

    /// The phrase after a count: `7 too few contiguous U`.
    pub fn phrase(self) -> Text {
        let (en, id) = match self {
            ReasonKind::UnknownRack => ("unknown rack", "rak tidak dikenal"),
            ReasonKind::Cordoned => ("cordoned", "ditutup (cordoned)"),
            ReasonKind::OtherSite => ("at another site", "di situs lain"),
            ReasonKind::AgencyNotAllowed => (
                "reserved for other agencies",
                "khusus untuk perangkat daerah lain",
            ),
            ReasonKind::DeviceNot19Inch => (
                "device not 19-inch rackmount",
                "perangkat bukan rackmount 19 inci",
            ),
            ReasonKind::TooFewPsus => (
                "device has fewer than 2 PSUs",
                "perangkat punya kurang dari 2 PSU",
            ),
            ReasonKind::RailsNot19Inch => ("no 19-inch rails", "tanpa rel 19 inci"),
            ReasonKind::TooDeep => (
                "too shallow for the device",
                "terlalu dangkal untuk perangkat",
            ),
            ReasonKind::MissingFeedA => ("no feed A", "tanpa feed A"),
            ReasonKind::MissingFeedB => ("no feed B", "tanpa feed B"),
            ReasonKind::SameFeed => ("feeds A and B the same", "feed A dan B sama"),
            ReasonKind::FeedBOverBudget => (
                "feed B over budget with A lost",
                "feed B melebihi batas saat A padam",
            ),
            ReasonKind::FeedAOverBudget => (
                "feed A over budget with B lost",
                "feed A melebihi batas saat B padam",
            ),
            ReasonKind::CoolingOverBudget => ("cooling over budget", "pendinginan melebihi batas"),
            ReasonKind::Overweight => ("over the weight limit", "melebihi batas berat"),
            ReasonKind::TooFewContiguousU => ("too few contiguous U", "U berurutan tidak cukup"),
            ReasonKind::PositionOutsideRack => ("position outside the rack", "posisi di luar rak"),
            ReasonKind::PositionTaken => ("position taken", "posisi sudah terisi"),
        };
        Text::new(en, id)
    }
}

impl Reason {
    /// Its kind.
    pub fn kind(&self) -> ReasonKind {
        match self {
            Reason::Cordoned => ReasonKind::Cordoned,
            Reason::OtherSite { .. } => ReasonKind::OtherSite,
            Reason::AgencyNotAllowed { .. } => ReasonKind::AgencyNotAllowed,
            Reason::DeviceNot19Inch => ReasonKind::DeviceNot19Inch,
            Reason::TooFewPsus { .. } => ReasonKind::TooFewPsus,
            Reason::RailsNot19Inch => ReasonKind::RailsNot19Inch,
            Reason::TooDeep { .. } => ReasonKind::TooDeep,
            Reason::MissingFeed { side: Side::A } => ReasonKind::MissingFeedA,
            Reason::MissingFeed { side: Side::B } => ReasonKind::MissingFeedB,
            Reason::SameFeed { .. } => ReasonKind::SameFeed,
            Reason::FeedOverBudget { lost: Side::A, .. } => ReasonKind::FeedBOverBudget,
            Reason::FeedOverBudget { lost: Side::B, .. } => ReasonKind::FeedAOverBudget,
            Reason::CoolingOverBudget { .. } => ReasonKind::CoolingOverBudget,
            Reason::Overweight { .. } => ReasonKind::Overweight,
            Reason::TooFewContiguousU { .. } => ReasonKind::TooFewContiguousU,
            Reason::PositionOutsideRack { .. } => ReasonKind::PositionOutsideRack,
            Reason::PositionTaken { .. } => ReasonKind::PositionTaken,
            Reason::UnknownRack { .. } => ReasonKind::UnknownRack,
        }
    }

    /// The rule it enforces.
    pub fn rule(&self) -> &'static str {
        self.kind().rule()
    }

    /// The reason with its figures, in both languages, ending with the rule ID.
    pub fn text(&self) -> Text {
        let (en, id) = match self {
            Reason::Cordoned => (
                "rack is cordoned and takes no new devices".to_string(),
                "rak ditutup dan tidak menerima perangkat baru".to_string(),
            ),
            Reason::OtherSite { site } => (
                format!("rack stands at site {site}, not the requested one"),
                format!("rak berada di situs {site}, bukan yang diminta"),
            ),
            Reason::AgencyNotAllowed { agency } => (
                format!("rack is reserved for other agencies than {agency}"),
                format!("rak khusus untuk perangkat daerah selain {agency}"),
            ),
            Reason::DeviceNot19Inch => (
                "device is not a 19-inch rackmount server".to_string(),
                "perangkat bukan server rackmount 19 inci".to_string(),
            ),
            Reason::TooFewPsus { count } => (
                format!("device has {count} power supply(ies); 2 are needed, one per feed"),
                format!("perangkat punya {count} catu daya; perlu 2, satu per feed"),
            ),
            Reason::RailsNot19Inch => (
                "rack has no 19-inch rails".to_string(),
                "rak tidak memiliki rel 19 inci".to_string(),
            ),
            Reason::TooDeep { device_mm, rack_mm } => (
                format!("device is {device_mm} mm deep, rack takes {rack_mm} mm"),
                format!("kedalaman perangkat {device_mm} mm, rak hanya {rack_mm} mm"),
            ),
            Reason::MissingFeed { side } => (
                format!("rack has no feed {}, so no A+B pair", side.as_str()),
                format!(
                    "rak tidak punya feed {}, jadi tidak ada pasangan A+B",
                    side.as_str()
                ),
            ),
            Reason::SameFeed { name } => (
                format!("feeds A and B are both \"{name}\", so no A+B pair"),
                format!("feed A dan B sama-sama \"{name}\", jadi tidak ada pasangan A+B"),
            ),
            Reason::FeedOverBudget {
                lost,
                load_watts,
                budget_watts,
            } => {
                let (l, s) = (lost.as_str(), lost.other().as_str());
                (
                    format!(
                        "with feed {l} lost, feed {s} would carry {load_watts} W, over its budget of {budget_watts} W"
                    ),
                    format!(
                        "saat feed {l} padam, feed {s} menanggung {load_watts} W, melebihi batas {budget_watts} W"
                    ),
                )
            }
            Reason::CoolingOverBudget {
                heat_watts,
                budget_watts,
            } => (
                format!(
                    "heat would reach {heat_watts} W, over the cooling budget of {budget_watts} W"
                ),
                format!(
                    "panas menjadi {heat_watts} W, melebihi kapasitas pendinginan {budget_watts} W"
                ),
            ),
            Reason::Overweight { weight_kg, max_kg } => (
                format!("load would reach {weight_kg} kg, over the rack limit of {max_kg} kg"),
                format!("beban menjadi {weight_kg} kg, melebihi batas rak {max_kg} kg"),
            ),
            Reason::TooFewContiguousU {
                needed,
                largest_free,
            } => (
                format!("needs {needed} contiguous U, the largest free run is {largest_free} U"),
                format!("perlu {needed} U berurutan, ruang kosong terbesar {largest_free} U"),
            ),
            Reason::PositionOutsideRack {
                position_u,
                height_u,
            } => (
                format!("position U{position_u} does not fit in a {height_u} U rack"),
                format!("posisi U{position_u} tidak muat di rak {height_u} U"),
            ),
            Reason::PositionTaken { position_u, by } => (
                format!("position U{position_u} overlaps {}", by.join(", ")),
                format!("posisi U{position_u} bertumpuk dengan {}", by.join(", ")),
            ),
            Reason::UnknownRack { rack } => (
                format!("rack {rack} is not in the inventory"),
                format!("rak {rack} tidak ada di inventaris"),
            ),
        };
        let rule = self.rule();
        Text::new(format!("{en} ({rule})"), format!("{id} ({rule})"))
    }
}

/// Why a request could not be placed: counts per reason, and every rejected rack's reasons.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Unplaceable {
    /// Request id.
    pub request: String,
    /// Racks considered.
    pub racks_total: usize,
    /// How many racks failed for each reason, in filter order. A rack can fail for several.
    pub counts: Vec<(ReasonKind, usize)>,
    /// Each rejected rack with all its reasons, in rack-name order.
    pub per_rack: Vec<(String, Vec<Reason>)>,
}

impl Unplaceable {
    pub(crate) fn new(
        request: &str,
        racks_total: usize,
        per_rack: Vec<(String, Vec<Reason>)>,
    ) -> Self {
        let mut counts: Vec<(ReasonKind, usize)> = Vec::new();
        let mut kinds: Vec<ReasonKind> = per_rack
            .iter()
            .flat_map(|(_, rs)| rs.iter().map(Reason::kind))
            .collect();
        kinds.sort();
        for k in kinds {
            match counts.last_mut() {
                Some((last, n)) if *last == k => *n += 1,
                _ => counts.push((k, 1)),
            }
        }
        Unplaceable {
            request: request.to_string(),
            racks_total,
            counts,
            per_rack,
        }
    }

    /// `0/12 racks fit: 7 too few contiguous U (HOST-SITE), 5 feed B over budget with A lost
    /// (HOST-POWER)`, in both languages.
    pub fn summary(&self) -> Text {
        let part = |lang: Lang| {
            if self.counts.is_empty() {
                return match lang {
                    Lang::En => "no racks in the inventory".to_string(),
                    Lang::Id => "tidak ada rak di inventaris".to_string(),
                };
            }
            self.counts
                .iter()
                .map(|(k, n)| format!("{n} {} ({})", k.phrase().get(lang), k.rule()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let total = self.racks_total;
        Text::new(
            format!("0/{total} racks fit: {}", part(Lang::En)),
            format!("0/{total} rak cocok: {}", part(Lang::Id)),
        )
    }

    /// One line per rejected rack: `R03: needs 2 contiguous U, … (HOST-SITE); …`.
    pub fn details(&self, lang: Lang) -> Vec<String> {
        self.per_rack
            .iter()
            .map(|(rack, reasons)| {
                let rs: Vec<String> = reasons
                    .iter()
                    .map(|r| r.text().get(lang).to_string())
                    .collect();
                format!("{rack}: {}", rs.join("; "))
            })
            .collect()
    }
}

impl std::fmt::Display for Unplaceable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.request, self.summary().en)
    }
}
