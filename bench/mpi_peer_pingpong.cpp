// The peer of interconnect.p2p: a minimal hand-written MPI program with no assay code,
// so the probe's figures can be set beside what plain MPI gives on the same transport
// (docs/probes/interconnect.md). Two ranks:
//   latency  blocking MPI_Send/MPI_Recv ping-pong, half the round trip (osu_latency)
//   bw       a window of MPI_Isend against MPI_Irecv, MPI_Waitall, a 4-byte ack (osu_bw)
//   bibw     both ranks post a window of MPI_Irecv and MPI_Isend, MPI_Waitall (osu_bibw)
//
//   mpirun -np 2 mpi_peer_pingpong [latency_bytes=8] [bandwidth_bytes=4194304] [window=64]
//          [latency_iterations=10000] [latency_warmup=1000] [bandwidth_iterations=20]
//          [bandwidth_warmup=2] [repetitions=5] [thread_level=single|funneled]
//
// thread_level=funneled starts MPI with MPI_Init_thread(MPI_THREAD_FUNNELED), as assay
// does (its watchdog thread exists beside the one that calls MPI); the default is plain
// MPI_Init. With Open MPI 4.1 the thread level alone changes small-message latency.
//
// Prints one line per figure with every repetition and their median (rank 0).
#include <mpi.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

