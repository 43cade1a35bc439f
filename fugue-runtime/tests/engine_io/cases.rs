// The cases of `engine_io.rs`, run once per engine: each including module defines `engine()`.

use arrow::datatypes::DataType;
use fugue_runtime::engine::{
    RelationalEngine, FileFormat, LoadColumns, LoadOptions, LocalEngine, SaveMode, SaveOptions,
};
use fugue_runtime::fugue_core::{Column, ErrorKind, Schema};
use fugue_runtime::workflow::Workflow;
use fugue_runtime::{ArrowFrame, DataFrame, Value};
use std::fs;
use std::path::Path;


fn frame() -> DataFrame {
    let rows = vec![
        vec![Value::from(1_i64), Value::from("x"), Value::from(0.5_f64)],
        vec![Value::from(2_i64), Value::Null, Value::from(1.5_f64)],
        vec![Value::from(1_i64), Value::from("z"), Value::Null],
    ];
    DataFrame::from(ArrowFrame::from_rows("k:long,s:str,v:double", &rows).expect("frame"))
}

use crate::common::sorted_rows;

/// Names in a folder, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = fs::read_dir(dir)
        .expect("listing")
        .map(|e| e.expect("entry").file_name().to_string_lossy().to_string())
        .collect();
    names.sort();
    names
}

#[test]
fn a_csv_saved_with_the_defaults_reads_back_with_the_defaults() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    for name in ["d.csv", "d.csv.gz"] {
        let path = dir.path().join(name);
        let path = path.to_str().expect("utf8 path");
        e.save(frame(), path, &SaveOptions::default()).expect("save");
        let text = if name.ends_with(".gz") {
            None
        } else {
            Some(fs::read_to_string(path).expect("read"))
        };
        if let Some(text) = text {
            assert!(text.starts_with("k,s,v\n"), "{text}");
        }
        let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
        assert_eq!(loaded.schema().to_string(), "k:str,s:str,v:str", "{name}");
        assert_eq!(loaded.count().expect("count"), 3, "{name}: every row, none taken as a header");
    }
}

#[test]
fn a_csv_null_text_reads_as_null_beside_empty_fields() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("na.csv");
    fs::write(&path, "k;v\n1;2.5\n2;NA\n3;\n").expect("write");
    let path = path.to_str().expect("utf8 path");
    let e = engine();
    let load = LoadOptions {
        delimiter: b';',
        null_value: Some("NA".into()),
        columns: Some(LoadColumns::Schema(Schema::parse("k:long,v:double").expect("schema"))),
        ..LoadOptions::default()
    };
    let mut loaded = e.load(&[path], &load).expect("load");
    assert_eq!(
        loaded.as_rows().expect("rows"),
        vec![
            vec![Value::from(1_i64), Value::from(2.5_f64)],
            vec![Value::from(2_i64), Value::Null],
            vec![Value::from(3_i64), Value::Null],
        ]
    );
    // Without it, `NA` is no double: an error naming the file, not a silent NULL.
    let strict = LoadOptions {
        null_value: None,
        ..load
    };
    let err = e.load(&[path], &strict).unwrap_err();
    assert!(err.to_string().contains("na.csv"), "{err}");
}

#[test]
fn every_format_round_trips() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    for name in ["a.parquet", "a.json", "a.arrow", "a.json.gz"] {
        let path = dir.path().join(name);
        let path = path.to_str().expect("utf8 path");
        e.save(frame(), path, &SaveOptions::default())
            .expect("save");
        let loaded = e.load(&[path], &LoadOptions::default()).expect("load");
        assert_eq!(sorted_rows(loaded), sorted_rows(frame()), "{name}");
    }
    // CSV keeps no types: a header and inference bring them back.
    for name in ["a.csv", "a.csv.gz"] {
        let path = dir.path().join(name);
        let path = path.to_str().expect("utf8 path");
        let save = SaveOptions {
            header: true,
            ..SaveOptions::default()
        };
        e.save(frame(), path, &save).expect("save csv");
        let load = LoadOptions {
            header: true,
            columns: Some(LoadColumns::Schema(
                Schema::parse("k:long,s:str,v:double").expect("schema"),
            )),
            ..LoadOptions::default()
        };
        let loaded = e.load(&[path], &load).expect("load csv");
        assert_eq!(loaded.schema().to_string(), "k:long,s:str,v:double");
        assert_eq!(sorted_rows(loaded), sorted_rows(frame()), "{name}");
    }
}

