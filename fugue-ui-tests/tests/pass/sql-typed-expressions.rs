//! The types the compile time gives arithmetic, `UNION` and the function table are
//! DataFusion's: a typed step after each `sql` step takes exactly those types.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
    tip: f32,
    passengers: i32,
    day: chrono::NaiveDate,
}

/// `int + long` is `long`, `float * long` is `float`, `double / int` is `double`, `-int`
/// is `int`, `round` keeps an integer, `floor`/`sqrt` of an integer are `double`, `power` is
/// `double`, `SUM(x * 2)` of an int is `long`, `AVG` is `double`.
#[derive(Schema)]
struct Numbers {
    more: i64,
    tip2: f32,
    per: f64,
    neg: i32,
    rounded: i32,
    floored: f64,
    root: f64,
    squared: f64,
}

#[transformer]
fn numbers(rows: Vec<Numbers>) -> Vec<Numbers> {
    rows
}

#[derive(Schema)]
struct Sums {
    city: String,
    twice: i64,
    paid: i64,
    mean: f64,
}

#[transformer]
fn sums(rows: Vec<Sums>) -> Vec<Sums> {
    rows
}

/// Strings and dates: `substr`, `replace`, `concat` and `||` are strings, `date_part` and
/// `EXTRACT` are `int` (`epoch` a `double`), `to_date` a date, `date_trunc` of a date and
/// `to_timestamp` are nanosecond timestamps.
#[derive(Schema)]
struct Texts {
    head: String,
    swapped: String,
    label: String,
    joined: String,
    year: i32,
    month: i32,
    epoch: f64,
    parsed: chrono::NaiveDate,
    #[fugue(type = "timestamp(ns)")]
    week: chrono::NaiveDateTime,
    #[fugue(type = "timestamp(ns)")]
    stamped: chrono::NaiveDateTime,
}

#[transformer]
fn texts(rows: Vec<Texts>) -> Vec<Texts> {
    rows
}

#[derive(Schema)]
struct Named {
    name: String,
    n: i64,
}

#[transformer]
fn named(rows: Vec<Named>) -> Vec<Named> {
    rows
}

fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        n = sql("SELECT passengers + 1 AS more, tip * 2 AS tip2, fare / passengers AS per,
                 -passengers AS neg, round(passengers) AS rounded, floor(passengers) AS floored,
                 sqrt(passengers) AS root, power(fare, 2) AS squared FROM trips");
        a = transform(n, numbers);
        s = sql("SELECT city, sum(passengers * 2) AS twice,
                 sum(CASE WHEN fare > 0 THEN 1 ELSE 0 END) AS paid, avg(fare + tip) AS mean
                 FROM trips GROUP BY city");
        b = transform(s, sums);
        t = sql("SELECT substr(city, 1, 3) AS head, replace(city, 'a', 'b') AS swapped,
                 concat(city, '-', passengers) AS label, city || '/' || city AS joined,
                 date_part('year', day) AS year, EXTRACT(MONTH FROM day) AS month,
                 date_part('epoch', day) AS epoch, to_date(city) AS parsed,
                 date_trunc('week', day) AS week, to_timestamp(city) AS stamped FROM trips");
        c = transform(t, texts);
        u = sql("SELECT city AS name, count(*) AS n FROM trips GROUP BY city
                 UNION ALL SELECT 'all' AS name, count(*) AS n FROM trips");
        d = transform(u, named);
        yield a; yield b; yield c; yield d;
    };
}
