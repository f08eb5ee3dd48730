#!/usr/bin/env bash
# The mobile bindings (bindings-mobile, UniFFI 0.32.2), tested on the plain JVM:
#  1. installs what is missing: Debian's libjna-java, and the Kotlin compiler from the npm
#     package kotlin-compiler@2.4.20 into the git-ignored .tools/kotlin;
#  2. builds the library (debug, unstripped: library mode reads its metadata) and the
#     uniffi-bindgen generator from the same uniffi version;
#  3. generates Kotlin and Swift in library mode with --no-format into target/mobile/;
#  4. checks the Swift sources, header and module map (no Swift toolchain here: the Swift
#     tests in tests/swift/ are written for a machine that has one, and not run);
#  5. compiles the generated Kotlin with the test program of tests/kotlin/ and the example
#     of examples/kotlin/ into one jar (Kotlin runtime included; one kotlinc run, ~45 s)
#     and runs the tests with JNA against target/debug, over the shared conformance
#     vectors of tests/vectors/. They must close with `N passed, 0 failed`;
#  6. runs the example (verify scanned QR codes offline, queue, export for sync) and
#     checks the lines it prints, then once more with a stale trust list, which it must
#     refuse.
# Called by tests/run.sh; runs alone too. Idempotent: each install is skipped when done.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
started=$SECONDS
say() { printf '\n\033[1m== mobile: %s (%ds)\033[0m\n' "$*" "$((SECONDS - started))"; }

KOTLIN_VERSION=2.4.20
kotlin_dir="$root/.tools/kotlin"
kotlinc="$kotlin_dir/node_modules/kotlin-compiler/bin/kotlinc"
jna=/usr/share/java/jna.jar
out="$root/target/mobile"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$root/target}"
export PYO3_PYTHON="${PYO3_PYTHON:-$(command -v python3)}"
lib="$CARGO_TARGET_DIR/debug/libinclusif_mobile.so"
bindgen="$CARGO_TARGET_DIR/debug/uniffi-bindgen"

# --- Tools ---------------------------------------------------------------------------
apt_ready=0
apt_install() {
  if [ "$apt_ready" = 0 ]; then
    if [ "$(id -u)" = 0 ]; then apt-get update -qq; else sudo apt-get update -qq; fi
    apt_ready=1
  fi
  if [ "$(id -u)" = 0 ]; then DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"
  else sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@"; fi
}

say "tools"
command -v java >/dev/null || apt_install default-jre-headless
# JNA >= 5.12 (UniFFI's requirement); Debian's jar loads libjnidispatch from libjna-jni.
[ -f "$jna" ] || apt_install libjna-java
command -v npm >/dev/null || apt_install npm
installed=$( { sed -n 's/.*"version": *"\([^"]*\)".*/\1/p' \
  "$kotlin_dir/node_modules/kotlin-compiler/package.json" 2>/dev/null || true; } | head -n 1)
if [ ! -x "$kotlinc" ] || [ "$installed" != "$KOTLIN_VERSION" ]; then
  npm install --prefix "$kotlin_dir" --no-save --no-audit --no-fund --loglevel=error \
    "kotlin-compiler@$KOTLIN_VERSION"
fi
java -version 2>&1 | head -n 1
"$kotlinc" -version 2>&1 | grep -i kotlinc

# --- Build: the library and the generator ------------------------------------------------
say "build the library (debug, unstripped) and uniffi-bindgen"
cargo build --locked -p inclusif-mobile
cargo build --locked -p inclusif-mobile --features cli --bin uniffi-bindgen

# --- Generate --------------------------------------------------------------------------
# Library mode (the source is the .so), run inside the workspace so that uniffi finds
# bindings-mobile/uniffi.toml through cargo metadata.
say "generate Kotlin and Swift (library mode, --no-format)"
rm -rf "$out/kotlin" "$out/swift"
"$bindgen" generate "$lib" --language kotlin --out-dir "$out/kotlin" --no-format
"$bindgen" generate "$lib" --language swift --out-dir "$out/swift" --no-format
kt="$out/kotlin/fr/inclusif/inclusif.kt"

# --- Swift: generated, not compiled here -------------------------------------------------
say "check the Swift outputs (no Swift toolchain here)"
for f in Inclusif.swift InclusifFFI.h InclusifFFI.modulemap; do
  [ -s "$out/swift/$f" ] || { echo "missing or empty: $out/swift/$f"; exit 1; }
