import Foundation
import Testing

@testable import UploadNotifier

@Suite struct BatchItemFailuresTests {
    typealias Outcome = BatchItemFailures.MessageOutcome

    @Test func aStandardQueueReportsExactlyTheFailedMessages() {
        let answer = BatchItemFailures.select([
            Outcome(messageID: "a", orderingGroup: nil, failed: false), Outcome(messageID: "b", orderingGroup: nil, failed: true),
            Outcome(messageID: "c", orderingGroup: nil, failed: false), Outcome(messageID: "d", orderingGroup: nil, failed: true),
        ])
        #expect(answer.itemIdentifiers == ["b", "d"])
    }

    @Test func aFIFOGroupFailsFromItsFirstFailureOn() {
        let answer = BatchItemFailures.select([
            Outcome(messageID: "a1", orderingGroup: "a", failed: false), Outcome(messageID: "b1", orderingGroup: "b", failed: true),
            Outcome(messageID: "a2", orderingGroup: "a", failed: false), Outcome(messageID: "b2", orderingGroup: "b", failed: false),
            Outcome(messageID: "a3", orderingGroup: "a", failed: true), Outcome(messageID: "b3", orderingGroup: "b", failed: false),
            Outcome(messageID: "c1", orderingGroup: "c", failed: false),
        ])
        #expect(answer.itemIdentifiers == ["b1", "b2", "a3", "b3"])
    }

    @Test func anEmptyListMeansTheWholeBatchSucceeded() {
        let answer = BatchItemFailures.select([Outcome(messageID: "a", orderingGroup: "g", failed: false)])
        #expect(answer.itemIdentifiers.isEmpty)
        #expect(String(decoding: answer.jsonBytes(), as: UTF8.self) == #"{"batchItemFailures":[]}"#)
    }

    @Test func theAnswerIsTheShapeLambdaReads() throws {
        let bytes = BatchItemFailures(itemIdentifiers: ["m-1", "quote\"d"]).jsonBytes()
        #expect(String(decoding: bytes, as: UTF8.self) == #"{"batchItemFailures":[{"itemIdentifier":"m-1"},{"itemIdentifier":"quote\"d"}]}"#)
        let parsed = try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: [[String: String]]]
        #expect(parsed?["batchItemFailures"]?.map { $0["itemIdentifier"] } == ["m-1", "quote\"d"])
    }
}

@Suite struct DeliveryPlanTests {
    typealias Unit = DeliveryPlan.Unit

    @Test func withoutGroupsEveryUploadGoesAlone() {
        #expect(DeliveryPlan.chains([Unit(orderingGroup: nil, malformed: false, uploads: [0, 1]), Unit(orderingGroup: nil, malformed: true, uploads: []),
                                     Unit(orderingGroup: nil, malformed: false, uploads: [2])]) == [[0], [1], [2]])
    }

    @Test func aFIFOGroupIsOneChainInBatchOrder() {
        #expect(DeliveryPlan.chains([
            Unit(orderingGroup: "a", malformed: false, uploads: [0]), Unit(orderingGroup: "b", malformed: false, uploads: [1, 2]),
            Unit(orderingGroup: "a", malformed: false, uploads: []), Unit(orderingGroup: "a", malformed: false, uploads: [3]),
        ]) == [[0, 3], [1, 2]])
    }

    @Test func aMalformedMessageEndsItsGroupsChain() {
        #expect(DeliveryPlan.chains([
            Unit(orderingGroup: "a", malformed: false, uploads: [0]), Unit(orderingGroup: "a", malformed: true, uploads: []),
            Unit(orderingGroup: "a", malformed: false, uploads: [1]), Unit(orderingGroup: "b", malformed: false, uploads: [2]),
        ]) == [[0], [2]])
    }
}
