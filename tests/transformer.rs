//! Behaviour of the transformer macros (issue 3, "Must show"): one call per key group with the
//! presort honoured, a NULL key as its own group, `even` partitions, bounded memory for
//! streaming transformers, errors and panics naming the function and the keys, the cursor, and
//! the driver-side kinds.

use fugue::prelude::*;
use fugue_runtime::function::{BatchStream, PartitionContext, PartitionCursor};
use std::sync::atomic::{AtomicI64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};

/// A trip.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct Trip {
    /// The city; NULL is a key too.
    pub city: Option<String>,
    /// The fare.
    pub fare: f64,
}

/// One call's view of its partition.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct Seen {
    /// The city.
    pub city: Option<String>,
    /// The fares, in the order the call saw them.
    pub fares: Vec<f64>,
    /// The logical partition number.
    pub partition: i64,
}

fn trip(city: Option<&str>, fare: f64) -> Trip {
    Trip {
        city: city.map(str::to_string),
        fare,
    }
}

fn trips() -> Vec<Trip> {
    vec![
        trip(Some("Paris"), 10.0),
        trip(None, 5.0),
        trip(Some("Oslo"), 7.0),
        trip(Some("Paris"), 30.0),
        trip(None, 1.0),
        trip(Some("Paris"), 20.0),
    ]
}

static CALLS: AtomicUsize = AtomicUsize::new(0);

/// Held by the tests that count `seen`'s calls, which run in parallel otherwise.
static CALLS_LOCK: Mutex<()> = Mutex::new(());

/// One row per call: the city, the fares in order, the partition number.
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
pub fn seen(trips: Vec<Trip>, cursor: &PartitionCursor) -> Seen {
    CALLS.fetch_add(1, Ordering::SeqCst);
    Seen {
        city: trips.first().and_then(|t| t.city.clone()),
        fares: trips.iter().map(|t| t.fare).collect(),
        partition: cursor.partition_no() as i64,
    }
}

#[test]
fn one_call_per_key_group_with_presort_and_a_null_group() {
    let _counting = CALLS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let before = CALLS.load(Ordering::SeqCst);
    let out = fugue::transform(trips(), seen, "by=city; presort=fare desc", "native").unwrap();
    assert_eq!(CALLS.load(Ordering::SeqCst) - before, 3);
    let rows: Vec<Seen> = fugue::records(out).unwrap();
    assert_eq!(
        rows,
        vec![
            Seen {
                city: Some("Oslo".into()),
                fares: vec![7.0],
                partition: 0
            },
            Seen {
                city: Some("Paris".into()),
                fares: vec![30.0, 20.0, 10.0],
                partition: 1
            },
            // NULL keys form their own group, last.
            Seen {
                city: None,
                fares: vec![5.0, 1.0],
                partition: 2
            },
        ]
    );
}

#[test]
fn rules_are_checked_before_any_data_moves() {
    let _counting = CALLS_LOCK.lock().unwrap_or_else(|p| p.into_inner());
    let before = CALLS.load(Ordering::SeqCst);
    let e = fugue::transform(trips(), seen, "by=city; presort=fare", "native").unwrap_err();
    assert_eq!(
        e.to_string(),
        "validation rule `presort_is = \"fare DESC\"` of `seen` is not met: `fare` must be sorted \
         in the other direction; the step's partition is `by=city; presort=fare`; `input` is \
         `city:str,fare:double`"
    );
    assert_eq!(CALLS.load(Ordering::SeqCst), before);
}

/// The size of each call's partition.
#[derive(Schema, Debug, PartialEq)]
pub struct Size {
    /// Rows in the partition.
    pub rows: i64,
}

/// Count a partition's rows.
#[transformer]
pub fn size(trips: &[Trip]) -> Size {
    Size {
        rows: trips.len() as i64,
    }
}

