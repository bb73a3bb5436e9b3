#include "probes/interconnect/p2p_measurement.h"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <optional>
#include <span>

#include "core/units.h"
#include "probes/interconnect/message_buffers.h"
#include "probes/interconnect/round_robin.h"

namespace assay {
namespace {

constexpr std::string_view probe_name = "interconnect.p2p";
constexpr std::string_view latency_key = "interconnect.p2p.latency";
constexpr std::string_view bandwidth_key = "interconnect.p2p.bandwidth";
constexpr std::string_view bibandwidth_key = "interconnect.p2p.bibandwidth";
// Steps of one pair per repetition: latency, bandwidth both ways, bidirectional.
constexpr int steps_per_repetition = 4;

// "60 s", "1260 s": timeouts as people set them, without SI prefixes ("1.26 ks").
std::string seconds_text(double seconds) { return fmt::format("{:g} s", seconds); }

// The buffers of one rank, allocated once for the whole schedule.
struct Buffers {
  MessageBuffer ping;           // latency_bytes, sent and echoed in place
  MessageBuffer ping_expected;  // the pair's lower rank's pattern, latency_bytes
  MessageBuffer send;           // this rank's pattern; every send slot points here
  MessageBuffer expected;       // the current peer's pattern
  MessageBuffer receive;        // window slots, one after the other
  std::vector<std::span<std::byte>> send_slots;
  std::vector<std::span<std::byte>> receive_slots;

  Buffers(const P2pSettings& s)
      : ping(s.latency_bytes),
        ping_expected(s.latency_bytes),
        send(s.bandwidth_bytes),
        expected(s.bandwidth_bytes),
        receive(s.bandwidth_bytes * static_cast<std::size_t>(s.window)) {
    for (int j = 0; j < s.window; ++j) {
      send_slots.push_back(send.bytes());
      receive_slots.push_back(receive.bytes().subspan(static_cast<std::size_t>(j) * s.bandwidth_bytes,
                                                      s.bandwidth_bytes));
    }
  }

  // MPI may still write into or read from these after a wait gave up.
  void keep_for_pending_requests() {
    for (MessageBuffer* b : {&ping, &send, &receive}) b->keep_for_pending_requests();
  }
};

class Tournament {
 public:
  Tournament(const P2pSettings& settings, Communicator& comm, const std::vector<std::string>& names,
             const ProbeContext& context)
      : s_(settings), comm_(comm), names_(names), context_(context), buffers_(settings) {
    me_ = comm.rank();
    fill_pattern(buffers_.send.bytes(), pattern_seed(me_));
  }

  Expected<P2pOutcome> run() {
    const int ranks = comm_.size();
    outcome_.rounds = round_robin_rounds(ranks);
    if (auto met = meet(0); !met) return met.error();
    for (int round = 0; round < outcome_.rounds; ++round) {
      if (const std::optional<int> partner = round_robin_partner(ranks, round, me_)) {
        context_.report(fmt::format("round {}/{}: with {}", round + 1, outcome_.rounds, name(*partner)));
        if (auto measured = measure_pair(*partner); !measured) return measured.error();
        ++outcome_.pairs;
      } else {
        context_.report(fmt::format("round {}/{}: bye", round + 1, outcome_.rounds));
      }
      if (auto met = meet(round + 1); !met) return met.error();
    }
    return std::move(outcome_);
  }

  void keep_for_pending_requests() { buffers_.keep_for_pending_requests(); }

 private:
  std::string name(int rank) const {
    if (names_.size() == static_cast<std::size_t>(comm_.size())) return names_[static_cast<std::size_t>(rank)];
    return fmt::format("rank {}", comm_.world_rank_of(rank));
  }

  CommStop step_stop(double seconds) const {
    const auto limit = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
        std::chrono::duration<double>(seconds));
    return CommStop::within(limit, context_.cancel);
  }

  // The barrier before round `round` (0-based; `rounds` is the one after the last).
  Expected<void> meet(int round) {
    const double limit = round == 0 ? s_.timeout_seconds : s_.round_limit_seconds();
    const CommStop stop = step_stop(limit);
    auto met = comm_.barrier(stop);
    if (met) return {};
    if (stop.cancelled()) {
      return environment_error(fmt::format("{}: cancelled at the barrier {} round {} of {}", probe_name,
                                           round == 0 ? "before" : "after", std::max(round, 1), outcome_.rounds));
    }
    const std::string where = round == 0 ? "the start of the tournament"
                                         : fmt::format("the end of round {} of {}", round, outcome_.rounds);
    if (stop.expired()) {
      return environment_error(fmt::format(
          "{}: not every node reached {} within {} ({}: a round allows each of its pairs {} x repetitions steps "
          "of timeout {}); a node stopped answering or died",
          probe_name, where, seconds_text(limit), name(me_), steps_per_repetition,
          seconds_text(s_.timeout_seconds)));
    }
    return environment_error(
        fmt::format("{}: barrier at {} failed on {}: {}", probe_name, where, name(me_), met.error().message));
  }

