//! Addresses for colocated devices from the city pools (SEC-REGISTER: the IT office owns IP
//! numbering). Pure: the caller passes every address already assigned.

use pusdata_crds::v1alpha1::AddressPool;
use std::collections::BTreeSet;
use std::net::Ipv4Addr;

/// Why addresses could not be allocated.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AddressError {
    /// A pool's CIDR or gateway does not parse as IPv4.
    #[error("address pool {pool}: {value} is not an IPv4 CIDR or address")]
    BadPool {
        /// Pool name.
        pool: String,
        /// The offending value.
        value: String,
    },
    /// The pools hold fewer free addresses than needed.
    #[error("SEC-REGISTER: {needed} addresses needed, only {free} free in the city pools")]
    Exhausted {
        /// Addresses needed.
        needed: usize,
        /// Addresses free.
        free: usize,
    },
}

fn parse_cidr(pool: &AddressPool) -> Result<(u32, u32), AddressError> {
    let bad = || AddressError::BadPool {
        pool: pool.name.clone(),
        value: pool.cidr.clone(),
    };
    let (addr, len) = pool.cidr.split_once('/').ok_or_else(bad)?;
    let addr: Ipv4Addr = addr.trim().parse().map_err(|_| bad())?;
    let len: u32 = len.trim().parse().map_err(|_| bad())?;
    if len > 32 {
        return Err(bad());
    }
    let mask = if len == 0 { 0 } else { u32::MAX << (32 - len) };
    Ok((u32::from(addr) & mask, len))
}

/// Allocates `count` addresses, lowest first, walking the pools in the order given. Skips
/// each pool's network and broadcast address (except in /31 and /32, which have none), its
/// gateway, and every address in `assigned`. Either all `count` are returned or none.
pub fn allocate_addresses(
    pools: &[AddressPool],
    assigned: &BTreeSet<Ipv4Addr>,
    count: usize,
) -> Result<Vec<Ipv4Addr>, AddressError> {
    let mut out = Vec::with_capacity(count);
    let mut free = 0usize;
    for pool in pools {
        let (network, len) = parse_cidr(pool)?;
        let gateway = match &pool.gateway {
            Some(g) => Some(
                g.trim()
                    .parse::<Ipv4Addr>()
                    .map_err(|_| AddressError::BadPool {
                        pool: pool.name.clone(),
                        value: g.clone(),
                    })?,
            ),
            None => None,
        };
        let size: u64 = 1u64 << (32 - len);
        let (first, last) = if len >= 31 {
            (0, size - 1)
        } else {
            (1, size - 2)
        };
        for offset in first..=last {
            let Ok(offset) = u32::try_from(offset) else {
                break;
            };
            let ip = Ipv4Addr::from(network.wrapping_add(offset));
            if Some(ip) == gateway || assigned.contains(&ip) || out.contains(&ip) {
                continue;
            }
            free += 1;
            if out.len() < count {
                out.push(ip);
            } else {
                // Enough found; no need to count the rest of a /8 for the message.
                return Ok(out);
            }
        }
    }
    if out.len() < count {
        return Err(AddressError::Exhausted {
            needed: count,
            free,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn pool(cidr: &str, gw: Option<&str>) -> AddressPool {
        AddressPool {
            name: "colo".into(),
            cidr: cidr.into(),
            gateway: gw.map(str::to_string),
        }
    }

    #[test]
    fn skips_network_gateway_broadcast_and_assigned() {
        let assigned: BTreeSet<Ipv4Addr> = ["10.30.8.2".parse().unwrap()].into();
        let got =
            allocate_addresses(&[pool("10.30.8.0/29", Some("10.30.8.1"))], &assigned, 4).unwrap();
        let want: Vec<Ipv4Addr> = ["10.30.8.3", "10.30.8.4", "10.30.8.5", "10.30.8.6"]
            .iter()
            .map(|s| s.parse().unwrap())
            .collect();
        assert_eq!(got, want);
    }

    #[test]
    fn exhausted_pool_gives_nothing_and_says_how_many_are_free() {
        let err = allocate_addresses(
            &[pool("10.30.8.0/30", Some("10.30.8.1"))],
            &BTreeSet::new(),
            2,
        )
        .unwrap_err();
        assert_eq!(err, AddressError::Exhausted { needed: 2, free: 1 });
    }

    #[test]
    fn moves_on_to_the_next_pool_and_rejects_bad_cidrs() {
        let pools = [pool("10.0.0.0/30", None), pool("10.0.1.0/30", None)];
        let got = allocate_addresses(&pools, &BTreeSet::new(), 3).unwrap();
        assert_eq!(got[2], "10.0.1.1".parse::<Ipv4Addr>().unwrap());
        assert!(matches!(
            allocate_addresses(&[pool("10.0.0.0", None)], &BTreeSet::new(), 1),
            Err(AddressError::BadPool { .. })
        ));
        assert_eq!(
            allocate_addresses(&[pool("10.0.0.7/32", None)], &BTreeSet::new(), 1).unwrap(),
            vec!["10.0.0.7".parse::<Ipv4Addr>().unwrap()]
        );
    }
}
