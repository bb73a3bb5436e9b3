#pragma once
// The boundary between assay and its CUDA module, libassay_gpu.so.
//
// Everything that needs the CUDA runtime, cuBLASLt or NCCL lives in that module, built
// from probes/gpu/module/ whenever nvcc is found. assay itself never links a CUDA
// library: it dlopens the module when a GPU probe first asks (gpu_module_loader.h), so
// the binary starts and runs its CPU probes on machines without the NVIDIA driver or
// the CUDA libraries, and a GPU probe there SKIPs with the reason.
//
// Plain C++ only: no CUDA header is included here. Both sides are built by the same
// compiler from the same tree, so standard-library types cross the boundary;
// kModuleAbi guards against a module left over from another build.
//
// Conventions for every operation: `error` empty means it ran; otherwise it names the
// call that failed, the device and the CUDA/cuBLASLt/NCCL status text. `cancelled`
// means Control::cancel was seen and the timed part stopped early. Times are seconds
// measured with CUDA events on the device's stream, so host scheduling noise between
// launches does not count.

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace assay::gpu {

/// Bumped whenever a declaration below changes.
inline constexpr int kModuleAbi = 3;

/// One CUDA device as this process sees it (after CUDA_VISIBLE_DEVICES).
struct Device {
  int index = 0;           ///< CUDA ordinal; subjects name it "gpu<index>"
  std::string name;        ///< e.g. "NVIDIA H100 80GB HBM3"
  std::string pci_bus_id;  ///< e.g. "0000:17:00.0"
  std::string uuid;        ///< e.g. "GPU-5a3c...", as nvidia-smi prints it
  int cc_major = 0;        ///< compute capability
  int cc_minor = 0;
  int multiprocessors = 0;
  std::uint64_t memory_bytes = 0;  ///< total device memory
  std::uint64_t l2_bytes = 0;
  double sm_clock_hz = 0;      ///< peak SM clock
  double memory_clock_hz = 0;  ///< peak memory clock
  int memory_bus_bits = 0;
};

struct DeviceList {
  std::string error;  ///< e.g. "cudaGetDeviceCount: CUDA driver version is insufficient..."
  std::vector<Device> devices;
};

/// What every timed operation shares.
struct Control {
  const std::atomic<bool>* cancel = nullptr;
  /// Called on the calling thread after warm-up, right before the timed part. The host
  /// passes a barrier here so that all GPUs of a node start their timed parts together.
  std::function<void()> before_timing;

  bool cancelled() const { return cancel != nullptr && cancel->load(std::memory_order_relaxed); }
};

// ---- gpu.gemm: cuBLASLt matrix multiply -------------------------------------------

enum class GemmPrecision { fp64, fp32, tf32, bf16, fp16, fp8, int8 };

/// D = A x B with A m x k, B k x n, D m x n. Inputs are filled on the device from
/// gemm_pattern.h (gemm_input_value), so the host can compute any entry's reference.
/// The layout is "TN" (A transposed, column-major), which FP8 and INT8 require.
struct GemmRequest {
  int device = 0;
  GemmPrecision precision = GemmPrecision::fp32;
  std::int64_t m = 0, n = 0, k = 0;
  std::uint64_t seed_a = 0, seed_b = 0;
  std::uint64_t workspace_bytes = 0;
  int warmup_calls = 0;
  /// Calls timed together as one repetition; 0: the module picks the count that makes a
  /// repetition last about `repetition_seconds`, from the warm-up's timing.
  int calls_per_repetition = 0;
  double repetition_seconds = 0.5;
  int repetitions = 1;
  /// Entries of D (row, column) read back after the warm-up and after every repetition.
  std::vector<std::pair<std::int64_t, std::int64_t>> check_entries;
  Control control;
};

struct GemmOutcome {
  std::string error;
  /// With `error`: cuBLASLt has no algorithm for this precision on this GPU (its
  /// heuristic said NOT_SUPPORTED or found none), so the precision is skipped, not failed.
  bool unsupported = false;
  bool cancelled = false;
  int calls_per_repetition = 0;
  std::vector<double> seconds;  ///< per repetition, for calls_per_repetition calls
  /// D at check_entries, one row per read-back (warm-up first, then each repetition).
  std::vector<std::vector<double>> checked_values;
  std::string types;      ///< e.g. "A,B CUDA_R_16BF, C,D CUDA_R_16BF, compute CUBLAS_COMPUTE_32F"
  std::string algorithm;  ///< what cuBLASLt's heuristic chose, for the record
};

// ---- gpu.hbm: device-memory bandwidth with assay's own kernels --------------------

struct HbmRequest {
  int device = 0;
  std::uint64_t array_bytes = 0;  ///< each of the two arrays the kernels use; a multiple of 16
  int warmup = 1;
  int repetitions = 1;
  Control control;
};

struct HbmOutcome {
  std::string error;
  bool cancelled = false;
  /// Per repetition. read moves array_bytes, write array_bytes, copy 2 x array_bytes.
  std::vector<double> read_seconds, write_seconds, copy_seconds;
  std::string check_failure;  ///< empty: every kernel's result was checked and right
  std::string check_detail;   ///< what was checked
  std::string launch;         ///< grid, block, bytes per access
};

// ---- gpu.pcie: host <-> device copies over pinned memory --------------------------

struct PcieRequest {
  int device = 0;
  std::uint64_t bytes = 0;  ///< per copy and direction; a multiple of 8
  int warmup = 1;
  int repetitions = 1;
  Control control;
};

struct PcieOutcome {
  std::string error;
  bool cancelled = false;
  /// Per repetition: h2d and d2h move `bytes`; bidir moves `bytes` each way at once.
  std::vector<double> h2d_seconds, d2h_seconds, bidir_seconds;
  std::string check_failure;
  std::string check_detail;
};

// ---- gpu.p2p: between two GPUs of the node ----------------------------------------

struct P2pRequest {
  int source = 0;
  int destination = 0;
  std::uint64_t bytes = 0;     ///< per copy and direction; a multiple of 8
  int latency_copies = 0;      ///< small copies averaged into one latency sample
  std::uint64_t latency_bytes = 16;  ///< size of each small copy (p2pBandwidthLatencyTest: one int4)
  /// Also both ways at once; the same link either way round, so the host asks once per
  /// unordered pair.
  bool bidirectional = true;
  int warmup = 1;
  int repetitions = 1;
  Control control;
};

struct P2pOutcome {
  std::string error;
  bool cancelled = false;
  bool peer_access = false;  ///< direct (NVLink / PCIe peer) rather than staged through the host
  std::string path;          ///< how the copies went, e.g. "peer access enabled both ways (by this probe)"
  /// Per repetition: unidirectional source->destination, both ways at once (bytes each
  /// way; empty unless request.bidirectional), and the mean time of one small copy.
  std::vector<double> unidirectional_seconds, bidirectional_seconds, latency_seconds;
  std::string check_failure;
  std::string check_detail;
};

// ---- interconnect.nccl: collectives over all GPUs of all nodes --------------------
// One NCCL rank per GPU; a process drives all its GPUs from one thread (ncclGroupStart/
// End around the calls of its GPUs). The communicators are non-blocking (config.blocking
// = 0), so no NCCL call blocks on a peer: every wait polls, and at `timeout_seconds` or
// when `cancel` is set the module calls ncclCommAbort on all of them (probes/gpu/
// module/nccl.cpp says how); such a session is dead and says so if run again.

enum class NcclCollective { all_reduce, all_gather, reduce_scatter, all_to_all };

/// ncclUniqueId as bytes (NCCL_UNIQUE_ID_BYTES = 128); made on global rank 0 and sent to
/// every process through assay's communicator.
struct NcclId {
  std::string error;
  std::vector<char> bytes;
};

struct NcclOpenRequest {
  std::vector<char> unique_id;
  int world_ranks = 0;   ///< GPUs in the whole job
  int first_rank = 0;    ///< global rank of this process's first GPU
  std::vector<int> devices;  ///< this process's GPUs, ranks first_rank, first_rank+1, ...
  /// How long the communicators may take to form (every process of the job must join)
  /// before they are aborted.
  double timeout_seconds = 120;
  const std::atomic<bool>* cancel = nullptr;
};

/// One size of a sweep as the host laid it out (probes/interconnect/bus_bandwidth.h,
/// collective_layout()): float32 elements per GPU, nccl-tests' size convention.
struct NcclSize {
  std::int64_t size_bytes = 0;        ///< the size as nccl-tests counts it (algbw = size / time)
  std::uint64_t send_elements = 0;    ///< all_reduce: count; all_gather: count/n; others: count
  std::uint64_t receive_elements = 0; ///< all_reduce, all_gather, all_to_all: count; reduce_scatter: count/n
  std::uint64_t block_elements = 0;   ///< count/n (one rank's block); all_reduce: count
};

/// Sizes as nccl-tests counts them (probes/interconnect/bus_bandwidth.h); float32 data
/// from nccl_pattern.h, so every result is exact and its expected value known.
struct NcclRunRequest {
  NcclCollective collective = NcclCollective::all_reduce;
  std::vector<NcclSize> sizes;
  int warmup = 1;
  int iterations = 1;   ///< collectives per timed sample
  int repetitions = 1;  ///< samples per size
  /// Longest single wait on the GPUs (the warm-up of a size, one timed sample, a check)
  /// before the communicators are aborted as hung (a peer died or stopped answering).
  double timeout_seconds = 60;
  /// Called on the calling thread after every size's warm-up has completed on this
  /// process's GPUs, before its timed samples: the host passes a barrier over its
  /// Communicator so that every process starts timing together. A non-empty return is
  /// the failure that ends the run (the communicators are then aborted). May be empty.
  std::function<std::string()> synchronize;
  /// cancel: polled in every wait. before_timing: called right after `synchronize`.
  Control control;
};

struct NcclRunOutcome {
  std::string error;
  bool cancelled = false;
  /// [size][repetition]: seconds per collective (timed over `iterations`), the slowest of
  /// this process's GPUs.
  std::vector<std::vector<double>> seconds;
  /// Empty when every sampled element of every GPU, size and repetition was exact;
  /// otherwise the first wrong one (GPU, rank, size, index, got, expected) and how many.
  /// The run goes on after a wrong element so that every process stays in step.
  std::string check_failure;
  std::string check_detail;  ///< what was checked
  std::uint64_t elements_checked = 0;
};

/// Communicators over this process's GPUs, open until destroyed (ncclCommFinalize and
/// ncclCommDestroy, polled, aborted after the open timeout).
class NcclSession {
 public:
  virtual ~NcclSession() = default;
  virtual NcclRunOutcome run(const NcclRunRequest& request) = 0;
};

struct NcclOpenOutcome {
  std::string error;
  bool cancelled = false;
  std::unique_ptr<NcclSession> session;
};

// ---- the module --------------------------------------------------------------------

class Module {
 public:
  virtual ~Module() = default;
  /// e.g. "CUDA runtime 13.0, driver API 12.8, cuBLASLt 13.0.0, NCCL 2.27.7; built for sm_80 sm_90 sm_100"
  virtual std::string versions() = 0;
  /// Compute capabilities the module's own kernels were compiled for, e.g. {80, 90, 100};
  /// a device outside them (and above none with PTX) cannot run gpu.hbm's kernels.
  virtual std::vector<int> kernel_architectures() = 0;
  virtual DeviceList devices() = 0;
  virtual GemmOutcome gemm(const GemmRequest& request) = 0;
  virtual HbmOutcome hbm(const HbmRequest& request) = 0;
  virtual PcieOutcome pcie(const PcieRequest& request) = 0;
  virtual P2pOutcome p2p(const P2pRequest& request) = 0;
  virtual NcclId nccl_unique_id() = 0;
  virtual NcclOpenOutcome nccl_open(const NcclOpenRequest& request) = 0;
};

}  // namespace assay::gpu

/// The module's one exported symbol. Returns a new Module, or null with `error` filled
/// (e.g. an ABI mismatch). The caller owns the Module.
extern "C" assay::gpu::Module* assay_gpu_module_create(int abi, char* error, unsigned long error_size);
