#include "suites/fleet_protocol.h"

#include <fmt/format.h>

#include "core/json_fields.h"

namespace assay::fleet {

Json step_message(const Step& step) {
  Json message{{"type", "step"},
               {"index", step.index},
               {"probe", step.probe},
               {"params", to_json(step.params)},
               {"members", step.members},
               {"limit_s", step.limit.count()},
               {"grace_s", step.grace.count()}};
  if (step.power) message["power"] = to_json(*step.power);
  return message;
}

Expected<Step> step_from_message(const Json& message) {
  JsonFields f(message, "step message");
  Step step;
  step.index = static_cast<std::size_t>(f.integer("index"));
  step.probe = f.text("probe");
  const Json* params = f.member("params", Json::value_t::object);
  const Json* members = f.member("members", Json::value_t::array);
  step.limit = std::chrono::seconds(f.integer("limit_s"));
  step.grace = std::chrono::seconds(f.integer("grace_s"));
  if (!f.ok()) return f.error();
  auto list = params_from_json(*params, "step message.params");
  if (!list) return list.error();
  step.params = std::move(*list);
  if (message.contains("power")) {
    auto power = power_setup_from_json(message["power"], "step message.power");
    if (!power) return internal_error(power.error().message);
    step.power = std::move(*power);
  }
  for (const auto& m : *members) {
    if (!m.is_number_integer()) return internal_error("step message: members must be rank numbers");
    step.members.push_back(m.get<int>());
  }
  return step;
}

std::chrono::seconds worker_patience(const Step& last_step) {
  return 2 * (last_step.limit + last_step.grace) + std::chrono::seconds(120);
}

Expected<Json> parse_message(const std::string& text, std::string_view expected_type, std::string_view from) {
  Json message = Json::parse(text, nullptr, false);
  if (message.is_discarded() || !message.is_object() || !message.contains("type")) {
    return internal_error(fmt::format("unreadable message from {}", from));
  }
  const std::string type = message["type"].is_string() ? message["type"].get<std::string>() : "";
  if (!expected_type.empty() && type != expected_type) {
    return internal_error(fmt::format("expected a '{}' message from {}, got '{}'", expected_type, from, type));
  }
  return message;
}

}  // namespace assay::fleet
