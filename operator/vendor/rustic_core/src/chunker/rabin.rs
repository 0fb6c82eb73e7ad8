use std::io::{self, Read};

use rand::{RngExt, rng};
use rustic_cdc::{Polynom, Polynom64, Rabin64};

use crate::error::{ErrorKind, RusticError, RusticResult};

pub(super) mod constants {
    /// The size of a kilobyte.
    pub(super) const KB: usize = 1024;
    /// Buffer size used for reading - TODO: Find out optimal size for best performance!
    // PUSDATA-PATCH: 64 KiB instead of 4 KiB — 16 times fewer read calls; the chunk
    // boundaries do not depend on it.
    pub(super) const BUF_SIZE: usize = 64 * KB;
    /// Random polynomial maximum tries.
    pub(super) const RAND_POLY_MAX_TRIES: i32 = 1_000_000;
}

pub(crate) fn check_rabin_params(
    chunk_size: usize,
    chunk_min_size: usize,
    chunk_max_size: usize,
) -> RusticResult<()> {
    if (chunk_size & (chunk_size - 1)) != 0 {
        return Err(RusticError::new(
            ErrorKind::Unsupported,
            "Chunk size must be a power of 2 for the rabin chunker. chunk size = {chunk_size}.",
        )
        .attach_context("chunk_size", chunk_size.to_string()));
    }
    if chunk_min_size > chunk_size {
        return Err(RusticError::new(
            ErrorKind::Unsupported,
            "Chunk min size must be smaller or equal than the chunk size.",
        ));
    }
    if chunk_max_size < chunk_size {
        return Err(RusticError::new(
            ErrorKind::Unsupported,
            "Chunk max size must be larger or equal than the chunk size.",
        ));
    }
    Ok(())
}

// PUSDATA-PATCH: the rolling hash of `rustic_cdc::Rabin64` (window 64) with the window in a
// fixed array, so the per-byte step has no bounds checks and no dynamic window size. The
// tables come from `Rabin64`'s own functions and every step is the same arithmetic, so the
// hashes (and chunk boundaries) are the same; the restic CLI checks that in Pusdata's tests.
#[derive(Clone, Debug)]
pub(crate) struct FastRabin {
    out_table: [Polynom64; 256],
    mod_table: [Polynom64; 256],
    shift: i32,
    window: [u8; 64],
    index: usize,
    /// The current hash.
    pub(crate) hash: Polynom64,
}

impl FastRabin {
    /// Tables for the repository's polynomial.
    pub(crate) fn new(poly: Polynom64) -> Self {
        Self {
            out_table: Rabin64::calculate_out_table(64, &poly),
            mod_table: Rabin64::calculate_mod_table(&poly),
            shift: poly.degree() - 8,
            window: [0; 64],
            index: 0,
            hash: 0,
        }
    }

    /// `Rabin64::reset_and_prefill_window` over the first 63 of these 64 bytes: the hash
    /// starts from zero, nothing slides out, and the 64th window slot is zeroed.
    pub(crate) fn reset_and_prefill(&mut self, bytes: &[u8]) {
        self.hash = 0;
        for &b in bytes.iter().take(63) {
            self.window[self.index & 63] = b;
            let mod_index = (self.hash >> self.shift) & 255;
            self.hash <<= 8;
            self.hash |= Polynom64::from(b);
            self.hash ^= self.mod_table[mod_index as usize];
            self.index = (self.index + 1) & 63;
        }
        self.window[self.index & 63] = 0;
    }

    /// One step of the rolling hash: `out_value` leaves the window, `byte` enters.
    #[inline(always)]
    fn step(&self, hash: Polynom64, out_value: u8, byte: u8) -> Polynom64 {
        let hash = hash ^ self.out_table[out_value as usize];
        let mod_index = (hash >> self.shift) & 255;
        ((hash << 8) | Polynom64::from(byte)) ^ self.mod_table[mod_index as usize]
    }

