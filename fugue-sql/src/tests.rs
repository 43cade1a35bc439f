use super::*;

fn names(a: &Analysis) -> Vec<&str> {
    a.columns.iter().map(|c| c.name.as_str()).collect()
}

fn tables(a: &Analysis) -> Vec<&str> {
    a.tables.iter().map(|t| t.name.as_str()).collect()
}

#[test]
fn tables_are_steps_once_lower_cased_unless_quoted() {
    let a = analyze(
        "SELECT * FROM Trips JOIN \"Zones\" z ON Trips.k = z.k JOIN trips t2 ON t2.k = z.k",
    )
    .unwrap();
    assert_eq!(tables(&a), ["trips", "Zones"]);
    assert_eq!(a.columns[0].resolve, Resolve::Of(0));
    assert_eq!(a.columns[1].resolve, Resolve::Of(1));
    // `*` over a plain join: each source's columns, in order (the step read twice, twice).
    assert_eq!(
        a.output.unwrap(),
        [Output::AllOf(0), Output::AllOf(1), Output::AllOf(0)]
    );
}

#[test]
fn ctes_and_subqueries_with_known_columns_are_derived_tables() {
    let a = analyze(
        "WITH big AS (SELECT k, fare FROM trips WHERE fare > 10) \
         SELECT b.k, s.n, z.name FROM big b JOIN (SELECT k, count(*) AS n FROM trips GROUP BY k) s \
         ON b.k = s.k JOIN zones z ON z.k = b.k",
    )
    .unwrap();
    assert_eq!(tables(&a), ["trips", "zones"]);
    // Steps first (0, 1), then the derived tables: `big` (2), the subquery (3).
    assert_eq!(a.derived.len(), 2);
    // The CTE's and the subquery's against `trips`; the ON clauses' (`b.k`, `s.k`, `z.k`,
    // `b.k`) against the derived tables and `zones`; the select list's.
    assert_eq!(
        names(&a),
        [
            "k", "fare", "fare", "k", "k", "k", "k", "k", "k", "k", "n", "name"
        ]
    );
    let b_k = a
        .columns
        .iter()
        .find(|c| c.resolve == Resolve::Of(2))
        .expect("b.k");
    assert_eq!(b_k.name, "k");
    assert!(
        a.columns
            .iter()
            .any(|c| c.name == "n" && c.resolve == Resolve::Of(3))
    );
    assert!(a.output.is_some());
    // A recursive CTE, or one whose alias renames its columns, stays open.
    let r = analyze("WITH c(x) AS (SELECT k FROM trips) SELECT c.x FROM c").unwrap();
    assert!(r.derived.is_empty() && r.output.is_none());
}

#[test]
fn unqualified_columns_search_innermost_first_and_aliases_are_skipped() {
    let a = analyze(
        "SELECT city, sum(fare) AS total FROM trips t WHERE EXISTS \
         (SELECT 1 FROM zones z WHERE z.city = city) GROUP BY city HAVING total > 0 ORDER BY total",
    )
    .unwrap();
    assert_eq!(names(&a), ["city", "fare", "city", "city", "city"]);
    let inner = a
        .columns
        .iter()
        .find(|c| matches!(&c.resolve, Resolve::Levels(l) if l.len() == 2));
    let Resolve::Levels(levels) = &inner.unwrap().resolve else {
        unreachable!()
    };
    assert_eq!(levels[0].tables, [1]);
    assert_eq!(levels[1].tables, [0]);
    let out = a.output.unwrap();
    assert!(matches!(
        &out[1],
        Output::Column { name, ty: TypeRule::Apply { rule: SqlRule::Sum, .. } } if name == "total"
    ));
}

#[test]
fn using_and_natural_columns_are_shared() {
    let a = analyze("SELECT k FROM a JOIN b USING (k)").unwrap();
    let Resolve::Levels(levels) = &a.columns[0].resolve else {
        unreachable!()
    };
    assert!(levels[0].shared);
    assert!(a.output.is_some());
    assert!(
        analyze("SELECT * FROM a NATURAL JOIN b")
            .unwrap()
            .output
            .is_none()
    );
}

