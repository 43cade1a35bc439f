//! The quickstart's workflow on a Ballista cluster: trips ranked per city by a typed
//! transformer (which runs inside the executors), joined with a city table and aggregated per
//! region (Ballista's own distributed plans).
//!
//! `cargo run --features cluster --example cluster` starts a scheduler and two executors on
//! this machine (this same program, in three more processes), runs the workflow on them and on
//! the local engine, and checks that both agree. On several machines, build the program once,
//! copy it to every machine and run:
//!
//! ```text
//! host-a$ cluster scheduler --bind 0.0.0.0:50050 --external-host host-a
//! host-b$ cluster executor --scheduler host-a:50050 --bind 0.0.0.0 --external-host host-b
//! host-c$ cluster executor --scheduler host-a:50050 --bind 0.0.0.0 --external-host host-c
//! host-a$ FUGUE_BALLISTA_SHARED_DIR=/mnt/shared FUGUE_RPC_FLIGHT_SERVER_HOST=host-a \
//!             cluster submit ballista://host-a:50050
//! ```
//!
//! Every node must run the same binary (executors find the transformers by name in it) and
//! see `fugue.ballista.shared_dir` at the same path.

use fugue::prelude::*;
use std::error::Error;
use std::process::{Child, Command, ExitCode, Stdio};
use std::time::{Duration, Instant};

/// One taxi trip.
#[derive(Schema, Debug, Clone)]
struct Trip {
    trip_id: i64,
    city: String,
    fare: f64,
}

/// A trip with its rank among the trips of its city, by fare, and the process that ranked it.
#[derive(Schema, Debug)]
struct RankedTrip {
    trip_id: i64,
    city: String,
    fare: f64,
    rank: i64,
    ranked_by: i64,
}

/// A city and its region.
#[derive(Schema, Debug, Clone)]
struct City {
    city: String,
    region: String,
}

/// The report of one region.
#[derive(Schema, Debug, PartialEq)]
struct Region {
    region: String,
    trips: i64,
    top_fare: f64,
    revenue: f64,
}

/// Rank the trips of one city by fare (the engine presorts them).
#[transformer(partitionby_has = "city", presort_is = "fare desc")]
fn rank_in_city(trips: Vec<Trip>) -> Vec<RankedTrip> {
    let pid = i64::from(std::process::id());
    trips
        .into_iter()
        .enumerate()
        .map(|(i, t)| RankedTrip {
            trip_id: t.trip_id,
            city: t.city,
            fare: t.fare,
            rank: i as i64 + 1,
            ranked_by: pid,
        })
        .collect()
}

const CITIES: [(&str, &str); 8] = [
    ("Paris", "Europe"),
    ("Oslo", "Europe"),
    ("Rome", "Europe"),
    ("Lima", "Americas"),
    ("Quito", "Americas"),
    ("Austin", "Americas"),
    ("Osaka", "Asia"),
    ("Hanoi", "Asia"),
];

fn trips(n: i64) -> Vec<Trip> {
    (0..n)
        .map(|i| Trip {
            trip_id: i,
            city: CITIES[(i * 7 % 8) as usize].0.to_string(),
            fare: 5.0 + ((i * 7919) % 8000) as f64 / 100.0,
        })
        .collect()
}

fn cities() -> Vec<City> {
    CITIES
        .iter()
        .map(|(c, r)| City {
            city: c.to_string(),
            region: r.to_string(),
        })
        .collect()
}

/// The driver: run the workflow on `engine` and return the regions, sorted.
fn regions_on(engine: &str) -> Result<Vec<Region>, Box<dyn Error>> {
    let wf = workflow! {
        trips   = create(trips(200_000)) as Trip;
        cities  = create(cities()) as City;
        ranked  = transform(trips, rank_in_city, partition(by: city, presort: fare desc));
        joined  = join(ranked, cities, how: inner, on: [city]);
        regions = aggregate(joined, by: [region], trips = "count(*)",
                            top_fare = "max(fare)", revenue = "sum(fare)");
        yield regions;
        yield ranked;
    };
    let started = Instant::now();
    let result = wf.run(engine, ())?;
    let mut regions: Vec<Region> = fugue::records(result.get("regions")?)?;
    regions.sort_by(|a, b| a.region.cmp(&b.region));
    let ranked: Vec<RankedTrip> = fugue::records(result.get("ranked")?)?;
    let mut processes: Vec<i64> = ranked.iter().map(|t| t.ranked_by).collect();
    processes.sort_unstable();
    processes.dedup();
    let shown = if engine.is_empty() { "local" } else { engine };
    println!(
        "{shown}: {} regions in {:.2?}; rank_in_city ran in processes {processes:?}",
        regions.len(),
        started.elapsed()
    );
    Ok(regions)
}

fn free_port() -> Result<u16, Box<dyn Error>> {
    Ok(std::net::TcpListener::bind("127.0.0.1:0")?
        .local_addr()?
        .port())
}

fn wait_for(port: u16) -> Result<(), Box<dyn Error>> {
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        if Instant::now() > deadline {
            return Err(format!("nothing listens on port {port}").into());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    Ok(())
}

/// The processes of the loopback cluster, stopped when dropped.
struct Nodes(Vec<Child>);

impl Drop for Nodes {
    fn drop(&mut self) {
        for child in &mut self.0 {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Start a scheduler and two executors (this program) and run the workflow on them.
fn demo() -> Result<(), Box<dyn Error>> {
    fugue::cluster::install();
    let me = std::env::current_exe()?;
    let port = free_port()?;
    let mut nodes = Nodes(Vec::new());
    println!("starting a scheduler on 127.0.0.1:{port} and two executors");
    nodes.0.push(
        Command::new(&me)
            .args(["scheduler", "--bind", &format!("127.0.0.1:{port}")])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()?,
    );
    wait_for(port)?;
    for _ in 0..2 {
        let flight = free_port()?;
        nodes.0.push(
            Command::new(&me)
                .args(["executor", "--scheduler", &format!("127.0.0.1:{port}")])
                .args([
                    "--port",
                    &flight.to_string(),
                    "--grpc-port",
                    &free_port()?.to_string(),
                ])
                .args(["--cores", "2"])
                .stdout(Stdio::null())
                .stderr(Stdio::null())
                .spawn()?,
        );
        wait_for(flight)?;
    }
    std::thread::sleep(Duration::from_secs(2));
    let on_cluster = regions_on(&format!("ballista://127.0.0.1:{port}"))?;
    let on_local = regions_on("")?;
    for r in &on_cluster {
        println!(
            "  {:<9} {:>7} trips  top fare {:>6.2}  revenue {:>12.2}",
            r.region, r.trips, r.top_fare, r.revenue
        );
    }
    let same = on_cluster.len() == on_local.len()
        && on_cluster.iter().zip(&on_local).all(|(a, b)| {
            a.region == b.region
                && a.trips == b.trips
                && a.top_fare == b.top_fare
                && (a.revenue - b.revenue).abs() < 1e-6 * b.revenue.abs().max(1.0)
        });
    if !same {
        return Err("the cluster and the local engine disagree".into());
    }
    println!("the cluster and the local engine agree");
    Ok(())
}

fn main() -> ExitCode {
    if std::env::args().len() == 1 {
        return match demo() {
            Ok(()) => ExitCode::SUCCESS,
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        };
    }
    // `scheduler`, `executor`, `submit ballista://HOST:PORT`, `standalone` or `run [ENGINE]`.
    fugue::cluster::main(|engine| regions_on(engine).map(|_| ()))
}
