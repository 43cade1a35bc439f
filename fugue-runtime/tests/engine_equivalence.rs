//! Property tests: the `local` engine (DataFusion over several partitions and threads) gives the
//! same results as the `native` engine (one partition, one thread) on random small tables with
//! NULLs and NaNs, for join, set operations, distinct, dropna, fillna and take; and set
//! operations follow multiset semantics checked against a naive count. Chains of operations
//! compare `local`'s lazy plans (a parquet scan, then steps fused into one query; transformer
//! and co-transformer steps, `dropna`, `fillna` and `alter_columns` as nodes of the plan) with
//! `native`'s eager steps.
#![cfg(feature = "datafusion")]

use fugue_runtime::engine::{
    DropHow, ExecutionEngine, FillValue, JoinHow, LOCAL_WORKERS, LoadOptions, LocalEngine,
    NaPosition, RelationalEngine, SaveOptions,
};
use fugue_runtime::fugue_core::FugueConfig;
use fugue_runtime::fugue_core::partition::parse_presort;
use fugue_runtime::fugue_core::{PartitionSpec, SortKey};
use fugue_runtime::{ArrowFrame, DataFrame, Value};
use proptest::prelude::*;
use std::sync::OnceLock;

fn presort(text: &str) -> Vec<SortKey> {
    parse_presort(text).expect("presort")
}

fn engines() -> &'static (LocalEngine, LocalEngine) {
    static ENGINES: OnceLock<(LocalEngine, LocalEngine)> = OnceLock::new();
    ENGINES.get_or_init(|| {
        let native = LocalEngine::native(FugueConfig::new()).expect("native");
        let local = LocalEngine::local(FugueConfig::new().with(LOCAL_WORKERS, "3").expect("conf"))
            .expect("local");
        (native, local)
    })
}

type Row = (Option<i32>, Option<String>, Option<f64>);

fn row() -> impl Strategy<Value = Row> {
    (
        prop::option::of(0..3_i32),
        prop::option::of(prop::sample::select(vec!["x".to_string(), "y".to_string()])),
        prop::option::of(prop::sample::select(vec![0.5, 1.0, f64::NAN])),
    )
}

fn table() -> impl Strategy<Value = Vec<Row>> {
    prop::collection::vec(row(), 0..12)
}

fn frame(schema: &str, rows: &[Row]) -> DataFrame {
    let rows: Vec<Vec<Value>> = rows
        .iter()
        .map(|(a, b, c)| {
            vec![
                Value::from(*a),
                b.clone().map_or(Value::Null, |s| Value::from(s.as_str())),
                Value::from(*c),
            ]
        })
        .collect();
    DataFrame::from(ArrowFrame::from_rows(schema, &rows).expect("frame"))
}

/// The rows printed (NaN prints the same everywhere), in order.
fn rows(mut df: DataFrame) -> Vec<String> {
    df.as_rows()
        .expect("rows")
        .into_iter()
        .map(|r| format!("{r:?}"))
        .collect()
}

fn sorted(df: DataFrame) -> Vec<String> {
    let mut r = rows(df);
    r.sort();
    r
}

/// Run `op` on both engines and compare (as multisets unless `ordered`).
fn same(
    op: impl Fn(&dyn ExecutionEngine) -> DataFrame,
    ordered: bool,
) -> Result<(), TestCaseError> {
    let (native, local) = engines();
    let (a, b) = (op(native), op(local));
    prop_assert_eq!(a.schema(), b.schema());
    if ordered {
        prop_assert_eq!(rows(a), rows(b));
    } else {
        prop_assert_eq!(sorted(a), sorted(b));
    }
    Ok(())
}

const S: &str = "a:int,b:str,c:double";

/// The table saved as parquet in `dir`, loaded back by the engine (lazy on `local`).
fn scanned(e: &dyn ExecutionEngine, dir: &std::path::Path, name: &str, rows: &[Row]) -> DataFrame {
    let path = dir.join(name);
    let path = path.to_str().expect("utf8");
    if !std::path::Path::new(path).exists() {
        e.save(frame(S, rows), path, &SaveOptions::default())
            .expect("save");
    }
    e.load(&[path], &LoadOptions::default()).expect("load")
}

/// Appends each row's position in its call (`i`) and the call's row count (`g`): its output
/// depends on how rows are grouped and in which order a group's rows come.
struct Numbered;

impl fugue_runtime::function::PartitionFunction for Numbered {
    fn name(&self) -> &str {
        "numbered"
    }

    fn output_schema(
        &self,
        inputs: &[fugue_runtime::fugue_core::Schema],
    ) -> fugue_runtime::fugue_core::Result<fugue_runtime::fugue_core::Schema> {
        inputs[0].transform("*,i:long,g:long")
    }

