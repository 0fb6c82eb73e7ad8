use std::io::Read;

mod fixed_size;
pub mod rabin;

use fixed_size::ChunkIter as FixedSizeChunkIter;
use rabin::{ChunkIter as RabinChunkIter, FastRabin};

use crate::{
    RusticResult,
    repofile::{ConfigFile, configfile::Chunker},
};

// PUSDATA-PATCH: the Rabin tables (2 × 256 polynomial reductions) were computed again for
// every file; a backup of 3 228 files spent 8.5 % of its CPU there. The repository's
// polynomial never changes, so the tables are built once and cloned (4 KiB) per file.
fn cached_rabin(poly: u64) -> FastRabin {
    static CACHE: std::sync::Mutex<Option<(u64, FastRabin)>> = std::sync::Mutex::new(None);
    let mut cache = match CACHE.lock() {
        Ok(guard) => guard,
        Err(poisoned) => poisoned.into_inner(),
    };
    match &*cache {
        Some((cached, rabin)) if *cached == poly => rabin.clone(),
        _ => {
            let rabin = FastRabin::new(poly);
            *cache = Some((poly, rabin.clone()));
            rabin
        }
    }
}

/// `ChunkIter` is an iterator that chunks data.
pub(crate) enum ChunkIter<R: Read + Send> {
    Rabin(Box<RabinChunkIter<R>>),
    FixedSize(FixedSizeChunkIter<R>),
}

impl<R: Read + Send> ChunkIter<R> {
    pub(crate) fn from_config(
        config: &ConfigFile,
        reader: R,
        size_hint: usize,
    ) -> RusticResult<Self> {
        let iter = match config.chunker() {
            Chunker::Rabin => {
                let poly = config.poly()?;
                let rabin = cached_rabin(poly);
                Self::Rabin(Box::new(RabinChunkIter::new(
                    rabin,
                    config.chunk_size(),
                    config.chunk_min_size(),
                    config.chunk_max_size(),
                    reader,
                    size_hint,
                )?))
            }
            Chunker::FixedSize => Self::FixedSize(FixedSizeChunkIter::new(
                config.chunk_size(),
                reader,
                size_hint,
            )),
        };
        Ok(iter)
    }
}

impl<R: Read + Send> Iterator for ChunkIter<R> {
    type Item = RusticResult<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        match self {
            Self::Rabin(rabin) => rabin.next(),
            Self::FixedSize(fixed_size) => fixed_size.next(),
        }
    }
}
