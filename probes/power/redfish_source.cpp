#include "probes/power/redfish_source.h"

#if ASSAY_HAVE_CURL

#include <curl/curl.h>
#include <unistd.h>

#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "probes/power/bmc_credentials.h"

namespace assay {

namespace {

using Json = nlohmann::json;

// Collections and metrics are a few kB; anything near this is not a Redfish resource.
constexpr std::size_t kBodyCap = 16 * 1024 * 1024;

/// https://HOST[:PORT] -> that origin, refusing what would leak the password.
Expected<std::string> parse_endpoint(const PowerSourceOptions& options) {
  const std::string& endpoint = options.endpoint;
  const bool http = endpoint.starts_with("http://");
  if (!http && !endpoint.starts_with("https://")) {
    return bad_input(fmt::format("redfish endpoint '{}': expected https://HOST[:PORT]", endpoint));
  }
  const std::string_view rest = std::string_view(endpoint).substr(http ? 7 : 8);
  const std::string_view authority = rest.substr(0, rest.find('/'));
  // Not echoed: what precedes '@' would be a user and perhaps a password.
  if (authority.find('@') != std::string_view::npos) {
    return bad_input(
        "the redfish endpoint must not contain credentials (user@ or user:password@); put them in the credentials "
        "file or ASSAY_BMC_USER and ASSAY_BMC_PASSWORD");
  }
  const std::string_view path = rest.substr(authority.size());
  if (authority.empty() || authority.find_first_of("?#") != std::string_view::npos ||
      (!path.empty() && path != "/")) {
    return bad_input(fmt::format("redfish endpoint '{}': expected https://HOST[:PORT] without a path", endpoint));
  }
  if (http && !options.allow_http) {
    return bad_input(fmt::format(
        "redfish endpoint '{}': plain http:// sends the BMC password unencrypted; use https:// or set "
        "allow_http = true to accept that",
        endpoint));
  }
  return fmt::format("{}://{}", http ? "http" : "https", authority);
}

size_t collect(char* data, size_t size, size_t count, void* sink) {
  auto* body = static_cast<std::string*>(sink);
  if (body->size() + size * count > kBodyCap) return 0;  // curl then fails with CURLE_WRITE_ERROR
  body->append(data, size * count);
  return size * count;
}

/// One curl handle, reused so the TLS session and connection are kept between reads.
class Http {
 public:
  Http(std::string origin, std::string credentials_from)
      : origin_(std::move(origin)), credentials_from_(std::move(credentials_from)) {}
  ~Http() {
    if (curl_) curl_easy_cleanup(curl_);
    curl_slist_free_all(headers_);
  }
  Http(const Http&) = delete;
  Http& operator=(const Http&) = delete;

  Expected<void> init(const BmcCredentials& credentials, const std::string& ca_file) {
    // curl_global_init is not thread-safe on every build of libcurl, and its first
    // implicit call is made by curl_easy_init.
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
    curl_ = curl_easy_init();
    if (!curl_) return internal_error("redfish: curl_easy_init failed");
    headers_ = curl_slist_append(headers_, "Accept: application/json");
    headers_ = curl_slist_append(headers_, "OData-Version: 4.0");
    curl_easy_setopt(curl_, CURLOPT_NOSIGNAL, 1L);  // timeouts without SIGALRM, safe in threads
    curl_easy_setopt(curl_, CURLOPT_CONNECTTIMEOUT_MS, 5000L);
    curl_easy_setopt(curl_, CURLOPT_TIMEOUT_MS, 10000L);
    curl_easy_setopt(curl_, CURLOPT_FOLLOWLOCATION, 0L);
#if LIBCURL_VERSION_NUM >= 0x075500
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS_STR, "http,https");
#else
    curl_easy_setopt(curl_, CURLOPT_PROTOCOLS, static_cast<long>(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
    curl_easy_setopt(curl_, CURLOPT_HTTPAUTH, static_cast<long>(CURLAUTH_BASIC));
    curl_easy_setopt(curl_, CURLOPT_USERNAME, credentials.user.c_str());
    curl_easy_setopt(curl_, CURLOPT_PASSWORD, credentials.password.c_str());
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYPEER, 1L);
    curl_easy_setopt(curl_, CURLOPT_SSL_VERIFYHOST, 2L);
    if (!ca_file.empty()) curl_easy_setopt(curl_, CURLOPT_CAINFO, ca_file.c_str());
    curl_easy_setopt(curl_, CURLOPT_HTTPHEADER, headers_);
    curl_easy_setopt(curl_, CURLOPT_USERAGENT, "assay");
    curl_easy_setopt(curl_, CURLOPT_WRITEFUNCTION, collect);
    curl_easy_setopt(curl_, CURLOPT_WRITEDATA, &body_);
    curl_easy_setopt(curl_, CURLOPT_ERRORBUFFER, error_);
    return {};
  }

