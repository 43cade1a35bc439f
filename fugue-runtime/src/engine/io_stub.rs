//! `load` and `save` without the `datafusion` feature: unsupported.

use super::options::{FileFormat, LoadFile, LoadFiles, LoadOptions, SaveOptions};
use super::relational::needs_datafusion;
use crate::frame::{ArrowFrame, DataFrame};
use fugue_core::Result;

/// Unsupported without DataFusion.
pub(crate) fn load(files: &LoadFiles, options: &LoadOptions) -> Result<ArrowFrame> {
    let _ = (files, options);
    Err(needs_datafusion("load"))
}

/// Unsupported without DataFusion.
pub(crate) fn save(frame: DataFrame, path: &str, options: &SaveOptions) -> Result<()> {
    let _ = (frame, path, options);
    Err(needs_datafusion("save"))
}

/// Unsupported without DataFusion.
pub(super) fn expand(paths: &[&str], format: Option<FileFormat>) -> Result<Vec<LoadFile>> {
    let _ = (paths, format);
    Err(needs_datafusion("load"))
}