    /// Slides over `data` until the hash hits the split mask; returns how many bytes were
    /// taken (up to and including the boundary byte, or all of them).
    ///
    /// The hash is a function of the 64 bytes in the window only: it always equals the
    /// fully reduced fingerprint of the window's contents. So the second half of `data` can
    /// be hashed at the same time as the first, from a window filled with the 64 bytes
    /// before it, and two independent dependency chains keep the CPU busy where one waited
    /// on the table lookups. The first boundary of the first half wins; only if there is
    /// none does the second half's first boundary count. The result is exactly that of
    /// sliding byte by byte.
    pub(crate) fn scan(&mut self, data: &[u8], split_mask: u64) -> usize {
        let n = data.len();
        if n < 256 {
            for (i, &b) in data.iter().enumerate() {
                self.slide(b);
                if (self.hash & split_mask) == 0 {
                    return i + 1;
                }
            }
            return n;
        }
        let mid = n / 2;
        let first = &data[..mid];
        // The second stream: its window is the 64 bytes before `mid`, all slid in this call
        // by the first stream too (mid >= 128), so both agree on every position.
        let mut hash_b: Polynom64 = 0;
        for &b in &first[mid - 64..] {
            hash_b = self.step(hash_b, 0, b);
        }
        let mut cut_b = None;
        for k in 0..mid {
            self.slide(first[k]);
            if (self.hash & split_mask) == 0 {
                return k + 1;
            }
            if cut_b.is_none() {
                let j = mid + k;
                hash_b = self.step(hash_b, data[j - 64], data[j]);
                if (hash_b & split_mask) == 0 {
                    cut_b = Some(j);
                }
            }
        }
        let end = match cut_b {
            Some(j) => j,
            None => {
                // The second half is one byte longer when `n` is odd.
                let mut end = n - 1;
                for j in (mid + mid)..n {
                    hash_b = self.step(hash_b, data[j - 64], data[j]);
                    if (hash_b & split_mask) == 0 {
                        end = j;
                        break;
                    }
                }
                end
            }
        };
        // Continue from the second stream's state: the window holds data[end-63..=end].
        self.hash = hash_b;
        self.window.copy_from_slice(&data[end + 1 - 64..=end]);
        self.index = 0;
        end + 1
    }

    /// `Rabin64::slide`.
    #[inline(always)]
    pub(crate) fn slide(&mut self, byte: u8) {
        let slot = self.index & 63;
        let out_value = self.window[slot];
        self.hash ^= self.out_table[out_value as usize];
        self.window[slot] = byte;
        let mod_index = (self.hash >> self.shift) & 255;
        self.hash <<= 8;
        self.hash |= Polynom64::from(byte);
        self.hash ^= self.mod_table[mod_index as usize];
        self.index = (self.index + 1) & 63;
    }
}

/// `ChunkIter` is an iterator that chunks data.
pub(crate) struct ChunkIter<R: Read + Send> {
    /// The buffer used for reading.
    buf: Vec<u8>,

    /// The position in the buffer.
    pos: usize,

    /// The reader.
    reader: R,

    /// The split mask used to determine if a chunk is a chunk boundary.
    split_mask: u64,

    /// The rolling hash.
    rabin: FastRabin,

    /// The size hint is used to optimize memory allocation; this should be an upper bound on the size.
    size_hint: usize,

    /// The minimum size of a chunk.
    min_size: usize,

    /// The maximum size of a chunk.
    max_size: usize,

    /// If the iterator is finished.
    finished: bool,
}

impl<R: Read + Send> ChunkIter<R> {
    /// Creates a new `ChunkIter`.
    ///
    /// # Arguments
    ///
    /// * `reader` - The reader to read from.
    /// * `size_hint` - The size hint is used to optimize memory allocation; this should be an upper bound on the size.
    /// * `rabin` - The rolling hash.
    pub(crate) fn new(
        rabin: FastRabin,
        chunk_size: usize,
        chunk_min_size: usize,
        chunk_max_size: usize,
        reader: R,
        size_hint: usize,
    ) -> RusticResult<Self> {
        check_rabin_params(chunk_size, chunk_min_size, chunk_max_size)?;
        let chunk_size: u64 = chunk_size.try_into().unwrap();
        let split_mask: u64 = chunk_size - 1;
        Ok(Self {
            buf: vec![0; constants::BUF_SIZE],
            pos: constants::BUF_SIZE,
            reader,
            split_mask,
            rabin,
            size_hint, // size hint is used to optimize memory allocation; this should be an upper bound on the size
            min_size: chunk_min_size,
            max_size: chunk_max_size,
            finished: false,
        })
    }
}

