// The C++ file bench/dhat.bench.ts compiles with GCC's cc1plus under
// `valgrind --tool=dhat` to get a large, real DHAT profile: many standard
// headers and template instantiations make the compiler allocate from tens
// of thousands of distinct call stacks.
#include <algorithm>
#include <chrono>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <variant>
#include <vector>

template <typename Key, typename Value>
std::map<Key, std::vector<Value>> group(const std::vector<std::pair<Key, Value>>& items) {
  std::map<Key, std::vector<Value>> out;
  for (const auto& [key, value] : items) out[key].push_back(value);
  return out;
}

struct Shape {
  std::variant<int, double, std::string> size;
  std::optional<std::string> label;
};

int main(int argc, char** argv) {
  std::vector<std::pair<std::string, int>> items;
  for (int i = 0; i < argc * 10; i++) items.emplace_back(std::to_string(i % 7), i);
  auto grouped = group(items);
  std::unordered_map<std::string, std::set<int>> index;
  for (const auto& [key, values] : grouped) index[key].insert(values.begin(), values.end());
  std::regex pattern("([a-z]+)([0-9]*)");
  std::smatch match;
  std::string text = argc > 1 ? argv[1] : "abc123";
  std::ostringstream os;
  if (std::regex_match(text, match, pattern)) os << std::quoted(match[1].str()) << match[2];
  std::vector<Shape> shapes{{1, "one"}, {2.5, std::nullopt}, {std::string("x"), "three"}};
  std::sort(shapes.begin(), shapes.end(), [](const Shape& a, const Shape& b) { return a.size.index() < b.size.index(); });
  auto started = std::chrono::steady_clock::now();
  std::function<int(int)> fib = [&](int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); };
  std::thread worker([&] { os << fib(20); });
  worker.join();
  std::cout << os.str() << ' ' << shapes.size() << ' ' << index.size() << ' '
            << std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count() << '\n';
}
