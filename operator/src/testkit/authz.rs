//! Authorization in tests: a tower service in front of kube-fake-client that authorizes
//! every request against the RBAC of the rendered manifests, the way the API server's RBAC
//! authorizer does, for one identity (a component's ServiceAccount or a person).
//!
//! What it models (k8s.io/apiserver request attributes + the RBAC authorizer):
//! - the verb of each request: get / list / watch (a GET with `watch=true`) / create /
//!   update / patch / delete / deletecollection;
//! - server-side apply (`application/apply-patch+yaml`) of an object that does not exist yet
//!   also needs `create` (the patch handler authorizes the create it turns into);
//! - subresources (`agencies/status`, `pods/exec`), and `<owner>/finalizers`: setting an
//!   owner reference with `blockOwnerDeletion` needs `update` on the owner's finalizers
//!   (the OwnerReferencesPermissionEnforcement admission plugin that hardened clusters
//!   enable);
//! - scope: a ClusterRoleBinding grants everywhere; a RoleBinding grants only in its own
//!   namespace, also when it references a ClusterRole; a Namespace named N counts as in N;
//! - `resourceNames` (never matches a create or an unnamed list), `*` wildcards, `*/sub`;
//! - ClusterRole aggregation (`aggregationRule`, and the built-in `admin`/`edit`/`view`
//!   composed from the rendered roles labelled `aggregate-to-…`);
//! - the built-in `system:basic-user` (self reviews) and discovery for every authenticated
//!   identity.
//!
//! A refused request fails the test at once, naming verb, group, resource, name and
//! namespace. [`Authorizer::answering_403`] instead answers like the real server (a 403
//! `Status`), for tests of how the code reacts to a refusal.

use super::manifests::{self, RELEASE_NAMESPACE, Site};
use futures::future::BoxFuture;
use http::{Method, Request, Response, StatusCode};
use http_body_util::BodyExt;
use kube::client::Body;
use serde_json::{Value, json};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use std::task::{Context as TaskContext, Poll};

/// Who sends the requests.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Identity {
    /// The user name (`system:serviceaccount:<ns>:<name>` for a ServiceAccount).
    pub user: String,
    /// The groups, `system:authenticated` included.
    pub groups: Vec<String>,
}

impl Identity {
    /// A ServiceAccount, with the groups the API server gives it.
    pub fn service_account(namespace: &str, name: &str) -> Identity {
        Identity {
            user: format!("system:serviceaccount:{namespace}:{name}"),
            groups: vec![
                "system:serviceaccounts".into(),
                format!("system:serviceaccounts:{namespace}"),
                "system:authenticated".into(),
            ],
        }
    }

    /// A person in `groups`.
    pub fn user(name: &str, groups: &[&str]) -> Identity {
        let mut groups: Vec<String> = groups.iter().map(|g| g.to_string()).collect();
        groups.push("system:authenticated".into());
        Identity {
            user: name.into(),
            groups,
        }
    }

    /// The operator's ServiceAccount in the rendered install.
    pub fn operator() -> Identity {
        Identity::service_account(RELEASE_NAMESPACE, "pusdata-operator")
    }

    /// The webhook's ServiceAccount in the rendered install.
    pub fn webhook() -> Identity {
        Identity::service_account(RELEASE_NAMESPACE, "pusdata-webhook")
    }

    /// The DRC agent's ServiceAccount in the rendered install.
    pub fn agent() -> Identity {
        Identity::service_account(RELEASE_NAMESPACE, "pusdata-agent")
    }
}

/// The attributes the authorizer sees for one resource request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Attributes {
    /// get, list, watch, create, update, patch, delete, deletecollection.
    pub verb: String,
    /// API group, "" for the core group.
    pub group: String,
    /// Plural resource.
    pub resource: String,
    /// Subresource, "" when none.
    pub subresource: String,
    /// Object name, "" when none (create, list).
    pub name: String,
    /// Namespace, "" at the cluster scope.
    pub namespace: String,
}

impl std::fmt::Display for Attributes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let resource = if self.subresource.is_empty() {
            self.resource.clone()
        } else {
            format!("{}/{}", self.resource, self.subresource)
        };
        write!(
            f,
            "verb={} group={:?} resource={} name={:?} namespace={:?}",
            self.verb,
            self.group,
            resource,
            self.name,
            if self.namespace.is_empty() {
                "(cluster scope)"
            } else {
                &self.namespace
            }
        )
    }
}

