// interconnect.nccl's host side over a stand-in module (no GPU needed): GPU counts,
// ranks, the unique id, agreement between processes, keys, tables, values, skips and
// failures. Alone in this process, and under mpirun with three processes that have 1, 2
// and 3 GPUs (the test launches itself; NcclOverMpi.Worker is what every rank runs).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "core/params.h"
#include "probes/common/communicator.h"
#include "probes/gpu/nccl_plan.h"
#include "probes/gpu/nccl_probe.h"
#include "probes/interconnect/bus_bandwidth.h"
#include "suites/probe_runner.h"

namespace assay::gpu {
namespace {

using ::testing::HasSubstr;

// A time per collective that the test can recompute: 100 GB/s of "size", a little
// slower each repetition, `slowdown` times slower on this process.
double fake_seconds(std::int64_t bytes, int repetition, double slowdown) {
  return static_cast<double>(bytes) / 1e11 * (1.0 + 0.01 * repetition) * slowdown;
}

struct FakeBehaviour {
  int expected_world = 0;       // checked in nccl_open when > 0
  int expected_first_rank = -1;
  double slowdown = 1.0;
  std::string open_error;
  std::string run_error;
  std::string check_failure;  // reported for all_gather
};

FakeBehaviour expecting(int world, int first_rank, double slowdown = 1.0) {
  FakeBehaviour b;
  b.expected_world = world;
  b.expected_first_rank = first_rank;
  b.slowdown = slowdown;
  return b;
}

FakeBehaviour failing(std::string open_error, std::string run_error, std::string check_failure) {
  FakeBehaviour b;
  b.open_error = std::move(open_error);
  b.run_error = std::move(run_error);
  b.check_failure = std::move(check_failure);
  return b;
}

class FakeSession final : public NcclSession {
 public:
  FakeSession(const FakeBehaviour& behaviour, int world, std::vector<std::string>& log)
      : behaviour_(behaviour), world_(world), log_(log) {}
  NcclRunOutcome run(const NcclRunRequest& request) override {
    log_.push_back(std::string("run ") + std::string(nccl_collective_name(request.collective)));
    NcclRunOutcome outcome;
    if (!behaviour_.run_error.empty()) {
      outcome.error = behaviour_.run_error;
      return outcome;
    }
    for (const NcclSize& size : request.sizes) {
      // The module gets bus_bandwidth.h's layouts.
      const CollectiveLayout layout = collective_layout(to_collective(request.collective), size.size_bytes, world_);
      if (layout.send_elements != size.send_elements || layout.receive_elements != size.receive_elements) {
        outcome.error = "layout differs from collective_layout";
        return outcome;
      }
      if (request.synchronize) {
        if (std::string f = request.synchronize(); !f.empty()) {
          outcome.error = f;
          return outcome;
        }
      }
      std::vector<double> samples;
      for (int rep = 0; rep < request.repetitions; ++rep) {
        samples.push_back(fake_seconds(size.size_bytes, rep, behaviour_.slowdown));
      }
      outcome.seconds.push_back(samples);
      outcome.elements_checked += 100;
    }
    if (request.collective == NcclCollective::all_gather) outcome.check_failure = behaviour_.check_failure;
    outcome.check_detail = "fake check";
    return outcome;
  }

