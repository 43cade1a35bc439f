//! `sql` steps: a query over earlier steps runs on every engine with the numbers a plain Rust
//! computation gives, its output schema feeds the typed steps after it, and (the differential
//! property test) what `workflow!` decides at compile time — the column checks and the output
//! schema — never disagrees with DataFusion's planner.

use fugue::Schema as FrameSchema;
use fugue::Workflow;
use fugue::prelude::*;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use std::collections::BTreeMap;

#[derive(Schema, Debug, Clone, PartialEq)]
struct Trip {
    city: String,
    fare: f64,
    passengers: i32,
}

#[derive(Schema, Debug, Clone, PartialEq)]
struct Zone {
    city: String,
    region: String,
}

#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct RegionTotal {
    region: String,
    total: f64,
    trips: i64,
    most: i32,
}

#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct Labelled {
    region: String,
    total: f64,
    trips: i64,
    most: i32,
    label: String,
}

fn label(rows: Vec<RegionTotal>) -> Vec<Labelled> {
    rows.into_iter()
        .map(|r| Labelled {
            label: format!("{}:{}", r.region, r.trips),
            region: r.region,
            total: r.total,
            trips: r.trips,
            most: r.most,
        })
        .collect()
}

#[transformer]
fn labelled(rows: Vec<RegionTotal>) -> Vec<Labelled> {
    label(rows)
}

/// Typed by the SQL step's expressions at compile time (a predicate, a string length, a
/// string function, `COALESCE`, `CASE`).
#[derive(Schema, Debug, Clone, PartialEq, PartialOrd)]
struct Flags {
    region: String,
    busy: bool,
    len: i32,
    low: String,
    most: i32,
    band: String,
}

#[transformer]
fn flags(rows: Vec<Flags>) -> Vec<Flags> {
    rows
}

fn trips() -> Vec<Trip> {
    (0..500_i32)
        .map(|i| Trip {
            city: format!("c{}", i % 13),
            fare: ((i * 37) % 101) as f64 + 0.25,
            passengers: i % 5,
        })
        .collect()
}

fn zones() -> Vec<Zone> {
    // c12 has no zone: the inner join drops its trips.
    (0..12)
        .map(|i| Zone {
            city: format!("c{i}"),
            region: format!("r{}", i % 3),
        })
        .collect()
}

/// The expected totals, computed in plain Rust.
fn expected() -> Vec<RegionTotal> {
    let region: BTreeMap<String, String> =
        zones().into_iter().map(|z| (z.city, z.region)).collect();
    let mut out: BTreeMap<String, RegionTotal> = BTreeMap::new();
    for t in trips() {
        let Some(r) = region.get(&t.city) else {
            continue;
        };
        if t.fare <= 1.0 {
            continue;
        }
        let e = out.entry(r.clone()).or_insert(RegionTotal {
            region: r.clone(),
            total: 0.0,
            trips: 0,
            most: i32::MIN,
        });
        e.total += t.fare;
        e.trips += 1;
        e.most = e.most.max(t.passengers);
    }
    out.into_values().collect()
}

fn engines() -> Vec<&'static str> {
    #[cfg(feature = "cluster")]
    {
        fugue::cluster::install();
        vec!["native", "local", "ballista://standalone"]
    }
    #[cfg(not(feature = "cluster"))]
    vec!["native", "local"]
}

