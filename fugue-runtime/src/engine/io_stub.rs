//! `load` and `save` without the `datafusion` feature: unsupported.

use super::options::{LoadOptions, SaveOptions};
use super::relational::needs_datafusion;
use crate::frame::ArrowFrame;
use fugue_core::Result;

/// Unsupported without DataFusion.
pub(crate) fn load(paths: &[&str], options: &LoadOptions) -> Result<ArrowFrame> {
    let _ = (paths, options);
    Err(needs_datafusion("load"))
}

/// Unsupported without DataFusion.
pub(crate) fn save(frame: &ArrowFrame, path: &str, options: &SaveOptions) -> Result<()> {
    let _ = (frame, path, options);
    Err(needs_datafusion("save"))
}
