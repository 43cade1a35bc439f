//! The description of a function declared with one of the transformer macros: its kind, the
//! shapes of its inputs and output, and its use of a callback. One vocabulary for the macros
//! (which emit it as const data), `workflow!`'s const checks (which read it) and the runtime
//! (which re-exports it as `fugue_runtime::transformer`).

use crate::ConstColumn;

/// The kind of extension a function is (reference §9.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// One input partition in, data out (`#[transformer]`).
    Transformer,
    /// One input partition in, nothing out (`#[output_transformer]`).
    OutputTransformer,
    /// Several inputs zipped by the same keys in, data out (`#[cotransformer]`).
    CoTransformer,
    /// Several zipped inputs in, nothing out (`#[output_cotransformer]`).
    OutputCoTransformer,
    /// Whole frames in, one frame out, on the driver (`#[processor]`).
    Processor,
    /// Nothing in, one frame out, on the driver (`#[creator]`).
    Creator,
    /// Whole frames in, nothing out, on the driver (`#[outputter]`).
    Outputter,
}

impl Kind {
    /// The attribute that declares this kind, without `#[]`.
    pub const fn attribute(self) -> &'static str {
        match self {
            Kind::Transformer => "transformer",
            Kind::OutputTransformer => "output_transformer",
            Kind::CoTransformer => "cotransformer",
            Kind::OutputCoTransformer => "output_cotransformer",
            Kind::Processor => "processor",
            Kind::Creator => "creator",
            Kind::Outputter => "outputter",
        }
    }

    /// Whether the kind runs once per logical partition (and implements `PartitionFunction`).
    pub const fn is_per_partition(self) -> bool {
        matches!(
            self,
            Kind::Transformer
                | Kind::OutputTransformer
                | Kind::CoTransformer
                | Kind::OutputCoTransformer
        )
    }

    /// Whether the kind takes several inputs zipped by key.
    pub const fn is_co(self) -> bool {
        matches!(self, Kind::CoTransformer | Kind::OutputCoTransformer)
    }

    /// The variant's name (`"CoTransformer"`), as the macros spell it in generated code.
    pub const fn variant(self) -> &'static str {
        match self {
            Kind::Transformer => "Transformer",
            Kind::OutputTransformer => "OutputTransformer",
            Kind::CoTransformer => "CoTransformer",
            Kind::OutputCoTransformer => "OutputCoTransformer",
            Kind::Processor => "Processor",
            Kind::Creator => "Creator",
            Kind::Outputter => "Outputter",
        }
    }

    /// Whether the kind returns no data.
    pub const fn is_output(self) -> bool {
        matches!(
            self,
            Kind::OutputTransformer | Kind::OutputCoTransformer | Kind::Outputter
        )
    }
}

/// How one data parameter receives its input.
#[derive(Debug, Clone, Copy)]
pub enum InputShape {
    /// Typed rows (`Vec<T>`, `&[T]`, `impl Iterator<Item = T>`): the columns of `T`.
    Typed {
        /// The record type's name.
        record: &'static str,
        /// Its columns (`<T as Record>::COLUMNS`).
        columns: &'static [ConstColumn],
    },
    /// Arrow data or a frame, whose schema is known only at run time.
    Dynamic,
    /// Every input of the step, any number of them, as one collection (a `DataFrames`
    /// parameter of a processor or outputter); their schemas are known only at run time.
    Frames,
}

/// What a function outputs.
#[derive(Debug, Clone, Copy)]
pub enum OutputShape {
    /// Nothing (output kinds).
    None,
    /// Typed rows: the columns of the record type, optionally with a hint that must agree.
    Typed {
        /// The record type's name.
        record: &'static str,
        /// Its columns (`<T as Record>::COLUMNS`).
        columns: &'static [ConstColumn],
        /// A schema hint given as well (checked against the columns).
        hint: Option<&'static str>,
    },
    /// Dynamic data described by a schema hint (`*` stands for the input's columns), written by
    /// hand: known at run time only (const evaluation never parses a hint).
    Hint(&'static str),
    /// A schema hint as the transformer macros emit it: the text, and its items parsed by
    /// fugue-core's parser when the macro expanded, so `workflow!` applies it in const
    /// evaluation with the run time's rule ([`crate::rules::apply_hint`]).
    ParsedHint {
        /// The hint as written.
        text: &'static str,
        /// Its items.
        items: &'static [crate::rules::HintItem<'static>],
    },
    /// Dynamic data whose schema is its own (processors and creators returning a frame or a
    /// batch).
    Dynamic,
}

/// Whether a function takes a callback (reference §7).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallbackUse {
    /// No callback parameter.
    None,
    /// `Option<Callback>`: `None` when the step is given no callback.
    Optional,
    /// `Callback`: a step without a callback fails its check, before any data moves.
    Required,
}
