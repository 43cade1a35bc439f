//! Engine operations beyond the acceptance cases: awkward column names, every supported type
//! through DataFusion without a type change, NaN/NULL equality, SQL errors, comap.
#![cfg(feature = "datafusion")]

use arrow::array::{Int64Array, RecordBatch};
use fugue_runtime::engine::{
    ExecutionEngine, JoinHow, LOCAL_WORKERS, LocalEngine, NaPosition, RelationalEngine,
    SelectQuery, ZipHow,
};
use fugue_runtime::fugue_core::FugueConfig;
use fugue_runtime::fugue_core::partition::parse_presort;
use fugue_runtime::fugue_core::{ErrorKind, PartitionSpec, Result, Schema};
use fugue_runtime::function::{
    BatchStream, Params, PartitionContext, PartitionFunction, stream_of,
};
use fugue_runtime::{ArrowFrame, DataFrame, Value};
use std::sync::{Arc, Mutex};

fn engines() -> Vec<LocalEngine> {
    vec![
        LocalEngine::native(FugueConfig::new()).expect("native"),
        LocalEngine::local(FugueConfig::new().with(LOCAL_WORKERS, "2").expect("conf"))
            .expect("local"),
    ]
}

fn df(schema: &str, rows: Vec<Vec<Value>>) -> DataFrame {
    DataFrame::from(ArrowFrame::from_rows(schema, &rows).expect("frame"))
}

mod common;
use common::sorted_rows as sorted;

#[test]
fn awkward_column_names_are_quoted() {
    let schema = "`a b`:int,`x\"y`:str,`q``t`:double,Upper:int";
    let rows = || {
        vec![
            vec![
                Value::from(1_i32),
                Value::from("p"),
                Value::from(1.0),
                Value::from(7_i32),
            ],
            vec![
                Value::from(2_i32),
                Value::Null,
                Value::Null,
                Value::from(8_i32),
            ],
        ]
    };
    for e in engines() {
        let out = e
            .take(
                df(schema, rows()),
                1,
                &parse_presort("`x\"y` desc").expect("presort"),
                NaPosition::First,
                None,
            )
            .expect("take");
        assert_eq!(out.schema(), &Schema::parse(schema).expect("schema"));
        assert_eq!(out.count().expect("count"), 1);
        let out = e.distinct(df(schema, rows())).expect("distinct");
        assert_eq!(out.count().expect("count"), 2);
        let other = df(
            "`a b`:int,`z z`:str",
            vec![vec![Value::from(2_i32), Value::from("w")]],
        );
        let mut joined = e
            .join(df(schema, rows()), other, JoinHow::Inner, &[])
            .expect("join");
        assert_eq!(joined.as_rows().expect("rows")[0][4], Value::from("w"));
        let out = e
            .filter(df(schema, rows()), "Upper > 7")
            .expect("case kept");
        assert_eq!(out.count().expect("count"), 1);
        let out = e
            .assign(df(schema, rows()), &[("new col", "\"a b\" + Upper")])
            .expect("assign");
        assert_eq!(out.schema().names().last(), Some("new col"));
    }
}

#[test]
fn every_type_passes_through_unchanged() {
    let schema = "i8:byte,u64:ulong,f32:float,s:str,bin:bytes,d:date,ts:datetime,\
                  tz:timestamp(ms,UTC),dec:decimal(5,2),l:[int],st:{x:int,y:str},m:<str,long>,\
                  flag:bool";
    let row = |k: i64| {
        vec![
            Value::from(k),
            Value::UInt64(u64::MAX - k as u64),
            Value::from(1.5_f32),
            Value::from("text"),
            Value::from(&b"\x00\x01"[..]),
            Value::from("2024-02-29"),
            Value::from("2024-01-01T08:00:00.250000"),
            Value::from("2024-01-01T00:00:00Z"),
            Value::from("123.45"),
            Value::List(vec![Value::from(1_i32), Value::Null]),
            Value::from(vec![("x", Value::from(k)), ("y", Value::Null)]),
            Value::from(vec![(Value::from("k"), Value::from(k))]),
            Value::from(k % 2 == 0),
        ]
    };
    let input = || df(schema, vec![row(1), row(2), row(1)]);
    let expected = Schema::parse(schema).expect("schema");
    for e in engines() {
        let out = e
            .take(
                input(),
                5,
                &parse_presort("i8 desc").expect("presort"),
                NaPosition::Last,
                None,
            )
            .expect("take");
        assert_eq!(out.schema(), &expected, "{}", e.name());
        assert_eq!(sorted(out), sorted(input()));
        let out = e.union(input(), input(), false).expect("union all");
        assert_eq!(out.schema(), &expected);
        assert_eq!(out.count().expect("count"), 6);
        let out = e.filter(input(), "i8 = 2").expect("filter");
        assert_eq!(out.schema(), &expected);
        let out = e
            .select(input(), &SelectQuery::new(["s", "l", "m"]))
            .expect("select");
        assert_eq!(out.schema().to_string(), "s:str,l:[int],m:<str,long>");
    }
}

