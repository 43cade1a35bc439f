//! Deterministic checkpoint keys of functions declared with the transformer macros (issue 12):
//! a function's full path and a hash of its tokens are part of the key, so two functions of
//! one name in two modules, or an edited body, never share a checkpoint; a helper the function
//! calls is not part of the hash, and the step's version is the salt for it; `explain()` says
//! how each function step is keyed.

use fugue::extension::Transformer;
use fugue::prelude::*;
use fugue_runtime::workflow::{CheckpointOutcome, Ext, Workflow, WorkflowResult, named};
use std::path::Path;

/// A row.
#[derive(Schema, Debug, Clone, PartialEq)]
pub struct N {
    /// A number.
    pub n: i64,
}

/// The same function name, `score`, in two modules, with the measured edit between them:
/// `take(5)` and `take(3)`.
mod first {
    use super::N;
    use fugue::prelude::*;

    /// The first rows.
    #[transformer]
    pub fn score(rows: Vec<N>) -> Vec<N> {
        rows.into_iter().take(5).collect()
    }
}

mod second {
    use super::N;
    use fugue::prelude::*;

    /// The first rows.
    #[transformer]
    pub fn score(rows: Vec<N>) -> Vec<N> {
        rows.into_iter().take(3).collect()
    }
}

/// Two functions with the same tokens, calling a helper of the same name that differs.
mod helper_one {
    use super::N;
    use fugue::prelude::*;

    fn helper(rows: Vec<N>) -> Vec<N> {
        rows.into_iter().take(1).collect()
    }

    /// What the helper keeps.
    #[transformer]
    pub fn picked(rows: Vec<N>) -> Vec<N> {
        helper(rows)
    }
}

mod helper_two {
    use super::N;
    use fugue::prelude::*;

    fn helper(rows: Vec<N>) -> Vec<N> {
        rows.into_iter().take(2).collect()
    }

    /// What the helper keeps.
    #[transformer]
    pub fn picked(rows: Vec<N>) -> Vec<N> {
        helper(rows)
    }
}

/// A processor, keyed by its tokens through `Ext`.
#[processor]
fn doubled(rows: Vec<N>) -> Vec<N> {
    rows.into_iter().map(|r| N { n: r.n * 2 }).collect()
}

fn data() -> Vec<N> {
    (0..10).map(|n| N { n }).collect()
}

fn run<F: PartitionFunction + 'static>(dir: &Path, f: F, version: Option<&str>) -> WorkflowResult {
    let wf =
        Workflow::with_conf([("fugue.workflow.checkpoint.path", dir.to_str().unwrap())]).unwrap();
    let step = wf.create(data()).transform(f).named("scored");
    let step = match version {
        Some(v) => step.version(v),
        None => step,
    };
    step.checkpoint_deterministic().yield_as("out");
    wf.run("native", ()).unwrap()
}

fn count(result: &WorkflowResult) -> usize {
    fugue::records::<N>(result.get("out").unwrap())
        .unwrap()
        .len()
}

#[test]
fn two_transformers_of_one_name_in_two_modules_have_two_keys() {
    assert!(
        <first::score as Transformer>::PATH.ends_with("checkpoint_keys::first::score"),
        "{}",
        <first::score as Transformer>::PATH
    );
    assert!(<second::score as Transformer>::PATH.ends_with("checkpoint_keys::second::score"));
    // The edited body (`take(5)` to `take(3)`) changes the token hash.
    assert_ne!(
        <first::score as Transformer>::CODE_HASH,
        <second::score as Transformer>::CODE_HASH
    );
    assert!(<first::score as Transformer>::CODE_HASH.is_some());

    let dir = tempfile::tempdir().unwrap();
    let a = run(dir.path(), first::score, None);
    assert_eq!(count(&a), 5);
    assert_eq!(count(&run(dir.path(), first::score, None)), 5);
    // Before: the key hashed the bare name `score`, so this reused the first one's 5 rows.
    let b = run(dir.path(), second::score, None);
    assert_eq!(count(&b), 3);
    assert!(b.reused().is_empty());
    let report = b.checkpoint("scored").unwrap();
    let CheckpointOutcome::Computed { reason, .. } = &report.outcome else {
        panic!("{}", b.explain());
    };
    assert!(
        reason.contains(
            "runs `checkpoint_keys::second::score` instead of `checkpoint_keys::first::score`"
        ),
        "{reason}"
    );
    // Each keeps its own checkpoint.
    let again = run(dir.path(), first::score, None);
    assert_eq!((count(&again), again.reused()), (5, vec!["scored"]));
}

