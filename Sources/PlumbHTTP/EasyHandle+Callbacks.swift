import CCurl
import Foundation

extension EasyHandle {
    /// Points libcurl's body, header and progress callbacks at `context`. The closures are
    /// C function pointers, so they capture nothing; the context travels as an unretained
    /// pointer, valid because `perform` keeps it alive until the transfer ends.
    func installCallbacks(_ context: TransferContext) throws(HTTPError) {
        let pointer = Unmanaged.passUnretained(context).toOpaque()
        let handle = rawHandle

        try set(CURLOPT_WRITEFUNCTION) { option in
            plumb_curl_setopt_write_callback(handle, option) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let length = size * count
                if let data, length > 0 {
                    let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
                    context.appendBody(UnsafeRawBufferPointer(start: data, count: length))
                }
                return length
            }
        }
        try set(CURLOPT_WRITEDATA) { plumb_curl_setopt_pointer(handle, $0, pointer) }

        try set(CURLOPT_HEADERFUNCTION) { option in
            plumb_curl_setopt_write_callback(handle, option) { data, size, count, userdata in
                guard let userdata else { return 0 }
                let length = size * count
                if let data, length > 0 {
                    let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
                    context.appendHeaderLine(UnsafeRawBufferPointer(start: data, count: length))
                }
                return length
            }
        }
        try set(CURLOPT_HEADERDATA) { plumb_curl_setopt_pointer(handle, $0, pointer) }

        // The progress callback runs at least once a second, and on every chunk of I/O; a
        // non-zero return aborts the transfer, which is how task cancellation reaches libcurl.
        try setLong(CURLOPT_NOPROGRESS, 0)
        try set(CURLOPT_XFERINFOFUNCTION) { option in
            plumb_curl_setopt_xferinfo_callback(handle, option) { userdata, _, _, _, _ in
                guard let userdata else { return 0 }
                let context = Unmanaged<TransferContext>.fromOpaque(userdata).takeUnretainedValue()
                return context.cancel.isRaised ? 1 : 0
            }
        }
        try set(CURLOPT_XFERINFODATA) { plumb_curl_setopt_pointer(handle, $0, pointer) }
    }
}