  std::string url(std::string_view path) const { return origin_ + std::string(path); }
  const std::string& origin() const { return origin_; }

  /// GET of a resource path ("/redfish/v1/Chassis"), parsed.
  Expected<Json> get(std::string_view path) {
    const std::string target = url(path);
    body_.clear();
    error_[0] = '\0';
    curl_easy_setopt(curl_, CURLOPT_URL, target.c_str());
    const CURLcode rc = curl_easy_perform(curl_);
    if (rc != CURLE_OK) return transfer_error(rc, target);
    long status = 0;
    curl_easy_getinfo(curl_, CURLINFO_RESPONSE_CODE, &status);
    // 403 too: a user without the Login privilege is as much a credentials problem.
    if (status == 401 || status == 403) {
      return bad_input(fmt::format("redfish: the BMC at {} refused the credentials (HTTP {}) for GET {}; check the "
                                   "user and password ({})",
                                   origin_, status, target, credentials_from_));
    }
    if (status < 200 || status >= 300) {
      return environment_error(fmt::format("redfish: GET {}: HTTP {}", target, status));
    }
    Json json = Json::parse(body_, nullptr, false);
    if (json.is_discarded() || !json.is_object()) {
      return environment_error(fmt::format("redfish: GET {}: the response is not a JSON object", target));
    }
    return json;
  }

 private:
  Error transfer_error(CURLcode rc, const std::string& target) const {
    const std::string why = error_[0] ? error_ : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_SSL_CERTPROBLEM:
        return environment_error(fmt::format(
            "redfish: TLS with the BMC at {} failed ({}); if the BMC's certificate is self-signed or from a "
            "private CA, give that certificate or CA as ca_file",
            origin_, why));
      case CURLE_SSL_CACERT_BADFILE:
        return bad_input(fmt::format("redfish: the ca_file cannot be used: {}", why));
      case CURLE_WRITE_ERROR:
        return environment_error(fmt::format("redfish: GET {}: response larger than {} MiB", target, kBodyCap >> 20));
      default:
        return environment_error(fmt::format("redfish: cannot reach the BMC at {} (GET {}): {}", origin_, target, why));
    }
  }

  std::string origin_;
  std::string credentials_from_;
  CURL* curl_ = nullptr;
  curl_slist* headers_ = nullptr;
  std::string body_;
  char error_[CURL_ERROR_SIZE] = {};
};

/// j[key][sub] when it is a number.
std::optional<double> number_at(const Json& j, const char* key, const char* sub) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) return std::nullopt;
  const Json& inner = j[key];
  if (!inner.contains(sub) || !inner[sub].is_number()) return std::nullopt;
  return inner[sub].get<double>();
}

/// j[key]["@odata.id"], the link to a sub-resource; empty when absent.
std::string link(const Json& j, const char* key) {
  if (!j.is_object() || !j.contains(key) || !j[key].is_object()) return {};
  const Json& inner = j[key];
  if (!inner.contains("@odata.id") || !inner["@odata.id"].is_string()) return {};
  return inner["@odata.id"].get<std::string>();
}

std::vector<std::string> member_links(const Json& collection) {
  std::vector<std::string> links;
  if (!collection.contains("Members") || !collection["Members"].is_array()) return links;
  for (const Json& m : collection["Members"]) {
    if (m.is_object() && m.contains("@odata.id") && m["@odata.id"].is_string()) {
      links.push_back(m["@odata.id"].get<std::string>());
    }
  }
  return links;
}

enum class Kind { environment_metrics, power_subsystem, legacy_power };
enum class Energy { none, joules, kwh };

struct Domain {
  std::string name;
  Kind kind = Kind::legacy_power;
  std::string path;                  ///< EnvironmentMetrics or Power resource
  std::vector<std::string> metrics;  ///< PowerSubsystem: each supply's Metrics
  std::size_t control = 0;           ///< legacy: the PowerControl index
  bool has_watts = false;
  Energy energy = Energy::none;
  bool counter_started = false;  ///< the first read sets the counter's origin
  double last_counter_j = 0;
  double energy_j = 0;  ///< since open
};