#[test]
fn a_sql_step_joins_and_aggregates_on_every_engine_and_feeds_a_typed_step() -> fugue::Result<()> {
    let (t, z) = (trips(), zones());
    let wf = workflow! {
        trips = create(t.clone()) as Trip;
        zones = create(z.clone()) as Zone;
        totals = sql("SELECT z.region, sum(t.fare) AS total, count(*) AS trips,
                             max(passengers) AS most
                      FROM trips t JOIN zones z ON t.city = z.city
                      WHERE fare > 1
                      GROUP BY z.region ORDER BY total DESC");
        named = transform(totals, labelled);
        ranked = sql("SELECT region, label, rank() OVER (ORDER BY trips DESC, region) AS place
                      FROM named");
        typed = sql("SELECT region, trips > 10 AS busy, length(region) AS len,
                            upper(region) AS low, coalesce(most, most) AS most,
                            CASE WHEN total > 100 THEN 'high' ELSE 'low' END AS band
                     FROM totals");
        checked = transform(typed, flags);
        yield named;
        yield ranked;
        yield checked;
    };
    let want = expected();
    for engine in engines() {
        let result = wf.run_on(engine)?;
        let mut got: Vec<Labelled> = fugue::records(result.get("named")?)?;
        got.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        assert_eq!(got.len(), want.len(), "{engine}");
        for (g, w) in got.iter().zip(&want) {
            assert_eq!(
                (&g.region, g.trips, g.most),
                (&w.region, w.trips, w.most),
                "{engine}"
            );
            assert!(
                (g.total - w.total).abs() < 1e-9,
                "{engine}: {} vs {}",
                g.total,
                w.total
            );
            assert_eq!(g.label, format!("{}:{}", w.region, w.trips), "{engine}");
        }
        let ranked = result.get("ranked")?;
        assert_eq!(
            ranked.schema().to_string(),
            "region:str,label:str,place:ulong",
            "{engine}"
        );
        assert_eq!(ranked.count()?, want.len(), "{engine}");
        let mut checked: Vec<Flags> = fugue::records(result.get("checked")?)?;
        checked.sort_by(|a, b| a.partial_cmp(b).expect("no NaN"));
        for (c, w) in checked.iter().zip(&want) {
            assert_eq!(c.region, w.region, "{engine}");
            assert_eq!(c.busy, w.trips > 10, "{engine}");
            assert_eq!(c.len, w.region.len() as i32, "{engine}");
            assert_eq!(c.low, w.region.to_uppercase(), "{engine}");
            assert_eq!(c.most, w.most, "{engine}");
            assert_eq!(
                c.band,
                if w.total > 100.0 { "high" } else { "low" },
                "{engine}"
            );
        }
    }
    Ok(())
}

#[test]
fn a_sql_steps_schema_and_mistakes_are_known_before_it_runs() {
    let wf = Workflow::new();
    let t = wf.create(trips());
    let totals = wf.sql(
        "SELECT city, sum(fare) AS total, count(*) AS n FROM trips GROUP BY city",
        &[("trips", t)],
    );
    totals.yield_as("totals");
    let plan = wf.plan().expect("a plan");
    assert!(
        plan.explain()
            .contains("schema: city:str,total:double,n:long"),
        "{}",
        plan.explain()
    );
    let wf = Workflow::new();
    let t = wf.create(trips());
    let bad = wf.sql("SELECT cty FROM trips", &[("trips", t)]);
    bad.yield_as("bad");
    let err = wf.run_on("local").unwrap_err();
    assert_eq!(err.kind(), fugue::ErrorKind::ColumnNotFound, "{err}");
    let wf = Workflow::new();
    let t = wf.create(trips());
    let twice = wf.sql("SELECT * FROM a", &[("a", t), ("a", t)]);
    twice.yield_as("twice");
    let err = wf.run_on("local").unwrap_err();
    assert!(err.to_string().contains("given twice"), "{err}");
}

// ---- The differential property test -------------------------------------------------------

/// Column names the generator draws from (one with capitals: it must be quoted in SQL).
const NAMES: &[&str] = &["k", "a", "b", "c", "Mixed"];
/// Types the generator draws from.
const TYPES: &[&str] = &[
    "int", "long", "short", "double", "float", "str", "bool", "date", "ulong", "ubyte", "datetime",
];

fn schema_strategy() -> impl Strategy<Value = Vec<(usize, usize)>> {
    // k first (a join key), then a subset of the other names, each with a type.
    (
        0..TYPES.len(),
        proptest::collection::btree_map(1..NAMES.len(), 0..TYPES.len(), 1..4),
    )
        .prop_map(|(kt, rest)| {
            let mut cols = vec![(0, kt)];
            cols.extend(rest);
            cols
        })
}

fn schema_text(cols: &[(usize, usize)]) -> String {
    cols.iter()
        .map(|(n, t)| format!("{}:{}", fugue_core::quote_name(NAMES[*n]), TYPES[*t]))
        .collect::<Vec<_>>()
        .join(",")
}

/// A column as SQL writes it: quoted when it has capitals; sometimes a name of no table.
fn col(i: usize) -> String {
    match i % 7 {
        5 => "zz".to_string(),
        6 => "\"mixed\"".to_string(),
        n if NAMES[n] == "Mixed" => "\"Mixed\"".to_string(),
        n => NAMES[n].to_string(),
    }
}

fn statement_strategy() -> impl Strategy<Value = String> {
    let c = || (0usize..7).prop_map(col);
    let join = prop_oneof![Just("LEFT"), Just("RIGHT"), Just("FULL"), Just("INNER")];
    let agg = prop_oneof![
        Just("sum"),
        Just("avg"),
        Just("min"),
        Just("max"),
        Just("count")
    ];
    let cast = prop_oneof![
        Just("INT"),
        Just("BIGINT"),
        Just("DOUBLE"),
        Just("REAL"),
        Just("VARCHAR"),
        Just("BOOLEAN"),
        Just("DATE"),
        Just("SMALLINT")
    ];
    prop_oneof![
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x}, {y} FROM a")),
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x} AS out, t.{y} FROM a t")),
        Just("SELECT * FROM a".to_string()),
        Just("SELECT * FROM a JOIN b ON a.k = b.k".to_string()),
        c().prop_map(|x| format!("SELECT a.*, b.{x} AS other FROM a JOIN b ON a.k = b.k")),
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x}, b.{y} AS y FROM a JOIN b ON a.k = b.k")),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT k, {y} AS y FROM a JOIN b USING (k) WHERE {x} IS NOT NULL"
        )),
        (agg.clone(), c(), c())
            .prop_map(|(f, x, y)| format!("SELECT {y}, {f}({x}) AS v FROM a GROUP BY {y}")),
        (agg, c()).prop_map(|(f, x)| format!("SELECT {f}({x}) AS v, count(*) AS n FROM a")),
        (c(), cast).prop_map(|(x, t)| format!("SELECT CAST({x} AS {t}) AS v FROM a")),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT {x}, row_number() OVER (PARTITION BY {x} ORDER BY {y}) AS rn FROM a"
        )),
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x} AS y2 FROM a ORDER BY y2, {y}")),
        (c(), c())
            .prop_map(|(x, y)| format!("SELECT s.{x} AS v FROM (SELECT {y} AS {x} FROM a) s")),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT {x} FROM a WHERE EXISTS (SELECT 1 FROM b WHERE b.k = a.k AND {y} IS NULL)"
        )),
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x} + 1 AS p, {y} * 2 AS q FROM a")),
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x} FROM a UNION ALL SELECT {y} FROM b")),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT {x} AS v, k FROM a UNION SELECT b.{y}, k + 1 AS w FROM b ORDER BY v"
        )),
        (join.clone(), c(), c()).prop_map(|(j, x, y)| format!(
            "SELECT a.{x} AS l, b.{y} AS r, {y} AS u FROM a {j} JOIN b ON a.k = b.k"
        )),
        join.clone()
            .prop_map(|j| format!("SELECT * FROM a {j} JOIN b ON a.k = b.k")),
        (join.clone(), c())
            .prop_map(|(j, x)| format!("SELECT b.*, a.{x} AS l FROM a {j} JOIN b ON a.k = b.k")),
        (join.clone(), c()).prop_map(|(j, x)| format!(
            "WITH c AS (SELECT a.k, b.{x} AS v FROM a {j} JOIN b ON a.k = b.k) SELECT c.v, k FROM c"
        )),
        (join, c()).prop_map(|(j, x)| format!("SELECT k, {x} FROM a {j} JOIN b USING (k)")),
    ]
    .boxed()
    .prop_union(typed_strategy().boxed())
}

