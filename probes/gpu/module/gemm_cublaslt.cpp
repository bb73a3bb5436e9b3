// gpu.gemm on the device: D = A^T-stored x B through cuBLASLt, timed with CUDA events,
// with entries of D read back after the warm-up and after every repetition so the host
// can check them against exact references (gemm_precision.h).
#include <cublasLt.h>
#include <cuda_runtime_api.h>
#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "probes/gpu/gemm_precision.h"
#include "probes/gpu/module/gemm_fill.h"
#include "probes/gpu/module/module_parts.h"
#include "probes/gpu/module/module_util.h"

namespace assay::gpu {
namespace {

// cuBLASLt's types for one precision. FP16 and BF16 accumulate in FP32 (what the rated
// dense tensor figures of data-centre GPUs assume); FP8 writes BF16; INT8 accumulates
// and writes INT32.
struct LtTypes {
  cudaDataType_t input;
  cudaDataType_t output;
  cublasComputeType_t compute;
  cudaDataType_t scale;
  const char* text;
};

LtTypes lt_types(GemmPrecision precision) {
  switch (precision) {
    case GemmPrecision::fp64:
      return {CUDA_R_64F, CUDA_R_64F, CUBLAS_COMPUTE_64F, CUDA_R_64F, "A,B,C,D CUDA_R_64F, compute CUBLAS_COMPUTE_64F"};
    case GemmPrecision::fp32:
      return {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F, "A,B,C,D CUDA_R_32F, compute CUBLAS_COMPUTE_32F"};
    case GemmPrecision::tf32:
      return {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F_FAST_TF32, CUDA_R_32F,
              "A,B,C,D CUDA_R_32F, compute CUBLAS_COMPUTE_32F_FAST_TF32"};
    case GemmPrecision::bf16:
      return {CUDA_R_16BF, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F,
              "A,B,C,D CUDA_R_16BF, compute CUBLAS_COMPUTE_32F"};
    case GemmPrecision::fp16:
      return {CUDA_R_16F, CUDA_R_16F, CUBLAS_COMPUTE_32F, CUDA_R_32F, "A,B,C,D CUDA_R_16F, compute CUBLAS_COMPUTE_32F"};
    case GemmPrecision::fp8:
      return {CUDA_R_8F_E4M3, CUDA_R_16BF, CUBLAS_COMPUTE_32F, CUDA_R_32F,
              "A,B CUDA_R_8F_E4M3, C,D CUDA_R_16BF, compute CUBLAS_COMPUTE_32F, fast accumulation off"};
    case GemmPrecision::int8:
      return {CUDA_R_8I, CUDA_R_32I, CUBLAS_COMPUTE_32I, CUDA_R_32I, "A,B CUDA_R_8I, C,D CUDA_R_32I, compute CUBLAS_COMPUTE_32I"};
  }
  return {CUDA_R_32F, CUDA_R_32F, CUBLAS_COMPUTE_32F, CUDA_R_32F, "?"};
}

std::string lt_failure(cublasStatus_t status, std::string_view call, int device) {
  if (status == CUBLAS_STATUS_SUCCESS) return {};
  return fmt::format("{} on gpu{}: {} ({})", call, device, cublasLtGetStatusString(status), cublasLtGetStatusName(status));
}

// Output element at `bytes` as a double. BF16 and FP16 are decoded by hand so the host
// side needs no CUDA half-precision headers.
double decode_output(GemmPrecision precision, const unsigned char* bytes) {
  switch (precision) {
    case GemmPrecision::fp64: {
      double v;
      std::memcpy(&v, bytes, sizeof v);
      return v;
    }
    case GemmPrecision::fp32:
    case GemmPrecision::tf32: {
      float v;
      std::memcpy(&v, bytes, sizeof v);
      return v;
    }
    case GemmPrecision::int8: {
      std::int32_t v;
      std::memcpy(&v, bytes, sizeof v);
      return v;
    }
    case GemmPrecision::bf16:
    case GemmPrecision::fp8: {
      std::uint16_t half_bits;
      std::memcpy(&half_bits, bytes, sizeof half_bits);
      const std::uint32_t bits = static_cast<std::uint32_t>(half_bits) << 16;
      float v;
      std::memcpy(&v, &bits, sizeof v);
      return v;
    }
    case GemmPrecision::fp16: {
      std::uint16_t h;
      std::memcpy(&h, bytes, sizeof h);
      const int sign = (h >> 15) != 0 ? -1 : 1;
      const int exponent = (h >> 10) & 0x1f;
      const int mantissa = h & 0x3ff;
      if (exponent == 0) return sign * std::ldexp(mantissa, -24);
      if (exponent == 31) return mantissa == 0 ? sign * HUGE_VAL : NAN;
      return sign * std::ldexp(mantissa + 1024, exponent - 25);
    }
  }
  return NAN;
}

// cuBLASLt's opaque objects, destroyed in reverse order of creation.
struct LtObjects {
  cublasLtHandle_t handle = nullptr;
  cublasLtMatmulDesc_t operation = nullptr;
  cublasLtMatrixLayout_t a = nullptr, b = nullptr, d = nullptr;
  cublasLtMatmulPreference_t preference = nullptr;
  ~LtObjects() {
    if (preference != nullptr) cublasLtMatmulPreferenceDestroy(preference);
    if (d != nullptr) cublasLtMatrixLayoutDestroy(d);
    if (b != nullptr) cublasLtMatrixLayoutDestroy(b);
    if (a != nullptr) cublasLtMatrixLayoutDestroy(a);
    if (operation != nullptr) cublasLtMatmulDescDestroy(operation);
    if (handle != nullptr) cublasLtDestroy(handle);
  }
};

// alpha = 1, beta = 0 in the scale type.
struct Scalars {
  double f64[2] = {1.0, 0.0};
  float f32[2] = {1.0F, 0.0F};
  std::int32_t i32[2] = {1, 0};
  const void* alpha(cudaDataType_t scale) const {
    return scale == CUDA_R_64F ? static_cast<const void*>(&f64[0])
           : scale == CUDA_R_32I ? static_cast<const void*>(&i32[0]) : static_cast<const void*>(&f32[0]);
  }
  const void* beta(cudaDataType_t scale) const {
    return scale == CUDA_R_64F ? static_cast<const void*>(&f64[1])
           : scale == CUDA_R_32I ? static_cast<const void*>(&i32[1]) : static_cast<const void*>(&f32[1]);
  }
};

// What the record and the choice need from an algorithm's configuration.
struct AlgoConfig {
  std::int32_t algo_id = -1, split_k = 1;
  std::uint32_t tile = 0, reduction = CUBLASLT_REDUCTION_SCHEME_NONE;
  bool partials_in_output_type() const {
    return split_k > 1 &&
           (reduction == CUBLASLT_REDUCTION_SCHEME_INPLACE || reduction == CUBLASLT_REDUCTION_SCHEME_OUTPUT_TYPE);
  }
};

AlgoConfig algo_config(const cublasLtMatmulAlgo_t& algo) {
  AlgoConfig config;
  std::size_t written = 0;
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_ID, &config.algo_id, sizeof config.algo_id, &written);
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_TILE_ID, &config.tile, sizeof config.tile, &written);
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_SPLITK_NUM, &config.split_k, sizeof config.split_k,
                                       &written);
  cublasLtMatmulAlgoConfigGetAttribute(&algo, CUBLASLT_ALGO_CONFIG_REDUCTION_SCHEME, &config.reduction,
                                       sizeof config.reduction, &written);
  return config;
}