#[test]
fn the_token_hash_does_not_see_a_helper_and_the_version_is_the_salt_for_it() {
    // The two functions' tokens are the same, so their hashes are: what `helper` does is not
    // part of it (here the two are told apart by their paths only).
    assert_eq!(
        <helper_one::picked as Transformer>::CODE_HASH,
        <helper_two::picked as Transformer>::CODE_HASH
    );
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(count(&run(dir.path(), helper_one::picked, None)), 1);
    assert_eq!(count(&run(dir.path(), helper_two::picked, None)), 2);

    // Editing `helper` in place would leave the key of `helper_one::picked` as it is, and
    // the next run would reuse the old result, as this run does:
    let same = run(dir.path(), helper_one::picked, None);
    assert_eq!(same.reused(), vec!["scored"]);
    // so a helper's edit needs a new version, which is part of the key.
    let bumped = run(dir.path(), helper_one::picked, Some("2"));
    assert!(bumped.reused().is_empty());
    let CheckpointOutcome::Computed { reason, .. } = &bumped.checkpoint("scored").unwrap().outcome
    else {
        panic!("{}", bumped.explain());
    };
    assert!(
        reason.contains("the version of step `scored` changed (none to \"2\")"),
        "{reason}"
    );
}

#[test]
fn explain_says_how_each_function_step_is_keyed() {
    let wf = Workflow::new();
    let rows = wf.create(data()).named("rows");
    rows.transform(first::score).named("scored");
    rows.process(Ext(doubled)).named("doubled");
    rows.process(named("by_hand", |mut d: Vec<DataFrame>, _: &Params| {
        Ok(d.remove(0))
    }))
    .named("closure");
    let plan = wf.explain().unwrap();
    assert!(
        plan.contains("#1 scored: transform(`score`) <- #0"),
        "{plan}"
    );
    for (step, keyed) in [
        (
            "scored",
            "keyed by: function tokens (`checkpoint_keys::first::score`)",
        ),
        (
            "doubled",
            "keyed by: function tokens (`checkpoint_keys::doubled`)",
        ),
        ("closure", "keyed by: name and version only (`by_hand`)"),
    ] {
        let block = plan
            .split('\n')
            .skip_while(|l| !l.contains(&format!(" {step}: ")))
            .take_while(|l| l.contains(&format!(" {step}: ")) || l.starts_with("    "))
            .collect::<Vec<_>>()
            .join("\n");
        assert!(block.contains(keyed), "{step}: {block}\n{plan}");
    }
}

#[test]
fn a_processor_declared_with_the_macro_is_keyed_by_its_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let build = |version: Option<&str>| {
        let wf = Workflow::with_conf([(
            "fugue.workflow.checkpoint.path",
            dir.path().to_str().unwrap(),
        )])
        .unwrap();
        let step = wf.create(data()).process(Ext(doubled)).named("doubled");
        let step = match version {
            Some(v) => step.version(v),
            None => step,
        };
        step.checkpoint_deterministic().yield_as("out");
        wf.run("native", ()).unwrap()
    };
    let first = build(None);
    assert_eq!(
        fugue::records::<N>(first.get("out").unwrap()).unwrap()[3],
        N { n: 6 }
    );
    assert_eq!(build(None).reused(), vec!["doubled"]);
    assert!(
        build(Some("2"))
            .explain()
            .contains("step `doubled` (#1): computed"),
        "a new version recomputes"
    );
}
