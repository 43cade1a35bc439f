//! `ArrowStr` fields in derived records and transformers (the zero-copy strings the benchmark's
//! `rows_str` variants use).

use fugue::prelude::*;
use fugue::record::ArrowStr;

#[derive(Schema, Debug, Clone, PartialEq)]
struct City {
    name: ArrowStr,
    country: Option<ArrowStr>,
    tags: Vec<ArrowStr>,
    population: i64,
}

fn cities() -> Vec<City> {
    vec![
        City {
            name: "Paris".into(),
            country: Some("FR".into()),
            tags: vec!["capital".into()],
            population: 2_100_000,
        },
        City {
            name: "Zürich".into(),
            country: None,
            tags: vec![],
            population: 420_000,
        },
    ]
}

#[test]
fn arrow_str_fields_are_str_columns_and_round_trip() {
    assert_eq!(
        City::schema().to_string(),
        "name:str,country:str,tags:[str],population:long"
    );
    let batch = City::to_record_batch(&cities()).unwrap();
    let back = City::from_record_batch(&batch).unwrap();
    assert_eq!(back, cities());
    assert_eq!(back[1].name.chars().count(), 6);
    // Values read from the batch outlive it.
    drop(batch);
    assert_eq!(back[0].country.as_deref(), Some("FR"));
}

#[test]
fn a_null_in_a_required_arrow_str_is_an_error() {
    #[derive(Schema, Debug)]
    struct Named {
        country: ArrowStr,
    }
    let batch = City::to_record_batch(&cities()).unwrap();
    let e = Named::from_record_batch(&batch).unwrap_err();
    assert!(e.to_string().contains("country"), "{e}");
}

#[derive(Schema, Debug, PartialEq)]
struct Shout {
    name: ArrowStr,
    loud: String,
}

/// Rows whose strings are read without a copy, passed through and transformed.
#[transformer]
fn shout(rows: Vec<City>) -> Vec<Shout> {
    rows.into_iter()
        .map(|c| Shout {
            loud: c.name.to_uppercase(),
            name: c.name,
        })
        .collect()
}

#[test]
fn transformers_take_and_return_arrow_str_rows() {
    for engine in ["native", "local"] {
        let out = fugue::transform(cities(), shout, (), engine).unwrap();
        let mut rows: Vec<Shout> = fugue::records(out).unwrap();
        rows.sort_by(|a, b| a.name.cmp(&b.name));
        assert_eq!(rows[0].loud, "PARIS");
        assert_eq!(rows[1].name, "Zürich");
    }
}