namespace {

struct Options {
  long latency_bytes = 8;
  long bandwidth_bytes = 4L << 20;
  int window = 64;
  int latency_iterations = 10000;
  int latency_warmup = 1000;
  int bandwidth_iterations = 20;
  int bandwidth_warmup = 2;
  int repetitions = 5;
  bool funneled = false;
};

bool parse(int argc, char** argv, Options& o) {
  for (int i = 1; i < argc; ++i) {
    const char* eq = std::strchr(argv[i], '=');
    if (!eq) return false;
    const std::string key(argv[i], static_cast<std::size_t>(eq - argv[i]));
    if (key == "thread_level") {
      const std::string level(eq + 1);
      if (level != "single" && level != "funneled") return false;
      o.funneled = level == "funneled";
      continue;
    }
    const long value = std::strtol(eq + 1, nullptr, 10);
    if (value < 0) return false;
    if (key == "latency_bytes") o.latency_bytes = value;
    else if (key == "bandwidth_bytes") o.bandwidth_bytes = value;
    else if (key == "window") o.window = static_cast<int>(value);
    else if (key == "latency_iterations") o.latency_iterations = static_cast<int>(value);
    else if (key == "latency_warmup") o.latency_warmup = static_cast<int>(value);
    else if (key == "bandwidth_iterations") o.bandwidth_iterations = static_cast<int>(value);
    else if (key == "bandwidth_warmup") o.bandwidth_warmup = static_cast<int>(value);
    else if (key == "repetitions") o.repetitions = static_cast<int>(value);
    else return false;
  }
  return o.window > 0 && o.latency_iterations > 0 && o.bandwidth_iterations > 0 && o.repetitions > 0;
}

double latency(const Options& o, int rank, std::vector<char>& buffer) {
  const int peer = 1 - rank, bytes = static_cast<int>(o.latency_bytes);
  double start = 0;
  for (int i = 0; i < o.latency_warmup + o.latency_iterations; ++i) {
    if (i == o.latency_warmup) start = MPI_Wtime();
    if (rank == 0) {
      MPI_Send(buffer.data(), bytes, MPI_CHAR, peer, 1, MPI_COMM_WORLD);
      MPI_Recv(buffer.data(), bytes, MPI_CHAR, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    } else {
      MPI_Recv(buffer.data(), bytes, MPI_CHAR, peer, 1, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
      MPI_Send(buffer.data(), bytes, MPI_CHAR, peer, 1, MPI_COMM_WORLD);
    }
  }
  return (MPI_Wtime() - start) / (2.0 * o.latency_iterations);
}

double bandwidth(const Options& o, int rank, std::vector<char>& send, std::vector<char>& receive) {
  const int peer = 1 - rank, bytes = static_cast<int>(o.bandwidth_bytes);
  std::vector<MPI_Request> requests(static_cast<std::size_t>(o.window));
  char ack[4] = {};
  double start = 0;
  for (int i = 0; i < o.bandwidth_warmup + o.bandwidth_iterations; ++i) {
    if (i == o.bandwidth_warmup) start = MPI_Wtime();
    for (int j = 0; j < o.window; ++j) {
      if (rank == 0) {
        MPI_Isend(send.data(), bytes, MPI_CHAR, peer, 2, MPI_COMM_WORLD, &requests[j]);
      } else {
        MPI_Irecv(receive.data() + static_cast<std::size_t>(j) * bytes, bytes, MPI_CHAR, peer, 2, MPI_COMM_WORLD,
                  &requests[j]);
      }
    }
    MPI_Waitall(o.window, requests.data(), MPI_STATUSES_IGNORE);
    if (rank == 0) MPI_Recv(ack, 4, MPI_CHAR, peer, 3, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    else MPI_Send(ack, 4, MPI_CHAR, peer, 3, MPI_COMM_WORLD);
  }
  const double seconds = MPI_Wtime() - start;
  return static_cast<double>(o.bandwidth_bytes) * o.window * o.bandwidth_iterations / seconds;
}

double bibandwidth(const Options& o, int rank, std::vector<char>& send, std::vector<char>& receive) {
  const int peer = 1 - rank, bytes = static_cast<int>(o.bandwidth_bytes);
  std::vector<MPI_Request> requests(2 * static_cast<std::size_t>(o.window));
  double start = 0;
  for (int i = 0; i < o.bandwidth_warmup + o.bandwidth_iterations; ++i) {
    if (i == o.bandwidth_warmup) start = MPI_Wtime();
    for (int j = 0; j < o.window; ++j) {
      MPI_Irecv(receive.data() + static_cast<std::size_t>(j) * bytes, bytes, MPI_CHAR, peer, 2, MPI_COMM_WORLD,
                &requests[j]);
    }
    for (int j = 0; j < o.window; ++j) {
      MPI_Isend(send.data(), bytes, MPI_CHAR, peer, 2, MPI_COMM_WORLD, &requests[o.window + j]);
    }
    MPI_Waitall(2 * o.window, requests.data(), MPI_STATUSES_IGNORE);
  }
  const double seconds = MPI_Wtime() - start;
  return 2.0 * static_cast<double>(o.bandwidth_bytes) * o.window * o.bandwidth_iterations / seconds;
}

void print(const char* name, const char* unit, std::vector<double> samples) {
  std::printf("%-12s", name);
  for (double s : samples) std::printf(" %.6g", s);
  std::sort(samples.begin(), samples.end());
  const std::size_t n = samples.size();
  const double median = n % 2 ? samples[n / 2] : (samples[n / 2 - 1] + samples[n / 2]) / 2;
  std::printf("  median %.6g %s\n", median, unit);
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  const bool parsed = parse(argc, argv, o);
  if (o.funneled) {
    int provided = 0;
    MPI_Init_thread(&argc, &argv, MPI_THREAD_FUNNELED, &provided);
  } else {
    MPI_Init(&argc, &argv);
  }
  int rank = 0, size = 0;
  MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  MPI_Comm_size(MPI_COMM_WORLD, &size);
  if (!parsed || size != 2) {
    if (rank == 0) std::fprintf(stderr, "usage: mpirun -np 2 mpi_peer_pingpong [key=value ...] (see the source)\n");
    MPI_Finalize();
    return 2;
  }
  std::vector<char> ping(static_cast<std::size_t>(std::max(o.latency_bytes, 1L)), 'p');
  std::vector<char> send(static_cast<std::size_t>(o.bandwidth_bytes), 's');
  std::vector<char> receive(static_cast<std::size_t>(o.bandwidth_bytes) * static_cast<std::size_t>(o.window));
  std::vector<double> lat, bw, bibw;
  // Interleaved per repetition, as interconnect.p2p does.
  for (int r = 0; r < o.repetitions; ++r) {
    MPI_Barrier(MPI_COMM_WORLD);
    lat.push_back(latency(o, rank, ping));
    MPI_Barrier(MPI_COMM_WORLD);
    bw.push_back(bandwidth(o, rank, send, receive));
    MPI_Barrier(MPI_COMM_WORLD);
    bibw.push_back(bibandwidth(o, rank, send, receive));
  }
  if (rank == 0) {
    print("latency", "s", lat);
    print("bandwidth", "B/s", bw);
    print("bibandwidth", "B/s", bibw);
  }
  MPI_Finalize();
  return 0;
}