#[test]
fn struct_fields_check_their_column_only() {
    let a = analyze("SELECT s.f AS f, t.s.g AS g FROM t").unwrap();
    assert_eq!(names(&a), ["s", "s"]);
    assert_eq!(a.columns[1].resolve, Resolve::Of(0));
}

#[test]
fn types_of_the_everyday_items() {
    let a = analyze(
        "SELECT city, count(*) AS n, CAST(fare AS BIGINT) AS f, avg(fare) AS m, \
         max(fare) AS hi, row_number() OVER (PARTITION BY city ORDER BY fare) AS rn, \
         fare * 2 AS twice FROM trips",
    )
    .unwrap();
    let tys: Vec<TypeRule> = a
        .output
        .unwrap()
        .into_iter()
        .map(|o| match o {
            Output::Column { ty, .. } => ty,
            Output::AllOf(_) | Output::AllOfOuter(_) => unreachable!(),
        })
        .collect();
    assert!(matches!(tys[0], TypeRule::Of(_)));
    assert_eq!(tys[1], TypeRule::Fixed("long".into()));
    assert_eq!(tys[2], TypeRule::Fixed("long".into()));
    assert!(matches!(
        &tys[3],
        TypeRule::Apply { rule: SqlRule::Avg, args } if matches!(args[..], [TypeRule::Of(_)])
    ));
    assert!(matches!(tys[4], TypeRule::Of(_)));
    assert_eq!(tys[5], TypeRule::Fixed("ulong".into()));
    assert!(matches!(&tys[6], TypeRule::Apply { rule: SqlRule::Arith, args } if args.len() == 2));
    // An expression without an alias: DataFusion names it; unknown here.
    assert!(
        analyze("SELECT fare * 2 FROM trips")
            .unwrap()
            .output
            .is_none()
    );
}

#[test]
fn errors_say_where() {
    let e = analyze("SELECT city FROM trips WHERE").unwrap_err();
    assert!(e.message.contains("Expected"), "{}", e.message);
    let at = e.at.unwrap();
    assert_eq!(at.line, 1);
    let p = pointer("SELECT city FROM trips WHERE", &at);
    assert!(p.contains("^"), "{p}");
    let e = analyze("SELECT 1; SELECT 2").unwrap_err();
    assert!(e.message.contains("one query"));
    let e = analyze("DROP TABLE trips").unwrap_err();
    assert!(e.message.contains("is a query"));
    assert!(analyze("").is_err());
}

#[test]
fn positions_count_characters_across_lines() {
    let sql = "SELECT\n  é, fare\nFROM trips";
    let a = analyze(sql).unwrap();
    let fare = &a.columns[1];
    assert_eq!((fare.at.line, fare.at.column, fare.at.len), (2, 6, 4));
    let chars: Vec<char> = sql.chars().collect();
    let text: String = chars[fare.at.offset..fare.at.offset + 4].iter().collect();
    assert_eq!(text, "fare");
    assert!(pointer(sql, &fare.at).ends_with("\n         ^^^^"));
}

#[test]
fn fragments_read_as_the_engines_run_them() {
    let f = analyze_fragment("fare > 0 AND pasengers >= 2", FragmentKind::Condition).unwrap();
    let names: Vec<&str> = f.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(names, ["fare", "pasengers"]);
    let at = f.columns[1].at;
    assert_eq!((at.offset, at.line, at.column, at.len), (13, 1, 14, 9));
    // Names as written: the engines do not lower-case fragments.
    let f = analyze_fragment("SUM(Fare)", FragmentKind::Expression).unwrap();
    assert_eq!(f.columns[0].name, "Fare");
    assert!(matches!(
        &f.ty,
        TypeRule::Apply { rule: SqlRule::Sum, args }
            if matches!(&args[..], [TypeRule::Of(c)] if c.at.column == 5)
    ));
    assert_eq!(
        analyze_fragment("count(*)", FragmentKind::Expression)
            .unwrap()
            .ty,
        TypeRule::Fixed("long".into())
    );
    let e = analyze_fragment("fare >", FragmentKind::Condition).unwrap_err();
    assert_eq!(e.at.map(|p| p.column), Some(7), "{e:?}");
    let e = analyze_fragment("sum(fare", FragmentKind::Expression).unwrap_err();
    assert!(e.at.is_some_and(|p| p.offset <= 8), "{e:?}");
}