impl<R: Read + Send> Iterator for ChunkIter<R> {
    type Item = RusticResult<Vec<u8>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.finished {
            return None;
        }

        let mut min_size = self.min_size;
        let mut vec = Vec::with_capacity(self.size_hint.min(min_size));

        // check if some bytes exist in the buffer and if yes, use them
        let open_buf_len = self.buf.len() - self.pos;
        if open_buf_len > 0 {
            vec.resize(open_buf_len, 0);
            vec.copy_from_slice(&self.buf[self.pos..]);
            self.pos = self.buf.len();
            min_size -= open_buf_len;
        }

        let size = match (&mut self.reader)
            .take(min_size as u64)
            .read_to_end(&mut vec)
        {
            Ok(size) => size,
            Err(err) => {
                return Some(Err(RusticError::with_source(
                    ErrorKind::InputOutput,
                    "Failed to read from reader in iterator",
                    err,
                )));
            }
        };

        // If self.min_size is not reached, we are done.
        // Note that the read data is of size size + open_buf_len and self.min_size = minsize + open_buf_len
        if size < min_size {
            self.finished = true;
            vec.truncate(size + open_buf_len);
            return if vec.is_empty() { None } else { Some(Ok(vec)) };
        }

        self.rabin.reset_and_prefill(&vec[vec.len() - 64..vec.len()]);

        loop {
            if vec.len() >= self.max_size {
                break;
            }

            if (self.rabin.hash & self.split_mask) == 0 {
                break;
            }

            if self.buf.len() == self.pos {
                match self.reader.read(&mut self.buf[..]) {
                    Ok(0) => {
                        self.finished = true;
                        break;
                    }
                    Ok(size) => {
                        self.pos = 0;
                        self.buf.truncate(size);
                    }

                    Err(ref e) if e.kind() == io::ErrorKind::Interrupted => continue,
                    Err(err) => {
                        return Some(Err(RusticError::with_source(
                            ErrorKind::InputOutput,
                            "Failed to read from reader in iterator",
                            err,
                        )));
                    }
                }
            }

            // PUSDATA-PATCH: hash the buffered bytes up to the next boundary (two streams,
            // see `FastRabin::scan`) and copy them at once, instead of one `push` and one
            // slide per byte. The boundary found is the one byte-by-byte sliding finds, so
            // the chunks are the same.
            let avail = &self.buf[self.pos..];
            let limit = avail.len().min(self.max_size - vec.len());
            let taken = self.rabin.scan(&avail[..limit], self.split_mask);
            vec.extend_from_slice(&avail[..taken]);
            self.pos += taken;
        }
        self.size_hint = self.size_hint.saturating_sub(vec.len()); // size_hint can be too small!
        Some(Ok(vec))
    }
}

/// [`random_poly`] returns an random irreducible polynomial of degree 53
/// (largest prime number below 64-8)
/// There are (2^53-2/53) irreducible polynomials of degree 53 in
/// `F_2[X]`, c.f. Michael O. Rabin (1981): "Fingerprinting by Random
/// Polynomials", page 4.
///
/// # Errors
///
/// * If no polynomial could be found in one million tries.
pub fn random_poly() -> RusticResult<u64> {
    for _ in 0..constants::RAND_POLY_MAX_TRIES {
        let mut poly: u64 = rng().random();

        // mask away bits above bit 53
        poly &= (1 << 54) - 1;

        // set highest and lowest bit so that the degree is 53 and the
        // polynomial is not trivially reducible
        poly |= (1 << 53) | 1;

        if poly.irreducible() {
            return Ok(poly);
        }
    }

    Err(RusticError::new(
        ErrorKind::Internal,
        "No suitable polynomial found, this should essentially never happen. Please try again.",
    )
    .ask_report())
}

/// A trait for extending polynomials.
pub(crate) trait PolynomExtend {
    /// Returns true IFF x is irreducible over `F_2`.
    fn irreducible(&self) -> bool;

    /// Returns the degree of the polynomial.
    fn gcd(self, other: Self) -> Self;

    /// Adds two polynomials.
    fn add(self, other: Self) -> Self;

