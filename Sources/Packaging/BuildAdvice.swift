/// How to produce a `bootstrap` that starts on a given runtime; printed with an incompatible verdict.
public enum BuildAdvice {
    public static func text(for runtime: LambdaRuntimeTarget, architecture: ELFArchitecture = .x86_64) -> String {
        let image = runtime.image
        return [
            "How to build a bootstrap that runs on \(runtime) (glibc \(image.glibc)):",
            "  make package — links one fully static executable (the Swift runtime, glibc, libcurl built from "
                + "Debian's source package, OpenSSL and c-ares from their static archives): no dynamic loader, no "
                + "shared libraries, so it starts on provided.al2023 and provided.al2 alike. Build it on "
                + "\(architecture.rawValue) for an \(architecture.rawValue) function.",
            "  A dynamically linked binary must instead need no newer glibc than \(image.glibc) and only the "
                + "libraries \(runtime) ships (or a layer's, under /opt/lib).",
        ].joined(separator: "\n")
    }
}
