/**
 * The test helper that turns Heatline's C++ names (as c++filt prints them)
 * into perf report's (no parameters, no template return type): the tests
 * that compare function shares with perf look rows up through it.
 */

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withoutParameters } from '../helpers/perf';

test("names compare with perf report's: parameters and a template's return type dropped, the rest kept", () => {
  const cases: [string, string][] = [
    ['detail::sprp(unsigned long long, unsigned long long)', 'detail::sprp'],
    ['void v8::internal::CalculateLineEndsImpl<unsigned char>(std::vector<int, std::allocator<int> >*, v8::base::Vector<unsigned char const>, bool)', 'v8::internal::CalculateLineEndsImpl<unsigned char>'],
    ['std::vector<int, std::allocator<int> >::push_back(int const&)', 'std::vector<int, std::allocator<int> >::push_back'],
    ['(anonymous namespace)::visit<int>(int) const', '(anonymous namespace)::visit<int>'],
    ['Holder<int>::operator bool() const', 'Holder<int>::operator bool'],
    ['main', 'main'],
    ['JS:*fib /tmp/fib.js:2:13', 'JS:*fib /tmp/fib.js:2:13'],
  ];
  for (const [ours, perfs] of cases) assert.equal(withoutParameters(ours), perfs, ours);
});
