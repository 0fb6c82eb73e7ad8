//! The world's watch, as a real API server serves it: every write the world answers becomes
//! an event (ADDED, MODIFIED, DELETED) carrying the object and its resourceVersion; a watch
//! from resourceVersion `n` gets every later event of its collection that its namespace,
//! label and field selectors select, then the new ones as they happen, until its
//! `timeoutSeconds`. A write that changes nothing (same resourceVersion) is no event, as on
//! a real server. Lists are paged (`limit`/`continue`) and carry the resourceVersion a watch
//! resumes from.
//!
//! The log keeps every event, so a watch never gets 410 Gone; the bench world is small
//! enough for that. Garbage collection of owned objects sends no events (nothing is deleted
//! in the benchmark's world).

use serde_json::Value;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};
use tokio::sync::broadcast;

/// What a request path names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Target {
    /// `group/version/resource` (`/v1/namespaces` for the core group).
    pub collection: String,
    /// The namespace of a namespaced path.
    pub namespace: Option<String>,
    /// The object's name, when the path names one.
    pub name: Option<String>,
    /// `status`, `finalize`, …
    pub subresource: Option<String>,
}

/// Parses `/api/v1/…` and `/apis/<group>/<version>/…` paths.
pub fn parse(path: &str) -> Option<Target> {
    let segs: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    let (group, version, rest) = match *segs.first()? {
        "api" => ("", *segs.get(1)?, segs.get(2..)?),
        "apis" => (*segs.get(1)?, *segs.get(2)?, segs.get(3..)?),
        _ => return None,
    };
    let core_namespace = group.is_empty()
        && rest.first() == Some(&"namespaces")
        && rest.len() <= 3
        && (rest.len() < 3 || matches!(rest[2], "status" | "finalize"));
    let (namespace, rest) = if rest.first() == Some(&"namespaces") && !core_namespace {
        (Some(rest.get(1)?.to_string()), rest.get(2..)?)
    } else {
        (None, rest)
    };
    Some(Target {
        collection: format!("{group}/{version}/{}", rest.first()?),
        namespace,
        name: rest.get(1).map(|s| s.to_string()),
        subresource: rest.get(2).map(|s| s.to_string()),
    })
}

/// One query parameter, percent-decoded.
pub fn param<'q>(query: &'q str, key: &str) -> Option<std::borrow::Cow<'q, str>> {
    query.split('&').find_map(|p| {
        let (k, v) = p.split_once('=')?;
        (k == key).then(|| percent_decode(v))
    })
}

fn percent_decode(v: &str) -> std::borrow::Cow<'_, str> {
    if !v.contains('%') && !v.contains('+') {
        return std::borrow::Cow::Borrowed(v);
    }
    let b = v.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'%' if i + 2 < b.len() => {
                let hex = std::str::from_utf8(&b[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(c) => {
                        out.push(c);
                        i += 3;
                        continue;
                    }
                    None => out.push(b'%'),
                }
            }
            b'+' => out.push(b' '),
            c => out.push(c),
        }
        i += 1;
    }
    std::borrow::Cow::Owned(String::from_utf8_lossy(&out).into_owned())
}

/// The resourceVersion of an object, as a number.
pub fn rv_of(obj: &Value) -> Option<u64> {
    obj.pointer("/metadata/resourceVersion")?
        .as_str()?
        .parse()
        .ok()
}

/// One change of one object.
#[derive(Debug)]
pub struct Event {
    /// Position in the log.
    seq: u64,
    /// The resourceVersion a watch resumes after.
    rv: u64,
    collection: String,
    /// `ADDED`, `MODIFIED` or `DELETED`.
    pub kind: &'static str,
    /// The object as stored (for DELETED: as last stored).
    pub object: Value,
}

/// What one watch (or list) selects.
#[derive(Clone, Debug, Default)]
pub struct Selector {
    collection: String,
    namespace: Option<String>,
    labels: Option<String>,
    fields: Vec<(String, bool, String)>,
}

