import HTTP

/// What a service client holds: the settings to sign with, one transport kept for every call (so
/// its keep-alive connection is reused) and the time one call may take.
struct AWSConnection {
    let configuration: AWSConfiguration
    let transport: any HTTPTransport
    let timeout: Duration
}