#[test]
fn csv_options_read_a_header_by_default() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("data.csv");
    fs::write(&path, "a,b\n1,x\n2,y\n").expect("write");
    let path = path.to_str().expect("utf8 path");
    let e = engine();
    // The default reads the header (Fugue's default does not).
    let df = e.load(&[path], &LoadOptions::default()).expect("strings");
    assert_eq!(df.schema().to_string(), "a:str,b:str");
    assert_eq!(df.count().expect("count"), 2);
    // Without a header the columns must be given.
    let headerless = LoadOptions {
        header: false,
        ..LoadOptions::default()
    };
    let err = e.load(&[path], &headerless).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::InvalidArgument);
    let header = LoadOptions {
        header: true,
        ..LoadOptions::default()
    };
    let df = e.load(&[path], &header).expect("strings");
    assert_eq!(df.schema().to_string(), "a:str,b:str");
    let inferred = LoadOptions {
        header: true,
        infer_schema: true,
        columns: Some(LoadColumns::Names(vec!["b".into(), "a".into()])),
        ..LoadOptions::default()
    };
    let df = e.load(&[path], &inferred).expect("inferred");
    assert_eq!(df.schema().to_string(), "b:str,a:long");
    let both = LoadOptions {
        header: true,
        infer_schema: true,
        columns: Some(LoadColumns::Schema(Schema::parse("a:int").expect("schema"))),
        ..LoadOptions::default()
    };
    assert_eq!(
        e.load(&[path], &both).unwrap_err().kind(),
        ErrorKind::InvalidArgument
    );
}

#[test]
fn folders_globs_and_lists_load_every_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let folder = dir.path().join("out");
    fs::create_dir(&folder).expect("mkdir");
    for i in 0..2 {
        let path = folder.join(format!("part-{i}.parquet"));
        e.save(
            frame(),
            path.to_str().expect("utf8"),
            &SaveOptions::default(),
        )
        .expect("save");
    }
    fs::write(folder.join("_SUCCESS"), "").expect("marker");
    let folder_text = folder.to_str().expect("utf8");
    let load = LoadOptions {
        format: Some(FileFormat::Parquet),
        ..LoadOptions::default()
    };
    let df = e.load(&[folder_text], &load).expect("folder");
    assert_eq!(df.count().expect("count"), 6);
    let pattern = format!("{folder_text}/part-*.parquet");
    let df = e.load(&[&pattern], &LoadOptions::default()).expect("glob");
    assert_eq!(df.count().expect("count"), 6);
    let one = format!("{folder_text}/part-0.parquet");
    let df = e.load(&[&one, &one, folder_text], &load).expect("list");
    assert_eq!(df.count().expect("count"), 12);
}

#[test]
fn a_corrupt_file_is_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("broken.parquet");
    fs::write(&path, b"this is not parquet").expect("write");
    let err = engine()
        .load(&[path.to_str().expect("utf8")], &LoadOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("broken.parquet"), "{err}");
}

#[test]
fn files_with_other_schemas_are_named() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let a = dir.path().join("a.parquet");
    let b = dir.path().join("b.parquet");
    e.save(frame(), a.to_str().expect("utf8"), &SaveOptions::default())
        .expect("save a");
    let other = frame().select(&["k"]).expect("select");
    e.save(other, b.to_str().expect("utf8"), &SaveOptions::default())
        .expect("save b");
    let err = e
        .load(
            &[a.to_str().expect("utf8"), b.to_str().expect("utf8")],
            &LoadOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaMismatch);
    assert!(err.to_string().contains("b.parquet"), "{err}");
}

#[test]
fn a_failed_save_leaves_the_target_and_no_temporary_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let target = dir.path().join("data.csv");
    let target_text = target.to_str().expect("utf8");
    e.save(frame(), target_text, &SaveOptions::default())
        .expect("first save");
    let before = fs::read(&target).expect("read");
    // CSV cannot hold a list column: the write fails after the file was created.
    let nested = DataFrame::from(
        ArrowFrame::from_rows(
            "k:long,tags:[str]",
            &[vec![
                Value::from(1_i64),
                Value::List(vec![Value::from("a")]),
            ]],
        )
        .expect("nested frame"),
    );
    let err = e
        .save(nested, target_text, &SaveOptions::default())
        .unwrap_err();
    assert!(err.to_string().contains("data.csv"), "{err}");
    assert_eq!(fs::read(&target).expect("read"), before);
    assert_eq!(listing(dir.path()), ["data.csv"]);
}