/// Statements whose output types the compile time computes: predicates, literals, `CASE`,
/// `COALESCE`, string functions, `abs`, `MIN`/`MAX` of an expression.
fn typed_strategy() -> impl Strategy<Value = String> {
    let c = || (0usize..7).prop_map(col);
    let lit = prop_oneof![
        Just("1"),
        Just("'x'"),
        Just("TRUE"),
        Just("2.5"),
        Just("NULL")
    ];
    prop_oneof![
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT {x} = {y} AS e, {x} IS NULL AS n, NOT ({y} > 1) AS m, {x} IN (1, 2) AS i, \
             {y} BETWEEN 1 AND 2 AS w, {x} LIKE 'a%' AS l FROM a"
        )),
        (lit.clone(), lit.clone()).prop_map(|(x, y)| format!("SELECT {x} AS p, {y} AS q FROM a")),
        (c(), c(), lit.clone()).prop_map(|(x, y, l)| format!(
            "SELECT CASE WHEN {x} > 1 THEN {y} ELSE {l} END AS v FROM a"
        )),
        (c(), c())
            .prop_map(|(x, y)| format!("SELECT CASE WHEN k > 1 THEN {x} ELSE {y} END AS v FROM a")),
        (c(), c(), lit).prop_map(|(x, y, l)| format!(
            "SELECT coalesce({x}, {y}) AS v, coalesce({x}, {l}) AS w FROM a"
        )),
        c().prop_map(|x| format!(
            "SELECT lower({x}) AS l, upper({x}) AS u, trim({x}) AS t, length({x}) AS n, \
             character_length({x}) AS m FROM a"
        )),
        c().prop_map(|x| format!("SELECT abs({x}) AS v, nullif({x}, {x}) AS w FROM a")),
        c().prop_map(|x| format!(
            "SELECT min(CAST({x} AS BIGINT)) AS v, max(abs({x})) AS w FROM a"
        )),
    ]
    .boxed()
    .prop_union(derived_strategy().boxed())
    .or(function_strategy().boxed())
}