    fn call<'a>(
        &'a self,
        _: fugue_runtime::function::PartitionContext,
        mut inputs: Vec<fugue_runtime::function::BatchStream<'a>>,
    ) -> fugue_runtime::fugue_core::Result<fugue_runtime::function::BatchStream<'a>> {
        use arrow::array::{Array, Int64Array};
        let batches = inputs
            .remove(0)
            .collect::<fugue_runtime::fugue_core::Result<Vec<_>>>()?;
        let total: usize = batches.iter().map(|b| b.num_rows()).sum();
        let mut seen = 0_i64;
        let mut out = Vec::with_capacity(batches.len());
        for batch in batches {
            let n = batch.num_rows() as i64;
            let i = Int64Array::from_iter_values(seen..seen + n);
            let g = Int64Array::from(vec![total as i64; batch.num_rows()]);
            seen += n;
            let mut fields: Vec<arrow::datatypes::FieldRef> = batch.schema().fields().to_vec();
            fields.push(std::sync::Arc::new(arrow::datatypes::Field::new(
                "i",
                arrow::datatypes::DataType::Int64,
                true,
            )));
            fields.push(std::sync::Arc::new(arrow::datatypes::Field::new(
                "g",
                arrow::datatypes::DataType::Int64,
                true,
            )));
            let mut columns = batch.columns().to_vec();
            columns.push(std::sync::Arc::new(i) as arrow::array::ArrayRef);
            columns.push(std::sync::Arc::new(g));
            debug_assert_eq!(columns[0].len(), batch.num_rows());
            out.push(arrow::array::RecordBatch::try_new(
                std::sync::Arc::new(arrow::datatypes::Schema::new(fields)),
                columns,
            )?);
        }
        Ok(fugue_runtime::function::stream_of(out))
    }
}

/// A zipped pair's row counts per key (`k` = the key, NULL included).
struct ZipCounts;

impl fugue_runtime::function::PartitionFunction for ZipCounts {
    fn name(&self) -> &str {
        "zip_counts"
    }

    fn output_schema(
        &self,
        _: &[fugue_runtime::fugue_core::Schema],
    ) -> fugue_runtime::fugue_core::Result<fugue_runtime::fugue_core::Schema> {
        fugue_runtime::fugue_core::Schema::parse("k:int,left:long,right:long")
    }

