//! `sql` steps the checks must accept: aliases, CTEs, subqueries, correlated subqueries,
//! `USING`, output aliases in `GROUP BY`/`HAVING`/`ORDER BY`, windows, set operations, quoted
//! names, a step with capitals quoted, and a typed transformer over a SQL step's output.
use fugue::prelude::*;

#[derive(Schema)]
struct Trip {
    city: String,
    fare: f64,
    passengers: i32,
}

#[derive(Schema)]
struct Zone {
    city: String,
    pop: i64,
    #[fugue(rename = "Area Name")]
    area: String,
}

#[derive(Schema)]
struct Total {
    city: String,
    total: f64,
    trips: i64,
    biggest: i32,
}

#[transformer]
fn keep(rows: Vec<Total>) -> Vec<Total> {
    rows
}

#[allow(non_snake_case)]
fn main() {
    let _wf = workflow! {
        trips = load("trips.parquet") as Trip;
        zones = load("zones.parquet") as Zone;
        byZone = sql("SELECT * FROM zones");
        a = sql("SELECT t.city, sum(t.fare) AS total, count(*) AS trips, max(passengers) AS biggest
                 FROM trips t GROUP BY t.city HAVING total > 0 ORDER BY total DESC LIMIT 10");
        b = transform(a, keep);
        c = sql("WITH big AS (SELECT city, fare FROM trips WHERE fare > 10)
                 SELECT big.city, s.n FROM big JOIN (SELECT city, count(*) AS n FROM trips GROUP BY city) s
                 ON big.city = s.city");
        d = sql("SELECT city, fare FROM trips WHERE EXISTS (SELECT 1 FROM zones z WHERE z.city = trips.city AND pop > 100)");
        e = sql("SELECT city, fare, pop FROM trips JOIN zones USING (city)");
        f = sql("SELECT city, fare, row_number() OVER (PARTITION BY city ORDER BY fare DESC) AS rn,
                 lag(fare) OVER (PARTITION BY city ORDER BY fare) AS prev FROM trips");
        g = sql("SELECT city FROM trips UNION SELECT city FROM zones");
        h = sql("SELECT \"Area Name\", CITY AS c FROM Zones WHERE \"Area Name\" LIKE 'N%'");
        i = sql("SELECT * FROM \"byZone\"");
        j = sql("SELECT city AS c, count(*) AS n FROM trips GROUP BY c ORDER BY n");
        k = sql("SELECT 1 AS one");
        l = sql("SELECT t.*, z.pop FROM trips t LEFT JOIN zones z ON t.city = z.city");
        m = sql("SELECT CASE WHEN fare > 10 THEN 'high' ELSE 'low' END AS band, COALESCE(fare, 0) AS f,
                 CAST(passengers AS BIGINT) AS p FROM trips WHERE city IN ('a', 'b') AND fare BETWEEN 1 AND 2");
        yield b; yield c; yield d; yield e; yield f; yield g; yield h; yield i; yield j; yield k; yield l; yield m;
    };
}