/// Statements over the operators and the function table: arithmetic (DataFusion's numeric
/// coercion), `SUM`/`AVG` of expressions, math, string and date functions.
fn function_strategy() -> impl Strategy<Value = String> {
    let c = || (0usize..7).prop_map(col);
    let op = prop_oneof![Just("+"), Just("-"), Just("*"), Just("/"), Just("%")];
    let lit = prop_oneof![Just("1"), Just("2.5"), Just("'x'"), Just("NULL")];
    let math = prop_oneof![
        Just("floor"),
        Just("ceil"),
        Just("sqrt"),
        Just("ln"),
        Just("exp"),
        Just("abs"),
        Just("round")
    ];
    let part = prop_oneof![
        Just("year"),
        Just("month"),
        Just("epoch"),
        Just("nanosecond"),
        Just("dow")
    ];
    prop_oneof![
        (c(), op.clone(), c()).prop_map(|(x, o, y)| format!("SELECT {x} {o} {y} AS v FROM a")),
        (c(), op.clone(), lit.clone(), op)
            .prop_map(|(x, o, l, p)| format!("SELECT {x} {o} {l} AS v, -{x} AS n, {l} {p} {x} AS w FROM a")),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT sum({x} * {y}) AS s, avg({x} + 1) AS m, sum(CASE WHEN {y} > 1 THEN 1 ELSE 0 END) AS n FROM a"
        )),
        (math, c()).prop_map(|(f, x)| format!("SELECT {f}({x}) AS v FROM a")),
        c().prop_map(|x| format!("SELECT round({x}, 2) AS r FROM a")),
        (c(), c()).prop_map(|(x, y)| format!("SELECT power({x}, {y}) AS p, pow({x}, 2) AS q FROM a")),
        c().prop_map(|x| format!("SELECT substr({x}, 2) AS s, substr({x}, 1, 3) AS t FROM a")),
        c().prop_map(|x| format!("SELECT SUBSTRING({x} FROM 2 FOR 2) AS e, trim({x}) AS t FROM a")),
        c().prop_map(|x| format!("SELECT replace({x}, 'a', 'b') AS r FROM a")),
        (c(), c(), lit.clone())
            .prop_map(|(x, y, l)| format!("SELECT concat({x}, {y}, {l}) AS c FROM a")),
        (c(), c()).prop_map(|(x, y)| format!("SELECT {x} || {y} AS d FROM a")),
        (part.clone(), c()).prop_map(|(p, x)| format!(
            "SELECT date_part('{p}', {x}) AS d, EXTRACT({p} FROM {x}) AS e FROM a"
        )),
        (part, c()).prop_map(|(p, x)| format!("SELECT date_trunc('{p}', {x}) AS t FROM a")),
        c().prop_map(|x| format!("SELECT to_date({x}) AS d FROM a")),
        c().prop_map(|x| format!("SELECT to_timestamp({x}) AS s FROM a")),
        c().prop_map(|x| format!("SELECT now() AS t, {x} FROM a")),
    ]
}

/// Statements over CTEs and subqueries in `FROM` (derived tables, whose columns the compile
/// time knows), and windows reading other rows.
fn derived_strategy() -> impl Strategy<Value = String> {
    let c = || (0usize..7).prop_map(col);
    prop_oneof![
        (c(), c()).prop_map(|(x, y)| format!(
            "WITH c AS (SELECT {x} AS v, k FROM a) SELECT c.v, b.{y} AS w FROM c JOIN b ON c.k = b.k"
        )),
        c().prop_map(|x| format!(
            "SELECT s.* FROM (SELECT {x}, count(*) AS n FROM a GROUP BY {x}) s"
        )),
        (c(), c()).prop_map(|(x, y)| format!("WITH c AS (SELECT {x} FROM a) SELECT {y} FROM c")),
        (c(), c()).prop_map(|(x, y)| format!(
            "WITH c AS (SELECT k, {x} FROM a), d AS (SELECT c.k, {y} AS z FROM c) SELECT * FROM d"
        )),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT t.{x} AS v, t.n FROM (SELECT {y}, {x}, count(*) AS n FROM a GROUP BY {y}, {x}) t \
             WHERE t.n > 1 ORDER BY v"
        )),
        (c(), c()).prop_map(|(x, y)| format!(
            "SELECT lag({x}) OVER (ORDER BY {y}) AS p, lead({x}, 2) OVER (PARTITION BY k ORDER BY {y}) AS q, \
             first_value({x}) OVER (ORDER BY k) AS f, last_value({y}) OVER (ORDER BY k) AS l FROM a"
        )),
    ]
}

