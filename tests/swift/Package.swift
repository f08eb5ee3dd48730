// swift-tools-version:5.9
// The Swift test package of the inclusif bindings. tests/swift/run.sh assembles it under
// target/mobile/swift-package (the generated Inclusif.swift, InclusifFFI.h and module map
// next to these tests) and runs `swift test` there. NOT RUN by this repository's tests:
// there is no Swift toolchain on the machine that runs tests/mobile.sh.
import PackageDescription

let libDir = Context.environment["INCLUSIF_LIB_DIR"] ?? "../../debug"

let package = Package(
    name: "InclusifSwiftTests",
    platforms: [.macOS(.v12), .iOS(.v15)],
    targets: [
        // The C side: the header and module map uniffi-bindgen generates.
        .systemLibrary(name: "InclusifFFI", path: "Sources/InclusifFFI"),
        // The generated Swift, linked against libinclusif_mobile.
        .target(
            name: "Inclusif",
            dependencies: ["InclusifFFI"],
            path: "Sources/Inclusif",
            linkerSettings: [.unsafeFlags(["-L", libDir]), .linkedLibrary("inclusif_mobile")]
        ),
        .testTarget(name: "InclusifTests", dependencies: ["Inclusif"], path: "Tests/InclusifTests"),
    ]
)