/// One RBAC rule.
#[derive(Clone, Debug, Default)]
struct Rule {
    groups: Vec<String>,
    resources: Vec<String>,
    verbs: Vec<String>,
    names: Vec<String>,
}

impl Rule {
    fn from_json(v: &Value) -> Rule {
        let list = |k: &str| -> Vec<String> {
            v[k].as_array()
                .map(|a| {
                    a.iter()
                        .filter_map(|s| s.as_str().map(str::to_string))
                        .collect()
                })
                .unwrap_or_default()
        };
        Rule {
            groups: list("apiGroups"),
            resources: list("resources"),
            verbs: list("verbs"),
            names: list("resourceNames"),
        }
    }

    /// rbac/v1 `RuleAllows` for a resource request.
    fn allows(&self, a: &Attributes) -> bool {
        let verb = self.verbs.iter().any(|v| v == "*" || *v == a.verb);
        let group = self.groups.iter().any(|g| g == "*" || *g == a.group);
        let combined = if a.subresource.is_empty() {
            a.resource.clone()
        } else {
            format!("{}/{}", a.resource, a.subresource)
        };
        let resource = self.resources.iter().any(|r| {
            r == "*"
                || *r == combined
                || (!a.subresource.is_empty() && *r == format!("*/{}", a.subresource))
        });
        let name = self.names.is_empty() || (!a.name.is_empty() && self.names.contains(&a.name));
        verb && group && resource && name
    }
}

#[derive(Clone, Debug)]
struct Binding {
    /// "" for a ClusterRoleBinding.
    namespace: String,
    role_kind: String,
    role_name: String,
    subjects: Vec<Value>,
}

impl Binding {
    fn from_json(kind: &str, d: &Value) -> Binding {
        let namespace = if kind == "RoleBinding" {
            d["metadata"]["namespace"]
                .as_str()
                .unwrap_or(RELEASE_NAMESPACE)
                .to_string()
        } else {
            String::new()
        };
        Binding {
            namespace,
            role_kind: d["roleRef"]["kind"].as_str().unwrap_or_default().into(),
            role_name: d["roleRef"]["name"].as_str().unwrap_or_default().into(),
            subjects: d["subjects"].as_array().cloned().unwrap_or_default(),
        }
    }
}

/// The RBAC objects of a rendered install.
#[derive(Debug, Default)]
pub struct Rbac {
    cluster_roles: BTreeMap<String, Vec<Rule>>,
    roles: BTreeMap<(String, String), Vec<Rule>>,
    bindings: Vec<Binding>,
}

fn rules_of(doc: &Value) -> Vec<Rule> {
    doc["rules"]
        .as_array()
        .map(|a| a.iter().map(Rule::from_json).collect())
        .unwrap_or_default()
}

fn labels_match(labels: &Value, selector: &Value) -> bool {
    selector["matchLabels"]
        .as_object()
        .map(|m| m.iter().all(|(k, v)| labels[k] == *v))
        .unwrap_or(true)
}