#[test]
fn a_target_under_a_file_fails_cleanly() {
    let dir = tempfile::tempdir().expect("tempdir");
    let blocker = dir.path().join("blocker");
    fs::write(&blocker, "keep me").expect("write");
    let target = blocker.join("out.parquet");
    let err = engine()
        .save(
            frame(),
            target.to_str().expect("utf8"),
            &SaveOptions::default(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Io);
    assert_eq!(fs::read_to_string(&blocker).expect("read"), "keep me");
    assert_eq!(listing(dir.path()), ["blocker"]);
}

#[test]
fn save_modes() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let file = dir.path().join("one.parquet");
    let file_text = file.to_str().expect("utf8");
    e.save(frame(), file_text, &SaveOptions::default())
        .expect("save");
    let error_mode = SaveOptions {
        mode: SaveMode::Error,
        ..SaveOptions::default()
    };
    assert_eq!(
        e.save(frame(), file_text, &error_mode).unwrap_err().kind(),
        ErrorKind::Io
    );
    let append = SaveOptions {
        mode: SaveMode::Append,
        ..SaveOptions::default()
    };
    assert_eq!(
        e.save(frame(), file_text, &append).unwrap_err().kind(),
        ErrorKind::UnsupportedOperation
    );
    // Overwrite replaces the content.
    let smaller = frame().head(1).expect("head");
    e.save(smaller, file_text, &SaveOptions::default())
        .expect("overwrite");
    let df = e.load(&[file_text], &LoadOptions::default()).expect("load");
    assert_eq!(df.count().expect("count"), 1);

    // A hive-partitioned folder, appended to.
    let folder = dir.path().join("by_k.parquet");
    let folder_text = folder.to_str().expect("utf8");
    let partitioned = SaveOptions {
        partition_by: vec!["k".into()],
        ..SaveOptions::default()
    };
    e.save(frame(), folder_text, &partitioned)
        .expect("partitioned");
    assert_eq!(listing(&folder), ["k=1", "k=2"]);
    let partitioned_append = SaveOptions {
        mode: SaveMode::Append,
        ..partitioned.clone()
    };
    e.save(frame(), folder_text, &partitioned_append)
        .expect("append");
    let df = e
        .load(&[folder_text], &LoadOptions::default())
        .expect("load");
    // The partition column comes back from the folder names, as `str`.
    assert_eq!(df.schema().to_string(), "s:str,v:double,k:str");
    assert_eq!(df.count().expect("count"), 6);
    let restored = e
        .load(
            &[folder_text],
            &LoadOptions {
                columns: Some(LoadColumns::Schema(
                    Schema::parse("k:long,s:str,v:double").expect("schema"),
                )),
                ..LoadOptions::default()
            },
        )
        .expect("load with columns");
    let mut doubled = sorted_rows(frame());
    doubled.extend(sorted_rows(frame()));
    doubled.sort();
    assert_eq!(sorted_rows(restored), doubled);
    assert!(
        listing(dir.path()).iter().all(|n| !n.starts_with('.')),
        "temporary files left: {:?}",
        listing(dir.path())
    );
}

#[test]
fn unknown_formats_need_a_hint() {
    let e = engine();
    let err = e
        .save(frame(), "/tmp/never-written.txt", &SaveOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
    assert!(!Path::new("/tmp/never-written.txt").exists());
    let err = e
        .load(&["/tmp/never-read.txt"], &LoadOptions::default())
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::UnsupportedOperation);
}
// ---- typed loads convert only losslessly ------------------------------------------------------

fn declared(schema: &str) -> LoadOptions {
    LoadOptions {
        columns: Some(LoadColumns::Schema(Schema::parse(schema).expect("schema"))),
        ..LoadOptions::default()
    }
}

fn typed_frame() -> DataFrame {
    let rows = vec![
        vec![
            Value::from(1_i32),
            Value::from(1.5_f32),
            Value::from(2.75_f64),
            Value::from(7_i64),
        ],
        vec![
            Value::from(-2_i32),
            Value::Null,
            Value::from(-0.5_f64),
            Value::from(i64::MAX),
        ],
    ];
    DataFrame::from(ArrowFrame::from_rows("i:int,f:float,d:double,l:long", &rows).expect("frame"))
}