std::optional<double> counter_joules(const Json& metrics, Energy energy) {
  if (energy == Energy::joules) return number_at(metrics, "EnergyJoules", "Reading");
  if (const auto kwh = number_at(metrics, "EnergykWh", "Reading")) return *kwh * 3.6e6;
  return std::nullopt;
}

/// Fetches each path once per read: legacy domains of one chassis share their resource.
class Fetcher {
 public:
  explicit Fetcher(Http& http) : http_(http) {}
  Expected<const Json*> operator()(const std::string& path) {
    auto it = cache_.find(path);
    if (it == cache_.end()) {
      Expected<Json> json = http_.get(path);
      if (!json) return json.error();
      it = cache_.emplace(path, std::move(json).value()).first;
    }
    return &it->second;
  }

 private:
  Http& http_;
  std::map<std::string, Json> cache_;
};

class Discovery {
 public:
  explicit Discovery(Http& http) : http_(http) {}

  /// The chassis' domains, or an empty list with the reason in `notes`; only errors
  /// that concern every chassis (401) stop the walk.
  Expected<std::vector<Domain>> chassis(const std::string& path, std::vector<std::string>& notes) {
    Expected<Json> chassis = http_.get(path);
    if (!chassis) return stop_or_note(chassis.error(), notes);
    std::string id = chassis->contains("Id") && (*chassis)["Id"].is_string() ? (*chassis)["Id"].get<std::string>()
                                                                            : path.substr(path.rfind('/') + 1);
    const std::string base = "chassis/" + id;
    std::vector<Domain> domains;
    if (const std::string env = link(*chassis, "EnvironmentMetrics"); !env.empty()) {
      Expected<std::vector<Domain>> found = environment_metrics(base, env, notes);
      if (!found || !found->empty()) return found;
    }
    if (const std::string subsystem = link(*chassis, "PowerSubsystem"); !subsystem.empty()) {
      Expected<std::vector<Domain>> found = power_subsystem(base, subsystem, notes);
      if (!found || !found->empty()) return found;
    }
    if (const std::string power = link(*chassis, "Power"); !power.empty()) {
      Expected<std::vector<Domain>> found = legacy_power(base, power, notes);
      if (!found || !found->empty()) return found;
    }
    notes.push_back(fmt::format("{} ({}): no EnvironmentMetrics, PowerSubsystem or Power with a reading", base,
                                http_.url(path)));
    return domains;
  }

 private:
  Expected<std::vector<Domain>> stop_or_note(const Error& error, std::vector<std::string>& notes) {
    if (error.kind == ErrorKind::bad_input) return error;
    notes.push_back(error.message);
    return std::vector<Domain>{};
  }

  Expected<std::vector<Domain>> environment_metrics(const std::string& base, const std::string& path,
                                                    std::vector<std::string>& notes) {
    Expected<Json> metrics = http_.get(path);
    if (!metrics) return stop_or_note(metrics.error(), notes);
    Domain d;
    d.name = base;
    d.kind = Kind::environment_metrics;
    d.path = path;
    d.has_watts = number_at(*metrics, "PowerWatts", "Reading").has_value();
    if (number_at(*metrics, "EnergyJoules", "Reading")) {
      d.energy = Energy::joules;
    } else if (number_at(*metrics, "EnergykWh", "Reading")) {
      d.energy = Energy::kwh;
    }
    if (!d.has_watts && d.energy == Energy::none) return std::vector<Domain>{};
    return std::vector<Domain>{std::move(d)};
  }

  Expected<std::vector<Domain>> power_subsystem(const std::string& base, const std::string& path,
                                                std::vector<std::string>& notes) {
    Expected<Json> subsystem = http_.get(path);
    if (!subsystem) return stop_or_note(subsystem.error(), notes);
    const std::string supplies_path = link(*subsystem, "PowerSupplies");
    if (supplies_path.empty()) return std::vector<Domain>{};
    Expected<Json> supplies = http_.get(supplies_path);
    if (!supplies) return stop_or_note(supplies.error(), notes);
    Domain d;
    d.name = base;
    d.kind = Kind::power_subsystem;
    d.path = path;
    d.has_watts = true;
    for (const std::string& supply_path : member_links(*supplies)) {
      Expected<Json> supply = http_.get(supply_path);
      if (!supply) return stop_or_note(supply.error(), notes);
      const std::string metrics_path = link(*supply, "Metrics");
      if (metrics_path.empty()) continue;
      Expected<Json> metrics = http_.get(metrics_path);
      if (!metrics) return stop_or_note(metrics.error(), notes);
      if (number_at(*metrics, "InputPowerWatts", "Reading")) d.metrics.push_back(metrics_path);
    }
    if (d.metrics.empty()) return std::vector<Domain>{};
    return std::vector<Domain>{std::move(d)};
  }