impl Selector {
    /// The selection of a list or watch request on `target` with `query`.
    pub fn new(target: &Target, query: &str) -> Selector {
        let fields = param(query, "fieldSelector")
            .map(|f| {
                f.split(',')
                    .filter_map(|req| {
                        let (k, neg, v) = if let Some((k, v)) = req.split_once("!=") {
                            (k, true, v)
                        } else {
                            let (k, v) = req.split_once('=')?;
                            (k.trim_end_matches('='), false, v.trim_start_matches('='))
                        };
                        Some((k.trim().to_string(), neg, v.trim().to_string()))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Selector {
            collection: target.collection.clone(),
            namespace: target.namespace.clone(),
            labels: param(query, "labelSelector")
                .map(|s| s.into_owned())
                .filter(|s| !s.is_empty()),
            fields,
        }
    }

    /// Whether `obj` (of this selector's collection) is selected.
    pub fn selects(&self, obj: &Value) -> bool {
        let meta = |k: &str| {
            obj.pointer(&format!("/metadata/{k}"))
                .and_then(Value::as_str)
                .unwrap_or("")
        };
        if let Some(ns) = &self.namespace
            && meta("namespace") != ns
        {
            return false;
        }
        if let Some(sel) = &self.labels {
            let labels: BTreeMap<String, String> = obj
                .pointer("/metadata/labels")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .filter_map(|(k, v)| Some((k.clone(), v.as_str()?.to_string())))
                        .collect()
                })
                .unwrap_or_default();
            if !kube_fake_client::label_selector::matches_label_selector(&labels, sel)
                .unwrap_or(false)
            {
                return false;
            }
        }
        self.fields.iter().all(|(k, neg, v)| {
            let got = match k.as_str() {
                "metadata.name" => meta("name"),
                "metadata.namespace" => meta("namespace"),
                // Other fields are not modelled: selected, as the fake's list does.
                _ => return true,
            };
            (got == v) != *neg
        })
    }

    fn matches(&self, ev: &Event) -> bool {
        ev.collection == self.collection && self.selects(&ev.object)
    }
}

struct Log {
    events: Vec<Arc<Event>>,
    /// The newest resourceVersion the world has answered with.
    rv: u64,
}

/// The event log and the open watches.
pub struct Hub {
    log: Mutex<Log>,
    live: broadcast::Sender<Arc<Event>>,
    /// Lists being paged: (request, resourceVersion, next offset) → the list and its items.
    pages: Mutex<BTreeMap<PageKey, (Value, Vec<Value>)>>,
}

/// A list request, its resourceVersion and the offset of its next page.
type PageKey = (String, u64, usize);

impl Hub {
    /// A hub whose world is at resourceVersion `rv`.
    pub fn new(rv: u64) -> Hub {
        Hub {
            log: Mutex::new(Log {
                events: Vec::new(),
                rv,
            }),
            live: broadcast::channel(1 << 14).0,
            pages: Mutex::new(BTreeMap::new()),
        }
    }

    /// Keeps a list whose next page starts at `next`, for that page's request.
    pub fn keep_pages(&self, uri: &str, rv: u64, next: usize, list: &Value, items: &[Value]) {
        if let Ok(mut p) = self.pages.lock() {
            p.insert((uri.to_string(), rv, next), (list.clone(), items.to_vec()));
        }
    }

    /// The list a continued request pages through, taken when its first page was.
    pub fn page_source(&self, uri: &str, rv: u64, offset: usize) -> Option<(Value, Vec<Value>)> {
        if offset == 0 {
            return None;
        }
        self.pages
            .lock()
            .ok()?
            .remove(&(uri.to_string(), rv, offset))
    }

    /// The newest resourceVersion: a list taken now is at least this new.
    pub fn current(&self) -> u64 {
        self.log.lock().map(|l| l.rv).unwrap_or(0)
    }

    /// Records the outcome of a write: `before` is the object's resourceVersion before it
    /// (`None`: it did not exist), `after` what the world answered.
    pub fn record(&self, collection: &str, before: Option<u64>, after: Value, deleted: bool) {
        let Ok(mut log) = self.log.lock() else {
            return;
        };
        let (kind, rv) = if deleted {
            // The fake removes without a new resourceVersion: the deletion is placed at the
            // newest one, after everything a watcher may have seen before it.
            ("DELETED", log.rv)
        } else {
            let Some(rv) = rv_of(&after) else { return };
            match before {
                Some(b) if b == rv => return,
                Some(_) => ("MODIFIED", rv),
                None => ("ADDED", rv),
            }
        };
        log.rv = log.rv.max(rv);
        let ev = Arc::new(Event {
            seq: log.events.len() as u64,
            rv,
            collection: collection.to_string(),
            kind,
            object: after,
        });
        log.events.push(ev.clone());
        // No receiver is no error: nobody watches.
        let _ = self.live.send(ev);
    }

    /// A watch from resourceVersion `from`: the logged events after it that `sel` selects,
    /// and a receiver of the new ones (skip those with `seq < next`).
    pub fn watch(&self, from: u64, sel: &Selector) -> Watch {
        let rx = self.live.subscribe();
        let (replay, next) = match self.log.lock() {
            Ok(log) => (
                log.events
                    .iter()
                    .filter(|e| e.rv > from && sel.matches(e))
                    .cloned()
                    .collect(),
                log.events.len() as u64,
            ),
            Err(_) => (Vec::new(), 0),
        };
        Watch {
            replay,
            next,
            rx,
            sel: sel.clone(),
        }
    }
}

/// One open watch.
pub struct Watch {
    replay: Vec<Arc<Event>>,
    next: u64,
    rx: broadcast::Receiver<Arc<Event>>,
    sel: Selector,
}

impl Watch {
    /// The next event, or `None` when the watch must end (the client resumes from the last
    /// resourceVersion it saw, and the replay covers what it missed).
    pub async fn next(&mut self) -> Option<Arc<Event>> {
        if !self.replay.is_empty() {
            return Some(self.replay.remove(0));
        }
        loop {
            match self.rx.recv().await {
                Ok(ev) if ev.seq >= self.next && self.sel.matches(&ev) => return Some(ev),
                Ok(_) => {}
                Err(_) => return None,
            }
        }
    }
}

/// `object` as a `PartialObjectMetadata` (what a metadata-only request gets).
pub fn metadata_only(object: &Value) -> Value {
    serde_json::json!({
        "apiVersion": "meta.k8s.io/v1",
        "kind": "PartialObjectMetadata",
        "metadata": object.get("metadata").cloned().unwrap_or(Value::Null),
    })
}

/// One watch event as the line the API server sends.
pub fn line(kind: &str, object: &Value) -> Vec<u8> {
    let mut v = serde_json::to_vec(&serde_json::json!({"type": kind, "object": object}))
        .unwrap_or_default();
    v.push(b'\n');
    v
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn obj(ns: &str, name: &str, rv: u64, labels: Value) -> Value {
        json!({"metadata": {"namespace": ns, "name": name,
            "resourceVersion": rv.to_string(), "labels": labels}})
    }

    #[test]
    fn paths_name_collection_namespace_object_and_subresource() {
        let t = parse("/apis/pusdata.io/v1alpha1/namespaces/dinkes/hostingrequests/web/status")
            .unwrap();
        assert_eq!(t.collection, "pusdata.io/v1alpha1/hostingrequests");
        assert_eq!(t.namespace.as_deref(), Some("dinkes"));
        assert_eq!(t.name.as_deref(), Some("web"));
        assert_eq!(t.subresource.as_deref(), Some("status"));
        let t = parse("/api/v1/namespaces/dinkes").unwrap();
        assert_eq!(
            (t.collection.as_str(), t.namespace, t.name.as_deref()),
            ("/v1/namespaces", None, Some("dinkes"))
        );
        let t = parse("/api/v1/namespaces/dinkes/resourcequotas").unwrap();
        assert_eq!(t.collection, "/v1/resourcequotas");
        assert_eq!(t.namespace.as_deref(), Some("dinkes"));
        assert_eq!(t.name, None);
        assert_eq!(
            parse("/apis/pusdata.io/v1alpha1/agencies")
                .unwrap()
                .collection,
            "pusdata.io/v1alpha1/agencies"
        );
    }

    #[tokio::test]
    async fn a_watch_replays_what_followed_its_version_then_goes_live_and_no_op_writes_are_silent()
    {
        let hub = Hub::new(10);
        let c = "/v1/resourcequotas";
        hub.record(
            c,
            None,
            obj("a", "q", 11, json!({"pusdata.io/agency": "a"})),
            false,
        );
        hub.record(
            c,
            Some(11),
            obj("a", "q", 12, json!({"pusdata.io/agency": "a"})),
            false,
        );
        // The same resourceVersion again: nothing changed, no event.
        hub.record(
            c,
            Some(12),
            obj("a", "q", 12, json!({"pusdata.io/agency": "a"})),
            false,
        );
        // Unlabelled, and another namespace: not selected below.
        hub.record(c, None, obj("a", "other", 13, json!({})), false);
        hub.record(
            c,
            None,
            obj("b", "q", 14, json!({"pusdata.io/agency": "b"})),
            false,
        );
        let target = parse("/api/v1/namespaces/a/resourcequotas").unwrap();
        let sel = Selector::new(&target, "watch=true&labelSelector=pusdata.io%2Fagency");
        let mut w = hub.watch(11, &sel);
        let e = w.next().await.unwrap();
        assert_eq!((e.kind, e.rv), ("MODIFIED", 12));
        hub.record(
            c,
            Some(12),
            obj("a", "q", 15, json!({"pusdata.io/agency": "a"})),
            false,
        );
        hub.record(
            c,
            Some(15),
            obj("a", "q", 15, json!({"pusdata.io/agency": "a"})),
            true,
        );
        let e = w.next().await.unwrap();
        assert_eq!((e.kind, e.rv), ("MODIFIED", 15));
        let e = w.next().await.unwrap();
        assert_eq!(e.kind, "DELETED");
        assert_eq!(hub.current(), 15);
    }
}