#[test]
fn a_declared_type_that_could_change_values_is_refused() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    for name in ["weather.parquet", "weather.arrow"] {
        let path = dir.path().join(name);
        let path = path.to_str().expect("utf8");
        e.save(typed_frame(), path, &SaveOptions::default())
            .expect("save");
        // The example: a `double` column declared `int` used to truncate silently.
        for (schema, column, found, expected) in [
            ("d:int", "d", "double", "int"),
            ("d:long", "d", "double", "long"),
            ("l:double", "l", "long", "double"),
            ("l:int", "l", "long", "int"),
            ("d:float", "d", "double", "float"),
            ("i:str", "i", "int", "str"),
        ] {
            let err = e.load(&[path], &declared(schema)).unwrap_err();
            assert_eq!(err.kind(), ErrorKind::TypeMismatch, "{schema}: {err}");
            let text = err.to_string();
            for part in [
                name,
                &format!("`{column}`"),
                &format!("`{found}`"),
                &format!("`{expected}`"),
                &format!("`{column}:{found}`"),
                "alter_columns",
            ] {
                assert!(text.contains(part), "{schema}: `{part}` not in {text}");
            }
        }
        // Widening keeps every value.
        let mut widened = e
            .load(&[path], &declared("i:long,f:double,l:long,d:double"))
            .expect("lossless");
        assert_eq!(
            widened.schema().to_string(),
            "i:long,f:double,l:long,d:double"
        );
        assert_eq!(
            widened.as_rows().expect("rows"),
            vec![
                vec![
                    Value::Int64(1),
                    Value::Float64(1.5),
                    Value::Int64(7),
                    Value::Float64(2.75)
                ],
                vec![
                    Value::Int64(-2),
                    Value::Null,
                    Value::Int64(i64::MAX),
                    Value::Float64(-0.5)
                ],
            ]
        );
        let exact = e
            .load(&[path], &declared("i:double"))
            .expect("int to double");
        assert_eq!(exact.schema().to_string(), "i:double");
    }
}

#[test]
fn text_is_read_as_declared_and_a_bad_value_names_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let csv = dir.path().join("data.csv");
    fs::write(&csv, "a,b\n1,2.5\n3,x\n").expect("write");
    let csv = csv.to_str().expect("utf8");
    let header = |schema: &str| LoadOptions {
        header: true,
        ..declared(schema)
    };
    let mut df = e.load(&[csv], &header("a:int")).expect("parsed");
    assert_eq!(
        df.as_rows().expect("rows"),
        vec![vec![Value::Int32(1)], vec![Value::Int32(3)]]
    );
    let err = e.load(&[csv], &header("b:double")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    assert!(err.to_string().contains("data.csv"), "{err}");
    assert!(err.to_string().contains("row 1"), "{err}");

    // JSON numbers have no width: an integer reads into `int` with a range check, a fraction
    // into an integer type is refused.
    let json = dir.path().join("data.json");
    fs::write(&json, "{\"n\":1,\"x\":1.5}\n{\"n\":3000000000,\"x\":2}\n").expect("write");
    let json = json.to_str().expect("utf8");
    let mut df = e.load(&[json], &declared("n:long,x:double")).expect("json");
    assert_eq!(
        df.as_rows().expect("rows"),
        vec![
            vec![Value::Int64(1), Value::Float64(1.5)],
            vec![Value::Int64(3_000_000_000), Value::Float64(2.0)]
        ]
    );
    let err = e.load(&[json], &declared("x:int")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::TypeMismatch, "{err}");
    assert!(err.to_string().contains("data.json"), "{err}");
    let err = e.load(&[json], &declared("n:int")).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    assert!(err.to_string().contains("3000000000"), "{err}");
    assert!(err.to_string().contains("data.json"), "{err}");
}

#[test]
fn a_null_in_a_declared_non_nullable_column_names_the_file_and_row() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let path = dir.path().join("people.parquet");
    let path = path.to_str().expect("utf8");
    // `s` is NULL in row 1 (counting from 0).
    e.save(frame(), path, &SaveOptions::default())
        .expect("save");
    let record = |nullable: bool| {
        Schema::new(vec![
            Column::with_nullable("k", DataType::Int64, false),
            Column::with_nullable("s", DataType::Utf8, nullable),
        ])
        .expect("schema")
    };
    let options = |schema| LoadOptions {
        columns: Some(LoadColumns::Schema(schema)),
        ..LoadOptions::default()
    };
    let err = e.load(&[path], &options(record(false))).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::Conversion, "{err}");
    let text = err.to_string();
    for part in ["people.parquet", "`s`", "row 1", "Option"] {
        assert!(text.contains(part), "`{part}` not in {text}");
    }
    // An `Option` field accepts the NULL; a column without NULLs passes the check.
    let df = e.load(&[path], &options(record(true))).expect("nullable");
    assert_eq!(df.count().expect("count"), 3);

    // The same through a workflow's typed load (what `load(..) as Record` expands to).
    let wf = Workflow::new();
    wf.load(path).schema(record(false)).yield_as("typed");
    let err = wf.run_on("native").unwrap_err();
    assert!(err.to_string().contains("people.parquet"), "{err}");
    assert!(err.to_string().contains("row 1"), "{err}");
}
// ---- corrupt files are errors naming the file, never panics -----------------------------------

