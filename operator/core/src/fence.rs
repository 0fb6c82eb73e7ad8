//! Fencing between the two sites: which work a site accepts, given the epoch it is stamped
//! with and the site's persisted state, and how `Promote` and `Demote` change that state.
//!
//! The rules (design.md, "Two sites"):
//! - A site refuses work stamped with an epoch older than its own.
//! - `Promote(E)` makes a site active only if `E` is newer than its epoch.
//! - A site that learns a newer epoch than its own — from any message — adopts it and stops
//!   being active: someone else was promoted after it, so its writes must stop.
//! - The same request id answered twice gets the same verdict, and the second time changes
//!   nothing.
//!
//! Epochs are minted by whoever orders a promotion (a person, or a DRP rule that says so),
//! one epoch per promotion; that uniqueness, plus the rules above, is what keeps two sites
//! from both being active at the same epoch. Nothing here ever promotes a site on its own:
//! losing the peer is an alert, not a failover (see [`crate::peer`]).
//!
//! Pure: the caller persists [`FenceState`] (atomically, before answering) and sends replies.

use serde::{Deserialize, Serialize};
use std::collections::VecDeque;

/// How many answered request ids a site remembers. Beyond that, a replayed `Promote` or
/// `Demote` is still harmless — its epoch is no longer newer, so it is refused or changes
/// nothing — but a replayed work request would be done again (restores are idempotent).
pub const REMEMBERED_REQUESTS: usize = 1024;

/// What a site knows about fencing; persisted by the shell across restarts.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct FenceState {
    /// The newest epoch this site has seen.
    pub epoch: u64,
    /// Whether this site is the active one (at `epoch`).
    pub active: bool,
    /// Verdicts of the most recent requests, oldest first, at most [`REMEMBERED_REQUESTS`].
    #[serde(default)]
    pub answered: VecDeque<Answered>,
}

/// The kinds of fenced requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Kind {
    /// Become active at the epoch.
    Promote,
    /// Become standby at the epoch.
    Demote,
    /// Do work (restore, verify) on behalf of the caller.
    Work,
}

/// A fenced request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Request {
    /// The caller's idempotency key.
    pub id: String,
    /// What is asked.
    pub kind: Kind,
    /// The caller's fencing epoch.
    pub epoch: u64,
}

impl Request {
    /// Builds a request.
    pub fn new(id: impl Into<String>, kind: Kind, epoch: u64) -> Request {
        Request {
            id: id.into(),
            kind,
            epoch,
        }
    }
}

/// A remembered answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Answered {
    /// The request id.
    pub id: String,
    /// The request kind.
    pub kind: Kind,
    /// The request epoch.
    pub epoch: u64,
    /// The verdict given.
    pub verdict: Verdict,
}

/// Why a site answered a fenced request as it did: a catalogue message and its arguments.
/// They cross the wire as they are (`Fence.reason_message`, `reason_args`), so each reader
/// words the reason in its own language; `Fence.reason` keeps the English for older readers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reason {
    /// The catalogue message.
    pub message: &'static str,
    /// Its arguments, by name.
    pub args: Vec<(&'static str, String)>,
}

impl Reason {
    /// The reason of `verdict` at a site now at `epoch`; `duplicate`: the stored answer.
    pub fn of(verdict: Verdict, duplicate: bool, epoch: u64) -> Reason {
        let (message, args) = match verdict {
            Verdict::Accepted if duplicate => ("fence-reason-duplicate", vec![]),
            Verdict::Accepted => ("fence-reason-accepted", vec![]),
            Verdict::StaleEpoch => (
                "fence-reason-stale-epoch",
                vec![("epoch", epoch.to_string())],
            ),
            Verdict::NotNewer => ("fence-reason-not-newer", vec![("epoch", epoch.to_string())]),
            Verdict::RequestIdReused => ("fence-reason-request-id-reused", vec![]),
        };
        Reason { message, args }
    }

    /// The reason in both languages.
    pub fn text(&self) -> crate::i18n::Text {
        let args: Vec<(&str, crate::i18n::Arg)> = self
            .args
            .iter()
            .map(|(k, v)| (*k, crate::i18n::Arg::Str(v.clone())))
            .collect();
        crate::i18n::text(self.message, &args)
    }
}

