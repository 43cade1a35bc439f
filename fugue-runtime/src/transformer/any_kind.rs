//! [`AnyKind`]: a function of any kind as the step function of any verb, so that the expansion
//! of every `workflow!` verb type-checks whatever kind of function it is given, and a function of
//! the wrong kind is reported by the verb's const kind check, in its own words (naming the
//! function's kind and the verb to use), never by a trait bound (E0277).
//!
//! The macros implement [`AnyKind`] on every function they declare: the conversion of its own
//! kind gives the function itself (or its [`Ext`](crate::workflow::Ext) wrapper), the others give [`WrongKind`],
//! which the const kind check keeps from ever being built into a program that compiles.

use super::{Kind, Transformer};
use crate::engine::ExecutionEngine;
use crate::frame::{DataFrame, DataFrames};
use crate::function::{BatchStream, Params, PartitionContext, PartitionFunction};
use crate::workflow::{CreateFn, OutputFn, ProcessFn};
use fugue_core::{FugueError, Result, Schema};
use std::marker::PhantomData;

/// A function declared with one of the macros, as the step function of every verb.
#[doc(hidden)]
pub trait AnyKind: Transformer + Sized {
    /// As a per-partition function (`transform`, `cotransform`, ...).
    type Partition: PartitionFunction + 'static;
    /// As a creator (`create(using: ..)`).
    type Create: CreateFn + 'static;
    /// As a processor (`process`).
    type Process: ProcessFn + 'static;
    /// As an outputter (`output`).
    type Output: OutputFn + 'static;

    /// The function as a per-partition function.
    fn into_partition(self) -> Self::Partition;
    /// The function as a creator.
    fn into_create(self) -> Self::Create;
    /// The function as a processor.
    fn into_process(self) -> Self::Process;
    /// The function as an outputter.
    fn into_output(self) -> Self::Output;
}

/// `T` where a function of another kind is expected. Every use is an error naming `T`'s kind;
/// a `workflow!` program never gets to one (its const kind check fails first).
#[doc(hidden)]
pub struct WrongKind<T>(PhantomData<fn() -> T>);

impl<T> WrongKind<T> {
    /// The stand-in for `T`.
    pub fn new() -> Self {
        WrongKind(PhantomData)
    }
}

impl<T> Default for WrongKind<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<T: Transformer> WrongKind<T> {
    fn error(&self) -> FugueError {
        wrong_kind(T::NAME, T::KIND)
    }
}

/// The error of a function used as a step function of another kind.
fn wrong_kind(name: &str, kind: Kind) -> FugueError {
    FugueError::invalid_argument(
        name,
        format!(
            "`{name}` is a `#[{}]` and cannot run as this step's function",
            kind.attribute()
        ),
    )
}

impl<T: Transformer> PartitionFunction for WrongKind<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn output_schema(&self, _: &[Schema]) -> Result<Schema> {
        Err(self.error())
    }

    fn call<'a>(&'a self, _: PartitionContext, _: Vec<BatchStream<'a>>) -> Result<BatchStream<'a>> {
        Err(self.error())
    }
}

impl<T: Transformer> CreateFn for WrongKind<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn create(&self, _: &dyn ExecutionEngine, _: &Params) -> Result<DataFrame> {
        Err(self.error())
    }
}

impl<T: Transformer> ProcessFn for WrongKind<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn process(&self, _: &dyn ExecutionEngine, _: DataFrames, _: &Params) -> Result<DataFrame> {
        Err(self.error())
    }
}

impl<T: Transformer> OutputFn for WrongKind<T> {
    fn name(&self) -> &str {
        T::NAME
    }

    fn output(&self, _: &dyn ExecutionEngine, _: DataFrames, _: &Params) -> Result<()> {
        Err(self.error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::transformer::{CallbackUse, InputShape, OutputShape};

    struct Dedup;
    impl Transformer for Dedup {
        const NAME: &'static str = "dedup";
        const KIND: Kind = Kind::Processor;
        const INPUTS: &'static [InputShape] = &[];
        const OUTPUT: OutputShape = OutputShape::Dynamic;
        const RULES: &'static [(&'static str, &'static str)] = &[];
        const PARAMS: &'static [(&'static str, &'static str)] = &[];
        const CALLBACK: CallbackUse = CallbackUse::None;
        const CURSOR: bool = false;
    }

    #[test]
    fn a_wrong_kind_is_an_error_naming_the_kind() {
        let f = WrongKind::<Dedup>::new();
        let e = PartitionFunction::output_schema(&f, &[]).unwrap_err();
        assert_eq!(e.kind(), fugue_core::ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("`dedup` is a `#[processor]`"), "{e}");
        let engine = crate::engine::make_engine("native", ()).unwrap();
        assert!(CreateFn::create(&f, engine.as_ref(), &Params::new()).is_err());
        let none = DataFrames::default();
        assert!(OutputFn::output(&f, engine.as_ref(), none, &Params::new()).is_err());
    }
}
