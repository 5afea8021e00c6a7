import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

/// A request as a loopback server received it.
public struct RecordedRequest: Sendable {
    public var method: String
    public var uri: String
    public var headers: [(name: String, value: String)]
    public var body: [UInt8]

    public func header(_ name: String) -> String? {
        headers.first { $0.name.lowercased() == name.lowercased() }?.value
    }

    public var path: String { String(uri.prefix { $0 != "?" }) }
}

/// How a loopback server answers one request.
public enum ServerReply: Sendable {
    case respond(status: Int, headers: [(String, String)] = [], body: [UInt8] = [])
    /// Closes the connection without answering: a crashed or unreachable peer.
    case dropConnection

    public static func json(_ status: Int, _ text: String, headers: [(String, String)] = []) -> ServerReply {
        .respond(status: status, headers: [("Content-Type", "application/json")] + headers, body: Array(text.utf8))
    }
}

/// A small HTTP/1.1 server on 127.0.0.1 for tests and local runs, never deployed.
/// Each request is answered by an async responder, so an answer may wait (the Runtime API's long poll).
public final class LoopbackHTTPServer: Sendable {
    public typealias Responder = @Sendable (RecordedRequest) async -> ServerReply

    private let channel: NIOAsyncChannel<NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, Never>
    private let serving: Task<Void, Never>
    private let counter: CounterBox
    public let port: Int

    /// Connections accepted so far: shows whether a client reuses keep-alive connections.
    public var connectionCount: Int { counter.value.load(ordering: .relaxed) }

    private final class CounterBox: Sendable {
        let value = Atomic<Int>(0)
    }

    /// Binds 127.0.0.1:`port` (0 picks a free port) and starts answering.
    public init(port: Int = 0, responder: @escaping Responder) async throws {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .bind(host: "127.0.0.1", port: port) { child in
                child.eventLoop.makeCompletedFuture {
                    try child.pipeline.syncOperations.configureHTTPServerPipeline()
                    return try NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>(wrappingChannelSynchronously: child)
                }
            }
        self.channel = channel
        self.port = channel.channel.localAddress?.port ?? port
        let counter = CounterBox()
        self.counter = counter
        self.serving = Task {
            await withDiscardingTaskGroup { group in
                try? await channel.executeThenClose { connections in
                    for try await connection in connections {
                        counter.value.add(1, ordering: .relaxed)
                        group.addTask { await Self.serve(connection, responder: responder) }
                    }
                }
            }
        }
    }

    public var baseURL: String { "http://127.0.0.1:\(port)" }

    /// Stops accepting connections and closes the listening socket.
    public func shutdown() async {
        try? await channel.channel.close()
        serving.cancel()
    }

    private static func serve(
        _ connection: NIOAsyncChannel<HTTPServerRequestPart, HTTPServerResponsePart>, responder: Responder
    ) async {
        try? await connection.executeThenClose { inbound, outbound in
            var head: HTTPRequestHead?
            var body: [UInt8] = []
            for try await part in inbound {
                switch part {
                case .head(let received):
                    head = received
                    body = []
                case .body(let buffer):
                    body.append(contentsOf: buffer.readableBytesView)
                case .end:
                    guard let head else { return }
                    let request = RecordedRequest(
                        method: head.method.rawValue, uri: head.uri,
                        headers: head.headers.map { ($0.name, $0.value) }, body: body)
                    switch await responder(request) {
                    case .dropConnection:
                        return
                    case .respond(let status, let extraHeaders, let responseBody):
                        var headers = HTTPHeaders(extraHeaders)
                        headers.replaceOrAdd(name: "Content-Length", value: "\(responseBody.count)")
                        if !head.isKeepAlive { headers.replaceOrAdd(name: "Connection", value: "close") }
                        try await outbound.write(.head(HTTPResponseHead(
                            version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)))
                        if !responseBody.isEmpty {
                            try await outbound.write(.body(.byteBuffer(ByteBuffer(bytes: responseBody))))
                        }
                        try await outbound.write(.end(nil))
                        if !head.isKeepAlive { return }
                    }
                }
            }
        }
    }
}
