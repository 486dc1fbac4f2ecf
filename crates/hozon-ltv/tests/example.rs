//! Runs `examples/sign_extend_verify.rs` as a test, so that CI proves the
//! library example works (and fails, never skips, when it does not).

#[path = "../examples/sign_extend_verify.rs"]
mod example;

#[test]
fn the_library_example_signs_extends_to_b_lta_and_verifies_with_only_the_root() {
    match example::run() {
        Ok(level) => assert_eq!(level, "B-LTA"),
        Err(e) => panic!("the example failed: {e}"),
    }
}
