//! A short, reproducible run of every target (a few hundred inputs in all): the harness works,
//! and the mutations it makes do not crash the readers, the checker or the renderer. The real
//! runs are long and by hand (`cargo run --release -p nianbao-fuzz -- TARGET --secs 1800`).

use nianbao_fuzz::{mutate, run, seeds, Rng, Target};
use std::path::Path;

#[test]
fn every_target_survives_a_short_run() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../tests/fixtures");
    for target in Target::ALL {
        let corpus = seeds(&fixtures, target);
        assert!(!corpus.is_empty(), "no seeds for {}", target.name());
        let mut rng = Rng::new(17);
        for i in 0..40 {
            let a = &corpus[rng.below(corpus.len())];
            let b = &corpus[rng.below(corpus.len())];
            let input = mutate(&mut rng, a, b);
            if let Err(broken) = run(&input) {
                panic!("{} input {i} (from {}): {broken}", target.name(), a.name);
            }
        }
    }
}
