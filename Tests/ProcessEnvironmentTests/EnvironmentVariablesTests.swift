import Testing

@testable import ProcessEnvironment

#if canImport(Glibc)
import Glibc
#endif

@Suite struct EnvironmentVariablesTests {
    // Reads only: setenv here would race with other tests' threads reading the environment.
    @Test func readsTheProcessEnvironmentOnDemand() throws {
        let path = try #require(getenv("PATH").map { String(cString: $0) })
        #expect(EnvironmentVariables()["PATH"] == path)
        #expect(EnvironmentVariables()["AUN_TEST_VARIABLE_THAT_IS_NEVER_SET"] == nil)
    }

    @Test func fixedValuesIgnoreTheProcess() {
        #expect(EnvironmentVariables(["PATH": "x"])["PATH"] == "x")
        #expect(EnvironmentVariables([:])["PATH"] == nil)
    }
}
