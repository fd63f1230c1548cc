/**
 * DWARF CFI unwinding of sampled user stacks (`perf record --call-graph
 * dwarf`). See README.md in this folder for the contract with the importer.
 */

export { CfiTable } from './cfi';
export { CfiCache, mappingBias } from './modules';
export { perfRegsFromView, perfRegsToDwarf, type UnwindArch } from './registers';
export { unwindUserStack, unwindUserStackDetailed, type StopReason, type UnwindInput, type UnwindModule, type UnwindResult } from './unwind';
