//! Checkpoint files and keys (reference §6).
//!
//! * Files are Arrow IPC files written atomically (a temporary name in the same folder, then a
//!   rename), each with a sidecar `<file>.blake3` holding the BLAKE3 hash of its bytes; a file
//!   whose bytes do not match its sidecar, or that does not read, is corrupt.
//! * A deterministic key is a BLAKE3 hash of named parts of the step and,
//!   through the keys of its inputs, of every step upstream:
//!   - the operation and its arguments, every string quoted;
//!   - the function's full path (`module_path::name`) and, for functions declared with the
//!     transformer macros, the hash of their tokens
//!     ([`Transformer::CODE_HASH`](crate::transformer::Transformer::CODE_HASH)) and their
//!     declared records' columns, rules and typed parameters; closures and hand-written impls
//!     are keyed by their name only (`explain` says which: "function tokens" or "name and
//!     version only");
//!   - the step's version, every parameter, whether a callback is given, the partition spec,
//!     the namespace and the planned output schema;
//!   - the data: the hash of the Arrow IPC bytes of data given in memory, and for a load the
//!     files it reads (globs and folders expanded as the load expands them, in its order), each
//!     with the BLAKE3 hash of its content.
//!
//!   Changing any of them changes the key, so a stale checkpoint is not reused (a divergence
//!   from Fugue, whose keys ignore the data and the function's body).
//! * What a key cannot see: code the function calls (a helper, a constant, another crate),
//!   state a closure captures, and anything the function reads itself (files, the clock, the
//!   network). Bump the step's [`version`](super::WorkflowFrame::version) when such a thing
//!   changes.
//! * Content hashes are cached in [`FILE_HASHES`] under the root, per path and stamp (device,
//!   inode, size, modification and change times): a file is hashed again when any of them
//!   changes. The change time is set by the kernel on every write and cannot be set back
//!   (`touch -r`, `cp -p` and restores set the modification time only), so a file rewritten
//!   with the same size and its modification time restored is hashed again. A hash is cached
//!   only for a file last changed [`CACHE_MARGIN`] before it was read, so that a write within
//!   the file system's timestamp granularity cannot hide behind an unchanged stamp.
//! * Before a result is saved under its key, the files of the loads upstream are listed and
//!   stamped again: if one changed during the run, the result is not saved under the key.
//! * [`STEP_MANIFESTS`] under the root holds, per step name, the parts of the last checkpoint written for
//!   it, so that a checkpoint not found is explained ("input file `x` changed (step `load`)").
//! * The run's temporary folder `<checkpoint path>/<run id>` holds strong checkpoints and is
//!   removed when the run ends, on success, failure or panic ([`RunDir`]).

mod hashes;
pub(crate) mod keys;
mod manifest;

pub(crate) use hashes::FileHashes;
pub(crate) use keys::{StepKeys, step_keys, upstream, verify_inputs};
pub(crate) use manifest::{why_missing, write_manifest};

use crate::frame::ArrowFrame;
use arrow::array::RecordBatch;
use fugue_core::{FugueError, Result};
use std::fs;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The config key of the checkpoint root.
pub const CHECKPOINT_PATH_KEY: &str = "fugue.workflow.checkpoint.path";

/// The suffix of checkpoint files.
pub const SUFFIX: &str = "arrow";

fn io_error(action: &'static str, path: &Path, source: std::io::Error) -> FugueError {
    FugueError::Io {
        action,
        path: path.display().to_string(),
        source,
    }
}

/// The error of a file checkpoint or file yield without `fugue.workflow.checkpoint.path`.
pub fn missing_path(what: &str) -> FugueError {
    FugueError::Config {
        key: CHECKPOINT_PATH_KEY.to_string(),
        reason: format!("is not set, and {what} needs a folder to write to"),
    }
}

/// The Arrow IPC file bytes of a frame.
pub fn ipc_bytes(frame: &ArrowFrame) -> Result<Vec<u8>> {
    let mut buffer = Vec::new();
    {
        let mut writer =
            arrow_ipc::writer::FileWriter::try_new(&mut buffer, frame.arrow_schema().as_ref())?;
        for batch in frame.batches() {
            writer.write(batch)?;
        }
        writer.finish()?;
    }
    Ok(buffer)
}

/// The frame in Arrow IPC file bytes.
pub fn from_ipc_bytes(bytes: &[u8]) -> Result<ArrowFrame> {
    let reader = arrow_ipc::reader::FileReader::try_new(std::io::Cursor::new(bytes), None)?;
    let schema = reader.schema();
    let batches: Vec<RecordBatch> = reader.collect::<std::result::Result<_, _>>()?;
    ArrowFrame::new(&schema, batches)
}

/// The BLAKE3 hash of the IPC bytes of a frame, in hex: the fingerprint of data in memory.
pub fn content_hash(frame: &ArrowFrame) -> Result<String> {
    Ok(blake3::hash(&ipc_bytes(frame)?).to_hex().to_string())
}

fn sidecar(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".blake3");
    PathBuf::from(name)
}

/// Write a frame atomically, with its checksum sidecar.
pub fn write(path: &Path, frame: &ArrowFrame) -> Result<()> {
    let bytes = ipc_bytes(frame)?;
    let dir = path.parent().unwrap_or(Path::new("."));
    fs::create_dir_all(dir).map_err(|e| io_error("creating", dir, e))?;
    let file_name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_default();
    let tmp = dir.join(format!(".{file_name}.{}.tmp", std::process::id()));
    let write_tmp = || -> std::io::Result<()> {
        let mut f = fs::File::create(&tmp)?;
        f.write_all(&bytes)?;
        f.sync_all()?;
        Ok(())
    };
    write_tmp().map_err(|e| io_error("writing", &tmp, e))?;
    // The sidecar first: a file without a matching sidecar is never trusted.
    let hash = blake3::hash(&bytes).to_hex().to_string();
    fs::write(sidecar(path), hash).map_err(|e| io_error("writing", &sidecar(path), e))?;
    fs::rename(&tmp, path).map_err(|e| io_error("writing", path, e))?;
    Ok(())
}

