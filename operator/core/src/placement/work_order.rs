//! The install work order of a placed device (HOST-ACCESS: physical access only through an
//! official request, with an escort).

use pusdata_crds::v1alpha1::{RackPlacement, WorkOrder};
use std::net::Ipv4Addr;

// FNV-1a (`crate::hash`): the same placement always yields the same work-order number on
// every site and every release.
use crate::hash::fnv1a;

/// `WO-` and 12 hex digits derived from the request, rack, U, feeds and addresses: a
/// re-run of the same decision gives the same number, a different decision a new one.
pub fn work_order_id(request: &str, placement: &RackPlacement, addresses: &[Ipv4Addr]) -> String {
    let addrs: Vec<String> = addresses.iter().map(Ipv4Addr::to_string).collect();
    let key = format!(
        "{request}\n{}\n{}\n{}\n{}\n{}\n{}\n{}",
        placement.site,
        placement.rack,
        placement.position_u,
        placement.height_u,
        placement.feed_a,
        placement.feed_b,
        addrs.join(",")
    );
    format!("WO-{:012x}", fnv1a(key.as_bytes()) & 0xffff_ffff_ffff)
}

/// The work order for installing a placed device: open, escort required.
pub fn build_work_order(
    request: &str,
    placement: &RackPlacement,
    addresses: &[Ipv4Addr],
) -> WorkOrder {
    let mut placement = placement.clone();
    // The score is advice for the manager, not part of what the technician installs.
    placement.score = None;
    WorkOrder {
        id: work_order_id(request, &placement, addresses),
        placement,
        addresses: addresses.iter().map(Ipv4Addr::to_string).collect(),
        escort_required: true,
        state: "Open".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rp(u: u32) -> RackPlacement {
        RackPlacement {
            site: "dc-bekasi".into(),
            rack: "R01".into(),
            position_u: u,
            height_u: 1,
            feed_a: "R01-A".into(),
            feed_b: "R01-B".into(),
            score: Some(7),
        }
    }

    #[test]
    fn id_is_stable_and_changes_with_the_decision() {
        let a = [Ipv4Addr::new(10, 30, 8, 2)];
        let wo = build_work_order("disdukcapil/db", &rp(3), &a);
        assert_eq!(wo, build_work_order("disdukcapil/db", &rp(3), &a));
        assert_ne!(wo.id, build_work_order("disdukcapil/db", &rp(4), &a).id);
        assert_ne!(wo.id, build_work_order("disdukcapil/db", &rp(3), &[]).id);
        assert!(wo.escort_required);
        assert_eq!(wo.state, "Open");
        assert_eq!(wo.addresses, vec!["10.30.8.2".to_string()]);
        assert!(wo.id.starts_with("WO-") && wo.id.len() == 15);
    }
}
