#ifndef PARTNERGRAPH_SERVER_LOG_H_
#define PARTNERGRAPH_SERVER_LOG_H_

// A tiny leveled logger that writes one line per message to stderr:
//
//   PG_LOG(kInfo) << "listening on " << address;
//
// prints "I1123 21:17:05.123456 partnergraphd] listening on ...". Messages
// below the level set with SetLogLevel (kInfo by default) are not formatted.
// Thread-safe: each message is written with a single fwrite.

#include <atomic>
#include <cstdio>
#include <sstream>
#include <string>

#include "absl/strings/string_view.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "absl/types/optional.h"

namespace partnergraph::server {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3 };

namespace log_internal {
inline std::atomic<int>& MinLevel() {
  static std::atomic<int> level{static_cast<int>(LogLevel::kInfo)};
  return level;
}
}  // namespace log_internal

inline void SetLogLevel(LogLevel level) {
  log_internal::MinLevel().store(static_cast<int>(level),
                                 std::memory_order_relaxed);
}

inline bool LogEnabled(LogLevel level) {
  return static_cast<int>(level) >=
         log_internal::MinLevel().load(std::memory_order_relaxed);
}

// "debug", "info", "warning", "error" (as accepted by --log_level).
inline absl::optional<LogLevel> ParseLogLevel(absl::string_view name) {
  if (name == "debug") return LogLevel::kDebug;
  if (name == "info") return LogLevel::kInfo;
  if (name == "warning") return LogLevel::kWarning;
  if (name == "error") return LogLevel::kError;
  return absl::nullopt;
}

namespace log_internal {

class LogMessage {
 public:
  explicit LogMessage(LogLevel level) {
    static constexpr char kLetters[] = "DIWE";
    stream_ << kLetters[static_cast<int>(level)]
            << absl::FormatTime("%m%d %H:%M:%E6S", absl::Now(),
                                absl::LocalTimeZone())
            << " partnergraphd] ";
  }
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage() {
    stream_ << '\n';
    const std::string line = stream_.str();
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fflush(stderr);
  }
  std::ostream& stream() { return stream_; }

 private:
  std::ostringstream stream_;
};

// Lets PG_LOG be used as an expression statement in both branches of `?:`.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace log_internal
}  // namespace partnergraph::server

#define PG_LOG(severity)                                      \
  !::partnergraph::server::LogEnabled(                        \
      ::partnergraph::server::LogLevel::severity)             \
      ? (void)0                                               \
      : ::partnergraph::server::log_internal::Voidify() &     \
            ::partnergraph::server::log_internal::LogMessage( \
                ::partnergraph::server::LogLevel::severity)   \
                .stream()

#endif  // PARTNERGRAPH_SERVER_LOG_H_