#[test]
fn truncated_and_bit_flipped_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let csv = LoadOptions {
        header: true,
        ..LoadOptions::default()
    };
    let cases = [
        ("good.parquet", LoadOptions::default()),
        ("good.arrow", LoadOptions::default()),
        ("good.json", LoadOptions::default()),
        ("good.json.gz", LoadOptions::default()),
        ("good.csv", csv.clone()),
        ("good.csv.gz", csv),
    ];
    // Arrow IPC files as pyarrow writes them by default (compressed buffers).
    let compressed = |codec| {
        let batches = frame().into_batches().expect("batches");
        let options = arrow::ipc::writer::IpcWriteOptions::default()
            .try_with_compression(Some(codec))
            .expect("codec");
        let mut bytes = Vec::new();
        let mut writer = arrow::ipc::writer::FileWriter::try_new_with_options(
            &mut bytes,
            &batches[0].schema(),
            options,
        )
        .expect("writer");
        for b in &batches {
            writer.write(b).expect("write");
        }
        writer.finish().expect("finish");
        drop(writer);
        bytes
    };
    for (name, codec) in [
        ("lz4.arrow", arrow::ipc::CompressionType::LZ4_FRAME),
        ("zstd.arrow", arrow::ipc::CompressionType::ZSTD),
    ] {
        let path = dir.path().join(name);
        fs::write(&path, compressed(codec)).expect("write");
        let loaded = e
            .load(&[path.to_str().expect("utf8")], &LoadOptions::default())
            .expect("a compressed file loads");
        assert_eq!(sorted_rows(loaded), sorted_rows(frame()), "{name}");
    }
    let cases = [
        ("lz4.arrow", LoadOptions::default()),
        ("zstd.arrow", LoadOptions::default()),
    ]
    .into_iter()
    .chain(cases);
    for (name, options) in cases {
        let good = dir.path().join(name);
        if !good.exists() {
            let save = SaveOptions {
                header: true,
                ..SaveOptions::default()
            };
            e.save(frame(), good.to_str().expect("utf8"), &save)
                .expect("save");
        }
        let bytes = fs::read(&good).expect("read");
        let bad = dir.path().join(format!("bad-{name}"));
        let bad_text = bad.to_str().expect("utf8").to_string();
        // Every byte of the headers and footers (where the sizes are), every 8th between them
        // (a contained panic costs a backtrace when RUST_BACKTRACE is set).
        let n = bytes.len();
        let positions: Vec<usize> = (0..n)
            .filter(|&i| i < 64 || i + 320 >= n || i % 8 == 0)
            .collect();
        let mut variants: Vec<(String, Vec<u8>)> = positions
            .iter()
            .map(|&n| (format!("truncated to {n} bytes"), bytes[..n].to_vec()))
            .collect();
        for (k, &i) in positions.iter().enumerate() {
            let mask = [0x01_u8, 0x80, 0xFF][k % 3];
            let mut flipped = bytes.clone();
            flipped[i] ^= mask;
            variants.push((format!("byte {i} ^ {mask:#04x}"), flipped));
        }
        let mut errors = 0;
        for (what, content) in variants {
            fs::write(&bad, &content).expect("write");
            let loaded = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                e.load(&[&bad_text], &options)
                    .and_then(|mut df| df.as_rows().map(|_| ()))
            }));
            match loaded {
                Err(_) => panic!("{name}, {what}: the load panicked"),
                Ok(Err(err)) => {
                    errors += 1;
                    assert!(
                        err.to_string().contains(&format!("bad-{name}")),
                        "{name}, {what}: the error does not name the file: {err}"
                    );
                }
                // A flip inside a value can give another valid file.
                Ok(Ok(())) => {}
            }
            // Read through a keyed transformer step (a node of the scan's plan on `local`):
            // the file is named there too.
            if name == "good.parquet" {
                let through_step = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    let spec = fugue_runtime::fugue_core::PartitionSpec::by(["k"])?;
                    let loaded = e.load(&[&bad_text], &options)?;
                    let identity = std::sync::Arc::new(crate::common::Identity);
                    let params = std::sync::Arc::new(fugue_runtime::function::Params::new());
                    fugue_runtime::engine::ExecutionEngine::map(
                        &e, loaded, identity, &spec, params, None,
                    )?
                    .as_rows()
                    .map(|_| ())
                }));
                match through_step {
                    Err(_) => panic!("{name}, {what}: the step over the load panicked"),
                    Ok(Err(err)) => assert!(
                        err.to_string().contains(&format!("bad-{name}")),
                        "{name}, {what}: the step's error does not name the file: {err}"
                    ),
                    Ok(Ok(())) => {}
                }
            }
        }
        assert!(errors > positions.len() / 2, "{name}: only {errors} errors");
    }
}
// ---- partitioned saves stay in their folder and read back -------------------------------------