 private:
  FakeBehaviour behaviour_;
  int world_;
  std::vector<std::string>& log_;
};

class FakeModule final : public Module {
 public:
  explicit FakeModule(FakeBehaviour behaviour) : behaviour_(std::move(behaviour)) {}
  std::string versions() override { return "fake module, NCCL 0.0.0"; }
  std::vector<int> kernel_architectures() override { return {90}; }
  DeviceList devices() override { return {}; }
  GemmOutcome gemm(const GemmRequest&) override { return {}; }
  HbmOutcome hbm(const HbmRequest&) override { return {}; }
  PcieOutcome pcie(const PcieRequest&) override { return {}; }
  P2pOutcome p2p(const P2pRequest&) override { return {}; }
  NcclId nccl_unique_id() override {
    log.push_back("unique id");
    NcclId id;
    for (int i = 0; i < 128; ++i) id.bytes.push_back(static_cast<char>(255 - i));
    return id;
  }
  NcclOpenOutcome nccl_open(const NcclOpenRequest& request) override {
    log.push_back("open");
    NcclOpenOutcome outcome;
    std::vector<char> want;
    for (int i = 0; i < 128; ++i) want.push_back(static_cast<char>(255 - i));
    if (request.unique_id != want) {
      outcome.error = "the unique id arrived changed";
    } else if (behaviour_.expected_world > 0 && request.world_ranks != behaviour_.expected_world) {
      outcome.error = "world " + std::to_string(request.world_ranks);
    } else if (behaviour_.expected_first_rank >= 0 && request.first_rank != behaviour_.expected_first_rank) {
      outcome.error = "first rank " + std::to_string(request.first_rank);
    } else if (!behaviour_.open_error.empty()) {
      outcome.error = behaviour_.open_error;
    } else {
      outcome.session = std::make_unique<FakeSession>(behaviour_, request.world_ranks, log);
    }
    return outcome;
  }
  std::vector<std::string> log;

