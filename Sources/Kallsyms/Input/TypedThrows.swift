/// `withUnsafeBytes` and friends rethrow `any Error`; these keep the library's
/// typed `throws(KallsymsError)` intact across them.
extension Array where Element == UInt8 {
    func withUnsafeBytesTyped<Result>(
        _ body: (UnsafeRawBufferPointer) throws(KallsymsError) -> Result
    ) throws(KallsymsError) -> Result {
        let outcome: Swift.Result<Result, KallsymsError> = withUnsafeBytes { raw in
            Swift.Result { () throws(KallsymsError) -> Result in try body(raw) }
        }
        return try outcome.get()
    }

    func withUnsafeBufferPointerTyped<Result>(
        _ body: (UnsafeBufferPointer<UInt8>) throws(KallsymsError) -> Result
    ) throws(KallsymsError) -> Result {
        let outcome: Swift.Result<Result, KallsymsError> = withUnsafeBufferPointer { buffer in
            Swift.Result { () throws(KallsymsError) -> Result in try body(buffer) }
        }
        return try outcome.get()
    }
}
