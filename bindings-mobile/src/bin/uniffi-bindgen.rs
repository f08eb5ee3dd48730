//! The UniFFI generator, built from the same uniffi version as the runtime.
fn main() {
    uniffi::uniffi_bindgen_main()
}