#[test]
fn even_partitions_differ_by_at_most_one() {
    let many: Vec<Trip> = (0..10).map(|i| trip(Some("x"), i as f64)).collect();
    let out = fugue::transform(many, size, "num=3; algo=even", "native").unwrap();
    let sizes: Vec<i64> = fugue::records::<Size>(out)
        .unwrap()
        .iter()
        .map(|s| s.rows)
        .collect();
    assert_eq!(sizes, vec![4, 3, 3]);
    let (min, max) = (sizes.iter().min(), sizes.iter().max());
    assert!(max.zip(min).is_some_and(|(a, b)| a - b <= 1));
}

/// Fail on Paris.
#[transformer]
pub fn picky(trips: Vec<Trip>) -> Result<Vec<Trip>, std::io::Error> {
    if trips.iter().any(|t| t.city.as_deref() == Some("Paris")) {
        return Err(std::io::Error::other("no Paris"));
    }
    Ok(trips)
}

/// Panic on Paris.
#[transformer]
pub fn fragile(trips: Vec<Trip>) -> Vec<Trip> {
    if trips.iter().any(|t| t.city.as_deref() == Some("Paris")) {
        panic!("Paris is too expensive");
    }
    trips
}

#[test]
fn errors_and_panics_name_the_function_and_the_keys() {
    let e = fugue::transform(trips(), picky, "by=city", "native").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`picky` failed on city=\"Paris\": `picky` returned an error: no Paris"
    );
    let e = fugue::transform(trips(), fragile, "by=city", "native").unwrap_err();
    assert_eq!(
        e.to_string(),
        "`fragile` failed on city=\"Paris\": `fragile` panicked: Paris is too expensive"
    );
}

/// A row of the streaming test; counts the live ones.
#[derive(Schema, Debug)]
pub struct Tick {
    /// A number.
    pub n: i64,
}

static PRODUCED: AtomicI64 = AtomicI64::new(0);
static MAPPED: AtomicI64 = AtomicI64::new(0);
static LIVE_OUT: AtomicI64 = AtomicI64::new(0);
static PEAK_HELD: AtomicI64 = AtomicI64::new(0);
static PEAK_LIVE_OUT: AtomicI64 = AtomicI64::new(0);

/// An output row that counts how many of it are alive.
#[derive(Schema, Debug)]
pub struct Tock {
    /// The number, doubled.
    pub n: i64,
}

impl Drop for Tock {
    fn drop(&mut self) {
        LIVE_OUT.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Double every number, lazily.
#[transformer]
pub fn double(ticks: impl Iterator<Item = Tick>) -> impl Iterator<Item = Tock> {
    ticks.map(|t| {
        let mapped = MAPPED.fetch_add(1, Ordering::SeqCst) + 1;
        // Input rows converted but not yet mapped are held by the adapter.
        PEAK_HELD.fetch_max(PRODUCED.load(Ordering::SeqCst) - mapped, Ordering::SeqCst);
        let live = LIVE_OUT.fetch_add(1, Ordering::SeqCst) + 1;
        PEAK_LIVE_OUT.fetch_max(live, Ordering::SeqCst);
        Tock { n: t.n * 2 }
    })
}

#[test]
fn streaming_transformers_keep_memory_bounded() {
    const BATCH: i64 = 1000;
    const BATCHES: i64 = 2000;
    // Two million rows, generated lazily one batch at a time.
    let source: BatchStream<'static> = Box::new((0..BATCHES).map(|b| {
        let rows: Vec<Tick> = (0..BATCH).map(|i| Tick { n: b * BATCH + i }).collect();
        PRODUCED.fetch_add(BATCH, Ordering::SeqCst);
        Tick::to_record_batch(&rows)
    }));
    let ctx = PartitionContext {
        cursor: PartitionCursor::new(vec![], 0, 0, 0),
        params: Arc::new(Params::new()),
        callback: None,
        state: None,
    };
    let mut rows = 0usize;
    let mut sum = 0i64;
    // `double.call(..)` is the user's function; the engine entry is the trait method.
    for batch in PartitionFunction::call(&double, ctx, vec![source]).unwrap() {
        let batch = batch.unwrap();
        rows += batch.num_rows();
        sum += Tock::from_record_batch(&batch)
            .unwrap()
            .iter()
            .map(|t| t.n)
            .sum::<i64>();
    }
    let total = BATCH * BATCHES;
    assert_eq!(rows as i64, total);
    assert_eq!(sum, total * (total - 1));
    // Never more than one input batch held, never more than one output chunk alive.
    assert!(PEAK_HELD.load(Ordering::SeqCst) <= BATCH, "{PEAK_HELD:?}");
    assert!(
        PEAK_LIVE_OUT.load(Ordering::SeqCst) <= 1024,
        "{PEAK_LIVE_OUT:?}"
    );
}