  // The Error for a kernel that failed while measuring `what` with `peer`.
  Error step_error(const Error& error, const CommStop& stop, int peer, std::string_view what, int repetition) const {
    const std::string during = fmt::format("while measuring {} (repetition {} of {}) on {}", what, repetition + 1,
                                           s_.repetitions, name(me_));
    if (stop.cancelled()) return environment_error(fmt::format("{}: cancelled {}", probe_name, during));
    if (stop.expired()) {
      return environment_error(fmt::format(
          "{}: no answer from {} (rank {}) within {} {}; a slow link needs a larger timeout", probe_name,
          name(peer), comm_.world_rank_of(peer), seconds_text(s_.timeout_seconds), during));
    }
    return Error{error.kind, fmt::format("{}: {} with {} (rank {}) failed {}: {}", probe_name, what, name(peer),
                                         comm_.world_rank_of(peer), during, error.message)};
  }

  // Compares what arrived with what the sender sent, after the timed loop.
  void check(std::span<const std::byte> got, std::span<const std::byte> expected, std::string_view what,
             int repetition, std::string_view place) {
    outcome_.bytes_checked += static_cast<double>(got.size());
    if (const std::optional<std::size_t> at = first_difference(got, expected)) {
      outcome_.mismatches.push_back(fmt::format("{} (repetition {}): {} differs from the pattern sent at byte {}",
                                                what, repetition + 1, place, *at));
    }
  }

  void check_window(std::string_view what, int repetition) {
    const std::span<const std::byte> expected = buffers_.expected.bytes();
    std::size_t bad = 0;
    std::optional<std::size_t> first_slot, first_byte;
    for (std::size_t j = 0; j < buffers_.receive_slots.size(); ++j) {
      ++outcome_.window_slots_checked;
      outcome_.bytes_checked += static_cast<double>(expected.size());
      if (const auto at = first_difference(buffers_.receive_slots[j], expected)) {
        ++bad;
        if (!first_slot) {
          first_slot = j;
          first_byte = at;
        }
      }
    }
    if (bad > 0) {
      outcome_.mismatches.push_back(fmt::format(
          "{} (repetition {}): {} of {} window slots differ from the pattern sent, first slot {} at byte {}", what,
          repetition + 1, bad, buffers_.receive_slots.size(), *first_slot, *first_byte));
    }
  }

