//! Any Pusdata object, read from a manifest by its `apiVersion` and `kind`, and checked
//! against its CRD's own schema rules (CEL) exactly as the API server would.

use crate::v1alpha1::*;
use crate::{GROUP, VERSION, all_crds};
use serde_json::Value;

/// One object of any Pusdata kind.
#[derive(Clone, Debug, PartialEq)]
#[allow(clippy::large_enum_variant)]
pub enum Object {
    /// A `Site`.
    Site(Site),
    /// A `Rack`.
    Rack(Rack),
    /// An `Agency`.
    Agency(Agency),
    /// A `HostingRequest`.
    HostingRequest(HostingRequest),
    /// An `Approval`.
    Approval(Approval),
    /// A `ResidencyPolicy`.
    ResidencyPolicy(ResidencyPolicy),
    /// An `ExternalCloudService`.
    ExternalCloudService(ExternalCloudService),
    /// A `BackupRepository`.
    BackupRepository(BackupRepository),
    /// A `DisasterRecoveryPlan`.
    DisasterRecoveryPlan(DisasterRecoveryPlan),
    /// A `Backup`.
    Backup(Backup),
    /// A `Restore`.
    Restore(Restore),
    /// A `Failover`.
    Failover(Failover),
}

/// Why a manifest is not a valid Pusdata object.
#[derive(Debug, thiserror::Error)]
pub enum ObjectError {
    /// The document has no `apiVersion` / `kind`, or they are not Pusdata's.
    #[error("not a {GROUP}/{VERSION} object: apiVersion {api_version:?}, kind {kind:?}")]
    NotPusdata {
        /// The apiVersion found.
        api_version: String,
        /// The kind found.
        kind: String,
    },
    /// The fields do not match the type.
    #[error("{kind} {name}: {source}")]
    Shape {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// The deserialisation error, naming the field.
        source: serde_json::Error,
    },
    /// The object breaks one of its CRD's CEL rules.
    #[error("{kind} {name}: {messages}")]
    Rule {
        /// Kind.
        kind: String,
        /// Name.
        name: String,
        /// The failed rules' messages, `; `-separated, each with its field path.
        messages: String,
    },
}

impl Object {
    /// The object's kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Object::Site(_) => "Site",
            Object::Rack(_) => "Rack",
            Object::Agency(_) => "Agency",
            Object::HostingRequest(_) => "HostingRequest",
            Object::Approval(_) => "Approval",
            Object::ResidencyPolicy(_) => "ResidencyPolicy",
            Object::ExternalCloudService(_) => "ExternalCloudService",
            Object::BackupRepository(_) => "BackupRepository",
            Object::DisasterRecoveryPlan(_) => "DisasterRecoveryPlan",
            Object::Backup(_) => "Backup",
            Object::Restore(_) => "Restore",
            Object::Failover(_) => "Failover",
        }
    }

    /// The typed object as JSON. Serialising the typed object fills in serde defaults, as
    /// the API server fills in schema defaults before it runs the CEL rules.
    pub fn to_value(&self) -> serde_json::Result<Value> {
        match self {
            Object::Site(o) => serde_json::to_value(o),
            Object::Rack(o) => serde_json::to_value(o),
            Object::Agency(o) => serde_json::to_value(o),
            Object::HostingRequest(o) => serde_json::to_value(o),
            Object::Approval(o) => serde_json::to_value(o),
            Object::ResidencyPolicy(o) => serde_json::to_value(o),
            Object::ExternalCloudService(o) => serde_json::to_value(o),
            Object::BackupRepository(o) => serde_json::to_value(o),
            Object::DisasterRecoveryPlan(o) => serde_json::to_value(o),
            Object::Backup(o) => serde_json::to_value(o),
            Object::Restore(o) => serde_json::to_value(o),
            Object::Failover(o) => serde_json::to_value(o),
        }
    }

    /// Reads a JSON value (from YAML or an admission request) as a typed Pusdata object.
    /// Checks only the shape; see [`check_rules`] for the CRD's CEL rules.
    pub fn from_value(value: Value) -> Result<Object, ObjectError> {
        let api_version = value
            .get("apiVersion")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        let kind = value
            .get("kind")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_string();
        if api_version != format!("{GROUP}/{VERSION}") {
            return Err(ObjectError::NotPusdata { api_version, kind });
        }
        let name = object_name(&value);
        let shape = |source| ObjectError::Shape {
            kind: kind.clone(),
            name: name.clone(),
            source,
        };
        Ok(match kind.as_str() {
            "Site" => Object::Site(serde_json::from_value(value).map_err(shape)?),
            "Rack" => Object::Rack(serde_json::from_value(value).map_err(shape)?),
            "Agency" => Object::Agency(serde_json::from_value(value).map_err(shape)?),
            "HostingRequest" => {
                Object::HostingRequest(serde_json::from_value(value).map_err(shape)?)
            }
            "Approval" => Object::Approval(serde_json::from_value(value).map_err(shape)?),
            "ResidencyPolicy" => {
                Object::ResidencyPolicy(serde_json::from_value(value).map_err(shape)?)
            }
            "ExternalCloudService" => {
                Object::ExternalCloudService(serde_json::from_value(value).map_err(shape)?)
            }
            "BackupRepository" => {
                Object::BackupRepository(serde_json::from_value(value).map_err(shape)?)
            }
            "DisasterRecoveryPlan" => {
                Object::DisasterRecoveryPlan(serde_json::from_value(value).map_err(shape)?)
            }
            "Backup" => Object::Backup(serde_json::from_value(value).map_err(shape)?),
            "Restore" => Object::Restore(serde_json::from_value(value).map_err(shape)?),
            "Failover" => Object::Failover(serde_json::from_value(value).map_err(shape)?),
            _ => return Err(ObjectError::NotPusdata { api_version, kind }),
        })
    }
}