/// Keep trips over a fare.
#[processor(input_has = "fare")]
pub fn expensive(trips: Vec<Trip>, min: f64) -> Vec<Trip> {
    trips.into_iter().filter(|t| t.fare >= min).collect()
}

/// `n` trips.
#[creator]
pub fn make(n: i64) -> Vec<Trip> {
    (0..n).map(|i| trip(Some("c"), i as f64)).collect()
}

static OUTPUT: Mutex<Vec<f64>> = Mutex::new(Vec::new());

/// Record the fares.
#[outputter]
pub fn record(trips: RecordBatch) -> Result<(), fugue::FugueError> {
    let fares = Trip::from_record_batch(&trips)?;
    OUTPUT
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .extend(fares.iter().map(|t| t.fare));
    Ok(())
}

#[test]
fn driver_side_kinds_run_on_whole_frames() {
    let engine = fugue::make_engine("native", ()).unwrap();
    let engine = engine.as_ref();
    let made = make
        .create(engine, &Params::new().with("n", 4_i64))
        .unwrap();
    let kept = expensive
        .process(engine, vec![made].into(), &Params::new().with("min", 2.0))
        .unwrap();
    record
        .output(engine, vec![kept].into(), &Params::new())
        .unwrap();
    assert_eq!(
        *OUTPUT.lock().unwrap_or_else(|p| p.into_inner()),
        vec![2.0, 3.0]
    );
    let e = make.create(engine, &Params::new()).unwrap_err();
    assert!(
        e.to_string()
            .contains("step `make` needs parameter `n: i64`"),
        "{e}"
    );
    assert_eq!(<expensive as Transformer>::RULES, &[("input_has", "fare")]);
}

#[test]
fn the_description_is_const_data() {
    use fugue::extension::{CallbackUse, InputShape, Kind, OutputShape};
    const COLUMNS: usize = match <seen as Transformer>::INPUTS[0] {
        InputShape::Typed { columns, .. } => columns.len(),
        InputShape::Dynamic | InputShape::Frames => 0,
    };
    assert_eq!(COLUMNS, 2);
    assert_eq!(<seen as Transformer>::KIND, Kind::Transformer);
    assert_eq!(<seen as Transformer>::CALLBACK, CallbackUse::None);
    const { assert!(<seen as Transformer>::CURSOR) };
    assert!(matches!(
        <seen as Transformer>::OUTPUT,
        OutputShape::Typed { record: "Seen", .. }
    ));
}

/// What a call's cursor says of its partition (reference §5.4).
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct Whereabouts {
    /// The key's value, read through the cursor's first row.
    pub city: Option<String>,
    /// The first fare the call sees (after the presort), from the cursor's first row.
    pub first_fare: f64,
    /// The cursor's row schema.
    pub row_schema: String,
    /// The cursor's key schema.
    pub key_schema: String,
    /// The physical partition number.
    pub physical: i64,
}

