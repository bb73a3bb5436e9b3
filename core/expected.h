#pragma once
// Errors are values: a callee fills in what went wrong, the top level decides the exit.

#include <string>
#include <utility>
#include <variant>

namespace assay {

/// What kind of failure an Error is; cli/ maps it to an exit code.
enum class ErrorKind {
  bad_input,    ///< the user's plan, flag, path or bundle is wrong (exit 2)
  environment,  ///< the machine cannot do what was asked (exit 3)
  internal,     ///< assay itself failed (exit 3)
};

/// A failure with a message that names the input and what was expected.
struct Error {
  ErrorKind kind = ErrorKind::bad_input;
  std::string message;
};

inline Error bad_input(std::string message) { return {ErrorKind::bad_input, std::move(message)}; }
inline Error environment_error(std::string message) {
  return {ErrorKind::environment, std::move(message)};
}
inline Error internal_error(std::string message) { return {ErrorKind::internal, std::move(message)}; }

/// A value or the Error that prevented it (std::expected is C++23; GCC 12 lacks it).
template <class T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  Expected(Error error) : state_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  bool ok() const { return std::holds_alternative<T>(state_); }
  explicit operator bool() const { return ok(); }

  T& value() & { return std::get<T>(state_); }
  const T& value() const& { return std::get<T>(state_); }
  T&& value() && { return std::get<T>(std::move(state_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const { return std::get<Error>(state_); }

 private:
  std::variant<T, Error> state_;
};

/// Success or an Error, for operations with no value.
template <>
class Expected<void> {
 public:
  Expected() = default;
  Expected(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace assay
