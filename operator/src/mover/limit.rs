//! Bandwidth limits per repository (`uploadLimitBytesPerSecond`,
//! `downloadLimitBytesPerSecond`): a rustic backend wrapper that takes every file written
//! from the upload limit and every byte read from the download limit.
//!
//! Why not OpenDAL's `ThrottleLayer` (which rustic_backend can add with its `throttle`
//! option): in OpenDAL 0.58 it throttles writes only, and refuses a write larger than its
//! burst instead of waiting, so the burst would have to exceed the largest pack (16 MiB and
//! more) and the first packs of every run would pass unthrottled. The mirror's token bucket
//! lets a large write go into debt, so the average rate holds from the first byte.

use crate::mirror::RateLimit;
use bytes::Bytes;
use rustic_core::{BytesList, FileType, Id, ReadBackend, RusticResult, WriteBackend};
use std::sync::Arc;

/// What a [`Metered`] backend reports of its traffic, on rustic_core's own threads. A hook
/// may block: that is how a limit holds a transfer back.
pub trait Traffic: Send + Sync + std::fmt::Debug + 'static {
    /// Before a file of `bytes` bytes is written.
    fn writing(&self, _tpe: FileType, _bytes: usize) {}
    /// For `bytes` bytes read: before a read of a known length, after a whole-file read
    /// (whose size is known only then).
    fn reading(&self, _bytes: usize) {}
}

/// A backend whose writes and reads pass through a [`Traffic`] hook.
pub struct Metered<T> {
    inner: Arc<dyn WriteBackend>,
    traffic: T,
}

impl<T> Metered<T> {
    /// Wraps `inner`.
    pub fn new(inner: Arc<dyn WriteBackend>, traffic: T) -> Self {
        Metered { inner, traffic }
    }
}

impl<T: std::fmt::Debug> std::fmt::Debug for Metered<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Metered")
            .field("location", &self.inner.location())
            .field("traffic", &self.traffic)
            .finish()
    }
}

/// A repository's bandwidth limits as a [`Traffic`] hook.
#[derive(Debug)]
struct Limits {
    upload: Option<Arc<RateLimit>>,
    download: Option<Arc<RateLimit>>,
}

impl Traffic for Limits {
    fn writing(&self, _tpe: FileType, bytes: usize) {
        if let Some(l) = &self.upload {
            l.acquire_blocking(bytes as u64);
        }
    }
    fn reading(&self, bytes: usize) {
        if let Some(l) = &self.download {
            l.acquire_blocking(bytes as u64);
        }
    }
}

/// `inner` with its traffic passed through the repository's limits; without limits it is
/// returned as it is.
pub fn throttled(
    inner: Arc<dyn WriteBackend>,
    upload: Option<Arc<RateLimit>>,
    download: Option<Arc<RateLimit>>,
) -> Arc<dyn WriteBackend> {
    if upload.is_none() && download.is_none() {
        return inner;
    }
    Arc::new(Metered::new(inner, Limits { upload, download }))
}

impl<T: Traffic> ReadBackend for Metered<T> {
    fn location(&self) -> String {
        self.inner.location()
    }
    fn list_with_size(&self, tpe: FileType) -> RusticResult<Vec<(Id, u32)>> {
        self.inner.list_with_size(tpe)
    }
    fn list(&self, tpe: FileType) -> RusticResult<Vec<Id>> {
        self.inner.list(tpe)
    }
    fn read_full(&self, tpe: FileType, id: &Id) -> RusticResult<Bytes> {
        // The size is known only after reading; the debt is paid before the next read.
        let b = self.inner.read_full(tpe, id)?;
        self.traffic.reading(b.len());
        Ok(b)
    }
    fn read_partial(
        &self,
        tpe: FileType,
        id: &Id,
        cacheable: bool,
        offset: u32,
        length: u32,
    ) -> RusticResult<Bytes> {
        self.traffic.reading(length as usize);
        self.inner.read_partial(tpe, id, cacheable, offset, length)
    }
    fn warmup_path(&self, tpe: FileType, id: &Id) -> String {
        self.inner.warmup_path(tpe, id)
    }
    fn needs_warm_up(&self) -> bool {
        self.inner.needs_warm_up()
    }
    fn warm_up(&self, tpe: FileType, id: &Id) -> RusticResult<()> {
        self.inner.warm_up(tpe, id)
    }
}

impl<T: Traffic> WriteBackend for Metered<T> {
    fn create(&self) -> RusticResult<()> {
        self.inner.create()
    }
    fn write_bytes(
        &self,
        tpe: FileType,
        id: &Id,
        cacheable: bool,
        content: BytesList,
    ) -> RusticResult<()> {
        self.traffic.writing(tpe, content.size());
        self.inner.write_bytes(tpe, id, cacheable, content)
    }
    fn remove(&self, tpe: FileType, id: &Id, cacheable: bool) -> RusticResult<()> {
        self.inner.remove(tpe, id, cacheable)
    }
}

#[cfg(test)]
mod tests;
