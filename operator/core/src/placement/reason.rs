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
        match self {
            ReasonKind::UnknownRack => crate::t!("placement-reason-unknown-rack"),
            ReasonKind::Cordoned => crate::t!("placement-reason-cordoned"),
            ReasonKind::OtherSite => crate::t!("placement-reason-another-site"),
            ReasonKind::AgencyNotAllowed => crate::t!("placement-reason-reserved-other-agencies"),
            ReasonKind::DeviceNot19Inch => crate::t!("placement-reason-device-not-rackmount"),
            ReasonKind::TooFewPsus => crate::t!("placement-reason-device-fewer-than-psus"),
            ReasonKind::RailsNot19Inch => crate::t!("placement-reason-inch-rails"),
            ReasonKind::TooDeep => crate::t!("placement-reason-too-shallow-device"),
            ReasonKind::MissingFeedA => crate::t!("placement-reason-feed"),
            ReasonKind::MissingFeedB => crate::t!("placement-reason-feed-b"),
            ReasonKind::SameFeed => crate::t!("placement-reason-feeds-b-same"),
            ReasonKind::FeedBOverBudget => crate::t!("placement-reason-feed-b-over-budget"),
            ReasonKind::FeedAOverBudget => crate::t!("placement-reason-feed-over-budget-b"),
            ReasonKind::CoolingOverBudget => crate::t!("placement-reason-cooling-over-budget"),
            ReasonKind::Overweight => crate::t!("placement-reason-over-weight-limit"),
            ReasonKind::TooFewContiguousU => crate::t!("placement-reason-too-few-contiguous-u"),
            ReasonKind::PositionOutsideRack => crate::t!("placement-reason-position-outside-rack"),
            ReasonKind::PositionTaken => crate::t!("placement-reason-position-taken"),
        }
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
        let text = match self {
            Reason::Cordoned => crate::t!("placement-reason-rack-cordoned-takes-new"),
            Reason::OtherSite { site } => {
                crate::t!("placement-reason-rack-stands-site-requested", site = &site)
            }
            Reason::AgencyNotAllowed { agency } => crate::t!(
                "placement-reason-rack-reserved-other-agencies",
                agency = &agency
            ),
            Reason::DeviceNot19Inch => crate::t!("placement-reason-device-not-rackmount-server"),
            Reason::TooFewPsus { count } => {
                crate::t!("placement-reason-device-power-supply-ies", count = &count)
            }
            Reason::RailsNot19Inch => crate::t!("placement-reason-rack-inch-rails"),
            Reason::TooDeep { device_mm, rack_mm } => crate::t!(
                "placement-reason-device-mm-deep-rack",
                device_mm = &device_mm,
                rack_mm = &rack_mm
            ),
            Reason::MissingFeed { side } => {
                crate::t!("placement-reason-rack-feed-so-b", side = &side.as_str())
            }
            Reason::SameFeed { name } => {
                crate::t!("placement-reason-feeds-b-both-so", name = &name)
            }
            Reason::FeedOverBudget {
                lost,
                load_watts,
                budget_watts,
            } => {
                let (l, s) = (lost.as_str(), lost.other().as_str());
                crate::t!(
                    "placement-reason-feed-lost-feed-would",
                    lost = &l,
                    other = &s,
                    load_watts = &load_watts,
                    budget_watts = &budget_watts
                )
            }
            Reason::CoolingOverBudget {
                heat_watts,
                budget_watts,
            } => crate::t!(
                "placement-reason-heat-would-reach-w",
                heat_watts = &heat_watts,
                budget_watts = &budget_watts
            ),
            Reason::Overweight { weight_kg, max_kg } => crate::t!(
                "placement-reason-load-would-reach-kg",
                weight_kg = &weight_kg,
                max_kg = &max_kg
            ),
            Reason::TooFewContiguousU {
                needed,
                largest_free,
            } => crate::t!(
                "placement-reason-needs-contiguous-u-largest",
                needed = &needed,
                largest_free = &largest_free
            ),
            Reason::PositionOutsideRack {
                position_u,
                height_u,
            } => crate::t!(
                "placement-reason-position-u-does-fit",
                position_u = &position_u,
                height_u = &height_u
            ),
            Reason::PositionTaken { position_u, by } => crate::t!(
                "placement-reason-position-u-overlaps",
                position_u = &position_u,
                by = &by.join(", ")
            ),
            Reason::UnknownRack { rack } => {
                crate::t!("placement-reason-rack-inventory", rack = &rack)
            }
        };
        let rule = self.rule();
        crate::t!("placement-reason-with-rule", reason = &text, rule = rule)
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
                return crate::i18n::tr(lang, "placement-reason-no-racks", &[]);
            }
            self.counts
                .iter()
                .map(|(k, n)| format!("{n} {} ({})", k.phrase().get(lang), k.rule()))
                .collect::<Vec<_>>()
                .join(", ")
        };
        let parts = Text::new(part(Lang::En), part(Lang::Id));
        crate::t!(
            "placement-reason-racks-fit",
            total = &self.racks_total.to_string(),
            parts = &parts
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