/// One row per call: the cursor's first row, row schema and key schema.
#[transformer]
pub fn whereabouts(
    trips: Vec<Trip>,
    cursor: &PartitionCursor,
) -> Result<Whereabouts, fugue::FugueError> {
    let row = cursor.row()?.unwrap_or_default();
    let first_fare = row.get(1).and_then(Value::as_f64).unwrap_or(f64::NAN);
    // The cursor's row is the first row the function receives.
    assert_eq!(trips.first().map(|t| t.fare), Some(first_fare));
    Ok(Whereabouts {
        city: row.first().and_then(Value::as_str).map(str::to_string),
        first_fare,
        row_schema: cursor.row_schema().to_string(),
        key_schema: cursor.key_schema().to_string(),
        physical: cursor.physical_partition_no() as i64,
    })
}

#[test]
fn the_cursor_has_the_first_row_and_the_schemas_on_every_engine() {
    for engine in ["native", "local"] {
        let out =
            fugue::transform(trips(), whereabouts, "by=city; presort=fare desc", engine).unwrap();
        let mut rows: Vec<Whereabouts> = fugue::records(out).unwrap();
        rows.sort_by(|a, b| a.first_fare.total_cmp(&b.first_fare));
        let got: Vec<(Option<&str>, f64)> = rows
            .iter()
            .map(|r| (r.city.as_deref(), r.first_fare))
            .collect();
        assert_eq!(
            got,
            vec![(None, 5.0), (Some("Oslo"), 7.0), (Some("Paris"), 30.0)],
            "{engine}"
        );
        for row in &rows {
            assert_eq!(row.row_schema, "city:str,fare:double", "{engine}");
            assert_eq!(row.key_schema, "city:str", "{engine}");
        }

        // Without keys: the whole input is one partition and the key schema is empty.
        let out = fugue::transform(trips(), whereabouts, "", engine).unwrap();
        let rows: Vec<Whereabouts> = fugue::records(out).unwrap();
        assert_eq!(rows.len(), 1, "{engine}");
        assert_eq!(rows[0].city.as_deref(), Some("Paris"), "{engine}");
        assert_eq!(rows[0].first_fare, 10.0, "{engine}");
        assert_eq!(rows[0].row_schema, "city:str,fare:double", "{engine}");
        assert_eq!(rows[0].key_schema, "", "{engine}");
    }
}

/// Whether the call's partition had a first row.
#[derive(Schema, Debug, PartialEq)]
pub struct HasRow {
    /// `cursor.row()` was `Some`.
    pub has_row: bool,
}

/// Report whether the cursor has a row.
#[transformer]
pub fn has_row(trips: Vec<Trip>, cursor: PartitionCursor) -> Result<HasRow, fugue::FugueError> {
    Ok(HasRow {
        has_row: cursor.row()?.is_some() && !trips.is_empty(),
    })
}

#[test]
fn an_empty_partition_has_no_row() {
    for engine in ["native", "local"] {
        let out = fugue::transform(Vec::<Trip>::new(), has_row, "", engine).unwrap();
        let rows: Vec<HasRow> = fugue::records(out).unwrap();
        assert_eq!(rows, vec![HasRow { has_row: false }], "{engine}");
    }
}

/// What `on_init` loads once per physical partition (a model, in real programs).
#[derive(Debug)]
pub struct Model {
    /// The physical partition it was loaded for.
    pub partition: usize,
    /// Added to every fare (read from the step's parameters).
    pub bonus: f64,
}

static MODEL_LOADS: AtomicUsize = AtomicUsize::new(0);
static MODEL_CALLS: AtomicUsize = AtomicUsize::new(0);
static LOADED_FOR: Mutex<Vec<usize>> = Mutex::new(Vec::new());

/// Load the model of one physical partition.
pub fn load_model(partition: &PhysicalPartition) -> Result<Model, fugue::FugueError> {
    MODEL_LOADS.fetch_add(1, Ordering::SeqCst);
    LOADED_FOR
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .push(partition.physical_partition_no());
    assert_eq!(partition.row_schema().to_string(), "city:str,fare:double");
    Ok(Model {
        partition: partition.physical_partition_no(),
        bonus: partition.params().get::<f64>("load_model", "bonus")?,
    })
}

