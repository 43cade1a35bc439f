//! rustc rejects a const item that takes 2,000,000 steps (each loop iteration is one). The
//! budget test of `fugue-core` (`tests/const_budget.rs`) relies on this number: it runs each
//! worst-case check 20 times in one const item, so that each must stay under 100,000 steps.

const _: () = {
    let mut i = 0u32;
    while i < 2_000_000 {
        i += 1;
    }
};

fn main() {}