/// Read a checkpoint file, checking it against its sidecar: `Ok(None)` when there is no file,
/// an error when it is corrupt (unreadable, checksum mismatch, missing sidecar, not Arrow IPC).
pub fn read(path: &Path) -> Result<Option<ArrowFrame>> {
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(io_error("reading", path, e)),
    };
    let expected =
        fs::read_to_string(sidecar(path)).map_err(|e| io_error("reading", &sidecar(path), e))?;
    let actual = blake3::hash(&bytes).to_hex().to_string();
    if expected.trim() != actual {
        return Err(FugueError::InvalidOperation(format!(
            "checkpoint `{}` is corrupt: its checksum is {actual}, its sidecar says {}",
            path.display(),
            expected.trim()
        )));
    }
    from_ipc_bytes(&bytes).map(Some)
}

/// Remove a checkpoint file and its sidecar (missing files are fine).
pub fn remove(path: &Path) {
    let _ = fs::remove_file(path);
    let _ = fs::remove_file(sidecar(path));
}

/// Where the content hashes of loaded files are cached, under the checkpoint root.
pub const FILE_HASHES: &str = ".fugue/file-hashes";

/// Where the parts of the last checkpoint written for each step name are kept, under the
/// checkpoint root.
pub const STEP_MANIFESTS: &str = ".fugue/steps";

/// How long before it is read a file must have last changed for its content hash to be cached:
/// longer than the timestamp granularity of common file systems (a jiffy on Linux, 2 s on FAT).
pub const CACHE_MARGIN: Duration = Duration::from_secs(3);

/// A unique id for a run: a hash of the time, the process and a counter.
pub fn run_id() -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static COUNTER: AtomicU64 = AtomicU64::new(0);
    let mut h = blake3::Hasher::new();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    h.update(&now.to_le_bytes());
    h.update(&std::process::id().to_le_bytes());
    h.update(&COUNTER.fetch_add(1, Ordering::Relaxed).to_le_bytes());
    h.finalize().to_hex()[..16].to_string()
}

/// The run's temporary folder under the checkpoint root, created on first use and removed
/// (recursively) when dropped: at the end of the run, whatever happened.
#[derive(Debug)]
pub struct RunDir {
    path: Option<PathBuf>,
    created: std::sync::atomic::AtomicBool,
}

impl RunDir {
    /// The temporary folder `<root>/<run id>` (not created yet); no root: no folder.
    pub fn new(root: Option<&Path>, run_id: &str) -> Self {
        RunDir {
            path: root.map(|r| r.join(run_id)),
            created: std::sync::atomic::AtomicBool::new(false),
        }
    }

    /// The folder, created if needed; no checkpoint root is the missing-path error.
    pub fn get(&self, what: &str) -> Result<&Path> {
        let path = self.path.as_deref().ok_or_else(|| missing_path(what))?;
        fs::create_dir_all(path).map_err(|e| io_error("creating", path, e))?;
        self.created
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Ok(path)
    }

    /// The folder's path, when there is a root.
    pub fn path(&self) -> Option<&Path> {
        self.path.as_deref()
    }
}

impl Drop for RunDir {
    fn drop(&mut self) {
        if let Some(path) = &self.path
            && self.created.load(std::sync::atomic::Ordering::SeqCst)
            && let Err(e) = fs::remove_dir_all(path)
        {
            tracing::warn!(path = %path.display(), error = %e, "could not remove the run's checkpoint folder");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::value::Value;

    #[test]
    fn content_hashes_follow_the_data_and_files_round_trip_with_checksums() {
        let a = ArrowFrame::from_rows("a:long", &[vec![Value::from(1_i64)]]).unwrap();
        let b = ArrowFrame::from_rows("a:long", &[vec![Value::from(2_i64)]]).unwrap();
        assert_eq!(content_hash(&a).unwrap(), content_hash(&a.clone()).unwrap());
        assert_ne!(content_hash(&a).unwrap(), content_hash(&b).unwrap());

        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x").join("k.arrow");
        assert!(read(&path).unwrap().is_none());
        write(&path, &a).unwrap();
        assert_eq!(
            read(&path).unwrap().unwrap().to_rows().unwrap(),
            a.to_rows().unwrap()
        );
        fs::write(sidecar(&path), "0000").unwrap();
        let e = read(&path).unwrap_err();
        assert!(e.to_string().contains("is corrupt"), "{e}");
        remove(&path);
        assert!(read(&path).unwrap().is_none());
    }

    #[test]
    fn the_run_folder_is_removed_when_dropped_and_a_missing_root_names_the_key() {
        let dir = tempfile::tempdir().unwrap();
        let run = RunDir::new(Some(dir.path()), &run_id());
        let path = run.get("a test").unwrap().to_path_buf();
        fs::write(path.join("f"), "x").unwrap();
        drop(run);
        assert!(!path.exists());
        let e = RunDir::new(None, "r")
            .get("a strong checkpoint")
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "invalid config `fugue.workflow.checkpoint.path`: is not set, and a strong \
             checkpoint needs a folder to write to"
        );
    }
}