/// A scored trip, with the physical partition that scored it.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct Priced {
    /// The city.
    pub city: Option<String>,
    /// The fare plus the model's bonus.
    pub price: f64,
    /// The physical partition of the call.
    pub physical: i64,
}

/// Price the trips of one key group with the partition's model.
#[transformer(on_init = load_model)]
pub fn price(trips: Vec<Trip>, model: &Model, cursor: &PartitionCursor, bonus: f64) -> Vec<Priced> {
    MODEL_CALLS.fetch_add(1, Ordering::SeqCst);
    // The state is the one of the call's own physical partition.
    assert_eq!(model.partition, cursor.physical_partition_no());
    assert_eq!(model.bonus, bonus);
    trips
        .into_iter()
        .map(|t| Priced {
            city: t.city,
            price: t.fare + model.bonus,
            physical: cursor.physical_partition_no() as i64,
        })
        .collect()
}

fn many_cities() -> Vec<Trip> {
    (0..200)
        .map(|i| trip(Some(&format!("c{}", i % 20)), f64::from(i)))
        .collect()
}

#[test]
fn on_init_runs_once_per_physical_partition_and_the_function_once_per_key_group() {
    // One test drives both engines, so the counters see only this function's calls.
    for (engine, spec) in [("native", "by=city"), ("local", "num=4; by=city")] {
        let (loads, calls) = (
            MODEL_LOADS.load(Ordering::SeqCst),
            MODEL_CALLS.load(Ordering::SeqCst),
        );
        LOADED_FOR.lock().unwrap_or_else(|p| p.into_inner()).clear();
        let out = fugue::Transform::new(many_cities(), price)
            .partition(spec)
            .param("bonus", 0.5)
            .engine(engine)
            .run()
            .unwrap();
        let rows: Vec<Priced> = fugue::records(out).unwrap();
        assert_eq!(rows.len(), 200, "{engine}");
        let total: f64 = rows.iter().map(|r| r.price).sum();
        assert_eq!(
            total,
            (0..200).map(f64::from).sum::<f64>() + 100.0,
            "{engine}"
        );
        // The function ran once per key group ...
        assert_eq!(MODEL_CALLS.load(Ordering::SeqCst) - calls, 20, "{engine}");
        // ... and `on_init` once per physical partition that had calls.
        let physical: std::collections::BTreeSet<i64> = rows.iter().map(|r| r.physical).collect();
        let mut loaded = LOADED_FOR.lock().unwrap_or_else(|p| p.into_inner()).clone();
        loaded.sort_unstable();
        assert_eq!(
            MODEL_LOADS.load(Ordering::SeqCst) - loads,
            physical.len(),
            "{engine}"
        );
        assert_eq!(
            loaded,
            physical.iter().map(|p| *p as usize).collect::<Vec<_>>(),
            "{engine}"
        );
        if engine == "native" {
            assert_eq!(loaded, vec![0]);
        } else {
            assert!(loaded.len() > 1, "{loaded:?}");
        }
    }
}

/// A model every call of a lazy transformer may keep.
pub fn shared_model(partition: &PhysicalPartition) -> Model {
    Model {
        partition: partition.physical_partition_no(),
        bonus: 100.0,
    }
}

/// A lazy transformer keeps the partition's state as an `Arc`.
#[transformer(on_init = shared_model)]
pub fn price_lazily(
    trips: impl Iterator<Item = Trip>,
    model: Arc<Model>,
) -> impl Iterator<Item = Priced> {
    trips.map(move |t| Priced {
        city: t.city,
        price: t.fare + model.bonus,
        physical: model.partition as i64,
    })
}

#[test]
fn a_lazy_transformer_shares_the_state() {
    for engine in ["native", "local"] {
        let out = fugue::transform(trips(), price_lazily, "by=city", engine).unwrap();
        let rows: Vec<Priced> = fugue::records(out).unwrap();
        assert_eq!(rows.len(), 6, "{engine}");
        assert!(rows.iter().all(|r| r.price > 100.0), "{engine}");
    }
}

