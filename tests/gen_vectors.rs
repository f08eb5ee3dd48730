//! Writes the conformance vectors into `tests/vectors/`.
fn main() {
    let dir = inclusif_conformance::vector_dir();
    std::fs::create_dir_all(&dir).expect("create tests/vectors");
    for (name, contents) in inclusif_conformance::generate() {
        std::fs::write(dir.join(name), contents).expect("write vector file");
        println!("wrote {}", dir.join(name).display());
    }
}
