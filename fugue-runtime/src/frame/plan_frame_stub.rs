//! [`PlanFrame`] without the `datafusion` feature: no plan can be made, so no value of the type
//! is ever constructed (its field is private and nothing makes one).

use super::Metadata;
use super::arrow_frame::ArrowFrame;
use super::stream_frame::StreamFrame;
use fugue_core::{Result, Schema};

/// A lazy frame of a DataFusion plan; without the `datafusion` feature there is none.
#[derive(Debug, Clone)]
pub struct PlanFrame {
    _none: (),
}

/// What every method does: nothing can call it, since no plan frame exists.
fn none() -> ! {
    unreachable!("a PlanFrame exists only with the `datafusion` feature")
}

impl PlanFrame {
    /// The schema.
    pub fn schema(&self) -> &Schema {
        none()
    }

    /// The metadata.
    pub fn metadata(&self) -> &Metadata {
        none()
    }

    /// The frame with its metadata replaced.
    pub fn with_metadata(self, _metadata: Metadata) -> Self {
        none()
    }

    /// Run the plan and keep every row.
    pub fn collect(self) -> Result<ArrowFrame> {
        none()
    }

    /// The first `n` rows.
    pub fn head(&self, _n: usize) -> Result<ArrowFrame> {
        none()
    }

    /// The number of rows.
    pub fn count(&self) -> Result<usize> {
        none()
    }

    /// The frame as a single-pass stream.
    pub fn into_stream(self) -> Result<StreamFrame> {
        none()
    }

    /// The listed columns.
    pub fn select(self, _columns: &[&str]) -> Result<PlanFrame> {
        none()
    }

    /// Every column but the listed ones.
    pub fn drop(self, _columns: &[&str]) -> Result<PlanFrame> {
        none()
    }

    /// The frame with columns renamed.
    pub fn rename(self, _pairs: &[(&str, &str)]) -> Result<PlanFrame> {
        none()
    }

    /// The plan's text.
    pub fn explain(&self, _physical: bool) -> Result<String> {
        none()
    }
}