/// How a site answered.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Verdict {
    /// Done.
    Accepted,
    /// The request's epoch is older than the site's.
    StaleEpoch,
    /// A promotion whose epoch equals the site's: it would make a second active site at
    /// that epoch.
    NotNewer,
    /// The request id was used before for a different request; nothing was done.
    RequestIdReused,
}

impl Verdict {
    /// Whether the request was (or had been) done.
    pub fn accepted(self) -> bool {
        self == Verdict::Accepted
    }

    /// A stable reason, for events and metrics.
    pub fn reason(self) -> &'static str {
        match self {
            Verdict::Accepted => "Accepted",
            Verdict::StaleEpoch => "StaleEpoch",
            Verdict::NotNewer => "EpochNotNewer",
            Verdict::RequestIdReused => "RequestIdReused",
        }
    }
}

/// The answer to one request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Reply {
    /// The verdict (for a duplicate: the verdict given the first time).
    pub verdict: Verdict,
    /// True when the request id had been answered before.
    pub duplicate: bool,
    /// The site's epoch after handling: tells a stale caller it has been fenced off.
    pub epoch: u64,
    /// Whether the site is active after handling.
    pub active: bool,
}

/// Handles a fenced request: returns the next state and the reply. The caller must persist
/// the next state before sending the reply, so that an answer once given survives a crash.
pub fn handle(state: &FenceState, req: &Request) -> (FenceState, Reply) {
    if let Some(seen) = state.answered.iter().find(|a| a.id == req.id) {
        let verdict = if seen.kind == req.kind && seen.epoch == req.epoch {
            seen.verdict
        } else {
            Verdict::RequestIdReused
        };
        return (
            state.clone(),
            Reply {
                verdict,
                duplicate: verdict != Verdict::RequestIdReused,
                epoch: state.epoch,
                active: state.active,
            },
        );
    }

    let mut next = state.clone();
    let verdict = match req.kind {
        Kind::Promote if req.epoch > state.epoch => {
            next.epoch = req.epoch;
            next.active = true;
            Verdict::Accepted
        }
        Kind::Promote if req.epoch == state.epoch => Verdict::NotNewer,
        Kind::Promote | Kind::Demote | Kind::Work if req.epoch < state.epoch => Verdict::StaleEpoch,
        Kind::Demote => {
            next.epoch = req.epoch;
            next.active = false;
            Verdict::Accepted
        }
        Kind::Work => {
            next = observe(&next, req.epoch);
            Verdict::Accepted
        }
        // Unreachable: a promotion is newer, equal or older, and each has an arm above.
        Kind::Promote => Verdict::StaleEpoch,
    };
    next.answered.push_back(Answered {
        id: req.id.clone(),
        kind: req.kind,
        epoch: req.epoch,
        verdict,
    });
    while next.answered.len() > REMEMBERED_REQUESTS {
        next.answered.pop_front();
    }
    let reply = Reply {
        verdict,
        duplicate: false,
        epoch: next.epoch,
        active: next.active,
    };
    (next, reply)
}

/// A site learns of `epoch` (a heartbeat, or the epoch in a peer's answer). A newer epoch
/// means another site was promoted after this one: adopt it and stop being active.
pub fn observe(state: &FenceState, epoch: u64) -> FenceState {
    let mut next = state.clone();
    if epoch > state.epoch {
        next.epoch = epoch;
        next.active = false;
    }
    next
}

