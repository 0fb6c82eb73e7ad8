//! Test support that models what the real API server enforces and kube-fake-client does not
//! (testing.md, "What the in-memory API cannot show"): authorization against the RBAC the
//! chart renders, and the routing of admission requests by the rendered webhook
//! configurations. Compiled into both the library and the binary's tests (`#[path]` in
//! main.rs), so the agent (library) and the controllers, webhook and CLI (binary) share it.

pub mod admission;
pub mod authz;
pub mod manifests;