/// Every file under `dir`, recursively, as paths relative to it.
fn tree(dir: &Path) -> Vec<String> {
    fn walk(root: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in fs::read_dir(dir).expect("listing") {
            let path = entry.expect("entry").path();
            if path.is_dir() {
                walk(root, &path, out);
            } else {
                let relative = path.strip_prefix(root).expect("under the root");
                out.push(relative.to_string_lossy().to_string());
            }
        }
    }
    let mut out = Vec::new();
    walk(dir, dir, &mut out);
    out.sort();
    out
}

/// The rows of `df` as text, `None` for NULL, sorted.
fn text_rows(mut df: DataFrame) -> Vec<Vec<Option<String>>> {
    let mut rows: Vec<Vec<Option<String>>> = df
        .as_rows()
        .expect("rows")
        .into_iter()
        .map(|row| {
            row.into_iter()
                .map(|v| match v {
                    Value::Null => None,
                    v => Some(v.as_str().map_or_else(|| v.to_string(), str::to_string)),
                })
                .collect()
        })
        .collect();
    rows.sort();
    rows
}

#[test]
fn partition_names_and_values_cannot_leave_the_folder_and_read_back() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let outside = dir.path().join("abs");
    let absolute = outside.to_str().expect("utf8").to_string();
    let names = [
        "../escape",
        absolute.as_str(),
        "a=b/c",
        "_hidden",
        ".dot",
        "..",
        "%41 #?*[]^{}'\"<>|:\\",
    ];
    let values = [
        "..",
        ".",
        "../../x",
        "/etc",
        "a=b",
        "%41",
        "__HIVE_DEFAULT_PARTITION__",
        "",
        "é\t\u{1}",
        "_v",
    ];
    for name in names {
        let schema = Schema::new(vec![
            Column::new(name, DataType::Utf8),
            Column::new("v", DataType::Int64),
        ])
        .expect("schema");
        let mut rows: Vec<Vec<Value>> = values
            .iter()
            .enumerate()
            .map(|(i, v)| vec![Value::from(*v), Value::from(i as i64)])
            .collect();
        rows.push(vec![Value::Null, Value::from(99_i64)]);
        let df = DataFrame::from(ArrowFrame::from_rows(schema, &rows).expect("frame"));
        let target = dir.path().join("out.parquet");
        let target_text = target.to_str().expect("utf8");
        let options = SaveOptions {
            partition_by: vec![name.to_string()],
            ..SaveOptions::default()
        };
        e.save(df, target_text, &options).expect("save");
        assert_eq!(
            listing(dir.path()),
            ["out.parquet"],
            "{name}: written outside"
        );
        let files = tree(&target);
        assert_eq!(files.len(), rows.len(), "{name}: {files:?}");
        let loaded = e
            .load(&[target_text], &LoadOptions::default())
            .expect("load");
        assert_eq!(
            loaded.schema().names().collect::<Vec<_>>(),
            ["v", name],
            "{name}"
        );
        let expected: Vec<Vec<Option<String>>> = {
            let mut expected: Vec<Vec<Option<String>>> = rows
                .iter()
                .map(|r| vec![Some(r[1].to_string()), r[0].as_str().map(str::to_string)])
                .collect();
            expected.sort();
            expected
        };
        assert_eq!(text_rows(loaded), expected, "{name}");
    }

    // The workflow's partitioned save goes through the same escaping.
    let wf = Workflow::new();
    let target = dir.path().join("wf.parquet");
    let schema = Schema::new(vec![
        Column::new("../escape", DataType::Utf8),
        Column::new("v", DataType::Int64),
    ])
    .expect("schema");
    let rows = vec![vec![Value::from("../up"), Value::from(1_i64)]];
    wf.create(ArrowFrame::from_rows(schema, &rows).expect("frame"))
        .partition_by(&["../escape"])
        .save(target.to_str().expect("utf8"), "overwrite");
    wf.run_on("native").expect("run");
    assert_eq!(listing(dir.path()), ["out.parquet", "wf.parquet"]);
    assert_eq!(
        tree(&target),
        ["%2E.%2Fescape=%2E.%2Fup/part-00000.parquet"]
    );
}

// ---- JSON column order ------------------------------------------------------------------------

#[test]
fn json_keeps_the_declared_or_the_first_seen_column_order() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let path = dir.path().join("z.json");
    let text = path.to_str().expect("utf8");
    let df = frame()
        .select(&["v", "s", "k"])
        .expect("select")
        .rename(&[("v", "zeta"), ("s", "alpha"), ("k", "mid")])
        .expect("rename");
    e.save(df, text, &SaveOptions::default()).expect("save");
    let df = e.load(&[text], &LoadOptions::default()).expect("load");
    assert_eq!(df.schema().to_string(), "zeta:double,alpha:str,mid:long");
    // Keys first seen in later lines come after, in their order.
    let path = dir.path().join("hand.json");
    fs::write(
        &path,
        "{\"b\":1,\"a\":2}\n{\"c\":3,\"a\":4,\"\\u0041\":5}\n",
    )
    .expect("write");
    let text = path.to_str().expect("utf8");
    let df = e.load(&[text], &LoadOptions::default()).expect("load");
    assert_eq!(df.schema().to_string(), "b:long,a:long,c:long,A:long");
    let df = e
        .load(&[text], &declared("c:long,b:long"))
        .expect("declared");
    assert_eq!(df.schema().to_string(), "c:long,b:long");
}