#[test]
fn nan_and_null_are_values_for_distinct_and_set_operations() {
    let rows = || {
        vec![
            vec![Value::from(f64::NAN)],
            vec![Value::from(f64::NAN)],
            vec![Value::Null],
            vec![Value::Null],
            vec![Value::from(1.0)],
        ]
    };
    for e in engines() {
        assert_eq!(
            e.distinct(df("a:double", rows()))
                .expect("distinct")
                .count()
                .expect("n"),
            3
        );
        let one_nan = df(
            "a:double",
            vec![vec![Value::from(f64::NAN)], vec![Value::Null]],
        );
        let out = e
            .subtract(df("a:double", rows()), one_nan, false)
            .expect("except all");
        assert_eq!(sorted(out).len(), 3, "{}", e.name());
        let out = e
            .intersect(df("a:double", rows()), df("a:double", rows()), true)
            .expect("intersect");
        assert_eq!(out.count().expect("n"), 3);
    }
}

#[test]
fn sql_errors_have_kinds() {
    let input = || df("a:int", vec![vec![Value::from(1_i32)]]);
    for e in engines() {
        let err = e.filter(input(), "zz > 1").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ColumnNotFound, "{err}");
        assert!(err.to_string().contains("zz"), "{err}");
        let err = e.filter(input(), "a >").unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        let err = e
            .select(input(), &SelectQuery::new(["a; DROP TABLE t0"]))
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        let err = e.assign(input(), &[("s", "SUM(a)")]).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{err}");
        let err = e
            .aggregate(input(), &["zz"], &[("n", "COUNT(*)")])
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::ColumnNotFound, "{err}");
        let mut out = e
            .select(
                input(),
                &SelectQuery::new(["a", "COUNT(*) AS n"]).having("COUNT(*) > 0"),
            )
            .expect("group by with having");
        assert_eq!(out.schema().to_string(), "a:int,n:long");
        assert_eq!(out.as_rows().expect("rows").len(), 1);
    }
}

/// Counts the rows of each input per call, by key `a`.
struct Counter {
    calls: Mutex<Vec<(Value, Vec<usize>)>>,
}

impl PartitionFunction for Counter {
    fn name(&self) -> &str {
        "counter"
    }

    fn output_schema(&self, _inputs: &[Schema]) -> Result<Schema> {
        Schema::parse("n:long")
    }

    fn call<'a>(
        &'a self,
        ctx: PartitionContext,
        inputs: Vec<BatchStream<'a>>,
    ) -> Result<BatchStream<'a>> {
        let mut counts = Vec::new();
        for stream in inputs {
            let mut n = 0;
            for batch in stream {
                n += batch?.num_rows();
            }
            counts.push(n);
        }
        let key = ctx.cursor.key("a").cloned().unwrap_or(Value::Null);
        self.calls
            .lock()
            .map_err(|_| fugue_runtime::fugue_core::FugueError::Internal("poisoned".into()))?
            .push((key, counts.clone()));
        let total: i64 = counts.iter().map(|c| *c as i64).sum();
        let schema = Arc::new(Schema::parse("n:long")?.to_arrow());
        let batch = RecordBatch::try_new(schema, vec![Arc::new(Int64Array::from(vec![total]))])?;
        Ok(stream_of(vec![batch]))
    }
}

/// A call's key and the row count of each input.
type KeyCounts = (i32, Vec<usize>);

#[test]
fn comap_matches_the_reference_example() {
    // Reference §2.7: a = a:int,b:int [[1,2],[3,4],[1,5]]; b = c:int,a:int [[6,1],[2,7]].
    let a = || {
        df(
            "a:int,b:int",
            vec![
                vec![Value::from(1_i32), Value::from(2_i32)],
                vec![Value::from(3_i32), Value::from(4_i32)],
                vec![Value::from(1_i32), Value::from(5_i32)],
            ],
        )
    };
    let b = || {
        df(
            "c:int,a:int",
            vec![
                vec![Value::from(6_i32), Value::from(1_i32)],
                vec![Value::from(2_i32), Value::from(7_i32)],
            ],
        )
    };
    let expected: [(ZipHow, Vec<KeyCounts>); 4] = [
        (ZipHow::Inner, vec![(1, vec![2, 1])]),
        (ZipHow::LeftOuter, vec![(1, vec![2, 1]), (3, vec![1, 0])]),
        (ZipHow::RightOuter, vec![(1, vec![2, 1]), (7, vec![0, 1])]),
        (
            ZipHow::FullOuter,
            vec![(1, vec![2, 1]), (3, vec![1, 0]), (7, vec![0, 1])],
        ),
    ];
    for e in engines() {
        for (how, want) in &expected {
            let counter = Arc::new(Counter {
                calls: Mutex::new(Vec::new()),
            });
            let out = e
                .comap(
                    vec![a(), b()],
                    *how,
                    &PartitionSpec::new(),
                    counter.clone(),
                    Arc::new(Params::new()),
                    None,
                )
                .expect("comap");
            assert_eq!(out.schema().to_string(), "n:long");
            let calls = std::mem::take(&mut *counter.calls.lock().expect("calls"));
            let mut got: Vec<KeyCounts> = calls
                .into_iter()
                .map(|(k, c)| (k.as_i64().unwrap_or(-1) as i32, c))
                .collect();
            // The `local` engine runs key groups on several workers: compare the calls as a
            // multiset (the expected lists are sorted by key).
            got.sort();
            assert_eq!(&got, want, "{how:?} on {}", e.name());
        }
        let cross = e.comap(
            vec![a(), b()],
            ZipHow::Cross,
            &PartitionSpec::by(["a"]).expect("spec"),
            Arc::new(Counter {
                calls: Mutex::new(Vec::new()),
            }),
            Arc::new(Params::new()),
            None,
        );
        assert_eq!(cross.unwrap_err().kind(), ErrorKind::InvalidArgument);
    }
}
