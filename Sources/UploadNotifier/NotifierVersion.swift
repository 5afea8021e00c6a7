/// The notifier's release, in its User-Agent, its start-up log line and `bootstrap --version`.
public enum NotifierVersion {
    public static let current = "1.0.0"
}