// ---- empty files and frames ------------------------------------------------------------------

#[test]
fn empty_csv_and_json_files_load_with_their_declared_schema() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let schema = "k:long,s:str,v:double";
    for (name, header) in [
        ("a.csv", false),
        ("b.csv", true),
        ("c.json", false),
        ("d.json.gz", false),
    ] {
        let path = dir.path().join(name);
        if name.ends_with(".gz") {
            let mut encoder =
                flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
            std::io::Write::write_all(&mut encoder, b"").expect("gzip");
            fs::write(&path, encoder.finish().expect("gzip")).expect("write");
        } else {
            fs::write(&path, "").expect("write");
        }
        let text = path.to_str().expect("utf8");
        let options = LoadOptions {
            header,
            ..declared(schema)
        };
        let df = e.load(&[text], &options).expect("empty file");
        assert_eq!(df.schema().to_string(), schema, "{name}");
        assert_eq!(df.count().expect("count"), 0, "{name}");
        // Without a schema there is nothing to say what the columns are.
        let err = e
            .load(
                &[text],
                &LoadOptions {
                    header: true,
                    ..LoadOptions::default()
                },
            )
            .unwrap_err();
        assert_eq!(err.kind(), ErrorKind::InvalidArgument, "{name}: {err}");
        assert!(err.to_string().contains(name), "{err}");
    }
    // An empty file among others adds no row.
    let folder = dir.path().join("json");
    fs::create_dir(&folder).expect("mkdir");
    fs::write(folder.join("a.json"), "").expect("write");
    fs::write(folder.join("b.json"), "{\"x\":1}\n").expect("write");
    let df = e
        .load(&[folder.to_str().expect("utf8")], &LoadOptions::default())
        .expect("folder");
    assert_eq!(df.schema().to_string(), "x:long");
}

#[test]
fn an_empty_frame_loads_back_with_its_schema_in_every_format() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let empty = || frame().head(0).expect("head");
    for name in ["e.parquet", "e.arrow"] {
        let path = dir.path().join(name);
        let text = path.to_str().expect("utf8");
        e.save(empty(), text, &SaveOptions::default())
            .expect("save");
        let df = e.load(&[text], &LoadOptions::default()).expect("load");
        assert_eq!(df.schema().to_string(), "k:long,s:str,v:double", "{name}");
        assert_eq!(df.count().expect("count"), 0);
    }
    // CSV with a header line keeps the names (CSV has no types: declare them to get them).
    for name in ["e.csv", "e.csv.gz"] {
        let path = dir.path().join(name);
        let text = path.to_str().expect("utf8");
        let header = SaveOptions {
            header: true,
            ..SaveOptions::default()
        };
        e.save(empty(), text, &header).expect("save");
        let names = LoadOptions {
            header: true,
            ..LoadOptions::default()
        };
        let df = e.load(&[text], &names).expect("load");
        assert_eq!(df.schema().to_string(), "k:str,s:str,v:str", "{name}");
        let typed = LoadOptions {
            header: true,
            ..declared("k:long,s:str,v:double")
        };
        let df = e.load(&[text], &typed).expect("load typed");
        assert_eq!(df.schema().to_string(), "k:long,s:str,v:double", "{name}");
        assert_eq!(df.count().expect("count"), 0);
    }
    // JSON lines hold no schema: the declared one.
    let path = dir.path().join("e.json");
    let text = path.to_str().expect("utf8");
    e.save(empty(), text, &SaveOptions::default())
        .expect("save");
    let df = e
        .load(&[text], &declared("k:long,s:str,v:double"))
        .expect("load");
    assert_eq!(df.schema().to_string(), "k:long,s:str,v:double");
}

// ---- saves and appends ------------------------------------------------------------------------

fn append() -> SaveOptions {
    SaveOptions {
        mode: SaveMode::Append,
        ..SaveOptions::default()
    }
}

