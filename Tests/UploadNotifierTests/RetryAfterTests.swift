import Retrying
import Testing

@testable import UploadNotifier

@Suite struct RetryAfterTests {
    @Test func retryAfterSeconds() {
        #expect(RetryPolicy.retryAfter("3", nowSeconds: 0) == .seconds(3))
        #expect(RetryPolicy.retryAfter(" 0 ", nowSeconds: 0) == .zero)
        #expect(RetryPolicy.retryAfter(nil, nowSeconds: 0) == nil)
        #expect(RetryPolicy.retryAfter("soon", nowSeconds: 0) == nil)
        #expect(RetryPolicy.retryAfter("-5", nowSeconds: 0) == nil)
        #expect(RetryPolicy.retryAfter("99999999999999999999999", nowSeconds: 0)! > .seconds(1_000_000))
        // Fuzz/crashes/FuzzRetryAfter: a digit with a combining mark is one Character, not delay-seconds.
        #expect(RetryPolicy.retryAfter("4\u{301}", nowSeconds: 0) == nil)
        #expect(RetryPolicy.retryAfter("\n4\u{301}", nowSeconds: 0) == nil)
        #expect(RetryPolicy.retryAfter("٣", nowSeconds: 0) == nil)
    }

    @Test func retryAfterHTTPDateInAllThreeForms() {
        let now: Int64 = 784_111_770  // Sun, 06 Nov 1994 08:49:30 GMT
        #expect(RetryPolicy.retryAfter("Sun, 06 Nov 1994 08:49:37 GMT", nowSeconds: now) == .seconds(7))
        #expect(RetryPolicy.retryAfter("Sunday, 06-Nov-94 08:49:37 GMT", nowSeconds: now) == .seconds(7))
        #expect(RetryPolicy.retryAfter("Sun Nov  6 08:49:37 1994", nowSeconds: now) == .seconds(7))
        #expect(RetryPolicy.retryAfter("Sun, 06 Nov 1994 08:00:00 GMT", nowSeconds: now) == .zero)
        #expect(RetryPolicy.retryAfter("Sun, 06 Foo 1994 08:49:37 GMT", nowSeconds: now) == nil)
        #expect(RetryPolicy.retryAfter("Sun, 32 Nov 1994 08:49:37 GMT", nowSeconds: now) == nil)
    }

    /// The backend's header must not be able to trap the day arithmetic.
    @Test func extremeHTTPDatesAreRejectedNotTrapped() {
        for text in ["Sun, 06 Nov 9223372036854775807 08:49:37 GMT", "Sun Nov  6 08:49:37 99999999999999999",
                     "Sun, 06 Nov 19944 08:49:37 GMT", "Sun, 06 Nov 994 08:49:37 GMT",
                     "Sun, 99999999999999999999 Nov 1994 08:49:37 GMT", "Sun, 06 Nov 1994 9999999999999:49:37 GMT"] {
            #expect(HTTPDate.parse(text) == nil, "\(text)")
            #expect(RetryPolicy.retryAfter(text, nowSeconds: .max) == nil)
        }
        #expect(RetryPolicy.retryAfter("Fri, 31 Dec 9999 23:59:59 GMT", nowSeconds: .min) != nil)
        #expect(RetryPolicy.retryAfter("Thu, 01 Jan 1970 00:00:00 GMT", nowSeconds: .max) == .zero)
    }

    @Test func httpDateMatchesUnixTime() {
        #expect(HTTPDate.parse("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.parse("Sun, 29 Nov 2026 03:44:53 GMT") == 1_795_923_893)
        #expect(HTTPDate.parse("Tue, 29 Feb 2028 12:00:00 GMT") == 1_835_438_400)
    }
}