impl Rbac {
    /// The RBAC of `docs` (Roles, ClusterRoles and their bindings), with the built-in
    /// roles every cluster has.
    pub fn from_documents(docs: &[Value]) -> Rbac {
        let mut rbac = Rbac::default();
        let cluster_roles: Vec<&Value> = manifests::of_kind(docs, "ClusterRole").collect();
        for d in &cluster_roles {
            let name = d["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            rbac.cluster_roles.insert(name, rules_of(d));
        }
        // Aggregation: a ClusterRole with an aggregationRule holds the rules of every
        // ClusterRole its selectors match (the controller-manager fills them in).
        for d in &cluster_roles {
            if let Some(sels) = d["aggregationRule"]["clusterRoleSelectors"].as_array() {
                let name = d["metadata"]["name"]
                    .as_str()
                    .unwrap_or_default()
                    .to_string();
                let mut rules = Vec::new();
                for other in &cluster_roles {
                    if sels
                        .iter()
                        .any(|s| labels_match(&other["metadata"]["labels"], s))
                    {
                        rules.extend(rules_of(other));
                    }
                }
                rbac.cluster_roles.entry(name).or_default().extend(rules);
            }
        }
        // The built-in user-facing roles, as far as Pusdata adds to them (the rest of
        // admin/edit/view is Kubernetes' own and grants nothing Pusdata's tests use).
        for builtin in ["admin", "edit", "view"] {
            let label = format!("rbac.authorization.k8s.io/aggregate-to-{builtin}");
            let rules: Vec<Rule> = cluster_roles
                .iter()
                .filter(|d| d["metadata"]["labels"][&label] == "true")
                .flat_map(|d| rules_of(d))
                .collect();
            rbac.cluster_roles
                .entry(builtin.to_string())
                .or_default()
                .extend(rules);
        }
        rbac.cluster_roles.insert(
            "system:basic-user".into(),
            vec![
                Rule {
                    groups: vec!["authorization.k8s.io".into()],
                    resources: vec![
                        "selfsubjectaccessreviews".into(),
                        "selfsubjectrulesreviews".into(),
                    ],
                    verbs: vec!["create".into()],
                    names: vec![],
                },
                Rule {
                    groups: vec!["authentication.k8s.io".into()],
                    resources: vec!["selfsubjectreviews".into()],
                    verbs: vec!["create".into()],
                    names: vec![],
                },
            ],
        );
        rbac.bindings.push(Binding {
            namespace: String::new(),
            role_kind: "ClusterRole".into(),
            role_name: "system:basic-user".into(),
            subjects: vec![json!({"kind": "Group", "name": "system:authenticated"})],
        });
        for d in manifests::of_kind(docs, "Role") {
            let ns = d["metadata"]["namespace"]
                .as_str()
                .unwrap_or(RELEASE_NAMESPACE)
                .to_string();
            let name = d["metadata"]["name"]
                .as_str()
                .unwrap_or_default()
                .to_string();
            rbac.roles.insert((ns, name), rules_of(d));
        }
        for kind in ["ClusterRoleBinding", "RoleBinding"] {
            for d in manifests::of_kind(docs, kind) {
                rbac.bindings.push(Binding::from_json(kind, d));
            }
        }
        rbac
    }

    /// The RBAC of a rendered install (`deploy/<site>/pusdata.yaml`).
    pub fn rendered(site: Site) -> Rbac {
        Rbac::from_documents(manifests::documents(site))
    }

    /// Takes `verb` on `group`/`resource` out of every role (a test's model of a cluster
    /// whose RBAC lacks one right). Rules with wildcards are not split: they must not grant it.
    pub fn revoke(mut self, group: &str, resource: &str, verb: &str) -> Rbac {
        let mut all: Vec<&mut Vec<Rule>> = self.cluster_roles.values_mut().collect();
        all.extend(self.roles.values_mut());
        for rules in all {
            let mut out = Vec::new();
            for r in rules.drain(..) {
                let touches = r.groups.iter().any(|g| g == group)
                    && r.resources.iter().any(|x| x == resource)
                    && r.verbs.iter().any(|v| v == verb);
                assert!(
                    !(r.groups.iter().any(|g| g == "*")
                        || r.resources.iter().any(|x| x == "*")
                        || r.verbs.iter().any(|v| v == "*"))
                        || !r.allows(&Attributes {
                            verb: verb.into(),
                            group: group.into(),
                            resource: resource.into(),
                            subresource: String::new(),
                            name: String::new(),
                            namespace: String::new(),
                        }),
                    "cannot revoke {verb} {resource} from a wildcard rule"
                );
                if !touches {
                    out.push(r);
                    continue;
                }
                let mut rest = r.clone();
                rest.resources.retain(|x| x != resource);
                if !rest.resources.is_empty() {
                    out.push(rest);
                }
                let mut narrowed = r.clone();
                narrowed.resources = vec![resource.into()];
                narrowed.verbs.retain(|v| v != verb);
                out.push(narrowed);
            }
            *rules = out;
        }
        self
    }

    fn subject_matches(who: &Identity, s: &Value) -> bool {
        let name = s["name"].as_str().unwrap_or_default();
        match s["kind"].as_str().unwrap_or_default() {
            "ServiceAccount" => {
                let ns = s["namespace"].as_str().unwrap_or_default();
                who.user == format!("system:serviceaccount:{ns}:{name}")
            }
            "User" => who.user == name,
            "Group" => who.groups.iter().any(|g| g == name),
            _ => false,
        }
    }

    /// Whether `who` may make the request `a`: the RBAC authorizer's decision.
    pub fn allows(&self, who: &Identity, a: &Attributes) -> bool {
        self.allows_with(who, a, &[])
    }

    /// [`Rbac::allows`] with bindings made at run time (found in the API) added.
    fn allows_with(&self, who: &Identity, a: &Attributes, live: &[Binding]) -> bool {
        self.bindings.iter().chain(live).any(|b| {
            if !b.subjects.iter().any(|s| Rbac::subject_matches(who, s)) {
                return false;
            }
            // A RoleBinding grants only inside its namespace (a cluster-scoped request,
            // other than its own Namespace object, has namespace "").
            if !b.namespace.is_empty() && b.namespace != a.namespace {
                return false;
            }
            let rules = match b.role_kind.as_str() {
                "ClusterRole" => self.cluster_roles.get(&b.role_name),
                "Role" => self.roles.get(&(b.namespace.clone(), b.role_name.clone())),
                _ => None,
            };
            rules.is_some_and(|rs| rs.iter().any(|r| r.allows(a)))
        })
    }
}

/// The request attributes of a resource request, as k8s.io/apiserver's RequestInfo derives
/// them; `None` for a non-resource request (discovery, `/version`).
pub fn attributes(method: &Method, path: &str, query: Option<&str>) -> Option<Attributes> {
    let parts: Vec<&str> = path.trim_matches('/').split('/').collect();
    let (group, rest) = match parts.as_slice() {
        ["api", _version, rest @ ..] => (String::new(), rest),
        ["apis", group, _version, rest @ ..] => (group.to_string(), rest),
        _ => return None,
    };
    if rest.is_empty() {
        return None;
    }
    let mut namespace = String::new();
    let mut rest: &[&str] = rest;
    if rest[0] == "namespaces" && rest.len() > 1 {
        namespace = rest[1].to_string();
        // `/namespaces/{name}` and its `status`/`finalize` are the Namespace itself.
        if rest.len() > 2 && !matches!(rest[2], "status" | "finalize") {
            rest = &rest[2..];
        }
    }
    let resource = rest[0].to_string();
    let name = rest.get(1).map(|s| s.to_string()).unwrap_or_default();
    let subresource = rest.get(2).map(|s| s.to_string()).unwrap_or_default();
    let params: Vec<(String, String)> = query
        .map(|q| {
            q.split('&')
                .map(|kv| {
                    let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
                    (k.to_string(), decode(v))
                })
                .collect()
        })
        .unwrap_or_default();
    let param = |k: &str| {
        params
            .iter()
            .find(|(pk, _)| pk == k)
            .map(|(_, v)| v.clone())
    };
    let verb = match *method {
        Method::GET | Method::HEAD if name.is_empty() => {
            if matches!(param("watch").as_deref(), Some("true" | "1")) {
                "watch"
            } else {
                "list"
            }
        }
        Method::GET | Method::HEAD => "get",
        Method::POST => "create",
        Method::PUT => "update",
        Method::PATCH => "patch",
        Method::DELETE if name.is_empty() => "deletecollection",
        Method::DELETE => "delete",
        _ => return None,
    };
    let mut name = name;
    // A list or watch narrowed to one name by field selector is authorized for that name.
    if name.is_empty()
        && matches!(verb, "list" | "watch")
        && let Some(sel) = param("fieldSelector")
        && let Some(n) = sel
            .split(',')
            .find_map(|t| t.strip_prefix("metadata.name=").map(str::to_string))
    {
        name = n;
    }
    // `pods/exec` over a WebSocket is a GET, authorized as `create` since Kubernetes 1.31.
    let verb = if subresource == "exec" || subresource == "attach" {
        "create"
    } else {
        verb
    };
    Some(Attributes {
        verb: verb.into(),
        group,
        resource,
        subresource,
        name,
        namespace,
    })
}

fn decode(v: &str) -> String {
    let bytes = v.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 3;
                    }
                    Err(_) => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The plural resource of a kind, for owner references (Pusdata's kinds and the built-ins
/// that own anything here).
fn plural(kind: &str) -> String {
    let k = kind.to_lowercase();
    if let Some(stem) = k.strip_suffix('y') {
        format!("{stem}ies")
    } else if k.ends_with('s') {
        format!("{k}es")
    } else {
        format!("{k}s")
    }
}

fn blocking_owners(obj: &Value) -> Vec<(String, String)> {
    obj["metadata"]["ownerReferences"]
        .as_array()
        .map(|refs| {
            refs.iter()
                .filter(|r| r["blockOwnerDeletion"] == true)
                .map(|r| {
                    let api_version = r["apiVersion"].as_str().unwrap_or_default();
                    let group = api_version
                        .rsplit_once('/')
                        .map(|(g, _)| g)
                        .unwrap_or("")
                        .to_string();
                    (group, plural(r["kind"].as_str().unwrap_or_default()))
                })
                .collect()
        })
        .unwrap_or_default()
}

tokio::task_local! {
    /// Set while the test itself (not the code under test) reads or writes the world.
    static HARNESS: bool;
}

/// Runs `f` as the test harness: its requests are the test's own (seeding objects, playing
/// another controller or a person) and are not the component's to be authorized.
pub async fn as_harness<F: std::future::Future>(f: F) -> F::Output {
    HARNESS.scope(true, f).await
}

/// A refused request.
#[derive(Clone, Debug)]
pub struct Denial {
    /// Who asked.
    pub who: Identity,
    /// What was asked.
    pub attributes: Attributes,
}

impl std::fmt::Display for Denial {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "RBAC (rendered chart) refuses {}: {}",
            self.who.user, self.attributes
        )
    }
}

