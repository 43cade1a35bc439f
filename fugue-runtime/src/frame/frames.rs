//! [`DataFrames`]: the inputs of a driver-side function, in order, named or not.

use super::DataFrame;
use crate::engine::ExecutionEngine;
use fugue_core::{FugueError, Result};

/// Several frames in order, either all named or all positional (Fugue's `DataFrames`): what a
/// `#[processor]` or `#[outputter]` parameter of type `DataFrames` receives, whatever the number
/// of inputs of its step.
///
/// Positional frames are called `_0`, `_1`, ... (Fugue's keys) where a name is needed, as in
/// [`DataFrames::sql`].
///
/// ```
/// # #[cfg(feature = "datafusion")] {
/// use fugue_runtime::engine::make_engine;
/// use fugue_runtime::frame::DataFrames;
/// use fugue_runtime::{IntoDataFrame, Value};
///
/// let trips = (vec![vec![Value::from(1_i64), Value::from(9.5)]], "zone:long,fare:double")
///     .into_dataframe()?;
/// let zones = (vec![vec![Value::from(1_i64), Value::from("Soho")]], "zone:long,name:str")
///     .into_dataframe()?;
/// let dfs = DataFrames::named([("trips", trips), ("zones", zones)])?;
/// assert_eq!(dfs.names(), ["trips", "zones"]);
/// assert_eq!(dfs.by_name("zones")?.schema().to_string(), "zone:long,name:str");
///
/// let engine = make_engine("native", ())?;
/// let mut out = dfs.sql(
///     engine.as_ref(),
///     "SELECT name, fare FROM trips JOIN zones USING (zone)",
/// )?;
/// assert_eq!(out.as_rows()?, vec![vec![Value::from("Soho"), Value::from(9.5)]]);
/// # }
/// # Ok::<(), fugue_runtime::fugue_core::FugueError>(())
/// ```
#[derive(Debug, Default)]
pub struct DataFrames {
    frames: Vec<DataFrame>,
    names: Option<Vec<String>>,
}

impl DataFrames {
    /// Positional frames.
    pub fn positional(frames: Vec<DataFrame>) -> Self {
        DataFrames {
            frames,
            names: None,
        }
    }

    /// Named frames, in the order given. An empty or repeated name is
    /// [`FugueError::InvalidArgument`].
    pub fn named<S: Into<String>>(
        frames: impl IntoIterator<Item = (S, DataFrame)>,
    ) -> Result<Self> {
        let (names, frames): (Vec<String>, Vec<DataFrame>) =
            frames.into_iter().map(|(n, f)| (n.into(), f)).unzip();
        check_names(&names)?;
        Ok(DataFrames {
            frames,
            names: Some(names),
        })
    }

    /// `frames` under `names` (checked) when there are names, else positional; the counts
    /// must agree.
    pub(crate) fn with_names(frames: Vec<DataFrame>, names: Option<&[String]>) -> Result<Self> {
        match names {
            None => Ok(DataFrames::positional(frames)),
            Some(names) if names.len() == frames.len() => {
                DataFrames::named(names.iter().cloned().zip(frames))
            }
            Some(names) => Err(FugueError::Internal(format!(
                "{} input names for {} inputs",
                names.len(),
                frames.len()
            ))),
        }
    }

    /// How many frames.
    pub fn len(&self) -> usize {
        self.frames.len()
    }

    /// Whether there is none.
    pub fn is_empty(&self) -> bool {
        self.frames.is_empty()
    }

    /// Whether the frames were given names (else they are positional).
    pub fn has_names(&self) -> bool {
        self.names.is_some()
    }

    /// The frames' names: as given, or `_0`, `_1`, ... for positional frames.
    pub fn names(&self) -> Vec<String> {
        match &self.names {
            Some(names) => names.clone(),
            None => (0..self.frames.len()).map(|i| format!("_{i}")).collect(),
        }
    }

    /// The `i`-th frame.
    pub fn get(&self, i: usize) -> Option<&DataFrame> {
        self.frames.get(i)
    }

    /// The `i`-th frame, mutably (to read its rows).
    pub fn get_mut(&mut self, i: usize) -> Option<&mut DataFrame> {
        self.frames.get_mut(i)
    }

    fn position(&self, name: &str) -> Result<usize> {
        let names = self.names();
        names.iter().position(|n| n == name).ok_or_else(|| {
            let known =
                fugue_core::error::names_for(name, names.iter().map(String::as_str), "none");
            FugueError::invalid_argument(
                "input name",
                format!("no input is named `{name}`; the inputs are {known}"),
            )
        })
    }