// Heuristic results asked for: enough to find one without an output-type reduction.
constexpr int kHeuristicCandidates = 8;

class GemmRun {
 public:
  explicit GemmRun(const GemmRequest& request) : r_(request), types_(lt_types(request.precision)) {}

  GemmOutcome run() {
    out_.types = types_.text;
    if (!(out_.error = prepare()).empty()) return std::move(out_);
    if (!(out_.error = warm_up()).empty()) return std::move(out_);
    if (r_.control.before_timing) r_.control.before_timing();
    for (int repetition = 0; repetition < r_.repetitions; ++repetition) {
      if (r_.control.cancelled()) {
        out_.cancelled = true;
        break;
      }
      double seconds = 0;
      if (!(out_.error = timed_calls(out_.calls_per_repetition, seconds)).empty()) return std::move(out_);
      out_.seconds.push_back(seconds);
      if (!(out_.error = read_back()).empty()) return std::move(out_);
    }
    return std::move(out_);
  }

 private:
  std::string prepare() {
    const int dev = r_.device;
    const std::uint64_t in = gemm_input_bytes(r_.precision), out = gemm_output_bytes(r_.precision);
    const auto m = static_cast<std::uint64_t>(r_.m), n = static_cast<std::uint64_t>(r_.n),
               k = static_cast<std::uint64_t>(r_.k);
    if (std::string f = stream_.create(dev); !f.empty()) return f;
    if (std::string f = a_.allocate(dev, k * m * in); !f.empty()) return "A: " + f;
    if (std::string f = b_.allocate(dev, k * n * in); !f.empty()) return "B: " + f;
    if (std::string f = d_.allocate(dev, m * n * out); !f.empty()) return "D: " + f;
    if (r_.workspace_bytes > 0) {
      if (std::string f = workspace_.allocate(dev, r_.workspace_bytes); !f.empty()) return "workspace: " + f;
    }
    // A is stored k x m (the TN layout's transposed A), B k x n, both column-major.
    if (std::string f = cuda_failure(fill_gemm_input(r_.precision, a_.get(), r_.k, r_.m, true, r_.seed_a, stream_.stream()),
                                     "fill A", dev);
        !f.empty()) {
      return f;
    }
    if (std::string f = cuda_failure(fill_gemm_input(r_.precision, b_.get(), r_.k, r_.n, false, r_.seed_b, stream_.stream()),
                                     "fill B", dev);
        !f.empty()) {
      return f;
    }
    if (std::string f = cuda_failure(cudaStreamSynchronize(stream_.stream()), "fill (cudaStreamSynchronize)", dev);
        !f.empty()) {
      return f;
    }

    if (std::string f = lt_failure(cublasLtCreate(&lt_.handle), "cublasLtCreate", dev); !f.empty()) return f;
    if (std::string f = lt_failure(cublasLtMatmulDescCreate(&lt_.operation, types_.compute, types_.scale),
                                   "cublasLtMatmulDescCreate", dev);
        !f.empty()) {
      return f;
    }
    const cublasOperation_t transposed = CUBLAS_OP_T, plain = CUBLAS_OP_N;
    if (std::string f = lt_failure(cublasLtMatmulDescSetAttribute(lt_.operation, CUBLASLT_MATMUL_DESC_TRANSA, &transposed,
                                                                  sizeof transposed),
                                   "cublasLtMatmulDescSetAttribute(TRANSA)", dev);
        !f.empty()) {
      return f;
    }
    if (std::string f = lt_failure(
            cublasLtMatmulDescSetAttribute(lt_.operation, CUBLASLT_MATMUL_DESC_TRANSB, &plain, sizeof plain),
            "cublasLtMatmulDescSetAttribute(TRANSB)", dev);
        !f.empty()) {
      return f;
    }
    if (r_.precision == GemmPrecision::fp8) {
      // Explicitly off: partial sums are promoted to FP32, which the tolerance assumes.
      const std::int8_t fast_accumulation = 0;
      if (std::string f = lt_failure(cublasLtMatmulDescSetAttribute(lt_.operation, CUBLASLT_MATMUL_DESC_FAST_ACCUM,
                                                                    &fast_accumulation, sizeof fast_accumulation),
                                     "cublasLtMatmulDescSetAttribute(FAST_ACCUM)", dev);
          !f.empty()) {
        return f;
      }
    }
    if (std::string f = lt_failure(cublasLtMatrixLayoutCreate(&lt_.a, types_.input, k, m, static_cast<std::int64_t>(k)),
                                   "cublasLtMatrixLayoutCreate(A)", dev);
        !f.empty()) {
      return f;
    }
    if (std::string f = lt_failure(cublasLtMatrixLayoutCreate(&lt_.b, types_.input, k, n, static_cast<std::int64_t>(k)),
                                   "cublasLtMatrixLayoutCreate(B)", dev);
        !f.empty()) {
      return f;
    }
    if (std::string f = lt_failure(cublasLtMatrixLayoutCreate(&lt_.d, types_.output, m, n, static_cast<std::int64_t>(m)),
                                   "cublasLtMatrixLayoutCreate(D)", dev);
        !f.empty()) {
      return f;
    }
    if (std::string f = lt_failure(cublasLtMatmulPreferenceCreate(&lt_.preference), "cublasLtMatmulPreferenceCreate", dev);
        !f.empty()) {
      return f;
    }
    const std::uint64_t workspace = r_.workspace_bytes;
    if (std::string f = lt_failure(cublasLtMatmulPreferenceSetAttribute(
                                       lt_.preference, CUBLASLT_MATMUL_PREF_MAX_WORKSPACE_BYTES, &workspace, sizeof workspace),
                                   "cublasLtMatmulPreferenceSetAttribute(MAX_WORKSPACE_BYTES)", dev);
        !f.empty()) {
      return f;
    }
    // Several candidates, best first: the first is taken unless it is a split-K algorithm
    // that adds its partial sums in D's type (BF16/FP16), which the check's tolerance does
    // not allow for (gemm_algorithm_within_tolerance); then the next one that does not.
    cublasLtMatmulHeuristicResult_t candidates[kHeuristicCandidates] = {};
    int returned = 0;
    const cublasStatus_t asked = cublasLtMatmulAlgoGetHeuristic(lt_.handle, lt_.operation, lt_.a, lt_.b, lt_.d, lt_.d,
                                                                lt_.preference, kHeuristicCandidates, candidates,
                                                                &returned);
    // NOT_SUPPORTED: this cuBLASLt has no kernel for these types on this GPU, which is a
    // precision the GPU lacks, not a failure (the probe skips it, saying so).
    out_.unsupported = asked == CUBLAS_STATUS_NOT_SUPPORTED || asked == CUBLAS_STATUS_ARCH_MISMATCH;
    if (std::string f = lt_failure(asked, "cublasLtMatmulAlgoGetHeuristic", dev); !f.empty()) return f;
    int chosen = -1, first_usable = -1;
    for (int i = 0; i < returned && chosen < 0; ++i) {
      if (candidates[i].state != CUBLAS_STATUS_SUCCESS) continue;
      if (first_usable < 0) first_usable = i;
      const AlgoConfig config = algo_config(candidates[i].algo);
      if (gemm_algorithm_within_tolerance(r_.precision, config.split_k, config.partials_in_output_type())) chosen = i;
    }
    if (first_usable < 0) {
      out_.unsupported = true;
      return fmt::format("cuBLASLt has no algorithm for {} x {} x {} with {} on gpu{} (workspace {})", r_.m, r_.n, r_.k,
                         types_.text, dev, bytes_text(workspace));
    }
    // None that keeps partial sums in the compute type: the heuristic's first choice, said
    // so in the record (the check may then refuse a correct result at small n).
    const bool fallback = chosen < 0;
    heuristic_ = candidates[fallback ? first_usable : chosen];
    const AlgoConfig config = algo_config(heuristic_.algo);
    out_.algorithm = fmt::format("cuBLASLt heuristic's {}: algo id {}, tile id {}, split-k {}{}, {:.2f} waves, "
                                 "workspace {} of {}",
                                 chosen == first_usable ? std::string("first choice")
                                 : fallback  ? std::string("first choice (no candidate keeps split-K partial sums in "
                                                           "the compute type)")
                                             : fmt::format("choice {} of {} (those before it add split-K partial sums "
                                                           "in the output type)",
                                                           chosen + 1, returned),
                                 config.algo_id, config.tile, config.split_k,
                                 config.split_k > 1 ? fmt::format(" (reduction scheme {})", config.reduction) : "",
                                 heuristic_.wavesCount, bytes_text(heuristic_.workspaceSize), bytes_text(workspace));
    return {};
  }