  Expected<std::vector<Domain>> legacy_power(const std::string& base, const std::string& path,
                                             std::vector<std::string>& notes) {
    Expected<Json> power = http_.get(path);
    if (!power) return stop_or_note(power.error(), notes);
    std::vector<Domain> domains;
    if (!power->contains("PowerControl") || !(*power)["PowerControl"].is_array()) return domains;
    const Json& controls = (*power)["PowerControl"];
    std::vector<std::string> labels;
    for (std::size_t i = 0; i < controls.size(); ++i) {
      const Json& c = controls[i];
      if (!c.is_object() || !c.contains("PowerConsumedWatts") || !c["PowerConsumedWatts"].is_number()) continue;
      Domain d;
      d.kind = Kind::legacy_power;
      d.path = path;
      d.control = i;
      d.has_watts = true;
      domains.push_back(std::move(d));
      labels.push_back(c.contains("MemberId") && c["MemberId"].is_string() ? c["MemberId"].get<std::string>()
                       : c.contains("Name") && c["Name"].is_string()       ? c["Name"].get<std::string>()
                                                                           : std::to_string(i));
    }
    for (std::size_t i = 0; i < domains.size(); ++i) {
      domains[i].name = domains.size() == 1 ? base : base + "/" + labels[i];
    }
    return domains;
  }

  Http& http_;
};

class RedfishSource final : public PowerSource {
 public:
  RedfishSource(std::unique_ptr<Http> http, std::vector<Domain> domains, std::vector<std::string> header,
                std::vector<std::string> notes)
      : http_(std::move(http)), domains_(std::move(domains)), header_(std::move(header)), notes_(std::move(notes)) {}

  std::string_view name() const override { return "redfish"; }
  std::chrono::milliseconds min_interval() const override { return std::chrono::milliseconds(1000); }

  Expected<std::vector<DomainReading>> read() override {
    Fetcher fetch(*http_);
    std::vector<DomainReading> readings;
    for (Domain& d : domains_) {
      DomainReading reading;
      reading.domain = d.name;
      Expected<void> done = read_domain(d, fetch, reading);
      if (!done) return done.error();
      readings.push_back(std::move(reading));
    }
    return readings;
  }

  std::vector<std::string> describe() const override {
    std::vector<std::string> lines = header_;
    for (const Domain& d : domains_) {
      switch (d.kind) {
        case Kind::environment_metrics: {
          std::string line = fmt::format("{}: GET {}", d.name, http_->url(d.path));
          if (d.has_watts) line += " PowerWatts.Reading (W)";
          if (d.energy == Energy::joules) line += " EnergyJoules.Reading (J)";
          if (d.energy == Energy::kwh) line += " EnergykWh.Reading (kWh)";
          lines.push_back(std::move(line));
          break;
        }
        case Kind::power_subsystem: {
          std::string line = fmt::format("{}: sum of InputPowerWatts.Reading (W) of the power supplies of {}:", d.name,
                                         http_->url(d.path));
          for (const std::string& m : d.metrics) line += " GET " + http_->url(m);
          lines.push_back(std::move(line));
          break;
        }
        case Kind::legacy_power:
          lines.push_back(fmt::format("{}: GET {} PowerControl[{}].PowerConsumedWatts (W)", d.name,
                                      http_->url(d.path), d.control));
          break;
      }
    }
    for (const std::string& n : notes_) lines.push_back("left out: " + n);
    return lines;
  }

