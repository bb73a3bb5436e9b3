#include "suites/fleet_worker.h"

#include <cstdio>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

#include "core/build_info.h"
#include "suites/fleet_protocol.h"
#include "suites/inventory.h"
#include "suites/probe_runner.h"
#include "suites/probe_watchdog.h"

namespace assay {
namespace {

constexpr int exit_incomplete = 3;

// Rank 0 loads the plan and creates the bundle before it greets anyone.
constexpr std::chrono::seconds first_command_patience{600};

void say(const std::string& node, const std::string& text) {
  std::fprintf(stderr, "assay [%s]: %s\n", node.c_str(), text.c_str());
}

class Worker {
 public:
  Worker(Communicator& world, const ProbeRegistry& registry)
      : world_(world), registry_(registry), name_(fmt::format("rank {}", world.rank())) {}

  WorkerOutcome serve() {
    const Json hello{{"type", "hello"}, {"host", local_host_name()}, {"assay", build_info().version}};
    if (!world_.send_text(0, fleet::report_tag, hello.dump(), CommStop::within(first_command_patience))) {
      say(name_, "rank 0 did not take this node's greeting; giving up");
      return {exit_incomplete, false};
    }
    std::chrono::seconds patience = first_command_patience;
    for (;;) {
      auto text = world_.receive_text(0, fleet::command_tag, CommStop::within(patience, &interrupt_requested()));
      if (!text) {
        say(name_, "lost rank 0: " + text.error().message);
        return {exit_incomplete, false};
      }
      if (!*text) {
        if (interrupt_requested().load()) return {exit_incomplete, false};
        say(name_, fmt::format("rank 0 sent nothing for {} s; it is gone or stuck, so this node stops",
                               patience.count()));
        return {exit_incomplete, false};
      }
      auto message = fleet::parse_message(**text, "", "rank 0");
      if (!message) {
        say(name_, message.error().message);
        return {exit_incomplete, false};
      }
      const std::string type = (*message)["type"].get<std::string>();
      if (type == "finish") {
        return {0, message->value("all_nodes_answered", false)};
      }
      if (type == "welcome") {
        if (!welcome(*message)) return {exit_incomplete, false};
      } else if (type == "step") {
        auto step = fleet::step_from_message(*message);
        if (!step) {
          say(name_, step.error().message);
          return {exit_incomplete, false};
        }
        patience = fleet::worker_patience(*step);
        if (!run(*step)) return {exit_incomplete, false};
      } else {
        say(name_, fmt::format("unexpected '{}' message from rank 0", type));
        return {exit_incomplete, false};
      }
    }
  }

 private:
  bool welcome(const Json& message) {
    if (!message.contains("names") || !message["names"].is_array()) {
      say(name_, "malformed welcome from rank 0");
      return false;
    }
    names_ = message["names"].get<std::vector<std::string>>();
    if (static_cast<std::size_t>(world_.rank()) < names_.size()) {
      name_ = names_[static_cast<std::size_t>(world_.rank())];
    }
    const Json reply{{"type", "inventory"}, {"inventory", collect_node_inventory(name_)}};
    return send(reply);
  }

  bool run(const fleet::Step& step) {
    ProbeResult result;
    const Probe* probe = registry_.find(step.probe);
    if (!probe) {
      result = skipped_result(step.probe, name_, "not built into this node's assay");
    } else {
      ProbeContext context;
      context.node = name_;
      std::string group_error;
      if (probe->uses_peers()) {
        if (!peers_ || peer_ranks_ != step.members) {
          auto made = world_.group(step.members);
          if (made) {
            peers_ = std::move(*made);
            peer_ranks_ = step.members;
          } else {
            group_error = made.error().message;
            peers_.reset();
          }
        }
        context.peers = peers_.get();
        for (const int r : step.members) {
          context.peer_nodes.push_back(static_cast<std::size_t>(r) < names_.size() ? names_[static_cast<std::size_t>(r)]
                                                                                    : fmt::format("rank {}", r));
        }
      }
      if (!group_error.empty()) {
        result = skipped_result(step.probe, name_, {});
        result.status = ProbeStatus::error;
        result.error = fmt::format("{}: could not join the group of {} nodes: {}", step.probe, step.members.size(),
                                   group_error);
      } else {
        const std::string node = name_;
        const std::string probe_name = step.probe;
        ProbeDeadline deadline{step.limit, step.grace, [node, probe_name](bool) {
                                 say(node, probe_name + " did not stop after being cancelled; this node ends here");
                                 std::_Exit(exit_incomplete);
                               }};
        result = run_probe_guarded(*probe, step.params, context, deadline, power_for(step)).result;
      }
    }
    result.node = name_;
    const Json reply{{"type", "result"}, {"index", step.index}, {"result", to_json(result)}};
    return send(reply);
  }

  // The sources are opened once per run (the setup is the same in every step).
  PowerMonitor* power_for(const fleet::Step& step) {
    if (!step.power) return nullptr;
    const std::string setup = to_json(*step.power).dump();
    if (!power_ || setup != power_setup_) {
      power_ = std::make_unique<PowerMonitor>(*step.power, name_);
      power_setup_ = setup;
    }
    return power_.get();
  }

  bool send(const Json& message) {
    auto sent = world_.send_text(0, fleet::report_tag, message.dump(), CommStop::within(first_command_patience));
    if (!sent) say(name_, "could not reach rank 0: " + sent.error().message);
    return sent.ok();
  }

  Communicator& world_;
  const ProbeRegistry& registry_;
  std::string name_;
  std::vector<std::string> names_;
  std::unique_ptr<Communicator> peers_;
  std::vector<int> peer_ranks_;
  std::unique_ptr<PowerMonitor> power_;
  std::string power_setup_;  // the JSON text power_ was opened for
};

}  // namespace

WorkerOutcome serve_fleet_worker(Communicator& world, const ProbeRegistry& registry) {
  return Worker(world, registry).serve();
}

}  // namespace assay
