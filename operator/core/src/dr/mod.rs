//! The DRP, executable (DR-PLAN): check a plan, compile it into schedules, build and drive the
//! step machine of a drill, failover or failback, and compute the RPO and RTO achieved.
//!
//! Everything here is pure: the controllers and `pusdata plan check` read the world, call
//! these functions and apply what they return.

pub mod achieved;
pub mod calendar;
pub mod check;
pub mod compile;
pub mod cron;
pub mod drc;
pub mod due;
pub mod freshness;
pub mod languages;
pub mod restore;
pub mod steps;

pub use achieved::{RpoAchieved, RpoAlert, rpo_achieved, tier_outcomes};
pub use check::{CheckSettings, Measurements, check_plan, check_plan_with};
pub use compile::{Entry, EntryKind, Schedule, compile, next_runs};
pub use due::{Due, DueInput, Run, Skipped, SourceRef, SourceState, due};
pub use freshness::{RunRecord, TierFreshness, freshness};
pub use restore::Targets;
pub use steps::{Action, Observations, StepPlan, StepResult, apply, next_step, steps, steps_for};

use pusdata_crds::v1alpha1::{DisasterRecoveryPlanSpec, Member, Tier};
use std::collections::{BTreeMap, BTreeSet};

/// Every member of the plan with its tier, in plan order.
pub fn members(spec: &DisasterRecoveryPlanSpec) -> Vec<(&Tier, &Member)> {
    spec.tiers
        .iter()
        .flat_map(|t| t.members.iter().map(move |m| (t, m)))
        .collect()
}

/// The members in dependency order (dependencies first), ties broken by plan order so the
/// order is stable; or the first dependency cycle found, as a closed path `a → b → a`.
/// Unknown dependencies are ignored here (the checker reports them).
pub fn dependency_order(spec: &DisasterRecoveryPlanSpec) -> Result<Vec<String>, Vec<String>> {
    let all = members(spec);
    let names: Vec<&str> = all.iter().map(|(_, m)| m.name.as_str()).collect();
    let known: BTreeSet<&str> = names.iter().copied().collect();
    let deps: BTreeMap<&str, Vec<&str>> = all
        .iter()
        .map(|(_, m)| {
            (
                m.name.as_str(),
                m.depends_on
                    .iter()
                    .map(String::as_str)
                    .filter(|d| known.contains(d))
                    .collect(),
            )
        })
        .collect();
    if let Some(cycle) = find_cycle(&names, &deps) {
        return Err(cycle);
    }
    let mut done: BTreeSet<&str> = BTreeSet::new();
    let mut order = Vec::new();
    while order.len() < names.len() {
        let before = order.len();
        for n in &names {
            if !done.contains(n)
                && deps
                    .get(n)
                    .is_none_or(|ds| ds.iter().all(|d| done.contains(d)))
            {
                done.insert(n);
                order.push((*n).to_string());
            }
        }
        if order.len() == before {
            // Only duplicate names can get here (a cycle was ruled out); stop rather than spin.
            break;
        }
    }
    Ok(order)
}

fn find_cycle<'a>(
    names: &[&'a str],
    deps: &BTreeMap<&'a str, Vec<&'a str>>,
) -> Option<Vec<String>> {
    #[derive(Clone, Copy, PartialEq)]
    enum Colour {
        White,
        Grey,
        Black,
    }
    let mut colour: BTreeMap<&str, Colour> = names.iter().map(|n| (*n, Colour::White)).collect();
    for start in names {
        if colour.get(start) != Some(&Colour::White) {
            continue;
        }
        // Iterative DFS: (node, next dependency index); the stack is the current path.
        let mut stack: Vec<(&str, usize)> = vec![(start, 0)];
        colour.insert(start, Colour::Grey);
        while let Some(&(node, i)) = stack.last() {
            let next = deps.get(node).and_then(|ds| ds.get(i)).copied();
            match next {
                Some(d) => {
                    if let Some(top) = stack.last_mut() {
                        top.1 += 1;
                    }
                    match colour.get(d) {
                        Some(Colour::Grey) => {
                            let from = stack.iter().position(|(n, _)| *n == d).unwrap_or(0);
                            let mut cycle: Vec<String> =
                                stack[from..].iter().map(|(n, _)| n.to_string()).collect();
                            cycle.push(d.to_string());
                            return Some(cycle);
                        }
                        Some(Colour::White) => {
                            colour.insert(d, Colour::Grey);
                            stack.push((d, 0));
                        }
                        _ => {}
                    }
                }
                None => {
                    colour.insert(node, Colour::Black);
                    stack.pop();
                }
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use pusdata_crds::fixtures;

    fn with_deps(edges: &[(&str, &[&str])]) -> DisasterRecoveryPlanSpec {
        let mut p = fixtures::plan().spec;
        let template = p.tiers[0].members[0].clone();
        p.tiers[0].members = edges
            .iter()
            .map(|(n, ds)| Member {
                name: n.to_string(),
                depends_on: ds.iter().map(|d| d.to_string()).collect(),
                ..template.clone()
            })
            .collect();
        p
    }

    #[test]
    fn orders_dependencies_first_stably() {
        let p = with_deps(&[
            ("app", &["db"]),
            ("db", &[]),
            ("web", &["app", "db"]),
            ("x", &[]),
        ]);
        assert_eq!(dependency_order(&p).unwrap(), vec!["db", "x", "app", "web"]);
    }

    #[test]
    fn names_the_cycle() {
        let p = with_deps(&[("a", &["b"]), ("b", &["c"]), ("c", &["a"]), ("d", &[])]);
        assert_eq!(dependency_order(&p).unwrap_err(), vec!["a", "b", "c", "a"]);
        let selfdep = with_deps(&[("a", &["a"])]);
        assert_eq!(dependency_order(&selfdep).unwrap_err(), vec!["a", "a"]);
    }
}
