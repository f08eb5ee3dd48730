//! Writes `tests/vectors/mandate_tokens.tsv` (the signed mandate token vectors).
fn main() {
    let path = inclusif_conformance::vector_dir().join("mandate_tokens.tsv");
    std::fs::write(
        &path,
        inclusif_conformance::mandate_vectors::mandate_token_vectors(),
    )
    .expect("write mandate_tokens.tsv");
    println!("wrote {}", path.display());
}
