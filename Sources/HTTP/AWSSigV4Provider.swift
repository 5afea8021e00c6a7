import AWSSigning
import TextBytes

#if canImport(Glibc)
import Glibc
#endif

extension AWSSigV4 {
    /// CURLOPT_AWS_SIGV4's "provider1:provider2:region:service". libcurl 7.88.1 splits it with
    /// sscanf("%64[^:]…%64s"): a region or service that is empty, longer than 64 bytes, or holds
    /// a colon or a space would be cut short silently and sign for another scope, so only
    /// ``AWSName``s pass.
    var curlProvider: String? {
        guard AWSName.isValid(region), AWSName.isValid(service) else { return nil }
        return "aws:amz:\(region):\(service)"
    }
}