#[test]
fn appends_to_a_new_path_work_again_and_again() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    for name in ["new.parquet", "new.arrow", "new.json"] {
        let path = dir.path().join(name);
        let text = path.to_str().expect("utf8");
        for _ in 0..3 {
            e.save(frame(), text, &append()).expect("append");
        }
        let df = e.load(&[text], &LoadOptions::default()).expect("load");
        assert_eq!(df.count().expect("count"), 9, "{name}");
    }
    let csv = dir.path().join("new.csv");
    let csv_text = csv.to_str().expect("utf8");
    for _ in 0..2 {
        e.save(frame(), csv_text, &append()).expect("append csv");
    }
    let df = e
        .load(&[csv_text], &declared("k:long,s:str,v:double"))
        .expect("load csv");
    assert_eq!(df.count().expect("count"), 6);
    assert!(listing(dir.path()).iter().all(|n| !n.starts_with('.')));
}

#[test]
fn an_append_of_another_schema_is_refused_before_anything_is_written() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    for name in ["out.parquet", "out.arrow", "out.json"] {
        let path = dir.path().join(name);
        let text = path.to_str().expect("utf8");
        e.save(frame(), text, &append()).expect("append");
        let before = tree(&path);
        let other = frame().rename(&[("v", "w")]).expect("rename");
        let err = e.save(other, text, &append()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SchemaMismatch, "{name}: {err}");
        let message = err.to_string();
        for part in [name, "k:long,s:str,v:", "k:long,s:str,w:"] {
            assert!(message.contains(part), "{name}: `{part}` not in {message}");
        }
        let retyped = frame()
            .alter_columns(Schema::parse("v:str").expect("schema"))
            .expect("alter");
        let err = e.save(retyped, text, &append()).unwrap_err();
        assert_eq!(err.kind(), ErrorKind::SchemaMismatch, "{name}: {err}");
        assert_eq!(tree(&path), before, "{name}: the folder changed");
        // The same schema still appends, and the folder loads.
        e.save(frame(), text, &append()).expect("same schema");
        let df = e.load(&[text], &LoadOptions::default()).expect("load");
        assert_eq!(df.count().expect("count"), 6, "{name}");
    }
    // A partitioned folder: the partition columns are part of its schema.
    let path = dir.path().join("by_k.parquet");
    let text = path.to_str().expect("utf8");
    let by_k = SaveOptions {
        partition_by: vec!["k".into()],
        ..append()
    };
    e.save(frame(), text, &by_k).expect("partitioned");
    let err = e.save(frame(), text, &append()).unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaMismatch, "{err}");
    e.save(frame(), text, &by_k).expect("same partitioning");
    // CSV without a header: the number of columns.
    let path = dir.path().join("out.csv");
    let text = path.to_str().expect("utf8");
    e.save(frame(), text, &append()).expect("csv");
    let err = e
        .save(
            frame().select(&["k", "s"]).expect("select"),
            text,
            &append(),
        )
        .unwrap_err();
    assert_eq!(err.kind(), ErrorKind::SchemaMismatch, "{err}");
    assert!(listing(dir.path()).iter().all(|n| !n.starts_with('.')));
}

#[cfg(target_os = "linux")]
#[test]
fn the_temporary_files_of_a_killed_save_are_removed_by_the_next_save() {
    let dir = tempfile::tempdir().expect("tempdir");
    let e = engine();
    let target = dir.path().join("data.parquet");
    let text = target.to_str().expect("utf8");
    // What a save killed mid-way leaves: its temporary output and a moved-aside old output,
    // named by a process that no longer runs (a pid above any pid_max), and one of this
    // process that no save of it uses.
    let dead = 999_999_999_u32;
    let ours = std::process::id();
    let stale = [
        format!(".data.parquet.fugue-tmp-{dead}-0"),
        format!(".data.parquet.fugue-old-{dead}-7"),
        format!(".data.parquet.fugue-tmp-{ours}-999999"),
    ];
    // Siblings of another target, and of a process that runs (pid 1), are left alone.
    let kept = [
        format!(".other.parquet.fugue-tmp-{dead}-0"),
        ".data.parquet.fugue-tmp-1-0".to_string(),
    ];
    for name in stale.iter().chain(&kept) {
        let path = dir.path().join(name);
        fs::create_dir(&path).expect("mkdir");
        fs::write(path.join("part-00000.parquet"), "partial").expect("write");
    }
    e.save(frame(), text, &SaveOptions::default())
        .expect("save");
    let mut expected: Vec<String> = kept.to_vec();
    expected.push("data.parquet".into());
    expected.sort();
    assert_eq!(listing(dir.path()), expected);
    // Each mode cleans up: an append to the new target too.
    fs::create_dir(dir.path().join(&stale[0])).expect("mkdir");
    let folder = dir.path().join("data.parquet");
    fs::remove_file(&folder).expect("remove");
    e.save(frame(), text, &append()).expect("append");
    assert_eq!(listing(dir.path()), expected);
}
