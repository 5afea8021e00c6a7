#if canImport(Glibc)
import Glibc
#endif

/// Blocking sleep: a Lambda runtime serves one invocation at a time and has nothing else to do meanwhile.
public enum Pause {
    public static func sleep(_ duration: Duration) {
        guard duration > .zero else { return }
        let (seconds, attoseconds) = duration.components
        var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
        var remaining = timespec()
        while nanosleep(&request, &remaining) != 0 && errno == EINTR {
            request = remaining
        }
    }
}
