//! `load` and `save` without the `datafusion` feature: unsupported.

use super::options::{FileFormat, LoadOptions, SaveOptions};
use super::relational::needs_datafusion;
use crate::frame::{ArrowFrame, DataFrame};
use fugue_core::Result;
use std::path::PathBuf;

/// Unsupported without DataFusion.
pub(crate) fn load(paths: &[&str], options: &LoadOptions) -> Result<ArrowFrame> {
    let _ = (paths, options);
    Err(needs_datafusion("load"))
}

/// Unsupported without DataFusion.
pub(crate) fn save(frame: DataFrame, path: &str, options: &SaveOptions) -> Result<()> {
    let _ = (frame, path, options);
    Err(needs_datafusion("save"))
}

/// Unsupported without DataFusion.
pub(crate) fn load_files(paths: &[&str], format: Option<FileFormat>) -> Result<Vec<PathBuf>> {
    let _ = (paths, format);
    Err(needs_datafusion("load"))
}
