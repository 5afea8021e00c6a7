import ProcessEnvironment
import Testing

@testable import LambdaRuntime

@Suite struct RuntimeSettingsTests {
    @Test func unsetMeansOneWorkerWithoutTheShutdownExtension() throws {
        #expect(try RuntimeSettings(EnvironmentVariables([:])) == RuntimeSettings(workers: 1, registersShutdownExtension: false))
        #expect(try RuntimeSettings(EnvironmentVariables(["AWS_LAMBDA_MAX_CONCURRENCY": ""])).workers == 1)
    }

    @Test func severalWorkersRegisterTheShutdownExtensionUnlessTold() throws {
        #expect(try RuntimeSettings(EnvironmentVariables(["AWS_LAMBDA_MAX_CONCURRENCY": "2"])).registersShutdownExtension)
        #expect(try !RuntimeSettings(EnvironmentVariables([
            "AWS_LAMBDA_MAX_CONCURRENCY": "2", "RUNTIME_SIGTERM_EXTENSION": "false",
        ])).registersShutdownExtension)
        #expect(try RuntimeSettings(EnvironmentVariables(["RUNTIME_SIGTERM_EXTENSION": "true"])).registersShutdownExtension)
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

    @Test func theShutdownExtensionSettingReadsBothWays() throws {
        for text in ["false", "off", "0", "FALSE"] {
            #expect(try !RuntimeSettings(EnvironmentVariables([
                "AWS_LAMBDA_MAX_CONCURRENCY": "8", "RUNTIME_SIGTERM_EXTENSION": text,
            ])).registersShutdownExtension)
        }
        for text in ["true", "on", "1", "TRUE"] {
            #expect(try RuntimeSettings(EnvironmentVariables(["RUNTIME_SIGTERM_EXTENSION": text])).registersShutdownExtension)
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