    /// Multiplies two polynomials modulo another polynomial.
    fn mulmod(self, other: Self, modulo: Self) -> Self;
}

// implementation goes along the lines of
// https://github.com/restic/chunker/blob/master/polynomials.go
impl PolynomExtend for Polynom64 {
    // Irreducible returns true IFF x is irreducible over F_2. This function
    // uses Ben Or's reducibility test.
    //
    // For details see "Tests and Constructions of Irreducible Polynomials over
    // Finite Fields".
    fn irreducible(&self) -> bool {
        for i in 1..=self.degree() / 2 {
            if self.gcd(qp(i, *self)) != 1 {
                return false;
            }
        }
        true
    }

    fn gcd(self, other: Self) -> Self {
        if other == 0 {
            return self;
        }

        if self == 0 {
            return other;
        }

        if self.degree() < other.degree() {
            self.gcd(other.modulo(&self))
        } else {
            other.gcd(self.modulo(&other))
        }
    }

    fn add(self, other: Self) -> Self {
        self ^ other
    }

    fn mulmod(self, other: Self, modulo: Self) -> Self {
        if self == 0 || other == 0 {
            return 0;
        }

        let mut res: Self = 0;
        let mut a = self;
        let mut b = other;

        if b & 1 > 0 {
            res = res.add(a).modulo(&modulo);
        }

        while b != 0 {
            a = (a << 1).modulo(&modulo);
            b >>= 1;
            if b & 1 > 0 {
                res = res.add(a).modulo(&modulo);
            }
        }

        res
    }
}

// qp computes the polynomial (x^(2^p)-x) mod g. This is needed for the
// reducibility test.
fn qp(p: i32, g: Polynom64) -> Polynom64 {
    // start with x
    let mut res: Polynom64 = 2;

    for _ in 0..p {
        // repeatedly square res
        res = res.mulmod(res, g);
    }

    // add x
    res.add(2).modulo(&g)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::hasher::hash;
    use insta::assert_ron_snapshot;
    use rand::prelude::*;
    use std::io::{Cursor, repeat};

    /// The Splitmask is used to determine if a chunk is a chunk boundary.
    const SIZE: usize = 1 << 20;
    /// The size of a megabyte.
    const MB: usize = 1024 * constants::KB;
    /// The minimum size of a chunk.
    const MIN_SIZE: usize = 512 * constants::KB;
    /// The maximum size of a chunk.
    const MAX_SIZE: usize = 8 * MB;

    fn chunker<R: Read + Send>(reader: R, size_hint: usize) -> ChunkIter<R> {
        let poly = 0x003D_A335_8B4D_C173;
        let rabin = FastRabin::new(poly);
        ChunkIter::new(rabin, SIZE, MIN_SIZE, MAX_SIZE, reader, size_hint).unwrap()
    }

    #[test]
    fn chunk_random() {
        const RANDOM_DATA_SIZE: usize = 32 * 1024 * 1024;
        const SEED: u64 = 23;
        let mut rng = StdRng::seed_from_u64(SEED);
        let mut data = vec![0u8; RANDOM_DATA_SIZE];
        rng.fill_bytes(&mut data);
        let mut reader = Cursor::new(data);
        let chunker = chunker(&mut reader, 0);
        let chunks: Vec<_> = chunker
            .map(|chunk| {
                let chunk = chunk.unwrap();
                (chunk.len(), hash(&chunk))
            })
            .collect();

        assert_ron_snapshot!(chunks);
    }

    #[test]
    fn chunk_empty() {
        let empty: Vec<u8> = vec![];
        let mut reader = Cursor::new(empty);
        let chunker = chunker(&mut reader, 0);

        assert_eq!(0, chunker.into_iter().count());
    }

    #[test]
    fn chunk_empty_wrong_hint() {
        let empty: Vec<u8> = vec![];
        let mut reader = Cursor::new(empty);
        let chunker = chunker(&mut reader, 100);

        assert_eq!(0, chunker.into_iter().count());
    }

    #[test]
    fn chunk_zeros() {
        let mut reader = repeat(0u8);
        let mut chunker = chunker(&mut reader, usize::MAX);

        let chunk = chunker.next().unwrap().unwrap();
        assert_eq!(MIN_SIZE, chunk.len());
    }
}