/// An output schema as `(name, type, may be NULL)`: the last is the compile time's claim
/// that the column may be NULL ([`Nullability::Nullable`](fugue_core::rules::Nullability)).
type Columns = Vec<(String, String, bool)>;

/// What the compile time decides: a check's message, or the output schema (`None`: unknown).
type Decision = Result<Option<Columns>, String>;

/// A step for messages.
const STEP: fugue_core::rules::Step<'static> = fugue_core::rules::Step {
    name: "s",
    call: "sql(..)",
};

/// What the compile-time side decides for `sql` over tables `a` and `b`: `Err` when a check
/// fails, else the output schema (`None`: unknown), as `name:type` pairs.
fn compile_time(sql: &str, a: &FrameSchema, b: &FrameSchema) -> Option<Decision> {
    use fugue_core::const_check::{ConstSchema, check_sql_column};
    let analysis = fugue_sql::analyze(sql).ok()?;
    let constant = fugue_sql::to_const(&analysis);
    let (columns, output) = (constant.columns, constant.output);
    let by_name = |n: &str| -> Option<ConstSchema> {
        let s = match n {
            "a" => a,
            "b" => b,
            _ => return None,
        };
        Some(declared(s))
    };
    let mut tables: Vec<ConstSchema> = analysis
        .tables
        .iter()
        .map(|t| by_name(&t.name))
        .collect::<Option<_>>()?;
    // The derived tables, each over the tables before it (as the macro emits them).
    for items in &constant.derived {
        let refs: Vec<&ConstSchema> = tables.iter().collect();
        let derived = ConstSchema::sql(&refs, items);
        tables.push(derived);
    }
    let refs: Vec<&ConstSchema> = tables.iter().collect();
    let names: Vec<&str> = constant.names.iter().map(String::as_str).collect();
    for c in &columns {
        if let Err(m) = check_sql_column(&STEP, &names, &refs, c, "") {
            return Some(Err(m.as_str().to_string()));
        }
    }
    let Some(output) = output else {
        return Some(Ok(None));
    };
    let schema = ConstSchema::sql(&refs, &output);
    if !schema.is_known() {
        return Some(Ok(None));
    }
    let cols = schema
        .cols()
        .iter()
        .map(|c| {
            let mut m = fugue_core::const_check::Message::new();
            fugue_core::rules::write_type(&mut m, &c.ty);
            let nullable = matches!(c.null, fugue_core::rules::Nullability::Nullable);
            (c.name.to_string(), m.as_str().to_string(), nullable)
        })
        .collect();
    Some(Ok(Some(cols)))
}

/// A frame's schema as the const data of a step whose columns are declared (a record's: a
/// nullable column is an `Option` field, the others are not).
fn declared(s: &FrameSchema) -> fugue_core::const_check::ConstSchema {
    let leak = |t: String| -> &'static str { Box::leak(t.into_boxed_str()) };
    let cols: Vec<fugue_core::ConstColumn> = s
        .columns()
        .iter()
        .map(|c| fugue_core::ConstColumn {
            name: leak(c.name().to_string()),
            ty: fugue_core::ConstType::Expr(leak(fugue_core::types::type_key(c.data_type()))),
            nullable: c.is_nullable(),
        })
        .collect();
    fugue_core::const_check::ConstSchema::of_columns(Box::leak(cols.into_boxed_slice()))
}

/// `schema` with column `i` nullable when bit `i` of `mask` is set.
fn with_nulls(schema: FrameSchema, mask: u8) -> FrameSchema {
    let columns = schema
        .columns()
        .iter()
        .enumerate()
        .map(|(i, c)| {
            fugue_core::schema::Column::with_nullable(
                c.name(),
                c.data_type().clone(),
                mask & (1 << i) != 0,
            )
        })
        .collect();
    FrameSchema::new(columns).expect("schema")
}

/// The nullability of each output column in DataFusion's logical plan of `sql` over empty
/// tables `a` and `b` (the run time makes every SQL output nullable; the planner does not).
fn planned_nullability(sql: &str, a: &FrameSchema, b: &FrameSchema) -> Option<Vec<bool>> {
    use datafusion::prelude::{SessionConfig, SessionContext};
    use std::sync::Arc;
    let mut config = SessionConfig::new();
    config.options_mut().sql_parser.map_string_types_to_utf8view = false;
    let ctx = SessionContext::new_with_config(config);
    for (name, s) in [("a", a), ("b", b)] {
        let table =
            datafusion::datasource::MemTable::try_new(Arc::new(s.to_arrow()), vec![vec![]]).ok()?;
        ctx.register_table(name, Arc::new(table)).ok()?;
    }
    let runtime = tokio::runtime::Builder::new_current_thread().build().ok()?;
    let frame = runtime.block_on(ctx.sql(sql)).ok()?;
    Some(
        frame
            .schema()
            .fields()
            .iter()
            .map(|f| f.is_nullable())
            .collect(),
    )
}