fn object_name(value: &Value) -> String {
    value
        .pointer("/metadata/name")
        .and_then(Value::as_str)
        .unwrap_or("<unnamed>")
        .to_string()
}

/// Each kind's OpenAPI schema (with its CEL rules), generated once per process: generating
/// all twelve CRDs per object made `policy check` over a directory spend most of its time
/// in schema generation.
fn schemas() -> &'static [(String, Value)] {
    static SCHEMAS: std::sync::OnceLock<Vec<(String, Value)>> = std::sync::OnceLock::new();
    SCHEMAS.get_or_init(|| {
        all_crds()
            .into_iter()
            .map(|crd| {
                let schema = crd
                    .spec
                    .versions
                    .first()
                    .and_then(|v| v.schema.as_ref())
                    .and_then(|s| s.open_api_v3_schema.as_ref())
                    .and_then(|s| serde_json::to_value(s).ok())
                    .unwrap_or(Value::Null);
                (crd.spec.names.kind, schema)
            })
            .collect()
    })
}

thread_local! {
    /// The CEL rules of each kind, compiled the first time an object of that kind is
    /// checked on this thread, and one validator with the Kubernetes functions. Compiling
    /// on every call made `pusdata policy check` spend most of its time in the CEL parser
    /// (10 000 requests: 10.6 s). Per thread, because neither type is `Sync`-documented.
    static COMPILED: std::cell::RefCell<(
        kube::core::cel::Validator,
        Vec<Option<kube::core::cel::CompiledSchema>>,
    )> = std::cell::RefCell::new((
        kube::core::cel::Validator::new(),
        schemas().iter().map(|_| None).collect(),
    ));
}

/// Checks a manifest against its CRD's CEL rules (`x-kubernetes-validations`), as the API
/// server does on create; with `old`, transition rules (`oldSelf`) are checked as on update.
///
/// The value should already carry defaults (serialize the typed object to get them).
pub fn check_rules(value: &Value, old: Option<&Value>) -> Result<(), ObjectError> {
    let kind = value
        .get("kind")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let Some(i) = schemas().iter().position(|(k, _)| k == kind) else {
        return Err(ObjectError::NotPusdata {
            api_version: String::new(),
            kind: kind.to_string(),
        });
    };
    let errors = COMPILED.with(|c| {
        let mut c = c.borrow_mut();
        let (validator, compiled) = &mut *c;
        let rules =
            compiled[i].get_or_insert_with(|| kube::core::cel::compile_schema(&schemas()[i].1));
        validator.validate_compiled(rules, value, old)
    });
    match errors {
        Ok(()) => Ok(()),
        Err(errors) => Err(ObjectError::Rule {
            kind: kind.to_string(),
            name: object_name(value),
            messages: errors
                .iter()
                .map(|e| {
                    if e.field_path.is_empty() {
                        e.message.clone()
                    } else {
                        format!("{} ({})", e.message, e.field_path)
                    }
                })
                .collect::<Vec<_>>()
                .join("; "),
        }),
    }
}

/// Reads every document of a YAML stream as JSON values, skipping empty documents.
pub fn yaml_documents(text: &str) -> Result<Vec<Value>, serde_saphyr::Error> {
    let docs: Vec<Option<Value>> = serde_saphyr::from_multiple(text)?;
    Ok(docs
        .into_iter()
        .flatten()
        .filter(|v| !v.is_null())
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_a_cached_schema_with_its_rules() {
        let s = schemas();
        assert_eq!(s.len(), 12);
        for (kind, schema) in s {
            assert!(schema.is_object(), "{kind} has no schema");
        }
        // The CEL rules survive into the cached schemas (DisasterRecoveryPlan has DR-FAR's).
        let (_, drp) = s.iter().find(|(k, _)| k == "DisasterRecoveryPlan").unwrap();
        assert!(drp.to_string().contains("x-kubernetes-validations"));
    }
}
