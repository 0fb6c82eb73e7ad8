//! The standard internet ports of Perwal 6(7) (NET-PORTS): traffic outside this set needs a
//! special approval. The policy engine and the agency network policies both use this list.

use pusdata_crds::v1alpha1::{EgressPort, Protocol};

/// A standard service and its ports.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StandardPort {
    /// Service named in the regulation.
    pub service: &'static str,
    /// Port number.
    pub port: u16,
    /// Protocol.
    pub protocol: Protocol,
}

const fn tcp(service: &'static str, port: u16) -> StandardPort {
    StandardPort {
        service,
        port,
        protocol: Protocol::TCP,
    }
}
const fn udp(service: &'static str, port: u16) -> StandardPort {
    StandardPort {
        service,
        port,
        protocol: Protocol::UDP,
    }
}

/// HTTP, SNMP, HTTPS, FTP, SSH, Telnet, SQL, PostgreSQL, RADIUS, IMAP, POP3 — the list of
/// Perwal 6(7), with the well-known ports of each (and their TLS variants for mail).
pub const STANDARD_PORTS: &[StandardPort] = &[
    tcp("HTTP", 80),
    tcp("HTTPS", 443),
    udp("SNMP", 161),
    udp("SNMP trap", 162),
    tcp("FTP data", 20),
    tcp("FTP", 21),
    tcp("SSH", 22),
    tcp("Telnet", 23),
    tcp("SQL (MS SQL Server)", 1433),
    tcp("SQL (MySQL/MariaDB)", 3306),
    tcp("PostgreSQL", 5432),
    udp("RADIUS", 1812),
    udp("RADIUS accounting", 1813),
    tcp("IMAP", 143),
    tcp("IMAPS", 993),
    tcp("POP3", 110),
    tcp("POP3S", 995),
];

/// The standard set as `EgressPort`s, unless a policy overrides it with its own list.
pub fn allowed_ports(policy_override: &[EgressPort]) -> Vec<EgressPort> {
    if !policy_override.is_empty() {
        return policy_override.to_vec();
    }
    STANDARD_PORTS
        .iter()
        .map(|p| EgressPort {
            port: p.port,
            protocol: p.protocol,
            destination: None,
            purpose: Some(p.service.to_string()),
            approval_ref: None,
        })
        .collect()
}

/// Whether `port`/`protocol` is in `allowed`.
pub fn is_allowed(allowed: &[EgressPort], port: u16, protocol: Protocol) -> bool {
    allowed
        .iter()
        .any(|a| a.port == port && a.protocol == protocol)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_regulation_services_are_all_there() {
        for s in [
            "HTTP",
            "SNMP",
            "HTTPS",
            "FTP",
            "SSH",
            "Telnet",
            "SQL",
            "PostgreSQL",
            "RADIUS",
            "IMAP",
            "POP3",
        ] {
            assert!(
                STANDARD_PORTS.iter().any(|p| p.service.starts_with(s)),
                "{s}"
            );
        }
        let allowed = allowed_ports(&[]);
        assert!(is_allowed(&allowed, 5432, Protocol::TCP));
        assert!(
            !is_allowed(&allowed, 6379, Protocol::TCP),
            "Redis is not a standard port"
        );
        assert!(
            !is_allowed(&allowed, 443, Protocol::UDP),
            "QUIC is not in the list"
        );
    }

    #[test]
    fn a_policy_list_replaces_the_default() {
        let only_https = vec![EgressPort {
            port: 443,
            ..EgressPort::default()
        }];
        let allowed = allowed_ports(&only_https);
        assert!(is_allowed(&allowed, 443, Protocol::TCP));
        assert!(!is_allowed(&allowed, 80, Protocol::TCP));
    }
}