/// An `on_init` that cannot load its model.
pub fn missing_model(_: &PhysicalPartition) -> Result<Model, std::io::Error> {
    Err(std::io::Error::other("no model file"))
}

/// Never called: its `on_init` fails.
#[transformer(on_init = missing_model)]
pub fn price_without_model(trips: Vec<Trip>, model: &Model) -> Vec<Trip> {
    let _ = model;
    trips
}

/// An `on_init` that panics.
pub fn broken_model(_: &PhysicalPartition) -> Model {
    panic!("corrupt model")
}

/// Never called: its `on_init` panics.
#[transformer(on_init = broken_model)]
pub fn price_with_broken_model(trips: Vec<Trip>, model: &Model) -> Vec<Trip> {
    let _ = model;
    trips
}

#[test]
fn an_on_init_error_fails_the_step_naming_the_function_and_the_partition() {
    for engine in ["native", "local"] {
        let e =
            fugue::transform(trips(), price_without_model, "num=1; by=city", engine).unwrap_err();
        assert_eq!(
            e.to_string(),
            "`price_without_model` failed in `on_init` for physical partition 0: \
             `missing_model` returned an error: no model file",
            "{engine}"
        );
        let e = fugue::transform(trips(), price_with_broken_model, "num=1; by=city", engine)
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`price_with_broken_model` failed in `on_init` for physical partition 0: \
             `broken_model` panicked: corrupt model",
            "{engine}"
        );
    }
}

/// The error of a city without a price.
#[derive(Debug)]
pub struct NoPrice(pub String);

impl std::fmt::Display for NoPrice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "no price for {}", self.0)
    }
}

impl std::error::Error for NoPrice {}

/// Fail on Paris with [`NoPrice`].
#[transformer]
pub fn no_paris(trips: Vec<Trip>) -> Result<Vec<Trip>, NoPrice> {
    match trips.iter().find(|t| t.city.as_deref() == Some("Paris")) {
        Some(t) => Err(NoPrice(t.city.clone().unwrap_or_default())),
        None => Ok(trips),
    }
}

/// A trip whose city is not nullable: a NULL city fails the conversion of its group.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct CityTrip {
    /// The city.
    pub city: String,
    /// The fare.
    pub fare: f64,
}

/// Take trips whose city cannot be NULL.
#[transformer]
pub fn strict(trips: Vec<CityTrip>) -> Vec<CityTrip> {
    trips
}

/// The cities of the trips, sorted (NULL first).
fn cities_of(out: DataFrame) -> Vec<Option<String>> {
    let mut cities: Vec<Option<String>> = fugue::records::<Trip>(out)
        .unwrap()
        .into_iter()
        .map(|t| t.city)
        .collect();
    cities.sort();
    cities
}