  std::string call() {
    return lt_failure(cublasLtMatmul(lt_.handle, lt_.operation, scalars_.alpha(types_.scale), a_.get(), lt_.a, b_.get(),
                                     lt_.b, scalars_.beta(types_.scale), d_.get(), lt_.d, d_.get(), lt_.d,
                                     &heuristic_.algo, workspace_.get(), r_.workspace_bytes, stream_.stream()),
                      "cublasLtMatmul", r_.device);
  }

  std::string timed_calls(int calls, double& seconds) {
    if (std::string f = stream_.start(); !f.empty()) return f;
    for (int i = 0; i < calls; ++i) {
      if (std::string f = call(); !f.empty()) return f;
    }
    return stream_.stop(seconds);
  }

  std::string warm_up() {
    // The warm-up's own timing sizes the repetitions: clocks ramp and the library loads
    // its kernels during the first calls, so only the last half counts.
    const int calls = std::max(2, r_.warmup_calls);
    double first = 0, second = 0;
    if (std::string f = timed_calls(calls / 2, first); !f.empty()) return f;
    if (std::string f = timed_calls(calls - calls / 2, second); !f.empty()) return f;
    const double per_call = second / (calls - calls / 2);
    out_.calls_per_repetition =
        r_.calls_per_repetition > 0
            ? r_.calls_per_repetition
            : static_cast<int>(std::clamp(std::ceil(r_.repetition_seconds / std::max(per_call, 1e-7)), 1.0, 1e6));
    return read_back();
  }