/// What DataFusion (the engine's planner) decides: the planned schema, or the error.
fn planned(sql: &str, a: &FrameSchema, b: &FrameSchema) -> Result<Vec<(String, String)>, String> {
    let engine = fugue::make_engine("local", ()).map_err(|e| e.to_string())?;
    let frame = |s: &FrameSchema| fugue::ArrowFrame::empty(s.clone()).map(DataFrame::from);
    let tables = vec![
        ("a", frame(a).map_err(|e| e.to_string())?),
        ("b", frame(b).map_err(|e| e.to_string())?),
    ];
    let out = engine.sql(tables, sql).map_err(|e| e.to_string())?;
    Ok(out
        .schema()
        .columns()
        .iter()
        .map(|c| {
            (
                c.name().to_string(),
                fugue_core::types::type_key(c.data_type()),
            )
        })
        .collect())
}

#[derive(Default, Debug)]
struct Tally {
    statements: usize,
    planned: usize,
    rejected_both: usize,
    /// Passed the compile-time checks, rejected by DataFusion's planner (a type error, say).
    run_time_errors: usize,
    schema_known: usize,
    /// Output columns whose type the compile time knows (and DataFusion's equals).
    typed: usize,
    /// Output columns the compile time says may be NULL (and DataFusion plans nullable).
    nullable: usize,
    /// Known output schemas of statements over CTEs or subqueries in `FROM`.
    derived_known: usize,
    disagreements: Vec<String>,
}

#[test]
fn compile_time_sql_checks_and_schemas_agree_with_datafusion() {
    let mut tally = Tally::default();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 2500,
        ..ProptestConfig::default()
    });
    let strategy = (
        schema_strategy(),
        schema_strategy(),
        any::<(u8, u8)>(),
        statement_strategy(),
    );
    for _ in 0..2500 {
        let (sa, sb, (na, nb), sql) = strategy.new_tree(&mut runner).expect("a case").current();
        let a = with_nulls(schema_text(&sa).parse().expect("schema"), na);
        let b = with_nulls(schema_text(&sb).parse().expect("schema"), nb);
        tally.statements += 1;
        let Some(ours) = compile_time(&sql, &a, &b) else {
            tally.disagreements.push(format!("not read: {sql}"));
            continue;
        };
        let theirs = planned(&sql, &a, &b);
        match (&ours, &theirs) {
            (Ok(schema), Ok(planned)) => {
                tally.planned += 1;
                if let Some(schema) = schema {
                    tally.schema_known += 1;
                    if sql.starts_with("WITH") || sql.contains("FROM (") {
                        tally.derived_known += 1;
                    }
                    tally.typed += schema.iter().filter(|(_, t, _)| t != "?").count();
                    tally.nullable += schema.iter().filter(|(_, _, n)| *n).count();
                    // The same names; each type the planned one, or unknown (`?`); a column
                    // said to be nullable is nullable in DataFusion's plan.
                    let nulls = planned_nullability(&sql, &a, &b).unwrap_or_default();
                    let agrees = schema.len() == planned.len()
                        && nulls.len() == planned.len()
                        && schema.iter().zip(planned).zip(&nulls).all(
                            |(((n, t, null), (pn, pt)), planned_null)| {
                                n == pn && (t == "?" || t == pt) && (!null || *planned_null)
                            },
                        );
                    if !agrees {
                        tally.disagreements.push(format!(
                            "{sql} over a({a:?}) b({b:?}): compile time {schema:?}, DataFusion \
                             {planned:?} nullable {nulls:?}"
                        ));
                    }
                }
            }
            (Err(_), Err(_)) => tally.rejected_both += 1,
            (Err(m), Ok(_)) => tally.disagreements.push(format!(
                "false compile error: {sql} over a({a}) b({b}): {m}"
            )),
            // DataFusion rejects what the checks let through (a type error, an unknown
            // function): the run time reports it before data moves. Not a disagreement.
            (Ok(_), Err(_)) => tally.run_time_errors += 1,
        }
    }
    eprintln!("{tally:#?}");
    assert!(tally.disagreements.is_empty(), "{:#?}", tally.disagreements);
    assert!(
        tally.schema_known > 200
            && tally.derived_known > 30
            && tally.typed > 400
            && tally.nullable > 100
            && tally.rejected_both > 200
            && tally.planned > 250,
        "{tally:?}"
    );
}

