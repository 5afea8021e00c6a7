import AWSSigning
@testable import AWSClient
import HTTP
import Testing

let lambdaEnvironment = [
    "AWS_ACCESS_KEY_ID": "ASIAEXAMPLEKEYID",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY",
    "AWS_SESSION_TOKEN": "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN",
    "AWS_REGION": "eu-west-1",
]

func configuration(_ overrides: [String: String?] = [:]) throws(AWSConfigurationError) -> AWSConfiguration {
    var variables = lambdaEnvironment
    for (name, value) in overrides { variables[name] = value }
    return try AWSConfiguration(environment: { variables[$0] })
}

@Suite struct AWSConfigurationTests {
    @Test func readsLambdasVariables() throws {
        let config = try configuration()
        #expect(config.region == "eu-west-1")
        #expect(config.credentials == AWSCredentials(
            accessKeyID: "ASIAEXAMPLEKEYID", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY",
            sessionToken: "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN"))
        #expect(config.s3Endpoint.url == "https://s3.eu-west-1.amazonaws.com")
        #expect(config.secretsManagerEndpoint.url == "https://secretsmanager.eu-west-1.amazonaws.com")
        #expect(config.signing(for: .secretsManager) == AWSSigV4(
            region: "eu-west-1", service: "secretsmanager",
            credentials: AWSCredentials(accessKeyID: "ASIAEXAMPLEKEYID", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYSECRETKEY", sessionToken: "IQoJb3JpZ2luX2VjEXAMPLESESSIONTOKEN")))
    }

    @Test func sessionTokenIsOptionalAndRegionFallsBackToTheDefault() throws {
        let config = try configuration(["AWS_SESSION_TOKEN": nil, "AWS_REGION": "", "AWS_DEFAULT_REGION": "cn-north-1"])
        #expect(config.credentials.sessionToken == nil)
        #expect(config.region == "cn-north-1")
        #expect(config.s3Endpoint.url == "https://s3.cn-north-1.amazonaws.com.cn")
    }

    @Test(arguments: [
        ("AWS_ACCESS_KEY_ID", AWSConfigurationError.missing(variable: "AWS_ACCESS_KEY_ID")),
        ("AWS_SECRET_ACCESS_KEY", .missing(variable: "AWS_SECRET_ACCESS_KEY")),
        ("AWS_REGION", .missing(variable: "AWS_REGION")),
    ])
    func aMissingVariableIsNamedWithoutAnyValue(variable: String, expected: AWSConfigurationError) {
        #expect(throws: expected) { try configuration([variable: nil]) }
        #expect(throws: expected) { try configuration([variable: ""]) }
        #expect(!"\(expected)".contains(lambdaEnvironment["AWS_SECRET_ACCESS_KEY"]!))
    }

    @Test func aRegionThatIsNoNameIsRefused() {
        for region in ["eu-west-1:x", "EU-WEST-1", "eu west", "a.b", String(repeating: "a", count: 65)] {
            #expect(throws: AWSConfigurationError.invalidRegion(variable: "AWS_REGION")) { try configuration(["AWS_REGION": region]) }
        }
    }

    @Test func credentialsNeverShowTheSecretKeyOrToken() {
        let credentials = AWSCredentials(accessKeyID: "AKID", secretAccessKey: "the-secret-key", sessionToken: "the-session-token")
        var dumped = ""
        dump(credentials, to: &dumped)
        let config = try? configuration()
        var dumpedConfig = ""
        dump(config, to: &dumpedConfig)
        for text in ["\(credentials)", String(reflecting: credentials), dumped, "\(String(describing: config))", dumpedConfig] {
            #expect(!text.contains("the-secret-key") && !text.contains("the-session-token"))
            #expect(!text.contains(lambdaEnvironment["AWS_SECRET_ACCESS_KEY"]!) && !text.contains(lambdaEnvironment["AWS_SESSION_TOKEN"]!))
        }
        #expect("\(credentials)".contains("AKID"))
    }
}

@Suite struct AWSEndpointTests {
    @Test func theServiceVariableWinsOverTheGeneralOneWhichWinsOverAWS() throws {
        let both = try configuration([
            "AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_ENDPOINT_URL_S3": "https://s3.local:9000/",
        ])
        #expect(both.s3Endpoint == AWSEndpoint(scheme: "https", authority: "s3.local:9000", basePath: "", isOverride: true))
        #expect(both.secretsManagerEndpoint.url == "http://127.0.0.1:5000")
        let secrets = try configuration(["AWS_ENDPOINT_URL_SECRETS_MANAGER": "HTTP://[::1]:4566/prefix//"])
        #expect(secrets.secretsManagerEndpoint == AWSEndpoint(scheme: "http", authority: "[::1]:4566", basePath: "/prefix", isOverride: true))
        #expect(secrets.s3Endpoint.url == "https://s3.eu-west-1.amazonaws.com")
        #expect(!secrets.s3Endpoint.isOverride)
        let ignored = try configuration(["AWS_ENDPOINT_URL": "http://127.0.0.1:5000", "AWS_IGNORE_CONFIGURED_ENDPOINT_URLS": "TRUE"])
        #expect(ignored.s3Endpoint == .aws(.s3, region: "eu-west-1"))
    }

    @Test(arguments: [
        "127.0.0.1:5000", "ftp://host", "http://", "http://:80", "http://user:pw@host", "http://host?x=1",
        "http://host/#f", "http://host:0", "http://host:65536", "http://host:8o", "http://ho st", "http://[::1",
        "http://[::1]x", "https://host/é",
    ])
    func anUnusableOverrideIsRefusedNamingTheVariable(url: String) {
        #expect {
            try configuration(["AWS_ENDPOINT_URL_S3": url])
        } throws: { error in
            guard case .invalidEndpoint(let variable, _) = error as? AWSConfigurationError else { return false }
            return variable == "AWS_ENDPOINT_URL_S3" && !"\(error)".contains("pw")
        }
    }

    @Test func partitionsChooseTheirDNSSuffix() {
        #expect(AWSEndpoint.aws(.secretsManager, region: "us-gov-west-1").url == "https://secretsmanager.us-gov-west-1.amazonaws.com")
        #expect(AWSEndpoint.aws(.s3, region: "cn-northwest-1").url == "https://s3.cn-northwest-1.amazonaws.com.cn")
        #expect(AWSEndpoint.aws(.s3, region: "us-iso-east-1").url == "https://s3.us-iso-east-1.c2s.ic.gov")
        #expect(AWSEndpoint.aws(.s3, region: "us-isob-east-1").url == "https://s3.us-isob-east-1.sc2s.sgov.gov")
    }
}
