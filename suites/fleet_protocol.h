#pragma once
// The messages between rank 0 (the coordinator) and the other ranks (workers) of a
// run, as JSON texts over the Communicator's control plane. Rank 0 sends commands
// (welcome, step, finish) with tag `command`; workers answer (hello, inventory,
// result) with tag `report`. Every message has a "type".
//
//   worker -> 0   {"type":"hello","host":"gpu-017","assay":"0.1.0 (abc123)"}
//   0 -> worker   {"type":"welcome","names":["gpu-017", ...],"rank":3}
//   worker -> 0   {"type":"inventory","inventory":{...}}
//   0 -> worker   {"type":"step","index":2,"probe":"interconnect.p2p","params":{...},
//                  "members":[0,1,3],"limit_s":1800,"grace_s":30,"power":{...}}
//   worker -> 0   {"type":"result","index":2,"result":{assay.result/1}}
//   0 -> worker   {"type":"finish","all_nodes_answered":true}

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "core/params.h"
#include "core/result_json.h"
#include "probes/power/power_setup.h"

namespace assay::fleet {

inline constexpr int command_tag = 1;
inline constexpr int report_tag = 2;

/// One probe to run on the members of the run at the same time.
struct Step {
  std::size_t index = 0;  ///< 1-based position in the plan
  std::string probe;
  ParamList params;
  std::vector<int> members;  ///< world ranks taking part, ascending
  std::chrono::seconds limit{30 * 60};
  std::chrono::seconds grace{30};
  /// The power sampling beside the probe (the plan's [power]); absent: none.
  std::optional<PowerSetup> power;
};

Json step_message(const Step& step);
/// The step in a "step" message; an error names what is malformed.
Expected<Step> step_from_message(const Json& message);

/// How long a worker waits for rank 0's next command before it concludes that rank 0
/// is gone: rank 0 may run its own probe to the deadline and its grace, then wait as
/// long again for the slowest node, plus time for the messages.
std::chrono::seconds worker_patience(const Step& last_step);

/// Parses a message and checks its type; an error says what arrived instead.
Expected<Json> parse_message(const std::string& text, std::string_view expected_type, std::string_view from);

}  // namespace assay::fleet