/// Authorizes the requests of one identity against one RBAC, in front of a client.
#[derive(Clone)]
pub struct Authorizer {
    inner: kube::Client,
    rbac: Arc<Rbac>,
    who: Identity,
    strict: bool,
    denials: Arc<Mutex<Vec<Denial>>>,
}

impl std::fmt::Debug for Authorizer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Authorizer")
            .field("who", &self.who.user)
            .field("strict", &self.strict)
            .finish()
    }
}

impl Authorizer {
    /// Requests from `who`, authorized against `rbac`, served by `inner` (kube-fake-client's
    /// client). A refusal fails the test (panics, naming the request).
    pub fn new(inner: kube::Client, rbac: Rbac, who: Identity) -> Authorizer {
        Authorizer {
            inner,
            rbac: Arc::new(rbac),
            who,
            strict: true,
            denials: Default::default(),
        }
    }

    /// A refusal is answered with the API server's 403 `Status` instead of failing the test.
    pub fn answering_403(mut self) -> Authorizer {
        self.strict = false;
        self
    }

    /// The requests refused so far.
    pub fn denials(&self) -> Arc<Mutex<Vec<Denial>>> {
        self.denials.clone()
    }

    /// A kube client whose requests pass through this authorizer.
    pub fn client(self) -> kube::Client {
        kube::Client::new(self, "default")
    }

