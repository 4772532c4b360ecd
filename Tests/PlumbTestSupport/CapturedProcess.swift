import Foundation

/// Runs a configured process to its end and returns its status, standard output and
/// standard error. Standard error goes to a file of its own (under `scratch`), so neither
/// pipe can fill and block the child; standard input is empty.
public func runCaptured(_ process: Process, scratch: String) throws -> (status: Int32, stdout: String, stderr: String) {
    let errorPath = (scratch as NSString).appendingPathComponent("stderr-\(UUID().uuidString)")
    _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: errorPath) }
    guard let errorFile = FileHandle(forWritingAtPath: errorPath) else {
        throw PowerDNSServer.StartFailure(description: "cannot write \(errorPath)")
    }
    defer { try? errorFile.close() }
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = errorFile
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let stderr = (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    return (process.terminationStatus, String(decoding: data, as: UTF8.self), stderr)
}
