#include "storage/key_codec.h"

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace partnergraph::storage::keys {
namespace {

// Random strings over a small alphabet rich in the bytes the escaping cares
// about (0x00, 0x01, 0xFF), so collisions and shared prefixes are common.
std::vector<std::string> RandomStrings(int n, uint32_t seed) {
  std::mt19937 rng(seed);
  const std::string alphabet(
      "\x00\x01\xFF"
      "ab",
      5);
  std::vector<std::string> out;
  for (int i = 0; i < n; ++i) {
    std::string s;
    int len = rng() % 6;
    for (int j = 0; j < len; ++j)
      s.push_back(alphabet[rng() % alphabet.size()]);
    out.push_back(s);
  }
  return out;
}

std::string Enc(const std::string& s) {
  std::string k;
  AppendString(&k, s);
  return k;
}

TEST(KeyCodecTest, StringOrderEqualsValueOrder) {
  auto values = RandomStrings(400, 1);
  for (const auto& a : values) {
    for (const auto& b : values) {
      // Compare as unsigned bytes, which is RocksDB's bytewise order.
      EXPECT_EQ(a < b, Enc(a) < Enc(b)) << "a=" << testing::PrintToString(a)
                                        << " b=" << testing::PrintToString(b);
    }
  }
}

TEST(KeyCodecTest, NoEncodedStringIsAPrefixOfAnother) {
  auto values = RandomStrings(300, 2);
  for (const auto& a : values) {
    for (const auto& b : values) {
      if (a == b) continue;
      EXPECT_NE(Enc(b).compare(0, Enc(a).size(), Enc(a)), 0)
          << testing::PrintToString(a) << " vs " << testing::PrintToString(b);
    }
  }
}

TEST(KeyCodecTest, CompositeKeysOrderByFirstComponentThenSecond) {
  auto values = RandomStrings(60, 3);
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& a : values) {
    for (int i = 0; i < 5; ++i)
      pairs.emplace_back(a, values[(i * 7) % values.size()]);
  }
  for (const auto& x : pairs) {
    for (const auto& y : pairs) {
      EXPECT_EQ(x < y, AnnouncedKey(x.first, x.second) <
                           AnnouncedKey(y.first, y.second));
    }
  }
}

TEST(KeyCodecTest, PrefixScanReturnsExactlyTheStringsWithThatPrefix) {
  auto values = RandomStrings(500, 4);
  std::map<std::string, std::string> table;  // encoded key -> value
  for (const auto& v : values) table[SearchKey(v, "id")] = v;
  for (const auto& prefix : RandomStrings(100, 5)) {
    std::string lo = SearchTermPrefix(prefix);
    std::string hi = PrefixSuccessor(lo);
    std::set<std::string> got, want;
    for (auto it = table.lower_bound(lo);
         it != table.end() && (hi.empty() || it->first < hi); ++it) {
      got.insert(it->second);
    }
    for (const auto& v : values) {
      if (v.compare(0, prefix.size(), prefix) == 0) want.insert(v);
    }
    EXPECT_EQ(got, want) << "prefix " << testing::PrintToString(prefix);
  }
}

TEST(KeyCodecTest, IntegersSortNumerically) {
  std::mt19937_64 rng(6);
  std::vector<int64_t> values = {0, 1, 255, 256, 65535, 1ll << 40, INT64_MAX};
  for (int i = 0; i < 200; ++i)
    values.push_back(static_cast<int64_t>(rng() >> 1));
  for (int64_t a : values) {
    for (int64_t b : values) {
      EXPECT_EQ(a < b, ChangeKey(a) < ChangeKey(b)) << a << " vs " << b;
    }
    int64_t back = -1;
    ASSERT_TRUE(DecodeChangeKey(ChangeKey(a), &back));
    EXPECT_EQ(back, a);
  }
}

TEST(KeyCodecTest, KeysRoundTrip) {
  for (const auto& s : RandomStrings(100, 7)) {
    std::string id, company, date, pid, term;
    ASSERT_TRUE(DecodeCompanyKey(CompanyKey(s), &id));
    EXPECT_EQ(id, s);
    ASSERT_TRUE(DecodePartnershipKey(PartnershipKey(s), &id));
    EXPECT_EQ(id, s);
    ASSERT_TRUE(DecodeAdjacencyKey(AdjacencyKey(s, "2025-01-02", s + "p"),
                                   &company, &date, &pid));
    EXPECT_EQ(company, s);
    EXPECT_EQ(date, "2025-01-02");
    EXPECT_EQ(pid, s + "p");
    ASSERT_TRUE(DecodeSearchKey(SearchKey(s, "c"), &term, &company));
    EXPECT_EQ(term, s);
    ASSERT_TRUE(DecodeDedupeKey(DedupeKey("2025-01-02", {"a", s}, s), &pid));
    EXPECT_EQ(pid, s);
    std::string ticker;
    ASSERT_TRUE(DecodeTickerKey(TickerKey(s, s + "c"), &ticker, &company));
    EXPECT_EQ(ticker, s);
    EXPECT_EQ(company, s + "c");
  }
}

TEST(KeyCodecTest, TickerPrefixScanReturnsExactlyThatTickersHolders) {
  // Tickers that share prefixes ("A", "AB", "A\0"...) and holders of each.
  auto tickers = RandomStrings(120, 8);
  auto holders = RandomStrings(6, 9);
  std::map<std::string, std::pair<std::string, std::string>> table;
  for (const auto& t : tickers) {
    for (const auto& h : holders) table[TickerKey(t, h)] = {t, h};
  }
  for (const auto& t : tickers) {
    const std::string lo = TickerPrefix(t);
    const std::string hi = PrefixSuccessor(lo);
    std::set<std::string> got;
    for (auto it = table.lower_bound(lo);
         it != table.end() && (hi.empty() || it->first < hi); ++it) {
      EXPECT_EQ(it->second.first, t) << testing::PrintToString(t);
      got.insert(it->second.second);
    }
    EXPECT_EQ(got, std::set<std::string>(holders.begin(), holders.end()))
        << testing::PrintToString(t);
  }
}

TEST(KeyCodecTest, DecodersRejectOtherTablesAndTruncation) {
  std::string id, ticker;
  EXPECT_FALSE(DecodeCompanyKey(PartnershipKey("x"), &id));
  EXPECT_FALSE(DecodeTickerKey(SearchKey("nasdaq:mu", "micron"), &ticker, &id));
  std::string k = CompanyKey("abc");
  EXPECT_FALSE(DecodeCompanyKey(k.substr(0, k.size() - 1), &id));
  EXPECT_FALSE(DecodeCompanyKey(k + "x", &id));
}

TEST(KeyCodecTest, TablesDoNotOverlap) {
  // A company's adjacency prefix never matches another company's keys, even
  // when one id is a prefix of the other.
  std::string a = AdjacencyPrefix("micron");
  std::string b = AdjacencyKey("micron-technology", "2025-01-01", "p1");
  EXPECT_NE(b.compare(0, a.size(), a), 0);
  // Dedupe prefixes for {a,b} do not match {a,b,c}.
  std::string two = DedupePrefix("2025-01-01", {"a", "b"});
  std::string three = DedupeKey("2025-01-01", {"a", "b", "c"}, "p");
  EXPECT_NE(three.compare(0, two.size(), two), 0);
}

TEST(KeyCodecTest, PrefixSuccessor) {
  EXPECT_EQ(PrefixSuccessor("ab"), "ac");
  EXPECT_EQ(PrefixSuccessor(std::string("a\xFF", 2)), "b");
  EXPECT_EQ(PrefixSuccessor(std::string("\xFF\xFF", 2)), "");
}

}  // namespace
}  // namespace partnergraph::storage::keys