  Expected<void> measure_pair(int peer) {
    const int low = std::min(me_, peer), high = std::max(me_, peer);
    const bool lower = me_ == low;
    const std::string pair = fmt::format("{}<->{}", name(low), name(high));
    const std::string up = fmt::format("{}->{}", name(low), name(high));
    const std::string down = fmt::format("{}->{}", name(high), name(low));
    fill_pattern(buffers_.expected.bytes(), pattern_seed(peer));
    fill_pattern(buffers_.ping_expected.bytes(), pattern_seed(low));
    const double window_bytes = static_cast<double>(s_.bandwidth_bytes) * s_.window;
    std::vector<double> latency, bandwidth, bibandwidth;

    for (int rep = 0; rep < s_.repetitions; ++rep) {
      if (context_.cancelled()) {
        return environment_error(fmt::format("{}: cancelled before repetition {} of {} with {} on {}", probe_name,
                                             rep + 1, s_.repetitions, name(peer), name(me_)));
      }
      // Latency: the lower rank starts, the higher echoes; both check the pattern.
      {
        const std::string what = "latency " + pair;
        if (lower) fill_pattern(buffers_.ping.bytes(), pattern_seed(me_));
        else fill_poison(buffers_.ping.bytes());
        const CommStop stop = step_stop(s_.timeout_seconds);
        auto seconds = comm_.ping_pong(peer, lower ? PeerRole::initiator : PeerRole::responder,
                                       buffers_.ping.bytes(), s_.latency_warmup, s_.latency_iterations, stop);
        if (!seconds) return step_error(seconds.error(), stop, peer, what, rep);
        ++outcome_.ping_buffers_checked;
        check(buffers_.ping.bytes(), buffers_.ping_expected.bytes(), what, rep,
              lower ? fmt::format("the echo {} got back", name(me_))
                    : fmt::format("the message {} received", name(me_)));
        if (lower) latency.push_back(*seconds / (2.0 * s_.latency_iterations));
      }
      // Bandwidth, each direction with its sender starting.
      for (const bool upward : {true, false}) {
        const std::string& link = upward ? up : down;
        const std::string what = "bandwidth " + link;
        const bool sending = lower == upward;
        if (!sending) {
          for (const std::span<std::byte>& slot : buffers_.receive_slots) fill_poison(slot);
        }
        const CommStop stop = step_stop(s_.timeout_seconds);
        auto seconds = comm_.stream_window(peer, sending ? PeerRole::initiator : PeerRole::responder,
                                           sending ? buffers_.send_slots : buffers_.receive_slots,
                                           s_.bandwidth_warmup, s_.bandwidth_iterations, stop);
        if (!seconds) return step_error(seconds.error(), stop, peer, what, rep);
        if (sending) {
          if (*seconds <= 0) return internal_error(fmt::format("{}: {}: the clock did not advance", probe_name, what));
          bandwidth.push_back(window_bytes * s_.bandwidth_iterations / *seconds);
        } else {
          check_window(what, rep);
        }
      }
      // Bidirectional: both send and receive a window at once.
      {
        const std::string what = "bidirectional bandwidth " + pair;
        for (const std::span<std::byte>& slot : buffers_.receive_slots) fill_poison(slot);
        const CommStop stop = step_stop(s_.timeout_seconds);
        auto seconds = comm_.exchange_window(peer, buffers_.send_slots, buffers_.receive_slots, s_.bandwidth_warmup,
                                             s_.bandwidth_iterations, stop);
        if (!seconds) return step_error(seconds.error(), stop, peer, what, rep);
        check_window(what, rep);
        if (lower) {
          if (*seconds <= 0) return internal_error(fmt::format("{}: {}: the clock did not advance", probe_name, what));
          bibandwidth.push_back(2 * window_bytes * s_.bandwidth_iterations / *seconds);
        }
      }
    }

    const std::string sizes = fmt::format(
        "{} messages, window {}, {} iterations after {} warm-up, median of {} repetitions",
        format_quantity(static_cast<double>(s_.bandwidth_bytes), Unit::byte), s_.window, s_.bandwidth_iterations,
        s_.bandwidth_warmup, s_.repetitions);
    if (lower) {
      outcome_.metrics.push_back(make_metric(
          std::string(latency_key), Unit::second, Better::lower, std::move(latency), ValueRule::median, pair,
          fmt::format("half the round trip of {} messages (osu_latency), {} iterations after {} warm-up, median of "
                      "{} repetitions",
                      format_quantity(static_cast<double>(s_.latency_bytes), Unit::byte), s_.latency_iterations,
                      s_.latency_warmup, s_.repetitions)));
    }
    outcome_.metrics.push_back(make_metric(std::string(bandwidth_key), Unit::byte_per_s, Better::higher,
                                           std::move(bandwidth), ValueRule::median, lower ? up : down,
                                           "sender's view of a window of non-blocking sends (osu_bw), " + sizes));
    if (lower) {
      outcome_.metrics.push_back(make_metric(std::string(bibandwidth_key), Unit::byte_per_s, Better::higher,
                                             std::move(bibandwidth), ValueRule::median, pair,
                                             "both directions at once, their sum (osu_bibw), " + sizes));
    }
    return {};
  }

  const P2pSettings& s_;
  Communicator& comm_;
  const std::vector<std::string>& names_;
  const ProbeContext& context_;
  Buffers buffers_;
  int me_ = 0;
  P2pOutcome outcome_;
};

}  // namespace

std::size_t P2pSettings::buffer_bytes() const {
  return 2 * latency_bytes + (2 + static_cast<std::size_t>(window)) * bandwidth_bytes;
}

double P2pSettings::round_limit_seconds() const {
  return (steps_per_repetition * repetitions + 1) * timeout_seconds;
}

Expected<P2pOutcome> measure_p2p(const P2pSettings& settings, Communicator& comm,
                                 const std::vector<std::string>& names, const ProbeContext& context) {
  Tournament tournament(settings, comm, names, context);
  auto outcome = tournament.run();
  // A wait that gave up leaves requests pending on these buffers.
  if (!outcome) tournament.keep_for_pending_requests();
  return outcome;
}

}  // namespace assay