  std::string read_back() {
    const std::uint64_t size = gemm_output_bytes(r_.precision);
    std::vector<double> values;
    values.reserve(r_.check_entries.size());
    unsigned char bytes[8] = {};
    for (const auto& [row, column] : r_.check_entries) {
      const auto offset = (static_cast<std::uint64_t>(column) * static_cast<std::uint64_t>(r_.m) +
                           static_cast<std::uint64_t>(row)) * size;
      if (std::string f = cuda_failure(cudaMemcpy(bytes, static_cast<unsigned char*>(d_.get()) + offset, size,
                                                  cudaMemcpyDeviceToHost),
                                       "cudaMemcpy(D entry to host)", r_.device);
          !f.empty()) {
        return f;
      }
      values.push_back(decode_output(r_.precision, bytes));
    }
    out_.checked_values.push_back(std::move(values));
    return {};
  }

  const GemmRequest& r_;
  LtTypes types_;
  GemmOutcome out_;
  TimedStream stream_;
  DeviceBuffer a_, b_, d_, workspace_;
  LtObjects lt_;
  cublasLtMatmulHeuristicResult_t heuristic_{};
  Scalars scalars_;
};

}  // namespace

GemmOutcome run_gemm(const GemmRequest& request) {
  if (std::string f = cuda_failure(cudaSetDevice(request.device), "cudaSetDevice", request.device); !f.empty()) {
    GemmOutcome failed;
    failed.error = f;
    return failed;
  }
  return GemmRun(request).run();
}

std::string cublaslt_version_text() {
  const std::size_t v = cublasLtGetVersion();
  return fmt::format("cuBLASLt {}.{}.{}", v / 10000, v / 100 % 100, v % 100);
}

}  // namespace assay::gpu
