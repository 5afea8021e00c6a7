import Logging
import ProcessEnvironment

/// `AWS_LAMBDA_LOG_FORMAT` and `AWS_LAMBDA_LOG_LEVEL` (TRACE, DEBUG, INFO, WARN, ERROR, FATAL), read
/// once. An unknown value falls back to Text or INFO rather than stopping the function, but never
/// silently: `problems` says what was not honoured, for a warning at start.
public struct LogSettings: Sendable, Equatable {
    public static let formatVariable = "AWS_LAMBDA_LOG_FORMAT"
    public static let levelVariable = "AWS_LAMBDA_LOG_LEVEL"

    public var format: LambdaLogHandler.Format
    public var level: Logger.Level
    public var problems: [String]

    public init(environment: EnvironmentVariables) {
        format = .text
        level = .info
        problems = []
        if let text = environment[Self.formatVariable], !text.isEmpty {
            switch text.uppercased() {
            case "JSON": format = .json
            case "TEXT": break
            default: problems.append("\(Self.formatVariable) \"\(text)\" is neither Text nor JSON: logging as Text")
            }
        }
        if let name = environment[Self.levelVariable], !name.isEmpty {
            if let named = LambdaLogHandler.level(named: name) {
                level = named
            } else {
                problems.append("\(Self.levelVariable) \"\(name)\" is not one of TRACE, DEBUG, INFO, WARN, ERROR, FATAL: logging at INFO")
            }
        }
    }
}
