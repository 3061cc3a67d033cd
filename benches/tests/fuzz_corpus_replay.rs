//! Replays the committed fuzz corpus (`fuzz/corpus/<target>/*`) through the same checks the
//! fuzz targets run, so CI covers every seed and every past crash without fuzzing.

use std::fs;
use std::path::{Path, PathBuf};

use chat_benches::fuzz_checks::TARGETS;

fn corpus_dir(target: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../fuzz/corpus")
        .join(target)
}

#[test]
fn every_corpus_file_passes_its_target_check() {
    for (target, check) in TARGETS {
        let dir = corpus_dir(target);
        let entries = fs::read_dir(&dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        let mut files: Vec<PathBuf> = entries
            .map(|entry| entry.map(|e| e.path()))
            .collect::<Result<_, _>>()
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
        files.sort();
        // An empty or missing corpus would make this test pass without checking anything.
        assert!(
            files.len() >= 3,
            "{}: only {} files",
            dir.display(),
            files.len()
        );
        for file in files {
            let data = fs::read(&file).unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let outcome = std::panic::catch_unwind(|| check(&data));
            assert!(outcome.is_ok(), "{target} fails on {}", file.display());
        }
    }
}

#[test]
fn every_fuzz_target_has_a_corpus_and_a_source() {
    let fuzz = Path::new(env!("CARGO_MANIFEST_DIR")).join("../fuzz");
    for (target, _) in TARGETS {
        assert!(corpus_dir(target).is_dir(), "no corpus for {target}");
        let source = fuzz.join("fuzz_targets").join(format!("{target}.rs"));
        assert!(source.is_file(), "no {}", source.display());
    }
}
