//! Writes the journal vectors into `tests/vectors/journal/`.
fn main() {
    let dir = inclusif_conformance::journal_vectors::vector_dir();
    std::fs::create_dir_all(&dir).expect("create tests/vectors/journal");
    for (name, contents) in inclusif_conformance::journal_vectors::generate() {
        std::fs::write(dir.join(name), contents).expect("write vector file");
        println!("wrote {}", dir.join(name).display());
    }
}
