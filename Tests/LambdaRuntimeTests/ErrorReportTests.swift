import Foundation
import Logging
import Testing

@testable import LambdaRuntime
import LambdaRuntimeAPI

struct TypedFailure: LambdaFunctionError {
    var errorType: String { "BadThing" }
    var errorMessage: String { "it went \"wrong\"\nbadly" }
}

enum PlainFailure: Error { case oops }

@Suite struct ErrorReportTests {
    @Test func functionErrorsNameTheirOwnType() throws {
        let report = ErrorReport(TypedFailure())
        #expect(report.errorType == "BadThing")
        let decoded = try JSONSerialization.jsonObject(with: Data(report.json)) as? [String: Any]
        #expect(decoded?["errorType"] as? String == "BadThing")
        #expect(decoded?["errorMessage"] as? String == "it went \"wrong\"\nbadly")
        #expect((decoded?["stackTrace"] as? [Any])?.isEmpty == true)
    }

    @Test func otherErrorsUseTheirSwiftTypeName() {
        let report = ErrorReport(PlainFailure.oops)
        #expect(report.errorType == "PlainFailure")
        #expect(report.errorMessage == "oops")
    }

    @Test func controlCharactersAndUnicodeAreValidJSON() throws {
        let report = ErrorReport(errorType: "T", errorMessage: "tab\tnul\u{0}bell\u{7}é\u{2028}🎵")
        let decoded = try JSONSerialization.jsonObject(with: Data(report.json)) as? [String: Any]
        #expect(decoded?["errorMessage"] as? String == "tab\tnul\u{0}bell\u{7}é\u{2028}🎵")
    }
}