done
expect_in() { # file, then fixed strings that must all appear
  local file=$1; shift
  for s in "$@"; do
    grep -qF -- "$s" "$file" || { echo "$file does not expose: $s"; exit 1; }
  done
}
expect_in "$out/swift/Inclusif.swift" \
  'enum InclusifError: Swift.Error' 'public enum ErrorDomain' 'public typealias Decimal = Foundation.Decimal' \
  'public typealias Timestamp = Date' 'public typealias CivilDate = String' \
  'open class MandateRegistry' 'open class MandateVerifier' 'open class MandateToken' \
  'open class RuleBook' 'open class VenueFile' 'open class VenueIndex' 'open class OpeningHours' \
  'public struct VerifiedMandate' 'public struct Breakdown' 'public struct ValidationReport' \
  'public func runMandateScenario(' 'public func verifyMandateJournal(' 'public func roundAmount(' \
  'open class TrustList' 'open class VoucherVerifier' 'open class VoucherToken' 'open class Issuer' \
  'open class MemoryLedger' 'open class OfflineQueue' 'open class SecretKey' \
  'open class StoredOfflineQueue' 'open class SqliteLedger' 'public struct BatchItem' 'public func redemptionBatchOpen(' \
  'public struct VerifiedVoucher' 'public struct TrustEntry' 'public struct VoucherVerifierOptions' \
  'public struct VoucherVerdict' 'public struct VoucherSpec' 'public struct IssuedVoucher' \
  'public struct Redemption' 'public struct SyncOutcome' 'public struct SyncReport' \
  'public enum KeyStatus' 'public enum SyncStatus' 'public func parsePhoneCode(' 'public func voucherErrorCodes(' \
  'public static func load(bytes: Data, rootKey: Data, now: Timestamp)throws  -> TrustList' \
  'open func exportJsonl() -> String'
expect_in "$out/swift/InclusifFFI.h" 'uniffi_inclusif_mobile_fn_' 'RustBuffer'
expect_in "$out/swift/InclusifFFI.modulemap" 'module InclusifFFI' 'header "InclusifFFI.h"'
echo "Swift: $(wc -l < "$out/swift/Inclusif.swift") lines, header and module map present"

# --- Kotlin: compile once, run on the JVM --------------------------------------------------
say "compile the generated Kotlin, tests/kotlin and examples/kotlin into one jar (kotlinc $KOTLIN_VERSION)"
expect_in "$kt" 'package fr.inclusif' 'sealed class InclusifException' 'typealias Decimal = java.math.BigDecimal' \
  'typealias CivilDate = java.time.LocalDate' 'typealias Timestamp = java.time.Instant' \
  'open class VoucherVerifier: Disposable, AutoCloseable' 'open class OfflineQueue: Disposable, AutoCloseable' \
  'open class TrustList: Disposable, AutoCloseable' 'data class VerifiedVoucher'
jar="$out/inclusif-mobile-tests.jar"
rm -f "$jar"
# No -Werror: Kotlin 2.4 warns on some generated code (uniffi-rs #2998).
"$kotlinc" -nowarn -jvm-target 17 -include-runtime -cp "$jna" -d "$jar" "$kt" tests/kotlin/*.kt examples/kotlin/*.kt

say "run the Kotlin tests on the JVM with JNA"
log="$out/kotlin-tests.log"
set +e
java -Djna.library.path="$CARGO_TARGET_DIR/debug" -cp "$jar:$jna" \
  fr.inclusif.tests.MainKt "$root/tests/vectors" 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
last=$(tail -n 1 "$log")
if [ "$status" != 0 ] || ! [[ "$last" =~ ^[0-9]+\ passed,\ 0\ failed$ ]] || [[ "$last" =~ ^0\ passed ]]; then
  echo "Kotlin tests failed (exit $status): $last"
  exit 1
fi

say "run the Kotlin example (examples/kotlin/VerifyAndQueue.kt)"
example() { java -Djna.library.path="$CARGO_TARGET_DIR/debug" -cp "$jar:$jna" fr.inclusif.examples.VerifyAndQueueKt "$@"; }
demo="$out/kotlin-example.log"
example "$root/tests/vectors/trust_list.hex" 2026-06-01T10:00:00Z | tee "$demo"
expect_in "$demo" 'trust list 42 with 3 keys, valid until 2028-01-01T00:00:00Z' \
  'accepted BVPG-0000-0000-0001-S: 10.00 ' 'from aptic, valid until 2026-12-31' \
  'rejected bad_signature: ' 'rejected already_redeemed: serial: 5eed0000000000000001' \
  '1 redemption(s) queued for sync:' \
  '{"issuer":"aptic","serial":"5eed0000000000000001","kid":7,"value_cents":1000,"venue":"venue-lyon-01","at":"2026-06-01T10:00:00Z"}'
[ "$(grep -c '^accepted ' "$demo")" = 1 ] || { echo "the example accepted other than one cheque"; exit 1; }
set +e
example "$root/tests/vectors/trust_list.hex" 2028-01-01T00:00:01Z > "$demo"
status=$?
set -e
cat "$demo"
if [ "$status" != 3 ]; then echo "the example took a stale trust list (exit $status)"; exit 1; fi
expect_in "$demo" 'trust list refused: trust_list_expired'
say "done: $last; the example prints what it must"
