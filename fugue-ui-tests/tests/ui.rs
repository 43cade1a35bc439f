//! Compile-fail tests of the macros' diagnostics: one file per diagnostic, named after it, with
//! the reviewed compiler output beside it (`TRYBUILD=overwrite` regenerates; read the diff).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/**/*.rs");
}
