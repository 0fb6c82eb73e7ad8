//! One tracing span per reconcile: every line a reconcile logs (and the error policy's
//! "reconcile failed") names the object it was about, so a city's logs can be filtered by
//! kind, namespace, name and generation.
//!
//! The name is the field `object`: in a JSON log line the span's own name is already the key
//! `name`, and a second one would be lost by every JSON reader.

/// The span of one reconcile of `obj`.
pub fn reconcile_span<K: kube::Resource<DynamicType = ()>>(obj: &K) -> tracing::Span {
    let m = obj.meta();
    tracing::info_span!(
        "reconcile",
        kind = %K::kind(&()),
        namespace = m.namespace.as_deref().unwrap_or(""),
        object = m.name.as_deref().unwrap_or(""),
        generation = m.generation.unwrap_or(0),
    )
}

#[cfg(test)]
pub(crate) mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    /// Log lines written as JSON (with the current span's fields) into memory.
    #[derive(Clone, Default)]
    pub(crate) struct Captured(pub Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Captured {
        /// The lines logged so far, parsed.
        pub(crate) fn lines(&self) -> Vec<serde_json::Value> {
            String::from_utf8(self.0.lock().unwrap().clone())
                .unwrap()
                .lines()
                .map(|l| serde_json::from_str(l).unwrap())
                .collect()
        }

        /// A subscriber that logs into this buffer.
        pub(crate) fn subscriber(&self) -> impl tracing::Subscriber + Send + Sync + use<> {
            let out = self.clone();
            tracing_subscriber::fmt()
                .json()
                .with_current_span(true)
                .with_span_list(false)
                .with_writer(move || out.clone())
                .finish()
        }
    }
}
