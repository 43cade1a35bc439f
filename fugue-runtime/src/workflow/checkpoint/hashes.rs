//! The content hashes of loaded files, cached per path and [`Stamp`] in
//! [`FILE_HASHES`](super::FILE_HASHES) under the checkpoint root.
//!
//! A stamp is what identifies one version of a file without reading it: device, inode, size,
//! and the modification and change times (nanoseconds). The change time is set by the kernel
//! on every write and cannot be set back (`touch -r`, `cp -p` and backup restores set the
//! modification time only), so a file rewritten with the same size and its modification time
//! restored has another stamp and is hashed again. A hash is cached only for a file last
//! changed [`CACHE_MARGIN`](super::CACHE_MARGIN) before it was read, so that a write within the
//! file system's timestamp granularity cannot hide behind an unchanged stamp.

use super::{CACHE_MARGIN, FILE_HASHES, io_error, run_id};
use fugue_core::Result;
use std::collections::BTreeMap;
use std::fs;
use std::io::Write;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Cache entries not used for this long are dropped.
const CACHE_KEEP_SECS: u64 = 30 * 86_400;

/// What identifies one version of a file without reading it (see the module docs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Stamp {
    dev: u64,
    ino: u64,
    size: u64,
    mtime: (i64, i64),
    ctime: (i64, i64),
}

impl Stamp {
    /// The stamp of the file at `path` now.
    pub(super) fn read(path: &Path) -> std::io::Result<Stamp> {
        let m = fs::metadata(path)?;
        Ok(Stamp {
            dev: m.dev(),
            ino: m.ino(),
            size: m.size(),
            mtime: (m.mtime(), m.mtime_nsec()),
            ctime: (m.ctime(), m.ctime_nsec()),
        })
    }

    /// The later of the modification and change times.
    fn last_change(&self) -> SystemTime {
        let at = |(s, ns): (i64, i64)| {
            u64::try_from(s)
                .ok()
                .map(|s| UNIX_EPOCH + Duration::new(s, u32::try_from(ns).unwrap_or(0)))
                .unwrap_or(UNIX_EPOCH)
        };
        at(self.mtime).max(at(self.ctime))
    }

    fn to_fields(self) -> [String; 7] {
        [
            self.dev.to_string(),
            self.ino.to_string(),
            self.size.to_string(),
            self.mtime.0.to_string(),
            self.mtime.1.to_string(),
            self.ctime.0.to_string(),
            self.ctime.1.to_string(),
        ]
    }

    fn from_fields(f: &[&str]) -> Option<Stamp> {
        Some(Stamp {
            dev: f.first()?.parse().ok()?,
            ino: f.get(1)?.parse().ok()?,
            size: f.get(2)?.parse().ok()?,
            mtime: (f.get(3)?.parse().ok()?, f.get(4)?.parse().ok()?),
            ctime: (f.get(5)?.parse().ok()?, f.get(6)?.parse().ok()?),
        })
    }
}

pub(super) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0)
}