    /// Whether the object at `path` (a resource path without subresource) exists.
    async fn exists(&self, path: &str) -> bool {
        let req = Request::get(path).body(Body::empty());
        match req {
            Ok(req) => match self.inner.send(req).await {
                Ok(resp) => resp.status() != StatusCode::NOT_FOUND,
                Err(_) => true,
            },
            Err(_) => true,
        }
    }

    async fn current(&self, path: &str) -> Value {
        let Ok(req) = Request::get(path).body(Body::empty()) else {
            return Value::Null;
        };
        let Ok(resp) = self.inner.send(req).await else {
            return Value::Null;
        };
        if !resp.status().is_success() {
            return Value::Null;
        }
        match resp.into_body().collect().await {
            Ok(b) => serde_json::from_slice(&b.to_bytes()).unwrap_or(Value::Null),
            Err(_) => Value::Null,
        }
    }

    /// The RoleBindings and ClusterRoleBindings in the API now: the operator binds roles
    /// at run time (an agency's groups to `edit`, the agent to its Secrets role), and the
    /// real authorizer sees those at once.
    async fn live_bindings(&self) -> Vec<Binding> {
        let mut out = Vec::new();
        for (kind, path) in [
            (
                "RoleBinding",
                "/apis/rbac.authorization.k8s.io/v1/rolebindings",
            ),
            (
                "ClusterRoleBinding",
                "/apis/rbac.authorization.k8s.io/v1/clusterrolebindings",
            ),
        ] {
            let list = as_harness(self.current(path)).await;
            for item in list["items"].as_array().into_iter().flatten() {
                out.push(Binding::from_json(kind, item));
            }
        }
        out
    }

