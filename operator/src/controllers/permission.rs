//! One API permission (resource and verbs), the type every controller declares its
//! `PERMISSIONS` with. Its own module, so declaring them does not import `rbac`, which
//! gathers them from every controller.

/// One resource and the verbs used on it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Permission {
    /// API group ("" for the core group).
    pub group: &'static str,
    /// Plural resource name, with `/status` for the status subresource.
    pub resource: &'static str,
    /// Verbs, e.g. `get`, `list`, `watch`, `patch`.
    pub verbs: &'static [&'static str],
}

/// The kinds the rules' context is built from (`policy::Context::from_objects`): read and
/// watched by the webhook (`--from-cluster`) and by the background audit.
pub const POLICY_CONTEXT: &[Permission] = &[
    Permission {
        group: "pusdata.io",
        resource: "residencypolicies",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "sites",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "racks",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "agencies",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "approvals",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "backuprepositories",
        verbs: &["list", "watch"],
    },
    Permission {
        group: "pusdata.io",
        resource: "disasterrecoveryplans",
        verbs: &["list", "watch"],
    },
];
