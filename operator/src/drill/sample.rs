//! Sample agency data for `pusdata drill --local`: deterministic, so two runs produce the
//! same trees and the same checksums, and shaped like what agencies keep — text records that
//! compress well and scanned documents that do not.

use std::fs;
use std::io::{self, Write};
use std::path::Path;

/// A small deterministic generator (SplitMix64): no dependency, same bytes on every machine.
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// Seeded with a number (benchmarks take `--seed`).
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// Seeded from a name.
    pub fn from_name(name: &str) -> SplitMix {
        let mut h: u64 = 0xcbf2_9ce4_8422_2325;
        for b in name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
        SplitMix(h)
    }

    /// Next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u32, hi: u32) -> u32 {
        let span = u64::from(hi - lo) + 1;
        lo + u32::try_from(self.next_u64() % span).unwrap_or(0)
    }
}

const KECAMATAN: &[&str] = &[
    "Bekasi Barat",
    "Bekasi Timur",
    "Bekasi Utara",
    "Bekasi Selatan",
    "Medan Satria",
    "Rawalumbu",
    "Bantargebang",
    "Mustikajaya",
    "Jatiasih",
    "Jatisampurna",
    "Pondok Gede",
    "Pondok Melati",
];

/// Writes `bytes` (about) of sample data for one service under `dir`: CSV records and binary
/// "scans". Returns the number of files written.
pub fn generate(dir: &Path, service: &str, bytes: u64) -> io::Result<u64> {
    let mut rng = SplitMix::from_name(service);
    fs::create_dir_all(dir.join("records"))?;
    fs::create_dir_all(dir.join("scans"))?;
    let mut files = 0;
    // Two thirds text (compressible), one third binary (not).
    let text_budget = bytes * 2 / 3;
    let mut written = 0u64;
    let mut part = 0;
    while written < text_budget {
        let path = dir.join("records").join(format!("{service}-{part:04}.csv"));
        let mut f = io::BufWriter::new(fs::File::create(path)?);
        writeln!(f, "nomor,kecamatan,layanan,status,tanggal")?;
        let mut chunk = 0u64;
        while chunk < 256 * 1024 && written + chunk < text_budget {
            let r = rng.next_u64();
            let line = format!(
                "{:016},{},{},{},2026-{:02}-{:02}\n",
                r % 10_000_000_000_000_000,
                KECAMATAN[(r % KECAMATAN.len() as u64) as usize],
                ["akta-lahir", "kk", "ktp-el", "izin-usaha", "imb"][(r >> 8) as usize % 5],
                ["selesai", "proses", "ditolak"][(r >> 16) as usize % 3],
                1 + (r >> 24) % 12,
                1 + (r >> 32) % 28
            );
            f.write_all(line.as_bytes())?;
            chunk += line.len() as u64;
        }
        f.flush()?;
        written += chunk;
        files += 1;
        part += 1;
    }
    let mut part = 0;
    while written < bytes {
        let size = (256 * 1024 + rng.next_u64() % (768 * 1024)).min(bytes - written);
        let mut data = Vec::with_capacity(size as usize);
        while (data.len() as u64) < size {
            data.extend_from_slice(&rng.next_u64().to_le_bytes());
        }
        data.truncate(size as usize);
        fs::write(dir.join("scans").join(format!("scan-{part:04}.bin")), &data)?;
        written += size;
        files += 1;
        part += 1;
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_name_same_bytes_other_name_other_bytes() {
        let a = tempfile::tempdir().unwrap();
        let b = tempfile::tempdir().unwrap();
        let c = tempfile::tempdir().unwrap();
        generate(a.path(), "siak-db", 600_000).unwrap();
        generate(b.path(), "siak-db", 600_000).unwrap();
        generate(c.path(), "portal-db", 600_000).unwrap();
        let sum = |p: &Path| crate::agent::work::tree_checksum(p).unwrap();
        assert_eq!(sum(a.path()), sum(b.path()));
        assert_ne!(sum(a.path()).2, sum(c.path()).2);
        let (_, bytes, _) = sum(a.path());
        assert!((600_000..700_000).contains(&bytes), "{bytes}");
    }
}