    fn call<'a>(
        &'a self,
        ctx: fugue_runtime::function::PartitionContext,
        inputs: Vec<fugue_runtime::function::BatchStream<'a>>,
    ) -> fugue_runtime::fugue_core::Result<fugue_runtime::function::BatchStream<'a>> {
        let mut counts = Vec::new();
        for input in inputs {
            let mut n = 0_i64;
            for batch in input {
                n += batch?.num_rows() as i64;
            }
            counts.push(Value::from(n));
        }
        let key = ctx.cursor.key("a").cloned().unwrap_or(Value::Null);
        let row = vec![key, counts[0].clone(), counts[1].clone()];
        let frame = ArrowFrame::from_rows("k:int,left:long,right:long", &[row])?;
        Ok(fugue_runtime::function::stream_of(frame.into_batches()))
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, ..ProptestConfig::default() })]

    /// Transformer and co-transformer steps over plans (nodes of the plan on `local`), with
    /// `dropna`/`fillna`/`alter_columns` nodes around them, give `native`'s eager rows: the same
    /// groups, the same order inside each group (presort, then input order).
    #[test]
    fn transformer_nodes_agree_with_eager_steps(left in table(), right in table(), keyed in any::<bool>()) {
        use fugue_runtime::function::Params;
        use std::sync::Arc;
        let dir = tempfile::tempdir().expect("tempdir");
        let spec = if keyed {
            PartitionSpec::parse("by=a; presort=c desc, b").expect("spec")
        } else {
            PartitionSpec::new()
        };
        let chain = |e: &dyn ExecutionEngine| {
            let l = scanned(e, dir.path(), "l.parquet", &left);
            let filled = e
                .fillna(l, &FillValue::All(Value::from("z")), Some(&["b"]))
                .expect("fillna");
            let numbered = e
                .map(filled, Arc::new(Numbered), &spec, Arc::new(Params::new()), None)
                .expect("map");
            let kept = e.dropna(numbered, DropHow::Any, None, Some(&["a"])).expect("dropna");
            e.alter_columns(kept, &"g:int".parse().expect("schema")).expect("alter")
        };
        let (native, local) = engines();
        let lazy = chain(local);
        prop_assert!(matches!(lazy, DataFrame::Plan(_)), "{}", lazy.kind_name());
        let eager = chain(native);
        prop_assert_eq!(eager.schema(), lazy.schema());
        prop_assert_eq!(sorted(eager), sorted(lazy));
        let zipped = |e: &dyn ExecutionEngine| {
            let l = scanned(e, dir.path(), "l.parquet", &left);
            let r = scanned(e, dir.path(), "r.parquet", &right);
            e.comap(
                vec![l, r],
                fugue_runtime::engine::ZipHow::FullOuter,
                &PartitionSpec::by(["a"]).expect("spec"),
                Arc::new(ZipCounts),
                Arc::new(Params::new()),
                None,
            )
            .expect("comap")
        };
        let lazy = zipped(local);
        prop_assert!(matches!(lazy, DataFrame::Plan(_)), "{}", lazy.kind_name());
        prop_assert_eq!(sorted(zipped(native)), sorted(lazy));
    }

    #[test]
    fn chained_plans_agree_with_eager_steps(left in table(), right in table(), n in 0..4_usize) {
        let dir = tempfile::tempdir().expect("tempdir");
        let chain = |e: &dyn ExecutionEngine| {
            let l = scanned(e, dir.path(), "l.parquet", &left);
            let r = scanned(e, dir.path(), "r.parquet", &right)
                .rename(&[("b", "x"), ("c", "y")])
                .expect("rename");
            let kept = e.filter(l, "c > 0.5 OR c IS NULL").expect("filter");
            let joined = e.join(kept, r, JoinHow::LeftOuter, &["a"]).expect("join");
            let summed = e
                .assign(joined, &[("z", "COALESCE(y, 0) + 1")])
                .expect("assign");
            let grouped = e
                .aggregate(summed, &["a"], &[("n", "COUNT(*)"), ("total", "SUM(z)")])
                .expect("aggregate");
            let again = e.union(
                grouped,
                scanned(e, dir.path(), "l.parquet", &left)
                    .select(&["a"])
                    .and_then(|f| e.assign(f, &[("n", "CAST(1 AS BIGINT)"), ("total", "CAST(0.0 AS DOUBLE)")]))
                    .expect("second branch"),
                false,
            ).expect("union");
            e.take(again, n, &presort("a, n desc, total"), NaPosition::Last, None).expect("take")
        };
        let (native, local) = engines();
        let lazy = chain(local);
        prop_assert!(matches!(lazy, DataFrame::Plan(_)), "{}", lazy.kind_name());
        let eager = chain(native);
        prop_assert_eq!(eager.schema(), lazy.schema());
        prop_assert_eq!(rows(eager), rows(lazy));
        let mixed = |e: &dyn ExecutionEngine| {
            let l = scanned(e, dir.path(), "l.parquet", &left);
            let d = e.distinct(l).expect("distinct");
            e.subtract(d, frame(S, &right), true).expect("except")
        };
        same(mixed, false)?;
    }

    #[test]
    fn joins_agree(left in table(), right in table()) {
        for how in ["inner", "left_outer", "right_outer", "full_outer", "semi", "anti"] {
            let how: JoinHow = how.parse().expect("join type");
            same(|e| e.join(frame(S, &left), frame("a:int,x:str,y:double", &right), how, &[])
                .expect("join"), false)?;
        }
        same(|e| e.join(frame(S, &left), frame("p:int,q:str,r:double", &right), JoinHow::Cross, &[])
            .expect("cross"), false)?;
    }

    #[test]
    fn set_operations_agree_and_count_copies(left in table(), right in table()) {
        for distinct in [true, false] {
            same(|e| e.union(frame(S, &left), frame(S, &right), distinct).expect("union"), false)?;
            same(|e| e.subtract(frame(S, &left), frame(S, &right), distinct).expect("subtract"), false)?;
            same(|e| e.intersect(frame(S, &left), frame(S, &right), distinct).expect("intersect"), false)?;
        }
        // Multiset semantics against a naive count over printed rows (NULL = NULL, NaN = NaN).
        let (native, _) = engines();
        let l = rows(frame(S, &left));
        let r = rows(frame(S, &right));
        let count = |v: &[String], x: &String| v.iter().filter(|y| *y == x).count();
        let mut keys: Vec<String> = l.clone();
        keys.sort();
        keys.dedup();
        let except = sorted(native.subtract(frame(S, &left), frame(S, &right), false).expect("except all"));
        let intersect = sorted(native.intersect(frame(S, &left), frame(S, &right), false).expect("intersect all"));
        for k in &keys {
            prop_assert_eq!(count(&except, k), count(&l, k).saturating_sub(count(&r, k)));
            prop_assert_eq!(count(&intersect, k), count(&l, k).min(count(&r, k)));
        }
    }

    #[test]
    fn row_operations_agree(t in table(), thresh in 0..4_usize, n in 0..4_usize) {
        same(|e| e.distinct(frame(S, &t)).expect("distinct"), false)?;
        for how in [DropHow::Any, DropHow::All] {
            same(|e| e.dropna(frame(S, &t), how, None, None).expect("dropna"), false)?;
        }
        same(|e| e.dropna(frame(S, &t), DropHow::Any, Some(thresh), Some(&["a", "c"])).expect("thresh"), false)?;
        let fill = FillValue::PerColumn(vec![("a".into(), Value::from(9_i64)), ("b".into(), Value::from("z"))]);
        same(|e| e.fillna(frame(S, &t), &fill, None).expect("fillna"), false)?;
        for na in [NaPosition::First, NaPosition::Last] {
            same(|e| e.take(frame(S, &t), n, &presort("c desc, b"), na, None).expect("take"), true)?;
            let spec = PartitionSpec::by(["a"]).expect("spec");
            same(|e| e.take(frame(S, &t), n, &presort("b"), na, Some(&spec)).expect("take by a"), true)?;
        }
        // No presort: the input order.
        same(|e| e.take(frame(S, &t), n, &[], NaPosition::Last, None).expect("take"), true)?;
    }
}
