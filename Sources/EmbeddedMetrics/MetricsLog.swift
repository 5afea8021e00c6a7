import Threads

/// Where EMF documents go: standard output, which Lambda sends to the function's log stream like
/// the log lines on standard error. Each document is one whole line, written under the process's
/// standard-output lock (``WholeLineWriter``), so it is never interleaved with another document.
public enum MetricsLog {
    public static func writeToStandardOutput(_ line: [UInt8]) {
        WholeLineWriter.standardOutput(line)
    }
}
