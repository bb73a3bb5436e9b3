#include "suites/fleet_coordinator.h"

#include <algorithm>
#include <thread>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "suites/fleet_protocol.h"
#include "suites/inventory.h"
#include "suites/node_names.h"
#include "suites/probe_watchdog.h"

namespace assay {
namespace {

using Clock = std::chrono::steady_clock;

// After Ctrl-C / SIGTERM, the other nodes' own (cancelled) results usually arrive
// within moments; wait this long for them, no longer (Open MPI's mpirun sends
// SIGKILL 1 s after its SIGTERM, and the bundle must be written before that).
constexpr std::chrono::milliseconds interrupted_wait{500};

std::string rank_label(std::size_t rank) { return fmt::format("rank {}", rank); }

}  // namespace

FleetCoordinator::FleetCoordinator(Communicator& world) : world_(world) {
  nodes_.resize(static_cast<std::size_t>(world.size()));
}

Expected<void> FleetCoordinator::start(std::chrono::seconds limit,
                                       const std::function<Json(const std::string&)>& collect_inventory) {
  if (started_) return {};
  started_ = true;
  std::vector<std::string> hosts(nodes_.size());
  hosts[0] = local_host_name();
  const CommStop greeting = CommStop::within(limit, &interrupt_requested());
  for (std::size_t r = 1; r < nodes_.size(); ++r) {
    auto text = world_.receive_text(static_cast<int>(r), fleet::report_tag, greeting);
    Expected<Json> hello = text && *text ? fleet::parse_message(**text, "hello", rank_label(r))
                                         : Expected<Json>(internal_error("no hello"));
    if (hello && (*hello)["host"].is_string()) {
      hosts[r] = (*hello)["host"].get<std::string>();
    } else {
      // Named by rank, since its host never said who it is.
      hosts[r] = rank_label(r);
      nodes_[r].missing = true;
      nodes_[r].missing_since = "the start of the run";
    }
  }
  const std::vector<std::string> names = node_names(hosts);
  for (std::size_t r = 0; r < nodes_.size(); ++r) nodes_[r].name = names[r];
  nodes_[0].inventory = collect_inventory(names[0]);

  for (std::size_t r = 1; r < nodes_.size(); ++r) {
    if (nodes_[r].missing) continue;
    const Json welcome{{"type", "welcome"}, {"names", names}, {"rank", r}};
    if (!world_.send_text(static_cast<int>(r), fleet::command_tag, welcome.dump(), greeting)) {
      nodes_[r].missing = true;
      nodes_[r].missing_since = "the start of the run";
    }
  }
  for (std::size_t r = 1; r < nodes_.size(); ++r) {
    if (nodes_[r].missing) continue;
    auto text = world_.receive_text(static_cast<int>(r), fleet::report_tag, greeting);
    Expected<Json> message = text && *text ? fleet::parse_message(**text, "inventory", names[r])
                                           : Expected<Json>(internal_error("no inventory"));
    if (message) {
      nodes_[r].inventory = (*message)["inventory"];
    } else {
      nodes_[r].missing = true;
      nodes_[r].missing_since = "the start of the run";
    }
  }
  return {};
}

std::vector<NodeStatus> FleetCoordinator::nodes() const {
  std::vector<NodeStatus> list;
  for (const auto& n : nodes_) list.push_back({n.name, n.missing ? "missing" : "ok"});
  return list;
}

bool FleetCoordinator::any_missing() const {
  return std::any_of(nodes_.begin(), nodes_.end(), [](const Node& n) { return n.missing; });
}

Json FleetCoordinator::inventories() const {
  Json list = Json::array();
  for (const auto& n : nodes_) {
    if (n.inventory.is_object()) {
      list.push_back(n.inventory);
    } else {
      list.push_back({{"node", n.name}, {"status", "missing"}});
    }
  }
  return list;
}

std::string FleetCoordinator::describe() const {
  if (nodes_.size() == 1) return world_.transport();
  return fmt::format("{}, {} ranks", world_.transport(), nodes_.size());
}

std::vector<int> FleetCoordinator::live_ranks() const {
  std::vector<int> ranks;
  for (std::size_t r = 0; r < nodes_.size(); ++r) {
    if (!nodes_[r].missing) ranks.push_back(static_cast<int>(r));
  }
  return ranks;
}

Expected<Communicator*> FleetCoordinator::peers_for(const std::vector<int>& members) {
  if (!peers_ || peer_ranks_ != members) {
    auto made = world_.group(members);
    if (!made) return made.error();
    peers_ = std::move(*made);
    peer_ranks_ = members;
  }
  return peers_.get();
}

ProbeResult FleetCoordinator::missing_result(std::size_t rank, const std::string& probe, const ParamList& params,
                                             std::chrono::seconds waited) const {
  ProbeResult r;
  r.probe = probe;
  r.node = nodes_[rank].name;
  r.params = params;
  r.status = ProbeStatus::error;
  r.error = fmt::format(
      "node missing: no result for {} within {} s of its start (the node died, hangs or lost its "
      "network); the run went on without it",
      probe, waited.count());
  r.start = r.end = std::chrono::system_clock::now();
  return r;
}

FleetCoordinator::StepOutcome FleetCoordinator::run_step(std::size_t index, const std::string& name,
                                                         const Probe* probe, const ParamList& params,
                                                         const ProbeDeadline& deadline,
                                                         const std::function<void(std::string_view)>& progress,
                                                         const std::function<void(const ProbeResult&)>& on_result) {
  StepOutcome outcome;
  const auto step_start = Clock::now();
  const auto deliver = [&](ProbeResult result) {
    on_result(result);
    outcome.results.push_back(std::move(result));
  };

  // Nodes already missing are reported, not asked.
  std::vector<std::size_t> skipped_missing;
  for (std::size_t r = 0; r < nodes_.size(); ++r) {
    if (nodes_[r].missing) skipped_missing.push_back(r);
  }

  if (!probe) {
    for (const int r : live_ranks()) {
      deliver(skipped_result(name, nodes_[static_cast<std::size_t>(r)].name, "not built into this assay"));
    }
  } else {
    fleet::Step step{index, name, params, live_ranks(), deadline.limit, deadline.grace, power_setup_};
    const std::string command = fleet::step_message(step).dump();
    std::vector<std::size_t> pending;
    for (const int r : step.members) {
      if (r == 0) continue;
      const auto rank = static_cast<std::size_t>(r);
      if (world_.send_text(r, fleet::command_tag, command, CommStop::within(std::chrono::seconds(30)))) {
        pending.push_back(rank);
      } else {
        nodes_[rank].missing = true;
        nodes_[rank].missing_since = name;
        deliver(missing_result(rank, name, params, std::chrono::seconds(30)));
      }
    }

    ProbeContext context;
    context.node = own_name();
    context.progress = progress;
    Expected<Communicator*> peers = Expected<Communicator*>(nullptr);
    if (probe->uses_peers()) {
      peers = peers_for(step.members);
      if (peers) {
        context.peers = *peers;
        for (const int r : step.members) context.peer_nodes.push_back(nodes_[static_cast<std::size_t>(r)].name);
      }
    }
    if (!peers) {
      ProbeResult failed = skipped_result(name, own_name(), {});
      failed.status = ProbeStatus::error;
      failed.error = fmt::format("{}: could not form the group of {} nodes: {}", name, step.members.size(),
                                 peers.error().message);
      deliver(std::move(failed));
    } else {
      if (power_setup_ && !power_) power_ = std::make_unique<PowerMonitor>(*power_setup_, own_name());
      GuardedRun own = run_probe_guarded(*probe, params, context, deadline, power_.get());
      outcome.interrupted = own.interrupted;
      deliver(std::move(own.result));
    }

    // Gather the others' results as they arrive, up to every node's deadline.
    const auto wait_until = step_start + deadline.limit + deadline.grace + delivery_margin_;
    auto give_up = wait_until;
    while (!pending.empty()) {
      if (interrupt_requested().load()) {
        outcome.interrupted = true;
        give_up = std::min(give_up, Clock::now() + interrupted_wait);
      }
      for (auto it = pending.begin(); it != pending.end();) {
        const std::size_t rank = *it;
        auto text = world_.receive_text(static_cast<int>(rank), fleet::report_tag, CommStop{Clock::now(), nullptr});
        if (text && !*text) {
          ++it;
          continue;
        }
        Expected<Json> message = text ? fleet::parse_message(**text, "result", nodes_[rank].name)
                                      : Expected<Json>(text.error());
        Expected<ProbeResult> result =
            message ? result_from_json((*message)["result"], fmt::format("result from {}", nodes_[rank].name))
                    : Expected<ProbeResult>(message.error());
        if (!result) {
          ProbeResult broken = missing_result(rank, name, params, {});
          broken.error = fmt::format("{}: unreadable result from this node: {}", name, result.error().message);
          deliver(std::move(broken));
        } else {
          // The coordinator's names are the run's names, whatever the node thinks.
          result->node = nodes_[rank].name;
          deliver(std::move(*result));
        }
        it = pending.erase(it);
      }
      if (pending.empty()) break;
      if (Clock::now() >= give_up) {
        for (const std::size_t rank : pending) {
          nodes_[rank].missing = true;
          nodes_[rank].missing_since = name;
          ProbeResult lost = missing_result(
              rank, name, params, std::chrono::duration_cast<std::chrono::seconds>(Clock::now() - step_start));
          if (outcome.interrupted) {
            // A launcher that loses one rank stops all the others (mpirun without
            // --enable-recovery): the node that sent nothing is the likeliest cause.
            lost.error = fmt::format(
                "node missing: no result for {} before the run was stopped; when a launcher stops every "
                "rank because one died, this is probably the node that died",
                name);
          }
          deliver(std::move(lost));
        }
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  }

  for (const std::size_t r : skipped_missing) {
    deliver(skipped_result(name, nodes_[r].name,
                           fmt::format("node missing since {}", nodes_[r].missing_since)));
  }

  std::size_t ok = 0;
  std::vector<std::string> missing_names;
  for (const auto& r : outcome.results) {
    if (r.status == ProbeStatus::ok) ++ok;
  }
  for (const auto& n : nodes_) {
    if (n.missing) missing_names.push_back(n.name);
  }
  if (nodes_.size() > 1) {
    outcome.text = fmt::format("ok on {} of {} nodes", ok, nodes_.size());
    if (!missing_names.empty()) outcome.text += fmt::format("; missing: {}", fmt::join(missing_names, ", "));
  }
  return outcome;
}

void FleetCoordinator::set_power(PowerSetup setup) {
  power_setup_ = std::move(setup);
  power_.reset();
}

void FleetCoordinator::finish() {
  if (finished_) return;
  finished_ = true;
  // Whether the workers may end MPI together: with a node missing, MPI_Finalize
  // would wait for it forever.
  const std::string text = Json{{"type", "finish"}, {"all_nodes_answered", !any_missing()}}.dump();
  for (std::size_t r = 1; r < nodes_.size(); ++r) {
    if (nodes_[r].missing) continue;
    (void)world_.send_text(static_cast<int>(r), fleet::command_tag, text, CommStop::within(std::chrono::seconds(10)));
  }
}

}  // namespace assay
