#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The three OpenBLAS functions inference uses, loaded with `dlopen` when a model is first loaded.
///
/// Why not link it: OpenBLAS's pthread build starts its thread pool in a library constructor, and
/// those threads spin (`sched_yield`) for a while before they sleep — in every `corpuskit`
/// process, including `tokenize` and `encode`, which never multiply a matrix. Measured on the
/// project's 2-core machine: `encode` of 5.9 MB used 194 ms of CPU linked against OpenBLAS and
/// 82 ms with `OPENBLAS_NUM_THREADS=1`, for the same 84–106 ms of wall time. Inference runs OpenBLAS
/// single-threaded inside its own workers anyway (``ComputePool``), so the pool was never used.
enum OpenBLAS {
    // CBLAS's enum values (cblas.h).
    private static let rowMajor: Int32 = 101
    private static let noTrans: Int32 = 111
    private static let trans: Int32 = 112

    private typealias SGEMM = @convention(c) (Int32, Int32, Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                              UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    private typealias SGEMV = @convention(c) (Int32, Int32, Int32, Int32, Float, UnsafePointer<Float>?, Int32,
                                              UnsafePointer<Float>?, Int32, Float, UnsafeMutablePointer<Float>?, Int32) -> Void
    private typealias SetThreads = @convention(c) (Int32) -> Void

    private struct Functions: @unchecked Sendable {
        let sgemm: SGEMM
        let sgemv: SGEMV
        let setThreads: SetThreads
    }

    /// The library names tried, in order (Debian's libopenblas0 provides the first).
    static let libraryNames = ["libopenblas.so.0", "libopenblas.so", "libopenblas.dylib"]

    private static let loaded: Result<Functions, InferenceError> = {
        var errors: [String] = []
        for name in libraryNames {
            guard let handle = dlopen(name, RTLD_NOW | RTLD_LOCAL) else {
                errors.append(dlerror().map { String(cString: $0) } ?? name)
                continue
            }
            guard let sgemm = dlsym(handle, "cblas_sgemm"), let sgemv = dlsym(handle, "cblas_sgemv"),
                  let setThreads = dlsym(handle, "openblas_set_num_threads") else {
                errors.append("\(name): cblas_sgemm, cblas_sgemv or openblas_set_num_threads missing")
                continue
            }
            return .success(Functions(sgemm: unsafeBitCast(sgemm, to: SGEMM.self), sgemv: unsafeBitCast(sgemv, to: SGEMV.self),
                                      setThreads: unsafeBitCast(setThreads, to: SetThreads.self)))
        }
        return .failure(.openBLASUnavailable(attempts: errors))
    }()

    /// Loads the library (once) and makes it single-threaded; the error names what was tried.
    static func load() throws(InferenceError) {
        try loaded.get().setThreads(1)
    }

    /// The functions; ``load()`` has succeeded before any model runs.
    private static var functions: Functions {
        switch loaded {
        case .success(let functions): return functions
        case .failure(let error): fatalError("OpenBLAS used before OpenBLAS.load(): \(error)")
        }
    }

    /// Row-major `c = alpha · op(a) · op(b) + beta · c` (`cblas_sgemm`).
    @inline(__always)
    static func sgemm(transposeB: Bool, _ m: Int, _ n: Int, _ k: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int,
                      _ b: UnsafePointer<Float>, _ ldb: Int, _ beta: Float, _ c: UnsafeMutablePointer<Float>, _ ldc: Int) {
        functions.sgemm(rowMajor, noTrans, transposeB ? trans : noTrans, Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda),
                        b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// Row-major `y = alpha · a · x + beta · y` (`cblas_sgemv`, no transpose, unit strides).
    @inline(__always)
    static func sgemv(_ m: Int, _ n: Int, _ alpha: Float, _ a: UnsafePointer<Float>, _ lda: Int, _ x: UnsafePointer<Float>,
                      _ beta: Float, _ y: UnsafeMutablePointer<Float>) {
        functions.sgemv(rowMajor, noTrans, Int32(m), Int32(n), alpha, a, Int32(lda), x, 1, beta, y, 1)
    }
}