/// A column as a fragment writes it: names as written (so `Mixed` unquoted is the column
/// `Mixed`, `mixed` is no column), sometimes a name of no column.
fn fragment_col(i: usize) -> String {
    match i % 8 {
        5 => "zz".to_string(),
        6 => "mixed".to_string(),
        7 => "t0.a".to_string(),
        n => NAMES[n].to_string(),
    }
}

#[derive(Debug, Clone)]
enum FragmentCase {
    Filter(String),
    Assign(String),
    Aggregate(String),
}

fn fragment_strategy() -> impl Strategy<Value = FragmentCase> {
    let c = || (0usize..8).prop_map(fragment_col);
    let cast = prop_oneof![
        Just("INT"),
        Just("BIGINT"),
        Just("DOUBLE"),
        Just("VARCHAR"),
        Just("BOOLEAN")
    ];
    prop_oneof![
        (c(), c())
            .prop_map(|(x, y)| FragmentCase::Filter(format!("{x} IS NOT NULL AND {y} = {y}"))),
        c().prop_map(|x| FragmentCase::Filter(format!("{x} > 1"))),
        (c(), c())
            .prop_map(|(x, y)| FragmentCase::Filter(format!("{x} IN (1, 2) OR \"{y}\" IS NULL"))),
        c().prop_map(|x| FragmentCase::Filter(format!("{x} >"))),
        c().prop_map(|x| FragmentCase::Assign(x.to_string())),
        (c(), cast.clone()).prop_map(|(x, t)| FragmentCase::Assign(format!("CAST({x} AS {t})"))),
        (c(), c()).prop_map(|(x, y)| FragmentCase::Assign(format!("{x} * 2 + {y}"))),
        c().prop_map(|x| FragmentCase::Assign(format!("sum({x}) OVER (PARTITION BY k)"))),
        (
            prop_oneof![
                Just("sum"),
                Just("avg"),
                Just("min"),
                Just("max"),
                Just("count")
            ],
            c()
        )
            .prop_map(|(f, x)| FragmentCase::Aggregate(format!("{f}({x})"))),
        Just(FragmentCase::Aggregate("count(*)".to_string())),
        (c(), cast).prop_map(|(x, t)| FragmentCase::Aggregate(format!("max(CAST({x} AS {t}))"))),
    ]
}

/// The compile-time decision on a fragment over `a`: a check's message, or the type of the
/// value it gives (`?` unknown; empty for a condition).
fn fragment_compile_time(case: &FragmentCase, a: &FrameSchema) -> Result<String, String> {
    use fugue_core::const_check::{ConstSchema, check_sql_column};
    use fugue_core::rules::eval::const_form;
    use fugue_sql::FragmentKind;
    let (text, kind) = match case {
        FragmentCase::Filter(t) => (t, FragmentKind::Condition),
        FragmentCase::Assign(t) | FragmentCase::Aggregate(t) => (t, FragmentKind::Expression),
    };
    let fragment = fugue_sql::analyze_fragment(text, kind).map_err(|e| e.message)?;
    let (columns, ty) = fugue_sql::fragment_to_const(&fragment);
    let input = ConstSchema::of_columns(const_form(a).leak_columns(true));
    for c in &columns {
        check_sql_column(&STEP, &["a"], &[&input], c, "").map_err(|m| m.as_str().to_string())?;
    }
    let out = match case {
        FragmentCase::Filter(_) => return Ok(String::new()),
        FragmentCase::Assign(_) => input.assign(&["v"]),
        FragmentCase::Aggregate(_) => input.aggregate(&[], &["v"]),
    }
    .typed(&["v"], &[ty], &input);
    let at = out.cols().iter().position(|c| c.name == "v").expect("v");
    let mut m = fugue_core::const_check::Message::new();
    fugue_core::rules::write_type(&mut m, &out.cols()[at].ty);
    Ok(m.as_str().to_string())
}

/// What the engine decides: the error, or the type of `v`.
fn fragment_planned(case: &FragmentCase, a: &FrameSchema) -> Result<String, String> {
    let engine = fugue::make_engine("local", ()).map_err(|e| e.to_string())?;
    let frame = DataFrame::from(fugue::ArrowFrame::empty(a.clone()).map_err(|e| e.to_string())?);
    let out = match case {
        FragmentCase::Filter(t) => {
            // Plan and run (over no rows): an unknown column fails either way.
            let mut out = engine.filter(frame, t).map_err(|e| e.to_string())?;
            out.as_rows().map_err(|e| e.to_string())?;
            return Ok(String::new());
        }
        FragmentCase::Assign(t) => engine.assign(frame, &[("v", t.as_str())]),
        FragmentCase::Aggregate(t) => engine.aggregate(frame, &[], &[("v", t.as_str())]),
    }
    .map_err(|e| e.to_string())?;
    let v = out.schema().column("v").expect("v").data_type().clone();
    Ok(fugue_core::types::type_key(&v))
}

