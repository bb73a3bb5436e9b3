#include "core/json_fields.h"

#include <fmt/format.h>

namespace assay {

JsonFields::JsonFields(const Json& object, std::string where)
    : object_(object), where_(std::move(where)) {
  if (!object_.is_object()) fail("expected a JSON object");
}

void JsonFields::fail(std::string message) {
  if (!error_) error_ = fmt::format("{}: {}", where_, message);
}

std::string JsonFields::path(std::string_view name) const { return fmt::format("{}.{}", where_, name); }

const JsonFields::Json* JsonFields::optional_member(std::string_view name) {
  if (!object_.is_object()) return nullptr;
  const auto it = object_.find(name);
  return it == object_.end() ? nullptr : &*it;
}

const JsonFields::Json* JsonFields::member(std::string_view name, Json::value_t type) {
  const Json* m = optional_member(name);
  if (!m) {
    fail(fmt::format("missing '{}'", name));
    return nullptr;
  }
  const bool is_number_wanted = type == Json::value_t::number_float;
  if (is_number_wanted ? !m->is_number() : m->type() != type &&
          !(type == Json::value_t::number_integer && m->is_number_unsigned())) {
    fail(fmt::format("'{}' must be {}, not {}", name,
                     Json(type).type_name(), m->type_name()));
    return nullptr;
  }
  return m;
}

std::string JsonFields::text(std::string_view name) {
  const Json* m = member(name, Json::value_t::string);
  return m ? m->get<std::string>() : std::string{};
}

std::string JsonFields::optional_text(std::string_view name) {
  return optional_member(name) ? text(name) : std::string{};
}

double JsonFields::number(std::string_view name) {
  const Json* m = member(name, Json::value_t::number_float);
  return m ? m->get<double>() : 0.0;
}

std::optional<double> JsonFields::optional_number(std::string_view name) {
  const Json* m = optional_member(name);
  if (!m || m->is_null()) return std::nullopt;
  return number(name);
}

std::int64_t JsonFields::integer(std::string_view name) {
  const Json* m = member(name, Json::value_t::number_integer);
  return m ? m->get<std::int64_t>() : 0;
}

bool JsonFields::flag(std::string_view name) {
  const Json* m = member(name, Json::value_t::boolean);
  return m ? m->get<bool>() : false;
}

bool JsonFields::optional_flag(std::string_view name, bool fallback) {
  return optional_member(name) ? flag(name) : fallback;
}

std::vector<double> JsonFields::numbers(std::string_view name) {
  std::vector<double> out;
  const Json* m = member(name, Json::value_t::array);
  if (!m) return out;
  for (const auto& v : *m) {
    if (!v.is_number()) {
      fail(fmt::format("'{}' must be an array of numbers", name));
      return {};
    }
    out.push_back(v.get<double>());
  }
  return out;
}

std::vector<std::string> JsonFields::optional_texts(std::string_view name) {
  std::vector<std::string> out;
  if (!optional_member(name)) return out;
  const Json* m = member(name, Json::value_t::array);
  if (!m) return out;
  for (const auto& v : *m) {
    if (!v.is_string()) {
      fail(fmt::format("'{}' must be an array of strings", name));
      return {};
    }
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace assay
