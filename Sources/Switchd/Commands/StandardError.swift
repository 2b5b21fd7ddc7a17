import Glibc

/// Writes one line to standard error (unbuffered write(2), so lines never interleave with stdout's buffer).
func printToStandardError(_ line: String) {
    let text = line + "\n"
    text.utf8CString.withUnsafeBufferPointer { buffer in
        _ = write(2, buffer.baseAddress, buffer.count - 1)
    }
}