    /// Every authorization check the request needs, in the order the server makes them.
    async fn checks(
        &self,
        method: &Method,
        path: &str,
        content_type: &str,
        body: &[u8],
        a: Attributes,
    ) -> Vec<Attributes> {
        let mut checks = vec![a.clone()];
        let object_path = if a.subresource.is_empty() {
            path.to_string()
        } else {
            path.rsplit_once('/')
                .map(|(p, _)| p.to_string())
                .unwrap_or_default()
        };
        if *method == Method::PATCH
            && a.subresource.is_empty()
            && content_type.starts_with("application/apply-patch")
            && !as_harness(self.exists(&object_path)).await
        {
            checks.push(Attributes {
                verb: "create".into(),
                ..a.clone()
            });
        }
        if matches!(a.verb.as_str(), "create" | "update" | "patch") && a.subresource.is_empty() {
            let new: Value = serde_json::from_slice(body)
                .or_else(|_| serde_saphyr::from_str(&String::from_utf8_lossy(body)))
                .unwrap_or(Value::Null);
            let owners = blocking_owners(&new);
            // Read the stored object only when there is something to compare (the extra
            // read must not disturb tests that count the calls made).
            let before = if *method == Method::POST || owners.is_empty() {
                Vec::new()
            } else {
                blocking_owners(&as_harness(self.current(&object_path)).await)
            };
            for (group, resource) in owners {
                if !before.contains(&(group.clone(), resource.clone())) {
                    checks.push(Attributes {
                        verb: "update".into(),
                        group,
                        resource,
                        subresource: "finalizers".into(),
                        name: String::new(),
                        namespace: a.namespace.clone(),
                    });
                }
            }
        }
        checks
    }

    async fn handle(self, req: Request<Body>) -> Result<Response<Body>, kube::Error> {
        if HARNESS.try_with(|h| *h).unwrap_or(false) {
            return self.inner.send(req).await;
        }
        let (parts, body) = req.into_parts();
        let path = parts.uri.path().to_string();
        let Some(attrs) = attributes(&parts.method, &path, parts.uri.query()) else {
            // Discovery and /version: every authenticated identity may read them.
            return self.inner.send(Request::from_parts(parts, body)).await;
        };
        let bytes = body
            .collect()
            .await
            .map(|b| b.to_bytes())
            .map_err(|e| kube::Error::Service(Box::new(e)))?;
        let content_type = parts
            .headers
            .get(http::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_string();
        for check in self
            .checks(&parts.method, &path, &content_type, &bytes, attrs)
            .await
        {
            if !self.rbac.allows(&self.who, &check)
                && !self
                    .rbac
                    .allows_with(&self.who, &check, &self.live_bindings().await)
            {
                let denial = Denial {
                    who: self.who.clone(),
                    attributes: check.clone(),
                };
                if let Ok(mut d) = self.denials.lock() {
                    d.push(denial.clone());
                }
                if self.strict {
                    panic!(
                        "{denial}\n(the request {} {path}; grant it in the chart's RBAC, \
                         operator/src/controllers/rbac.rs, then `pusdata chart --write`)",
                        parts.method
                    );
                }
                return Ok(forbidden(&denial));
            }
        }
        self.inner
            .send(Request::from_parts(parts, Body::from(bytes.to_vec())))
            .await
    }
}

/// The API server's answer to a refused request.
fn forbidden(d: &Denial) -> Response<Body> {
    let a = &d.attributes;
    let resource = if a.subresource.is_empty() {
        a.resource.clone()
    } else {
        format!("{}/{}", a.resource, a.subresource)
    };
    let scope = if a.namespace.is_empty() {
        "at the cluster scope".to_string()
    } else {
        format!("in the namespace \"{}\"", a.namespace)
    };
    let message = format!(
        "{resource} \"{}\" is forbidden: User \"{}\" cannot {} resource \"{resource}\" in API group \"{}\" {scope}",
        a.name, d.who.user, a.verb, a.group
    );
    let status = json!({
        "kind": "Status", "apiVersion": "v1", "metadata": {},
        "status": "Failure", "message": message, "reason": "Forbidden",
        "details": {"name": a.name, "group": a.group, "kind": a.resource},
        "code": 403
    });
    let mut resp = Response::new(Body::from(status.to_string().into_bytes()));
    *resp.status_mut() = StatusCode::FORBIDDEN;
    resp.headers_mut().insert(
        http::header::CONTENT_TYPE,
        http::HeaderValue::from_static("application/json"),
    );
    resp
}

impl tower::Service<Request<Body>> for Authorizer {
    type Response = Response<Body>;
    type Error = kube::Error;
    type Future = BoxFuture<'static, Result<Response<Body>, kube::Error>>;