    /// The frame named `name` (`_0`, `_1`, ... for positional frames); a missing name is
    /// [`FugueError::InvalidArgument`] listing the names there are.
    pub fn by_name(&self, name: &str) -> Result<&DataFrame> {
        Ok(&self.frames[self.position(name)?])
    }

    /// The frame named `name`, mutably.
    pub fn by_name_mut(&mut self, name: &str) -> Result<&mut DataFrame> {
        let i = self.position(name)?;
        Ok(&mut self.frames[i])
    }

    /// Iterate over the frames in order.
    pub fn iter(&self) -> std::slice::Iter<'_, DataFrame> {
        self.frames.iter()
    }

    /// The frames, in order.
    pub fn into_vec(self) -> Vec<DataFrame> {
        self.frames
    }

    /// The frames with their [`names`](Self::names), in order.
    pub fn into_named(self) -> Vec<(String, DataFrame)> {
        self.names().into_iter().zip(self.frames).collect()
    }

    /// Run `query` on `engine`'s SQL with these frames as its tables, under their
    /// [`names`](Self::names) ([`RelationalEngine::sql`](crate::engine::RelationalEngine::sql)).
    pub fn sql(self, engine: &dyn ExecutionEngine, query: &str) -> Result<DataFrame> {
        let names = self.names();
        let tables = names.iter().map(String::as_str).zip(self.frames).collect();
        engine.sql(tables, query)
    }
}

/// Input names are not empty and not repeated: [`FugueError::InvalidArgument`] otherwise.
pub(crate) fn check_names(names: &[String]) -> Result<()> {
    for (i, name) in names.iter().enumerate() {
        if name.trim().is_empty() {
            return Err(FugueError::invalid_argument(
                "input names",
                "an input name must not be empty",
            ));
        }
        if names[..i].contains(name) {
            return Err(FugueError::invalid_argument(
                "input names",
                format!("the input name `{name}` is given twice; each input needs its own"),
            ));
        }
    }
    Ok(())
}

impl From<Vec<DataFrame>> for DataFrames {
    fn from(frames: Vec<DataFrame>) -> Self {
        DataFrames::positional(frames)
    }
}

impl IntoIterator for DataFrames {
    type Item = DataFrame;
    type IntoIter = std::vec::IntoIter<DataFrame>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames.into_iter()
    }
}

impl<'a> IntoIterator for &'a DataFrames {
    type Item = &'a DataFrame;
    type IntoIter = std::slice::Iter<'a, DataFrame>;

    fn into_iter(self) -> Self::IntoIter {
        self.frames.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{ArrowFrame, Value};
    use fugue_core::ErrorKind;

    fn df(schema: &str) -> DataFrame {
        ArrowFrame::from_rows(schema, &[vec![Value::from(1_i32)]])
            .unwrap()
            .into()
    }

    #[test]
    fn positional_frames_are_numbered() {
        let dfs = DataFrames::from(vec![df("a:int"), df("b:int")]);
        assert!(!dfs.has_names());
        assert_eq!(dfs.names(), ["_0", "_1"]);
        assert_eq!(dfs.by_name("_1").unwrap().schema().to_string(), "b:int");
        let e = dfs.by_name("a").unwrap_err();
        assert_eq!(e.kind(), ErrorKind::InvalidArgument);
        assert!(e.to_string().contains("the inputs are `_0`, `_1`"), "{e}");
        let named = DataFrames::named([("trips", df("a:int"))]).unwrap();
        let e = named.by_name("trps").unwrap_err();
        assert!(
            e.to_string()
                .ends_with("the inputs are `trips`; did you mean `trips`?"),
            "{e}"
        );
    }

    #[test]
    fn names_are_unique_and_not_empty() {
        let e = DataFrames::named([("x", df("a:int")), ("x", df("b:int"))]).unwrap_err();
        assert!(e.to_string().contains("`x` is given twice"), "{e}");
        let e = DataFrames::named([(" ", df("a:int"))]).unwrap_err();
        assert!(e.to_string().contains("must not be empty"), "{e}");
        let dfs = DataFrames::named([("y", df("a:int")), ("x", df("b:int"))]).unwrap();
        assert_eq!(dfs.names(), ["y", "x"]);
        let order: Vec<String> = dfs.iter().map(|f| f.schema().to_string()).collect();
        assert_eq!(order, ["a:int", "b:int"]);
    }
}
