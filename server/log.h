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
#include <initializer_list>
#include <sstream>
#include <string>
#include <utility>

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

// kText: "I1123 21:17:05.123456 partnergraphd] message"; kJson: one JSON
// object per line, {"time":"2026-11-23T21:17:05.123456Z","level":"info",
// "msg":"message"} plus the fields of LogEvent.
enum class LogFormat { kText = 0, kJson = 1 };

namespace log_internal {
inline std::atomic<int>& Format() {
  static std::atomic<int> format{static_cast<int>(LogFormat::kText)};
  return format;
}
}  // namespace log_internal

inline void SetLogFormat(LogFormat format) {
  log_internal::Format().store(static_cast<int>(format),
                               std::memory_order_relaxed);
}

inline LogFormat GetLogFormat() {
  return static_cast<LogFormat>(
      log_internal::Format().load(std::memory_order_relaxed));
}

// "text", "json" (as accepted by --log_format).
inline absl::optional<LogFormat> ParseLogFormat(absl::string_view name) {
  if (name == "text") return LogFormat::kText;
  if (name == "json") return LogFormat::kJson;
  return absl::nullopt;
}

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

// `s` as a JSON string literal, quotes included.
inline std::string JsonQuote(absl::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      case '\n':
        out += "\\n";
        break;
      case '\t':
        out += "\\t";
        break;
      default:
        if (c < 0x20) {
          static constexpr char kHex[] = "0123456789abcdef";
          out += "\\u00";
          out += kHex[c >> 4];
          out += kHex[c & 15];
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  out += '"';
  return out;
}

inline const char* LevelName(LogLevel level) {
  static const char* const kNames[] = {"debug", "info", "warning", "error"};
  return kNames[static_cast<int>(level)];
}

inline void WriteLine(const std::string& line) {
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

class LogMessage {
 public:
  explicit LogMessage(LogLevel level) : level_(level) {}
  LogMessage(const LogMessage&) = delete;
  LogMessage& operator=(const LogMessage&) = delete;
  ~LogMessage() {
    const absl::Time now = absl::Now();
    std::string line;
    if (GetLogFormat() == LogFormat::kJson) {
      line = "{\"time\":" +
             JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", now,
                                        absl::UTCTimeZone())) +
             ",\"level\":\"" + LevelName(level_) +
             "\",\"msg\":" + JsonQuote(stream_.str()) + "}\n";
    } else {
      static constexpr char kLetters[] = "DIWE";
      line = kLetters[static_cast<int>(level_)] +
             absl::FormatTime("%m%d %H:%M:%E6S", now, absl::LocalTimeZone()) +
             " partnergraphd] " + stream_.str() + "\n";
    }
    WriteLine(line);
  }
  std::ostream& stream() { return stream_; }

 private:
  const LogLevel level_;
  std::ostringstream stream_;
};

// Lets PG_LOG be used as an expression statement in both branches of `?:`.
struct Voidify {
  void operator&(std::ostream&) {}
};

}  // namespace log_internal

// Logs one structured event as one line: in text format
// `I... partnergraphd] EVENT key=value key="value with spaces"`, in JSON
// format {"time":...,"level":...,"event":EVENT,"key":"value",...}. Values are
// written as given: callers must not pass secrets.
inline void LogEvent(
    LogLevel level, absl::string_view event,
    std::initializer_list<std::pair<absl::string_view, std::string>> fields) {
  if (!LogEnabled(level)) return;
  const absl::Time now = absl::Now();
  std::string line;
  if (GetLogFormat() == LogFormat::kJson) {
    line = "{\"time\":" +
           log_internal::JsonQuote(absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", now,
                                                    absl::UTCTimeZone())) +
           ",\"level\":\"" + log_internal::LevelName(level) +
           "\",\"event\":" + log_internal::JsonQuote(event);
    for (const auto& [key, value] : fields) {
      line += "," + log_internal::JsonQuote(key) + ":" +
              log_internal::JsonQuote(value);
    }
    line += "}\n";
  } else {
    static constexpr char kLetters[] = "DIWE";
    line = kLetters[static_cast<int>(level)] +
           absl::FormatTime("%m%d %H:%M:%E6S", now, absl::LocalTimeZone()) +
           " partnergraphd] " + std::string(event);
    for (const auto& [key, value] : fields) {
      const bool quote =
          value.empty() || value.find_first_of(" \"=\t\n") != std::string::npos;
      line += " " + std::string(key) + "=" +
              (quote ? log_internal::JsonQuote(value) : value);
    }
    line += "\n";
  }
  log_internal::WriteLine(line);
}

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
