#!/usr/bin/env bash
# Runs the Swift tests of the bindings on a machine with a Swift toolchain (macOS with
# Xcode, or Linux with swift.org's toolchain). NOT RUN by tests/run.sh or tests/mobile.sh:
# the CI machine has no Swift. Builds the library and generator, generates the Swift
# bindings in library mode, assembles a SwiftPM package under target/mobile/swift-package
# and runs `swift test` against the shared vectors.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
command -v swift >/dev/null || { echo "no Swift toolchain: install Xcode or swift.org's toolchain"; exit 1; }
cargo build --locked -p inclusif-mobile
cargo build --locked -p inclusif-mobile --features cli --bin uniffi-bindgen
case "$(uname)" in Darwin) lib="$CARGO_TARGET_DIR/debug/libinclusif_mobile.dylib" ;; *) lib="$CARGO_TARGET_DIR/debug/libinclusif_mobile.so" ;; esac
gen="$CARGO_TARGET_DIR/mobile/swift"
rm -rf "$gen" && "$CARGO_TARGET_DIR/debug/uniffi-bindgen" generate "$lib" --language swift --out-dir "$gen" --no-format
pkg="$CARGO_TARGET_DIR/mobile/swift-package"
rm -rf "$pkg" && mkdir -p "$pkg/Sources/Inclusif" "$pkg/Sources/InclusifFFI"
cp tests/swift/Package.swift "$pkg/"
cp -R tests/swift/Tests "$pkg/"
cp "$gen/Inclusif.swift" "$pkg/Sources/Inclusif/"
cp "$gen/InclusifFFI.h" "$pkg/Sources/InclusifFFI/"
cp "$gen/InclusifFFI.modulemap" "$pkg/Sources/InclusifFFI/module.modulemap"
export INCLUSIF_LIB_DIR="$CARGO_TARGET_DIR/debug" INCLUSIF_VECTORS="$root/tests/vectors"
export LD_LIBRARY_PATH="$INCLUSIF_LIB_DIR${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
export DYLD_LIBRARY_PATH="$INCLUSIF_LIB_DIR${DYLD_LIBRARY_PATH:+:$DYLD_LIBRARY_PATH}"
(cd "$pkg" && swift test)