#[test]
fn ignore_errors_skips_exactly_the_failing_groups_and_lists_them() {
    use fugue::ErrorKind;
    use fugue::IgnoreErrors;
    for engine in ["native", "local"] {
        // By the function's error type: Paris is skipped, the other groups are kept.
        let (out, skipped) = fugue::Transform::new(trips(), no_paris)
            .partition("by=city")
            .ignore_errors(IgnoreErrors::new().error::<NoPrice>())
            .engine(engine)
            .run_with_skipped()
            .unwrap();
        assert_eq!(
            cities_of(out),
            vec![None, None, Some("Oslo".to_string())],
            "{engine}"
        );
        assert_eq!(skipped.len(), 1, "{engine}");
        assert_eq!(skipped[0].step(), "no_paris");
        assert_eq!(
            skipped[0].keys(),
            vec![("city", &Value::from("Paris"))],
            "{engine}"
        );
        assert_eq!(
            skipped[0].to_string(),
            "step `no_paris` skipped city=\"Paris\": `no_paris` returned an error: no price for Paris"
        );

        // By kind: the NULL group fails to convert to `CityTrip` and is skipped.
        let (out, skipped) = fugue::Transform::new(trips(), strict)
            .partition("by=city")
            .ignore_errors(IgnoreErrors::new().kind(ErrorKind::Conversion))
            .engine(engine)
            .run_with_skipped()
            .unwrap();
        let kept: Vec<CityTrip> = fugue::records(out).unwrap();
        assert_eq!(kept.len(), 4, "{engine}");
        assert_eq!(skipped.len(), 1, "{engine}");
        assert_eq!(
            skipped[0].cursor().key("city"),
            Some(&Value::Null),
            "{engine}"
        );
        assert_eq!(skipped[0].error().root().kind(), ErrorKind::Conversion);

        // Another error still fails the run.
        let e = fugue::Transform::new(trips(), no_paris)
            .partition("by=city")
            .ignore_errors(
                IgnoreErrors::new()
                    .error::<std::io::Error>()
                    .kind(ErrorKind::Conversion),
            )
            .engine(engine)
            .run()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`no_paris` failed on city=\"Paris\": `no_paris` returned an error: no price for Paris",
            "{engine}"
        );

        // A panic is not ignored by a kind (a panic is an `External` error too) ...
        let e = fugue::Transform::new(trips(), fragile)
            .partition("by=city")
            .ignore_errors(IgnoreErrors::new().kind(ErrorKind::External))
            .engine(engine)
            .run()
            .unwrap_err();
        assert_eq!(
            e.to_string(),
            "`fragile` failed on city=\"Paris\": `fragile` panicked: Paris is too expensive",
            "{engine}"
        );
        // ... only when panics are listed.
        let (out, skipped) = fugue::Transform::new(trips(), fragile)
            .partition("by=city")
            .ignore_errors(IgnoreErrors::new().panics())
            .engine(engine)
            .run_with_skipped()
            .unwrap();
        assert_eq!(cities_of(out).len(), 3, "{engine}");
        assert_eq!(
            skipped[0].to_string(),
            "step `fragile` skipped city=\"Paris\": `fragile` panicked: Paris is too expensive"
        );
    }
}

#[test]
fn a_workflow_run_lists_the_skipped_partitions() {
    use fugue::IgnoreErrors;
    use fugue::Workflow;
    for engine in ["native", "local"] {
        let wf = Workflow::new();
        wf.create(trips())
            .partition("by=city")
            .transform(no_paris)
            .named("priced")
            .ignore_errors(IgnoreErrors::new().error::<NoPrice>())
            .yield_as("out");
        assert!(
            wf.explain()
                .unwrap()
                .contains("ignore_errors(transformer::NoPrice)"),
            "{}",
            wf.explain().unwrap()
        );
        let result = wf.run(engine, ()).unwrap();
        assert_eq!(cities_of(result.get("out").unwrap()).len(), 3, "{engine}");
        let skipped: Vec<String> = result.skipped().iter().map(|s| s.to_string()).collect();
        assert_eq!(
            skipped,
            vec![
                "step `priced` skipped city=\"Paris\": `no_paris` returned an error: no price for Paris"
            ],
            "{engine}"
        );

        // Without `ignore_errors` the step fails.
        let wf = Workflow::new();
        wf.create(trips())
            .partition("by=city")
            .transform(no_paris)
            .named("priced")
            .yield_as("out");
        let e = wf.run(engine, ()).unwrap_err();
        assert!(e.to_string().contains("no price for Paris"), "{e}");
    }
}

#[test]
fn on_init_runs_in_workflows_too() {
    use fugue::Workflow;
    for engine in ["native", "local"] {
        let wf = Workflow::new();
        wf.create(trips())
            .partition("by=city")
            .transform(price_lazily)
            .named("priced")
            .yield_as("out");
        let result = wf.run(engine, ()).unwrap();
        let rows: Vec<Priced> = fugue::records(result.get("out").unwrap()).unwrap();
        assert_eq!(rows.len(), 6, "{engine}");
        assert!(rows.iter().all(|r| r.price > 100.0), "{engine}");
    }
}
