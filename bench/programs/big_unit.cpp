// One translation unit of bench/perf-data.bench.ts's big binary: compiled
// many times with -DUNIT=<n>, each copy instantiating standard-library
// templates (map, unordered_map, regex, variant, function, streams), so the
// program carries tens of MB of DWARF, as a real C++ application does, while
// a short recording samples only a few functions of each unit.
#include <functional>
#include <iostream>
#include <map>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#define JOIN2(a, b) a##b
#define JOIN(a, b) JOIN2(a, b)
#define UNIT_NS JOIN(unit_, UNIT)
#define UNIT_WORK JOIN(work_, UNIT)

namespace UNIT_NS {
template <typename K, typename V>
std::map<K, std::vector<V>> group(const std::vector<std::pair<K, V>>& items) {
  std::map<K, std::vector<V>> out;
  for (const auto& [key, value] : items) out[key].push_back(value);
  return out;
}
}  // namespace UNIT_NS

long UNIT_WORK(long n) {
  std::vector<std::pair<std::string, long>> items;
  for (long i = 0; i < n; i++) items.emplace_back(std::to_string(i % 13), i);
  auto grouped = UNIT_NS::group(items);
  std::unordered_map<std::string, std::set<long>> index;
  for (auto& [key, values] : grouped) index[key].insert(values.begin(), values.end());
  std::regex digits("[0-9]+");
  std::ostringstream text;
  for (auto& [key, values] : index) text << key << values.size();
  std::variant<int, double, std::string> value = text.str();
  std::function<long(long)> size = [&](long x) { return x + static_cast<long>(std::get<std::string>(value).size()); };
  return size(std::regex_match(text.str(), digits) ? 1 : 0);
}