/// Whether the site may serve writes (run the services it protects as the active copy).
pub fn may_serve_writes(state: &FenceState) -> bool {
    state.active
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn st(epoch: u64, active: bool) -> FenceState {
        FenceState {
            epoch,
            active,
            answered: VecDeque::new(),
        }
    }

    #[test]
    fn table() {
        use Kind::*;
        use Verdict::*;
        // (state epoch, active, kind, request epoch) -> (verdict, epoch after, active after)
        let cases = [
            (0, false, Promote, 1, Accepted, 1, true),
            (1, false, Promote, 1, NotNewer, 1, false),
            (1, true, Promote, 1, NotNewer, 1, true),
            (2, false, Promote, 1, StaleEpoch, 2, false),
            (1, true, Demote, 1, Accepted, 1, false),
            (1, true, Demote, 2, Accepted, 2, false),
            (2, true, Demote, 1, StaleEpoch, 2, true),
            (1, true, Work, 0, StaleEpoch, 1, true),
            (1, true, Work, 1, Accepted, 1, true),
            (1, false, Work, 1, Accepted, 1, false),
            // Work at a newer epoch: someone was promoted after us; stop being active.
            (1, true, Work, 3, Accepted, 3, false),
        ];
        for (e, a, kind, re, verdict, e2, a2) in cases {
            let (next, reply) = handle(&st(e, a), &Request::new("r", kind, re));
            assert_eq!(
                (
                    reply.verdict,
                    next.epoch,
                    next.active,
                    reply.epoch,
                    reply.active
                ),
                (verdict, e2, a2, e2, a2),
                "{e} {a} {kind:?} {re}"
            );
        }
    }

    #[test]
    fn duplicate_gets_same_verdict_and_changes_nothing() {
        let (s1, r1) = handle(&st(0, false), &Request::new("p1", Kind::Promote, 1));
        assert!(r1.verdict.accepted() && !r1.duplicate);
        let (s2, r2) = handle(&s1, &Request::new("p1", Kind::Promote, 1));
        assert_eq!(s1, s2);
        assert_eq!(r2.verdict, Verdict::Accepted);
        assert!(r2.duplicate);
        // The same id for a different request is not a duplicate and does nothing.
        let (s3, r3) = handle(&s2, &Request::new("p1", Kind::Demote, 1));
        assert_eq!(s3, s2);
        assert_eq!(r3.verdict, Verdict::RequestIdReused);
    }

    #[test]
    fn memory_is_bounded_and_replay_beyond_it_is_harmless() {
        let (mut s, _) = handle(&st(0, false), &Request::new("p", Kind::Promote, 1));
        for i in 0..REMEMBERED_REQUESTS {
            s = handle(&s, &Request::new(format!("w{i}"), Kind::Work, 1)).0;
        }
        assert_eq!(s.answered.len(), REMEMBERED_REQUESTS);
        let (s2, r) = handle(&s, &Request::new("p", Kind::Promote, 1));
        assert_eq!(r.verdict, Verdict::NotNewer);
        assert_eq!((s2.epoch, s2.active), (1, true));
    }

    #[test]
    fn observe_newer_epoch_demotes() {
        assert_eq!(observe(&st(1, true), 2), st(2, false));
        assert_eq!(observe(&st(2, true), 1), st(2, true));
        assert_eq!(observe(&st(2, true), 2), st(2, true));
    }

    // A message in flight between the coordinator / the sites.
    #[derive(Clone, Debug)]
    enum Msg {
        Req { site: usize, req: Request },
        Heartbeat { to: usize, epoch: u64 },
    }

    // What the test network does next.
    #[derive(Clone, Debug)]
    enum Op {
        // The coordinator mints the next epoch and orders site `site` promoted (and, if
        // `demote_other`, the other site demoted at the same epoch).
        Failover { site: usize, demote_other: bool },
        // Someone sends work stamped with an epoch (taken modulo minted + 1).
        Work { site: usize, epoch: u64 },
        // A site sends a heartbeat with its current epoch to the other.
        Gossip { from: usize },
        // Deliver the message at an index of the pool; keep it to deliver again later.
        Deliver { index: usize, keep: bool },
    }

    fn op() -> impl Strategy<Value = Op> {
        prop_oneof![
            1 => (0..2usize, any::<bool>()).prop_map(|(site, demote_other)| Op::Failover { site, demote_other }),
            3 => (0..2usize, 0..8u64).prop_map(|(site, epoch)| Op::Work { site, epoch }),
            1 => (0..2usize).prop_map(|from| Op::Gossip { from }),
            6 => (0..64usize, any::<bool>()).prop_map(|(index, keep)| Op::Deliver { index, keep }),
        ]
    }

    fn check_invariants(sites: &[FenceState; 2]) -> Result<(), TestCaseError> {
        prop_assert!(
            !(sites[0].active && sites[1].active && sites[0].epoch == sites[1].epoch),
            "both sites active at epoch {}",
            sites[0].epoch
        );
        Ok(())
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(512))]

        /// Any interleaving, with duplicates and reordering: never two active sites at one
        /// epoch; no site accepts work older than its epoch; epochs never go back; a
        /// duplicate gets the same verdict and changes nothing; each promotion is applied at
        /// most once; after everything is delivered and the sites exchange heartbeats, at
        /// most one site is active.
        #[test]
        fn two_sites_never_both_active(ops in prop::collection::vec(op(), 0..120)) {
            let mut sites = [FenceState::default(), FenceState::default()];
            let mut pool: Vec<Msg> = Vec::new();
            let mut minted = 0u64;
            let mut next_id = 0u64;
            let mut first_verdict: std::collections::HashMap<(usize, String), Verdict> =
                std::collections::HashMap::new();
            let mut activations: std::collections::HashMap<String, u32> =
                std::collections::HashMap::new();

            let mut deliver = |sites: &mut [FenceState; 2], m: &Msg| -> Result<(), TestCaseError> {
                match m {
                    Msg::Heartbeat { to, epoch } => {
                        let before = sites[*to].epoch;
                        sites[*to] = observe(&sites[*to], *epoch);
                        prop_assert!(sites[*to].epoch >= before);
                    }
                    Msg::Req { site, req } => {
                        let before = sites[*site].clone();
                        let (next, reply) = handle(&before, req);
                        prop_assert!(next.epoch >= before.epoch, "epoch went back");
                        if req.kind == Kind::Work && reply.verdict.accepted() && !reply.duplicate {
                            prop_assert!(req.epoch >= before.epoch, "accepted stale work");
                        }
                        match first_verdict.get(&(*site, req.id.clone())) {
                            Some(v) => {
                                prop_assert_eq!(reply.verdict, *v);
                                prop_assert!(reply.duplicate);
                                prop_assert_eq!(&next, &before);
                            }
                            None => {
                                first_verdict.insert((*site, req.id.clone()), reply.verdict);
                            }
                        }
                        if req.kind == Kind::Promote && reply.verdict.accepted() && !reply.duplicate {
                            *activations.entry(req.id.clone()).or_default() += 1;
                        }
                        sites[*site] = next;
                    }
                }
                check_invariants(sites)
            };

            for op in ops {
                match op {
                    Op::Failover { site, demote_other } => {
                        minted += 1;
                        next_id += 1;
                        pool.push(Msg::Req { site, req: Request::new(format!("p{next_id}"), Kind::Promote, minted) });
                        if demote_other {
                            next_id += 1;
                            pool.push(Msg::Req { site: 1 - site, req: Request::new(format!("d{next_id}"), Kind::Demote, minted) });
                        }
                    }
                    Op::Work { site, epoch } => {
                        next_id += 1;
                        pool.push(Msg::Req { site, req: Request::new(format!("w{next_id}"), Kind::Work, epoch % (minted + 1)) });
                    }
                    Op::Gossip { from } => {
                        pool.push(Msg::Heartbeat { to: 1 - from, epoch: sites[from].epoch });
                    }
                    Op::Deliver { index, keep } => {
                        if pool.is_empty() {
                            continue;
                        }
                        let i = index % pool.len();
                        let m = if keep { pool[i].clone() } else { pool.remove(i) };
                        deliver(&mut sites, &m)?;
                    }
                }
            }
            for m in std::mem::take(&mut pool) {
                deliver(&mut sites, &m)?;
            }
            for from in [0, 1] {
                let m = Msg::Heartbeat { to: 1 - from, epoch: sites[from].epoch };
                deliver(&mut sites, &m)?;
            }
            prop_assert!(!(sites[0].active && sites[1].active), "both active after gossip");
            prop_assert_eq!(sites[0].epoch, sites[1].epoch);
            for (id, n) in activations {
                prop_assert!(n <= 1, "promotion {} applied {} times", id, n);
            }
        }
    }
}
