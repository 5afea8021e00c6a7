import MiniFoundation
import Testing

@testable import LambdaRuntime

@Suite struct RuntimeSettingsTests {
    @Test func unsetMeansOneWorkerAndTheShutdownExtension() throws {
        #expect(try RuntimeSettings(EnvironmentVariables([:])) == RuntimeSettings(workers: 1, registersShutdownExtension: true))
        #expect(try RuntimeSettings(EnvironmentVariables(["AWS_LAMBDA_MAX_CONCURRENCY": ""])).workers == 1)
    }

    @Test(arguments: ["1", "8", "64", "1024"])
    func aConcurrencyInRangeIsTheWorkerCount(text: String) throws {
        #expect(try RuntimeSettings(EnvironmentVariables(["AWS_LAMBDA_MAX_CONCURRENCY": text])).workers == Int(text))
    }

    @Test(arguments: ["0", "-1", "1025", "8 ", " 8", "eight", "1e3", "99999999999999999999", "٣"])
    func aMalformedOrOutOfRangeConcurrencyIsAnErrorNamingTheVariable(text: String) {
        #expect(throws: RuntimeSettingError(
            variable: "AWS_LAMBDA_MAX_CONCURRENCY", problem: "is \"\(text)\", but must be a whole number from 1 to 1024")
        ) {
            try RuntimeSettings(EnvironmentVariables(["AWS_LAMBDA_MAX_CONCURRENCY": text]))
        }
    }

    @Test func theShutdownExtensionCanBeTurnedOff() throws {
        for text in ["false", "off", "0", "FALSE"] {
            #expect(try !RuntimeSettings(EnvironmentVariables(["RUNTIME_SIGTERM_EXTENSION": text])).registersShutdownExtension)
        }
        #expect(throws: RuntimeSettingError(variable: "RUNTIME_SIGTERM_EXTENSION", problem: "is \"maybe\", but must be true or false")) {
            try RuntimeSettings(EnvironmentVariables(["RUNTIME_SIGTERM_EXTENSION": "maybe"]))
        }
    }

    @Test func theInitErrorSaysWhatToFix() {
        let error = RuntimeSettingError(variable: "AWS_LAMBDA_MAX_CONCURRENCY", problem: "is \"0\", but must be a whole number from 1 to 1024")
        #expect(error.errorType == "Runtime.InvalidSetting")
        #expect(error.errorMessage == "AWS_LAMBDA_MAX_CONCURRENCY is \"0\", but must be a whole number from 1 to 1024")
    }
}