    fn poll_ready(&mut self, _cx: &mut TaskContext<'_>) -> Poll<Result<(), Self::Error>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, req: Request<Body>) -> Self::Future {
        // Decided when the future is polled: kube's Buffer polls it in the caller's task,
        // so a refusal panics in the test (or the reconcile it called), not in a worker.
        Box::pin(self.clone().handle(req))
    }
}

/// A client for `who` over the in-memory API `admin` (the test's own, unrestricted client),
/// authorized against the rendered RBAC of `site`.
pub fn client_for(admin: &kube::Client, site: Site, who: Identity) -> kube::Client {
    Authorizer::new(admin.clone(), Rbac::rendered(site), who).client()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attrs(method: Method, path: &str, query: Option<&str>) -> Attributes {
        attributes(&method, path, query).unwrap()
    }

    #[test]
    fn request_attributes_follow_the_api_servers_request_info() {
        let a = attrs(Method::GET, "/api/v1/namespaces/disdik/configmaps", None);
        assert_eq!((a.verb.as_str(), a.namespace.as_str()), ("list", "disdik"));
        let a = attrs(
            Method::GET,
            "/apis/pusdata.io/v1alpha1/agencies",
            Some("watch=true&resourceVersion=0"),
        );
        assert_eq!((a.verb.as_str(), a.group.as_str()), ("watch", "pusdata.io"));
        let a = attrs(Method::PATCH, "/api/v1/namespaces/disdik", None);
        assert_eq!(
            (a.resource.as_str(), a.name.as_str(), a.namespace.as_str()),
            ("namespaces", "disdik", "disdik")
        );
        let a = attrs(
            Method::PATCH,
            "/apis/pusdata.io/v1alpha1/agencies/disdik/status",
            None,
        );
        assert_eq!(
            (
                a.resource.as_str(),
                a.subresource.as_str(),
                a.namespace.as_str()
            ),
            ("agencies", "status", "")
        );
        let a = attrs(Method::DELETE, "/api/v1/namespaces/x/pods", None);
        assert_eq!(a.verb, "deletecollection");
        let a = attrs(
            Method::GET,
            "/api/v1/namespaces/x/pods",
            Some("fieldSelector=metadata.name%3Dweb-0"),
        );
        assert_eq!((a.verb.as_str(), a.name.as_str()), ("list", "web-0"));
        assert!(attributes(&Method::GET, "/apis/pusdata.io/v1alpha1", None).is_none());
    }

    fn rule(groups: &[&str], resources: &[&str], verbs: &[&str], names: &[&str]) -> Rule {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect();
        Rule {
            groups: v(groups),
            resources: v(resources),
            verbs: v(verbs),
            names: v(names),
        }
    }

    fn a(verb: &str, resource: &str, sub: &str, name: &str, ns: &str) -> Attributes {
        Attributes {
            verb: verb.into(),
            group: "pusdata.io".into(),
            resource: resource.into(),
            subresource: sub.into(),
            name: name.into(),
            namespace: ns.into(),
        }
    }

    #[test]
    fn rules_match_like_the_rbac_authorizer() {
        let r = rule(&["pusdata.io"], &["agencies"], &["patch"], &[]);
        assert!(r.allows(&a("patch", "agencies", "", "disdik", "")));
        assert!(!r.allows(&a("create", "agencies", "", "disdik", "")));
        // The status subresource is its own resource.
        assert!(!r.allows(&a("patch", "agencies", "status", "disdik", "")));
        let r = rule(&["*"], &["*/status"], &["*"], &[]);
        assert!(r.allows(&a("patch", "agencies", "status", "disdik", "")));
        let r = rule(
            &["pusdata.io"],
            &["agencies"],
            &["get", "create"],
            &["disdik"],
        );
        assert!(r.allows(&a("get", "agencies", "", "disdik", "")));
        assert!(!r.allows(&a("get", "agencies", "", "bkpsdm", "")));
        // resourceNames never match a create (no name is known) or an unnamed list.
        assert!(!r.allows(&a("create", "agencies", "", "", "")));
    }

    #[test]
    fn a_role_binding_grants_only_in_its_namespace() {
        let docs = manifests::parse_stream(
            r#"
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: reader}
rules: [{apiGroups: ["pusdata.io"], resources: ["backups"], verbs: ["get"]}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: reader, namespace: disdik}
roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: reader}
subjects: [{kind: Group, name: "disdik:staff", apiGroup: rbac.authorization.k8s.io}]
"#,
        );
        let rbac = Rbac::from_documents(&docs);
        let who = Identity::user("ani", &["disdik:staff"]);
        assert!(rbac.allows(&who, &a("get", "backups", "", "b1", "disdik")));
        assert!(!rbac.allows(&who, &a("get", "backups", "", "b1", "bkpsdm")));
        // A ClusterRole bound by a RoleBinding never reaches the cluster scope.
        assert!(!rbac.allows(&who, &a("get", "backups", "", "b1", "")));
        let other = Identity::user("budi", &["bkpsdm:staff"]);
        assert!(!rbac.allows(&other, &a("get", "backups", "", "b1", "disdik")));
        // Every authenticated identity may review itself (system:basic-user).
        let ssr = Attributes {
            verb: "create".into(),
            group: "authentication.k8s.io".into(),
            resource: "selfsubjectreviews".into(),
            subresource: String::new(),
            name: String::new(),
            namespace: String::new(),
        };
        assert!(rbac.allows(&other, &ssr));
    }

    #[test]
    fn the_rendered_chart_gives_each_component_its_own_rights() {
        let rbac = Rbac::rendered(Site::Primary);
        let read_agencies = a("list", "agencies", "", "", "");
        assert!(rbac.allows(&Identity::operator(), &read_agencies));
        assert!(rbac.allows(&Identity::webhook(), &read_agencies));
        // The webhook never writes.
        assert!(!rbac.allows(
            &Identity::webhook(),
            &a("patch", "agencies", "status", "disdik", "")
        ));
        // An unrelated ServiceAccount gets nothing.
        let stranger = Identity::service_account("default", "default");
        assert!(!rbac.allows(&stranger, &read_agencies));
    }

    #[tokio::test]
    async fn an_apply_that_creates_needs_create_and_is_answered_403() {
        use k8s_openapi::api::core::v1::ConfigMap;
        use kube::api::{Api, Patch, PatchParams};
        let admin = kube_fake_client::ClientBuilder::new()
            .build()
            .await
            .unwrap();
        let docs = manifests::parse_stream(
            r#"
kind: Role
metadata: {name: patcher, namespace: pusdata-system}
rules: [{apiGroups: [""], resources: ["configmaps"], verbs: ["patch", "get"]}]
---
kind: RoleBinding
metadata: {name: patcher, namespace: pusdata-system}
roleRef: {kind: Role, name: patcher}
subjects: [{kind: ServiceAccount, name: pusdata-operator, namespace: pusdata-system}]
"#,
        );
        let authz = Authorizer::new(
            admin.clone(),
            Rbac::from_documents(&docs),
            Identity::operator(),
        )
        .answering_403();
        let denials = authz.denials();
        let api: Api<ConfigMap> = Api::namespaced(authz.client(), "pusdata-system");
        let cm: ConfigMap = serde_json::from_value(json!({
            "apiVersion": "v1", "kind": "ConfigMap",
            "metadata": {"name": "failover-f1-report"}, "data": {"a": "1"}
        }))
        .unwrap();
        let pp = PatchParams::apply("pusdata").force();
        let err = api
            .patch("failover-f1-report", &pp, &Patch::Apply(&cm))
            .await
            .unwrap_err();
        match err {
            kube::Error::Api(s) => {
                assert_eq!(s.code, 403);
                assert!(
                    s.message.contains("cannot create resource \"configmaps\""),
                    "{}",
                    s.message
                );
            }
            other => panic!("expected a 403, got {other:?}"),
        }
        assert_eq!(denials.lock().unwrap().len(), 1);
        // Once the object exists (created by someone allowed to), the same apply is a patch.
        Api::<ConfigMap>::namespaced(admin, "pusdata-system")
            .create(&Default::default(), &cm)
            .await
            .unwrap();
        api.patch("failover-f1-report", &pp, &Patch::Apply(&cm))
            .await
            .unwrap();
    }
}
