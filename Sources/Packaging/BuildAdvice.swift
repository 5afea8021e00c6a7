/// How to produce a `bootstrap` that starts on a given runtime; printed with an incompatible verdict.
public enum BuildAdvice {
    public static func text(for runtime: LambdaRuntimeTarget, architecture: ELFArchitecture = .x86_64) -> String {
        let musl = "\(architecture.tripleArchitecture)-swift-linux-musl"
        let image = runtime.image
        var lines = ["How to build a bootstrap that runs on \(runtime) (glibc \(image.glibc)):"]
        switch runtime {
        case .providedAL2:
            lines.append(
                "  1. make package-al2 — builds inside the official swift:<version>-amazonlinux2 image "
                    + "(docker or podman), whose glibc 2.26 matches provided.al2.")
        case .providedAL2023:
            lines.append(
                "  1. Build inside the official swift:<version>-amazonlinux2023 image (docker or podman), "
                    + "whose glibc 2.34 matches provided.al2023.")
        }
        lines.append(
            "  2. Or link everything statically with the Swift static Linux SDK (musl): "
                + "swift build -c release --swift-sdk \(musl) — the result needs no glibc and no shared "
                + "libraries (C libraries such as libcurl and libcrypto must then be static musl builds too).")
        lines.append(
            "  A shared library the image lacks can also be shipped in a Lambda layer under lib/ "
                + "(mounted at /opt/lib, which is on Lambda's LD_LIBRARY_PATH), but it must itself fit glibc \(image.glibc).")
        return lines.joined(separator: "\n")
    }
}