 private:
  FakeBehaviour behaviour_;
};

GpuSetup fake_setup(Module* module, int gpus, std::uint64_t memory = std::uint64_t{80} << 30) {
  GpuSetup setup;
  setup.module = module;
  setup.versions = "fake";
  for (int i = 0; i < gpus; ++i) {
    Device d;
    d.index = i;
    d.name = "Fake GPU";
    d.memory_bytes = memory;
    setup.devices.push_back(d);
  }
  if (gpus == 0) setup.unavailable = "no CUDA device: a test says so";
  return setup;
}

ParamList resolve(const Probe& probe, const std::vector<std::pair<std::string, std::string>>& values) {
  std::vector<ParamOverride> overrides;
  for (const auto& [name, text] : values) overrides.push_back({name, text, "test"});
  const auto specs = probe.params();
  auto params = resolve_params(probe.name(), specs, overrides);
  EXPECT_TRUE(params.ok()) << (params.ok() ? "" : params.error().message);
  return params.ok() ? *params : ParamList{};
}

const std::vector<std::pair<std::string, std::string>> small = {
    {"min_bytes", "1 MiB"}, {"max_bytes", "8 MiB"}, {"repetitions", "3"}, {"timeout", "20"}};

std::unique_ptr<Probe> probe_over(const GpuSetup& setup) {
  return make_nccl_probe_with([&setup]() -> const GpuSetup& { return setup; });
}

TEST(NcclProbe, DeclaresItsKeysAndRunsAloneOrWithPeers) {
  FakeModule module({});
  const GpuSetup setup = fake_setup(&module, 2);
  const auto probe = probe_over(setup);
  EXPECT_EQ(probe->name(), "interconnect.nccl");
  EXPECT_FALSE(probe->needs_peers());
  EXPECT_TRUE(probe->uses_peers());
  std::vector<std::string> keys;
  for (const MetricSpec& m : probe->metrics()) {
    keys.push_back(m.key);
    EXPECT_EQ(m.unit, Unit::byte_per_s);
  }
  EXPECT_EQ(keys, (std::vector<std::string>{"interconnect.nccl.allreduce.busbw", "interconnect.nccl.allgather.busbw",
                                            "interconnect.nccl.reduce_scatter.busbw",
                                            "interconnect.nccl.alltoall.busbw"}));
  EXPECT_TRUE(probe->availability().available);
  const GpuSetup none = fake_setup(nullptr, 0);
  const auto unavailable = probe_over(none);
  EXPECT_FALSE(unavailable->availability().available);
  EXPECT_EQ(unavailable->availability().reason, "no CUDA device: a test says so");
}

TEST(NcclProbe, AloneWithTwoGpusMeasuresEveryCollective) {
  FakeModule module(expecting(2, 0));
  const GpuSetup setup = fake_setup(&module, 2);
  const auto probe = probe_over(setup);
  const ParamList params = resolve(*probe, small);
  ASSERT_TRUE(probe->check_params(params).ok());
  for (bool with_world : {false, true}) {
    module.log.clear();
    const auto world = single_process_world();
    ProbeContext context;
    context.node = "node-a";
    if (with_world) context.peers = world.get();
    const ProbeResult r = probe->run(params, context);
    ASSERT_EQ(r.status, ProbeStatus::ok) << r.error;
    EXPECT_EQ(r.subject, "node");
    EXPECT_EQ(module.log, (std::vector<std::string>{"unique id", "open", "run allreduce", "run allgather",
                                                    "run reduce_scatter", "run alltoall"}));
    ASSERT_EQ(r.metrics.size(), 4u);
    ASSERT_EQ(r.tables.size(), 4u);
    EXPECT_EQ(r.tables[0].name, "sweep.allreduce");
    EXPECT_EQ(r.tables[3].name, "sweep.alltoall");
    const Metric* allreduce = find_metric(r, "interconnect.nccl.allreduce.busbw");
    ASSERT_NE(allreduce, nullptr);
    EXPECT_EQ(allreduce->subject, "node");
    ASSERT_EQ(allreduce->samples.size(), 3u);
    // 8 MiB in the fake's time, busbw = algbw x 2(n-1)/n = algbw for n = 2; median: repetition 1.
    const std::int64_t largest = std::int64_t{8} << 20;
    EXPECT_DOUBLE_EQ(allreduce->value, static_cast<double>(largest) / fake_seconds(largest, 1, 1.0));
    // The table: 1, 2, 4, 8 MiB with time, algbw, busbw.
    ASSERT_EQ(r.tables[0].rows.size(), 4u);
    EXPECT_EQ(r.tables[0].rows[0][0], 1 << 20);
    EXPECT_DOUBLE_EQ(r.tables[0].rows[3][1], fake_seconds(largest, 1, 1.0));
    const Metric* alltoall = find_metric(r, "interconnect.nccl.alltoall.busbw");
    ASSERT_NE(alltoall, nullptr);
    EXPECT_DOUBLE_EQ(alltoall->value, 0.5 * static_cast<double>(largest) / fake_seconds(largest, 1, 1.0));
    EXPECT_TRUE(r.validation.checked);
    EXPECT_TRUE(r.validation.passed);
    EXPECT_THAT(r.validation.detail, HasSubstr("fake check"));
    bool gpus = false;
    for (const auto& p : r.params) gpus = gpus || (p.name == "gpus" && std::get<std::int64_t>(p.value) == 2);
    EXPECT_TRUE(gpus);
  }
}

TEST(NcclProbe, OneGpuInAllIsSkippedWithTheReason) {
  FakeModule module({});
  const GpuSetup one = fake_setup(&module, 1);
  const auto probe = probe_over(one);
  const ProbeResult r = probe->run(resolve(*probe, small), ProbeContext{});
  EXPECT_EQ(r.status, ProbeStatus::skipped);
  EXPECT_THAT(r.reason, HasSubstr("two or more GPUs"));
  EXPECT_TRUE(module.log.empty()) << "nothing opened";

  const GpuSetup two = fake_setup(&module, 2);
  const auto selected = probe_over(two);
  auto params = resolve(*selected, small);
  set_param(params, "devices", std::string("1"));
  EXPECT_EQ(selected->run(params, ProbeContext{}).status, ProbeStatus::skipped);
}

TEST(NcclProbe, WrongDataFailsAndSaysWhere) {
  FakeModule module(failing("", "", "all_gather at 1 MiB on gpu1 (NCCL rank 1): element 7 is nan but must be 12"));
  const GpuSetup setup = fake_setup(&module, 2);
  const auto probe = probe_over(setup);
  const ProbeResult r = probe->run(resolve(*probe, small), ProbeContext{});
  EXPECT_EQ(r.status, ProbeStatus::error);
  EXPECT_THAT(r.error, HasSubstr("wrong results"));
  EXPECT_THAT(r.error, HasSubstr("element 7 is nan"));
  EXPECT_TRUE(r.validation.checked);
  EXPECT_FALSE(r.validation.passed);
  EXPECT_TRUE(r.metrics.empty());
  EXPECT_TRUE(r.tables.empty());
  bool kept = false;
  for (const std::string& note : r.notes) kept = kept || note.find("interconnect.nccl.allreduce.busbw = ") != std::string::npos;
  EXPECT_TRUE(kept) << "the all-reduce measured before stays as a note";
}

TEST(NcclProbe, ModuleFailuresAreErrorsNamingTheStep) {
  {
    FakeModule module(failing("ncclCommInitRankConfig on gpu0 (NCCL rank 0): timed out", "", ""));
    const GpuSetup setup = fake_setup(&module, 2);
    const auto probe = probe_over(setup);
    const ProbeResult r = probe->run(resolve(*probe, small), ProbeContext{});
    EXPECT_EQ(r.status, ProbeStatus::error);
    EXPECT_THAT(r.error, HasSubstr("opening the NCCL communicators"));
    EXPECT_THAT(r.error, HasSubstr("timed out"));
  }
  {
    FakeModule module(failing("", "ncclAllReduce on gpu1 (NCCL rank 1): unhandled cuda error", ""));
    const GpuSetup setup = fake_setup(&module, 2);
    const auto probe = probe_over(setup);
    const ProbeResult r = probe->run(resolve(*probe, small), ProbeContext{});
    EXPECT_EQ(r.status, ProbeStatus::error);
    EXPECT_THAT(r.error, HasSubstr("allreduce on"));
    EXPECT_THAT(r.error, HasSubstr("unhandled cuda error"));
  }
}

TEST(NcclProbe, ParametersAreCheckedUpFront) {
  FakeModule module({});
  const GpuSetup setup = fake_setup(&module, 2, std::uint64_t{16} << 30);
  const auto probe = probe_over(setup);
  auto params = resolve(*probe, {{"max_bytes", "8 GiB"}});
  auto checked = probe->check_params(params);
  ASSERT_FALSE(checked.ok());
  EXPECT_THAT(checked.error().message, HasSubstr("max_bytes"));
  EXPECT_THAT(checked.error().message, HasSubstr("gpu0"));
  params = resolve(*probe, {{"collectives", "allreduce,broadcast"}});
  EXPECT_FALSE(probe->check_params(params).ok());
  params = resolve(*probe, {{"devices", "2"}});
  EXPECT_FALSE(probe->check_params(params).ok());
  params = resolve(*probe, {{"min_bytes", "2 MiB"}, {"max_bytes", "1 MiB"}});
  EXPECT_FALSE(probe->check_params(params).ok());
}

// ---- under mpirun ----------------------------------------------------------------------

constexpr const char* worker_variable = "ASSAY_NCCL_MPI_WORKER";

// Every rank: rank r has r + 1 GPUs and is (r + 1) times slower; rank 0 reports figures
// from the slowest process's times.
TEST(NcclOverMpi, Worker) {
  if (std::getenv(worker_variable) == nullptr) GTEST_SKIP() << "run by NcclOverMpi.ThreeProcesses under mpirun";
  auto opened = open_world(detect_launch([](const char* name) -> const char* { return std::getenv(name); }));
  ASSERT_TRUE(opened.ok()) << opened.error().message;
  std::unique_ptr<Communicator> world = std::move(*opened);
  const int rank = world->rank(), size = world->size();
  {
    FakeModule module(expecting(size * (size + 1) / 2, rank * (rank + 1) / 2, rank + 1.0));
    const GpuSetup setup = fake_setup(&module, rank + 1);
    const auto probe = probe_over(setup);
    ProbeContext context;
    context.peers = world.get();
    for (int r = 0; r < size; ++r) context.peer_nodes.push_back("node-" + std::to_string(r));
    context.node = context.peer_nodes[static_cast<std::size_t>(rank)];
    const ProbeResult r = probe->run(resolve(*probe, small), context);
    EXPECT_EQ(r.status, ProbeStatus::ok) << r.error;
    EXPECT_EQ(r.subject, "fleet");
    // Only rank 0 makes the unique id.
    const bool made = !module.log.empty() && module.log.front() == "unique id";
    EXPECT_EQ(made, rank == 0);
    if (rank == 0) {
      ASSERT_EQ(r.metrics.size(), 4u);
      const Metric* allreduce = find_metric(r, "interconnect.nccl.allreduce.busbw");
      ASSERT_NE(allreduce, nullptr);
      const int gpus = size * (size + 1) / 2;
      const std::int64_t largest = std::int64_t{8} << 20;
      const double slowest = fake_seconds(largest, 1, size);
      EXPECT_DOUBLE_EQ(allreduce->value, bus_bandwidth(Collective::allreduce, gpus, largest, slowest));
      EXPECT_EQ(allreduce->subject, "fleet");
      bool listed = false;
      for (const std::string& note : r.notes) {
        listed = listed || note.find("node-1: 2 GPUs as ranks 1-2") != std::string::npos;
      }
      EXPECT_TRUE(listed);
    } else {
      EXPECT_TRUE(r.metrics.empty());
    }
  }
  {
    // One process finds wrong data: every process fails the same step.
    FakeModule module(failing("", "", rank == size - 1 ? "element 3 is 0 but must be 5" : ""));
    const GpuSetup setup = fake_setup(&module, 1);
    const auto probe = probe_over(setup);
    ProbeContext context;
    context.peers = world.get();
    context.node = "node-" + std::to_string(rank);
    const ProbeResult r = probe->run(resolve(*probe, small), context);
    EXPECT_EQ(r.status, ProbeStatus::error);
    EXPECT_THAT(r.error, HasSubstr("wrong results"));
    EXPECT_FALSE(r.validation.passed);
  }
  {
    // The last node has no usable GPU: the runner has it stand aside, and the others stop
    // at the GPU-count exchange naming it, long before their 20 s timeout.
    FakeModule module({});
    const bool without = rank == size - 1;
    const GpuSetup setup = fake_setup(&module, without ? 0 : 1);
    const auto probe = probe_over(setup);
    ProbeContext context;
    context.peers = world.get();
    for (int r = 0; r < size; ++r) context.peer_nodes.push_back("node-" + std::to_string(r));
    context.node = context.peer_nodes[static_cast<std::size_t>(rank)];
    const auto started = std::chrono::steady_clock::now();
    const ProbeResult r = run_probe(*probe, resolve(*probe, small), context);
    EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
    if (without) {
      EXPECT_EQ(r.status, ProbeStatus::skipped);
      EXPECT_EQ(r.reason, "no CUDA device: a test says so");
    } else {
      EXPECT_EQ(r.status, ProbeStatus::error);
      EXPECT_THAT(r.error, HasSubstr("no usable GPU on node-" + std::to_string(size - 1)));
    }
  }
  world.reset();
  close_world(WorldEnd::finalize, 0);
}

TEST(NcclOverMpi, ThreeProcesses) {
  const std::string mpiexec = ASSAY_MPIEXEC;
  if (mpiexec.empty()) GTEST_SKIP() << "built without MPI: no mpirun";
  if (std::getenv(worker_variable) != nullptr) GTEST_SKIP() << "this is a worker";
  const std::string self = std::filesystem::read_symlink("/proc/self/exe").string();
  const std::string output = (std::filesystem::temp_directory_path() / ("assay-nccl-mpi-" + std::to_string(getpid())))
                                 .string();
  const pid_t pid = fork();
  if (pid == 0) {
    const int fd = ::open(output.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    setenv("OMPI_ALLOW_RUN_AS_ROOT", "1", 1);
    setenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM", "1", 1);
    setenv("ASAN_OPTIONS", "detect_leaks=0:abort_on_error=1", 1);
    setenv(worker_variable, "1", 1);
    std::vector<std::string> args = {mpiexec, "--oversubscribe", "-np", "3", "-x", worker_variable, self,
                                     "--gtest_filter=NcclOverMpi.Worker", "--gtest_color=no"};
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(mpiexec.c_str(), argv.data());
    _exit(127);
  }
  int status = 0;
  waitpid(pid, &status, 0);
  std::stringstream text;
  text << std::ifstream(output).rdbuf();
  std::filesystem::remove(output);
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << text.str();
  // Every rank ran the worker and passed.
  std::size_t passed = 0;
  for (std::size_t at = 0; (at = text.str().find("[  PASSED  ] 1 test", at)) != std::string::npos; ++at) ++passed;
  EXPECT_EQ(passed, 3u) << text.str();
}

}  // namespace
}  // namespace assay::gpu