 private:
  Expected<void> read_domain(Domain& d, Fetcher& fetch, DomainReading& reading) {
    const auto missing = [&](const std::string& path, const char* what) {
      return environment_error(fmt::format("redfish: GET {} has no {} any more", http_->url(path), what));
    };
    switch (d.kind) {
      case Kind::environment_metrics: {
        Expected<const Json*> json = fetch(d.path);
        if (!json) return json.error();
        if (d.has_watts) {
          reading.watts = number_at(**json, "PowerWatts", "Reading");
          if (!reading.watts) return missing(d.path, "PowerWatts.Reading");
        }
        if (d.energy != Energy::none) {
          const std::optional<double> counter = counter_joules(**json, d.energy);
          if (!counter) return missing(d.path, d.energy == Energy::joules ? "EnergyJoules.Reading" : "EnergykWh.Reading");
          // A counter that went back was reset (BMC reboot, meter replaced): count from 0.
          if (d.counter_started) {
            d.energy_j += *counter >= d.last_counter_j ? *counter - d.last_counter_j : *counter;
          }
          d.counter_started = true;
          d.last_counter_j = *counter;
          reading.energy_joules = d.energy_j;
        }
        return {};
      }
      case Kind::power_subsystem: {
        double sum = 0;
        for (const std::string& m : d.metrics) {
          Expected<const Json*> json = fetch(m);
          if (!json) return json.error();
          const std::optional<double> watts = number_at(**json, "InputPowerWatts", "Reading");
          if (!watts) return missing(m, "InputPowerWatts.Reading");
          sum += *watts;
        }
        reading.watts = sum;
        return {};
      }
      case Kind::legacy_power: {
        Expected<const Json*> json = fetch(d.path);
        if (!json) return json.error();
        const Json& power = **json;
        if (!power.contains("PowerControl") || !power["PowerControl"].is_array() ||
            power["PowerControl"].size() <= d.control || !power["PowerControl"][d.control].is_object() ||
            !power["PowerControl"][d.control].contains("PowerConsumedWatts") ||
            !power["PowerControl"][d.control]["PowerConsumedWatts"].is_number()) {
          return missing(d.path, fmt::format("PowerControl[{}].PowerConsumedWatts", d.control).c_str());
        }
        reading.watts = power["PowerControl"][d.control]["PowerConsumedWatts"].get<double>();
        return {};
      }
    }
    return internal_error("redfish: unknown domain kind");
  }

  std::unique_ptr<Http> http_;
  std::vector<Domain> domains_;
  std::vector<std::string> header_;
  std::vector<std::string> notes_;
};

}  // namespace

Expected<std::unique_ptr<PowerSource>> open_redfish_source(const PowerSourceOptions& options) {
  Expected<std::string> origin = parse_endpoint(options);
  if (!origin) return origin.error();
  if (!options.ca_file.empty() && ::access(options.ca_file.c_str(), R_OK) != 0) {
    return bad_input(fmt::format("redfish: ca_file {} cannot be read; expected a PEM file of the CA (or the "
                                 "self-signed certificate) of the BMC",
                                 options.ca_file));
  }
  Expected<BmcCredentials> credentials = load_bmc_credentials(options.credentials_file);
  if (!credentials) return credentials.error();
  const std::string credentials_from = options.credentials_file.empty()
                                           ? "from ASSAY_BMC_USER and ASSAY_BMC_PASSWORD"
                                           : "from " + options.credentials_file;

  auto http = std::make_unique<Http>(*origin, credentials_from);
  if (Expected<void> ready = http->init(*credentials, options.ca_file); !ready) return ready.error();

  const std::string collection_path = "/redfish/v1/Chassis";
  Expected<Json> collection = http->get(collection_path);
  if (!collection) return collection.error();

  std::vector<Domain> domains;
  std::vector<std::string> notes;
  Discovery discovery(*http);
  for (const std::string& member : member_links(*collection)) {
    Expected<std::vector<Domain>> found = discovery.chassis(member, notes);
    if (!found) return found.error();
    for (Domain& d : *found) domains.push_back(std::move(d));
  }
  if (domains.empty()) {
    std::string why;
    for (const std::string& n : notes) why += "; " + n;
    return environment_error(fmt::format("redfish: no chassis under {} reports power (EnvironmentMetrics, "
                                         "PowerSubsystem or Power){}",
                                         http->url(collection_path), why));
  }

  std::vector<std::string> header = {
      fmt::format("redfish endpoint {}, chassis from GET {}", *origin, http->url(collection_path)),
      origin->starts_with("http://")
          ? std::string("plain http (allow_http): the credentials travel unencrypted")
          : options.ca_file.empty() ? std::string("TLS verified against the system's CA certificates")
                                    : fmt::format("TLS verified against ca_file {}", options.ca_file),
      "HTTP Basic auth, credentials " + credentials_from};
  auto source =
      std::make_unique<RedfishSource>(std::move(http), std::move(domains), std::move(header), std::move(notes));
  // One reading now: a resource that lists a figure but cannot be read again fails at
  // open rather than at the first sample, and energy counters get their origin here.
  if (Expected<std::vector<DomainReading>> first = source->read(); !first) return first.error();
  return std::unique_ptr<PowerSource>(std::move(source));
}

}  // namespace assay

#else  // !ASSAY_HAVE_CURL

namespace assay {

Expected<std::unique_ptr<PowerSource>> open_redfish_source(const PowerSourceOptions&) {
  return environment_error("redfish: built without libcurl (install libcurl4-openssl-dev and rebuild)");
}

}  // namespace assay

#endif