/// Write a small file atomically (a temporary sibling, then a rename).
pub(super) fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir)?;
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{name}.{}.{}.tmp", std::process::id(), run_id()));
    let result = (|| {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

#[derive(Debug, Clone)]
struct CacheEntry {
    stamp: Stamp,
    hash: String,
    used: u64,
}

/// The content hashes of files, cached in [`FILE_HASHES`] under the checkpoint root (in memory
/// only without a root).
#[derive(Debug)]
pub(crate) struct FileHashes {
    file: Option<PathBuf>,
    margin: Duration,
    state: Mutex<(BTreeMap<Vec<u8>, CacheEntry>, bool)>,
}

const CACHE_HEADER: &str = "fugue-file-hashes 1";

fn read_cache(file: &Path) -> BTreeMap<Vec<u8>, CacheEntry> {
    let mut entries = BTreeMap::new();
    let Ok(text) = fs::read_to_string(file) else {
        return entries;
    };
    let mut lines = text.lines();
    if lines.next() != Some(CACHE_HEADER) {
        return entries;
    }
    for line in lines {
        let fields: Vec<&str> = line.split(' ').collect();
        // A torn or foreign line is skipped: the file is hashed again.
        if let [stamp @ .., used, hash, path] = fields.as_slice()
            && let (Some(stamp), Ok(used), Some(path)) =
                (Stamp::from_fields(stamp), used.parse(), unhex(path))
            && hash.len() == 64
        {
            entries.insert(
                path,
                CacheEntry {
                    stamp,
                    hash: hash.to_string(),
                    used,
                },
            );
        }
    }
    entries
}

impl FileHashes {
    /// The cache under `root` (loaded when it exists).
    pub fn open(root: Option<&Path>) -> Self {
        Self::with_margin(root, CACHE_MARGIN)
    }

    fn with_margin(root: Option<&Path>, margin: Duration) -> Self {
        let file = root.map(|r| r.join(FILE_HASHES));
        let entries = file.as_deref().map(read_cache).unwrap_or_default();
        FileHashes {
            file,
            margin,
            state: Mutex::new((entries, false)),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (BTreeMap<Vec<u8>, CacheEntry>, bool)> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// The BLAKE3 hash of the file's content (hex) and its stamp before it was read: from the
    /// cache when the stamp is the cached one, else read and hashed (and cached when the file
    /// last changed more than the margin before).
    pub fn hash(&self, path: &Path) -> Result<(String, Stamp)> {
        let stamp = Stamp::read(path).map_err(|e| io_error("reading", path, e))?;
        let key = path.as_os_str().as_bytes().to_vec();
        {
            let mut state = self.lock();
            let now = now_secs();
            if let Some(entry) = state.0.get_mut(&key)
                && entry.stamp == stamp
            {
                let hash = entry.hash.clone();
                // The use is recorded at most once a day, so that reuse does not rewrite the
                // cache on every run.
                if now.saturating_sub(entry.used) > 86_400 {
                    entry.used = now;
                    state.1 = true;
                }
                return Ok((hash, stamp));
            }
        }
        let started = SystemTime::now();
        let mut hasher = blake3::Hasher::new();
        let mut file = fs::File::open(path).map_err(|e| io_error("reading", path, e))?;
        std::io::copy(&mut file, &mut hasher).map_err(|e| io_error("reading", path, e))?;
        let hash = hasher.finalize().to_hex().to_string();
        let after = Stamp::read(path).map_err(|e| io_error("reading", path, e))?;
        // A file that changed while it was read, or too recently, is not cached (and keeps the
        // stamp from before the read, so a check after the run sees the change).
        if after == stamp && stamp.last_change() + self.margin < started {
            let mut state = self.lock();
            state.0.insert(
                key,
                CacheEntry {
                    stamp,
                    hash: hash.clone(),
                    used: now_secs(),
                },
            );
            state.1 = true;
        }
        Ok((hash, stamp))
    }

    /// Write the cache back when it changed, merged with what other runs wrote meanwhile and
    /// without entries unused for 30 days. A failure is a warning: the files are hashed again.
    pub fn save(&self) {
        let Some(file) = &self.file else {
            return;
        };
        let mut state = self.lock();
        if !state.1 {
            return;
        }
        let mut merged = read_cache(file);
        for (k, v) in &state.0 {
            merged.insert(k.clone(), v.clone());
        }
        let cutoff = now_secs().saturating_sub(CACHE_KEEP_SECS);
        let mut text = format!("{CACHE_HEADER}\n");
        for (path, e) in merged.iter().filter(|(_, e)| e.used >= cutoff) {
            text.push_str(&e.stamp.to_fields().join(" "));
            text.push_str(&format!(" {} {} {}\n", e.used, e.hash, hex(path)));
        }
        match write_atomically(file, text.as_bytes()) {
            Ok(()) => state.1 = false,
            Err(e) => {
                tracing::warn!(path = %file.display(), error = %e, "could not write the file hash cache");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blake3_hex(bytes: &[u8]) -> String {
        blake3::hash(bytes).to_hex().to_string()
    }

    /// Long enough for the change time to move on file systems with coarse timestamps (a
    /// jiffy).
    fn tick() {
        std::thread::sleep(Duration::from_millis(30));
    }

    #[test]
    fn a_file_rewritten_with_its_size_and_modification_time_restored_is_hashed_again() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        fs::write(&file, "1,2\n").unwrap();
        let mtime = fs::metadata(&file).unwrap().modified().unwrap();
        tick();
        // No margin: the hash is cached at once.
        let hashes = FileHashes::with_margin(Some(dir.path()), Duration::ZERO);
        let (first, stamp) = hashes.hash(&file).unwrap();
        assert_eq!(first, blake3_hex(b"1,2\n"));
        assert!(hashes.lock().0.contains_key(file.as_os_str().as_bytes()));
        tick();
        // Same size, modification time set back: only the change time tells.
        fs::write(&file, "3,4\n").unwrap();
        fs::File::options()
            .write(true)
            .open(&file)
            .unwrap()
            .set_modified(mtime)
            .unwrap();
        assert_eq!(fs::metadata(&file).unwrap().modified().unwrap(), mtime);
        let (second, restored) = hashes.hash(&file).unwrap();
        assert_eq!((restored.size, restored.mtime), (stamp.size, stamp.mtime));
        assert_ne!(restored.ctime, stamp.ctime);
        assert_eq!(second, blake3_hex(b"3,4\n"));
    }

    #[test]
    fn the_cache_is_read_back_and_trusted_only_for_the_same_stamp() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.csv");
        fs::write(&file, "1,2\n").unwrap();
        tick();
        let hashes = FileHashes::with_margin(Some(dir.path()), Duration::ZERO);
        hashes.hash(&file).unwrap();
        hashes.save();
        let cache = dir.path().join(FILE_HASHES);
        let text = fs::read_to_string(&cache).unwrap();
        assert!(text.starts_with(CACHE_HEADER), "{text}");
        // Tamper with the cached hash: a new cache over the file answers with it, which shows
        // that the file is not read again while its stamp is the same.
        let tampered = text.replace(&blake3_hex(b"1,2\n"), &"f".repeat(64));
        fs::write(&cache, tampered).unwrap();
        let again = FileHashes::with_margin(Some(dir.path()), Duration::ZERO);
        assert_eq!(again.hash(&file).unwrap().0, "f".repeat(64));
        // Any change of the stamp: read again.
        tick();
        fs::write(&file, "1,2\n").unwrap();
        assert_eq!(again.hash(&file).unwrap().0, blake3_hex(b"1,2\n"));
        // A torn cache file is ignored rather than trusted.
        fs::write(&cache, format!("{CACHE_HEADER}\n1 2 3\n")).unwrap();
        assert!(read_cache(&cache).is_empty());
    }

    #[test]
    fn a_file_changed_within_the_margin_is_not_cached() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("fresh.csv");
        fs::write(&file, "1\n").unwrap();
        let hashes = FileHashes::open(Some(dir.path()));
        assert_eq!(hashes.hash(&file).unwrap().0, blake3_hex(b"1\n"));
        assert!(hashes.lock().0.is_empty());
        hashes.save();
        assert!(!dir.path().join(FILE_HASHES).exists());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]

        /// With every hash cached at once (no margin), rewrites, appends and same-size
        /// rewrites with the modification time restored are always seen, by the cache in
        /// memory and by one read back from its file.
        #[test]
        fn cached_hashes_always_follow_the_content(
            edits in proptest::collection::vec(
                (0u8..4, proptest::collection::vec(proptest::prelude::any::<u8>(), 0..6)),
                1..5,
            ),
        ) {
            let dir = tempfile::tempdir().unwrap();
            let file = dir.path().join("f.bin");
            let mut content = b"abcd".to_vec();
            fs::write(&file, &content).unwrap();
            let hashes = FileHashes::with_margin(Some(dir.path()), Duration::ZERO);
            for (kind, bytes) in edits {
                tick();
                match kind {
                    0 => content = bytes,
                    1 => content.extend(bytes),
                    2 => {
                        // Same size, other bytes, modification time restored.
                        let mtime = fs::metadata(&file).unwrap().modified().unwrap();
                        for (i, b) in content.iter_mut().enumerate() {
                            *b = b.wrapping_add(1 + bytes.get(i).copied().unwrap_or(0) % 7);
                        }
                        fs::write(&file, &content).unwrap();
                        fs::File::options()
                            .write(true)
                            .open(&file)
                            .unwrap()
                            .set_modified(mtime)
                            .unwrap();
                    }
                    _ => {}
                }
                if kind != 2 {
                    fs::write(&file, &content).unwrap();
                }
                tick();
                proptest::prop_assert_eq!(hashes.hash(&file).unwrap().0, blake3_hex(&content));
                hashes.save();
                let reread = FileHashes::with_margin(Some(dir.path()), Duration::ZERO);
                proptest::prop_assert_eq!(reread.hash(&file).unwrap().0, blake3_hex(&content));
            }
        }
    }
}
