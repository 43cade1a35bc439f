//! Compile-fail tests of the macros' diagnostics: one file per diagnostic, named after it, with
//! the reviewed compiler output beside it (`TRYBUILD=overwrite` regenerates; read the diff);
//! and compile-pass tests of correct programs that the checks must not reject (`tests/pass`).

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("tests/ui/**/*.rs");
    // Correct programs that must compile (and run: each `main` only builds its workflow).
    t.pass("tests/pass/*.rs");
}