#[test]
fn compile_time_fragment_checks_and_types_agree_with_the_engines() {
    let mut tally = Tally::default();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::default());
    let strategy = (schema_strategy(), fragment_strategy());
    for _ in 0..1000 {
        let (sa, case) = strategy.new_tree(&mut runner).expect("a case").current();
        let a: FrameSchema = schema_text(&sa).parse().expect("schema");
        tally.statements += 1;
        let ours = fragment_compile_time(&case, &a);
        let theirs = fragment_planned(&case, &a);
        match (&ours, &theirs) {
            (Ok(t), Ok(p)) => {
                tally.planned += 1;
                if t != "?" && !t.is_empty() {
                    tally.typed += 1;
                }
                if t != "?" && t != p {
                    tally.disagreements.push(format!(
                        "{case:?} over a({a}): compile time {t}, engine {p}"
                    ));
                }
            }
            (Err(_), Err(_)) => tally.rejected_both += 1,
            (Err(m), Ok(_)) => tally
                .disagreements
                .push(format!("false compile error: {case:?} over a({a}): {m}")),
            (Ok(_), Err(_)) => tally.run_time_errors += 1,
        }
    }
    eprintln!("{tally:#?}");
    assert!(tally.disagreements.is_empty(), "{:#?}", tally.disagreements);
    assert!(
        tally.typed > 100 && tally.rejected_both > 100 && tally.planned > 200,
        "{tally:?}"
    );
}

/// Over steps whose columns are never NULL (records without `Option` fields), the columns an
/// outer join's NULL side gives are exactly the ones DataFusion plans nullable.
#[test]
fn the_null_side_of_an_outer_join_is_nullable_as_datafusion_plans_it() {
    let a = with_nulls("k:int,x:str".parse().expect("schema"), 0);
    let b = with_nulls("k:int,y:double".parse().expect("schema"), 0);
    for (sql, want) in [
        (
            "SELECT a.x, b.y, y AS u FROM a LEFT JOIN b ON a.k = b.k",
            [false, true, true],
        ),
        (
            "SELECT a.x, b.y, x AS u FROM a RIGHT JOIN b ON a.k = b.k",
            [true, false, true],
        ),
        (
            "SELECT a.x, b.y, a.k FROM a FULL JOIN b ON a.k = b.k",
            [true, true, true],
        ),
        (
            "SELECT a.x, b.y, b.k FROM a JOIN b ON a.k = b.k",
            [false, false, false],
        ),
    ] {
        let Some(Ok(Some(ours))) = compile_time(sql, &a, &b) else {
            panic!("{sql}: not known at compile time")
        };
        let ours: Vec<bool> = ours.iter().map(|(_, _, n)| *n).collect();
        assert_eq!(ours, want, "{sql}");
        assert_eq!(
            planned_nullability(sql, &a, &b).expect("planned"),
            want,
            "{sql}"
        );
    }
}

/// At run time a `sql` step's output keeps DataFusion's planned nullability, on every engine:
/// a group key of a column that is never NULL and `count(*)` are not nullable, `sum` and the
/// NULL side of a left join are.
#[test]
fn a_sql_steps_output_keeps_the_planned_nullability() -> fugue::Result<()> {
    let query = "SELECT t.city, count(*) AS n, sum(t.fare) AS total, max(z.region) AS region \
                 FROM trips t LEFT JOIN zones z ON t.city = z.city GROUP BY t.city";
    for engine in engines() {
        let wf = Workflow::new();
        let t = wf.create(trips());
        let z = wf.create(zones());
        wf.sql(query, &[("trips", t), ("zones", z)]).yield_as("out");
        let result = wf.run_on(engine)?;
        let out = result.get("out")?;
        let nulls: Vec<bool> = out
            .schema()
            .columns()
            .iter()
            .map(|c| c.is_nullable())
            .collect();
        assert_eq!(
            nulls,
            [false, false, true, true],
            "{engine}: {}",
            out.schema()
        );
        let planned = planned_nullability(
            &query.replace("trips", "a").replace("zones", "b"),
            &with_nulls("city:str,fare:double,passengers:int".parse()?, 0),
            &with_nulls("city:str,region:str".parse()?, 0),
        );
        assert_eq!(planned.as_deref(), Some(&nulls[..]), "{engine}");
    }
    Ok(())
}
