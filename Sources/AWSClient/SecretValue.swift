import HTTP
import Retrying
import StrictJSON
import TextBytes

/// A secret's text. Its description is redacted, so logging the value by mistake shows no secret.
public struct SecretValue: Sendable, Equatable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The SecretString.
    public let string: String
    public let versionID: String?

    public init(string: String, versionID: String? = nil) {
        self.string = string
        self.versionID = versionID
    }

    public var description: String { "SecretValue(<redacted \(string.utf8.count) bytes>, versionID: \(versionID ?? "none"))" }
    public var debugDescription: String { description }
    public var customMirror: Mirror { Mirror(self, children: ["description": description], displayStyle: .struct) }
}
