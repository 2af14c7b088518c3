#ifndef PARTNERGRAPH_STORAGE_PLAN_WRITES_H_
#define PARTNERGRAPH_STORAGE_PLAN_WRITES_H_

// The keys a write plan changes, each with its final value (nullopt: the
// key is deleted): found by key in constant time, listed under a prefix in
// key order (a rule scanning the store sees the plan's own writes), and
// walked in key order (the engine writes them sorted).
//
// A bulk import plans a million keys, so the order is paid for only where
// it is used: values live in a hash map with pointer-stable nodes; a table
// (the keys' first byte) gets an ordered index the first time a prefix of
// it is listed, kept up to date from then on; the full order is sorted once
// when the writes are walked.

#include <algorithm>
#include <array>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/btree_set.h"
#include "absl/container/node_hash_map.h"
#include "absl/strings/match.h"
#include "absl/strings/string_view.h"

namespace partnergraph::storage {

class PlanWrites {
 public:
  using Value = std::optional<std::string>;
  using value_type = std::pair<const std::string, Value>;
  using Sorted = std::vector<const value_type*>;

  // Walks the writes in key order; invalidated by Set.
  class const_iterator {
   public:
    using iterator_category = std::random_access_iterator_tag;
    using value_type = PlanWrites::value_type;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    const_iterator() = default;
    explicit const_iterator(Sorted::const_iterator it) : it_(it) {}
    reference operator*() const { return **it_; }
    pointer operator->() const { return *it_; }
    const_iterator& operator++() {
      ++it_;
      return *this;
    }
    const_iterator operator++(int) {
      const_iterator before = *this;
      ++it_;
      return before;
    }
    bool operator==(const const_iterator& o) const { return it_ == o.it_; }
    bool operator!=(const const_iterator& o) const { return it_ != o.it_; }

   private:
    Sorted::const_iterator it_;
  };
  using iterator = const_iterator;

  // Sets `key` to `value` (nullopt deletes it), replacing an earlier write.
  void Set(std::string key, Value value) {
    auto [it, inserted] = values_.try_emplace(std::move(key), std::move(value));
    if (!inserted) {
      it->second = std::move(value);  // try_emplace left `value` untouched
      return;
    }
    sorted_valid_ = false;
    const std::string& k = it->first;
    if (!k.empty() && tables_[Table(k)] != nullptr) {
      tables_[Table(k)]->insert(k);
    }
  }

  // The write of `key`, or nullptr when the plan leaves it alone.
  const Value* Find(absl::string_view key) const {
    auto it = values_.find(key);
    return it == values_.end() ? nullptr : &it->second;
  }
  size_t count(absl::string_view key) const { return values_.count(key); }
  const Value& at(absl::string_view key) const { return values_.at(key); }
  size_t size() const { return values_.size(); }
  bool empty() const { return values_.empty(); }

  // The writes whose keys start with `prefix`, in key order.
  Sorted Under(absl::string_view prefix) const {
    Sorted out;
    if (prefix.empty()) return SortedAll();
    const Order& order = TableOrder(Table(prefix));
    for (auto it = order.lower_bound(prefix);
         it != order.end() && absl::StartsWith(*it, prefix); ++it) {
      out.push_back(&*values_.find(*it));
    }
    return out;
  }

  const_iterator begin() const { return const_iterator(SortedAll().begin()); }
  const_iterator end() const { return const_iterator(SortedAll().end()); }

 private:
  // A table's keys in order: views of the keys held by values_, whose
  // nodes never move.
  using Order = absl::btree_set<absl::string_view>;

  static unsigned char Table(absl::string_view key) {
    return static_cast<unsigned char>(key[0]);
  }

  const Order& TableOrder(unsigned char table) const {
    std::unique_ptr<Order>& order = tables_[table];
    if (order == nullptr) {
      order = std::make_unique<Order>();
      for (const value_type& e : values_) {
        if (!e.first.empty() && Table(e.first) == table) order->insert(e.first);
      }
    }
    return *order;
  }

  const Sorted& SortedAll() const {
    if (!sorted_valid_) {
      // Sorted as (key view, entry) pairs: a comparison reads the keys'
      // bytes without going through the entries.
      std::vector<std::pair<absl::string_view, const value_type*>> keyed;
      keyed.reserve(values_.size());
      for (const value_type& e : values_) keyed.emplace_back(e.first, &e);
      std::sort(keyed.begin(), keyed.end(),
                [](const auto& a, const auto& b) { return a.first < b.first; });
      sorted_.clear();
      sorted_.reserve(keyed.size());
      for (const auto& [key, e] : keyed) sorted_.push_back(e);
      sorted_valid_ = true;
    }
    return sorted_;
  }

  absl::node_hash_map<std::string, Value> values_;
  // Built on first use (const: they only cache what values_ holds).
  mutable std::array<std::unique_ptr<Order>, 256> tables_;
  mutable Sorted sorted_;
  mutable bool sorted_valid_ = true;
};

}  // namespace partnergraph::storage

#endif  // PARTNERGRAPH_STORAGE_PLAN_WRITES_H_