#[test]
fn table_functions_are_not_steps() {
    let a = analyze("SELECT value FROM generate_series(1, 3) JOIN trips ON value = fare").unwrap();
    assert_eq!(tables(&a), ["trips"]);
    // `value` may be the function's: not decided here.
    let Resolve::Levels(levels) = &a.columns[0].resolve else {
        unreachable!()
    };
    assert!(levels[0].open);
}

#[test]
fn the_null_sides_of_outer_joins_are_marked() {
    let a =
        analyze("SELECT t.fare, z.pop, pop, z.* FROM trips t LEFT JOIN zones z ON t.city = z.city")
            .unwrap();
    let resolve = |name: &str, n: usize| {
        let uses: Vec<&ColumnUse> = a.columns.iter().filter(|c| c.name == name).collect();
        uses[n].resolve.clone()
    };
    // The ON clause's references come first.
    assert_eq!(resolve("city", 0), Resolve::Of(0));
    assert_eq!(resolve("city", 1), Resolve::OfOuter(1));
    assert_eq!(resolve("fare", 0), Resolve::Of(0));
    assert_eq!(resolve("pop", 0), Resolve::OfOuter(1));
    let Resolve::Levels(levels) = resolve("pop", 1) else {
        panic!("{:?}", a.columns)
    };
    assert_eq!(
        (levels[0].tables.clone(), levels[0].outer.clone()),
        (vec![0, 1], vec![1])
    );
    assert_eq!(a.output.as_ref().unwrap()[3], Output::AllOfOuter(1));
    // A right join's NULL side is every source before it; a full join's, every source.
    let a = analyze("SELECT * FROM trips t JOIN x ON t.k = x.k RIGHT JOIN zones z ON t.k = z.k")
        .unwrap();
    assert_eq!(
        a.output.unwrap(),
        [
            Output::AllOfOuter(0),
            Output::AllOfOuter(1),
            Output::AllOf(2)
        ]
    );
    let a = analyze("SELECT * FROM trips t FULL JOIN zones z ON t.k = z.k").unwrap();
    assert_eq!(
        a.output.unwrap(),
        [Output::AllOfOuter(0), Output::AllOfOuter(1)]
    );
    // A nested join on the right of a LEFT JOIN: both of its sources.
    let a = analyze("SELECT * FROM t LEFT JOIN (x JOIN y ON x.k = y.k) ON t.k = x.k").unwrap();
    assert_eq!(
        a.output.unwrap(),
        [
            Output::AllOf(0),
            Output::AllOfOuter(1),
            Output::AllOfOuter(2)
        ]
    );
}

#[test]
fn a_unions_columns_are_its_left_sides_names_typed_by_both_sides() {
    let a = analyze("SELECT city AS c, 1 AS n FROM trips UNION ALL SELECT city, 2 AS m FROM zones")
        .unwrap();
    let out = a.output.unwrap();
    assert!(matches!(
        &out[0],
        Output::Column { name, ty: TypeRule::Same(both) } if name == "c" && both.len() == 2
    ));
    assert!(matches!(&out[1], Output::Column { name, .. } if name == "n"));
    // `*` (its width known only with the schemas), `UNION BY NAME` and `INTERSECT`: unknown.
    assert!(
        analyze("SELECT * FROM t UNION SELECT * FROM u")
            .unwrap()
            .output
            .is_none()
    );
    assert!(
        analyze("SELECT a FROM t INTERSECT SELECT a FROM u")
            .unwrap()
            .output
            .is_none()
    );
    assert!(
        analyze("SELECT a FROM t UNION SELECT a, b FROM u")
            .unwrap()
            .output
            .is_none()
    );
}
