/**
 * The assembly of the selected function: objdump's listing from the host,
 * each instruction with its self and total over the current selection,
 * source lines interleaved (with their text when the host can read the
 * file), and jumps within the function clickable.
 */

import { useEffect, useMemo, useRef, useState } from 'react';
import { useStore } from 'zustand';
import type { Instruction } from '../../../src-shared/contract';
import { FuncKind, stringAt, type IndexIntoFuncTable, type Profile } from '../../../src-shared/profile/model';
import { formatPercent, formatWeight } from '../../format/numbers';
import { asmKey, textKey } from '../../store/source-service';
import { useServices } from '../app-context';
import { useAnalysis } from '../use-analysis';
import { useDisplayUnit } from '../use-display-unit';
import { assemblyRows } from './assembly-rows';

interface Props {
  profile: Profile;
  profileId: string;
  func: IndexIntoFuncTable;
}

export function AssemblyView({ profile, profileId, func }: Props) {
  const { source } = useServices();
  const { result } = useAnalysis();
  const costs = result?.asmCosts?.func === func ? result.asmCosts : null;
  const library = func >= 0 && profile.funcs.library[func] >= 0 ? stringAt(profile, profile.funcs.library[func]) : null;
  const name = func >= 0 ? stringAt(profile, profile.funcs.name[func], '[unknown]') : '';
  const key = library === null ? '' : asmKey(profileId, library, name);
  const fetched = useStore(source.store, (state) => state.disassembly.get(key));
  // perf.data frames carry file offsets, which place costs on instructions; other formats' addresses are run-time ones.
  const addressesAreOffsets = profile.meta.format === 'perf.data';
  const hasAddresses = costs !== null && costs.address.length > 0;
  const canAsk = library !== null && costs !== null && (hasAddresses || !addressesAreOffsets);

  useEffect(() => {
    // Without file offsets the host finds the function by name; the offsets then only satisfy the call's shape.
    if (canAsk) source.wantDisassembly(profileId, library!, name, hasAddresses ? Array.from(costs!.address) : [0]);
  }, [source, profileId, library, name, costs, canAsk, hasAddresses]);

  if (func < 0) return <div className="source-bar">Select a function to see its assembly.</div>;
  if (profile.funcs.kind[func] === FuncKind.kernel) {
    // Kernel frames carry run-time addresses and the kernel image is not a file we read (perf annotate needs vmlinux).
    return <div className="source-bar">{name}: kernel code; Heatline disassembles the program and its libraries, not the kernel.</div>;
  }
  if (library === null) return <div className="source-bar">{name}: the profile names no binary for this function, so there is nothing to disassemble.</div>;
  if (costs === null) return <div className="source-bar">Computing {name}’s costs…</div>;
  if (!canAsk && fetched === undefined) {
    return <div className="source-bar">{name}: no sampled addresses in this selection (the format records no addresses, or the function ran only inlined).</div>;
  }
  if (fetched === undefined || fetched.state === 'loading') return <div className="source-bar">Disassembling {name}…</div>;
  if (fetched.state === 'failed') return <div className="source-bar source-bar--error">{fetched.message}</div>;
  const listing = fetched.value;
  if (listing.kind === 'unavailable') {
    return (
      <div className="source-bar source-bar--warning" data-testid="assembly-unavailable">
        {listing.message}
      </div>
    );
  }
  return (
    <AssemblyTable
      profile={profile}
      profileId={profileId}
      instructions={listing.instructions}
      costs={addressesAreOffsets ? costs : null}
      binaryPath={listing.binaryPath}
      symbol={listing.symbol}
      truncated={listing.truncated}
    />
  );
}

interface TableProps {
  profile: Profile;
  profileId: string;
  instructions: Instruction[];
  costs: NonNullable<ReturnType<typeof useAnalysis>['result']>['asmCosts'];
  binaryPath: string;
  symbol: string;
  truncated: boolean;
}

function AssemblyTable({ profile, profileId, instructions, costs, binaryPath, symbol, truncated }: TableProps) {
  const { source } = useServices();
  const unit = useDisplayUnit(profile);
  const rows = useMemo(() => assemblyRows(instructions, costs), [instructions, costs]);
  const whole = costs?.grandTotal ?? 0;
  const [target, setTarget] = useState(-1);
  const body = useRef<HTMLDivElement>(null);
  const hottest = useMemo(() => {
    let best = -1;
    let bestSelf = 0;
    for (const row of rows) if (row.kind === 'insn' && row.self > bestSelf) [best, bestSelf] = [row.index, row.self];
    return best;
  }, [rows]);
  const maxSelf = hottest === -1 ? 0 : (rows.find((r) => r.kind === 'insn' && r.index === hottest) as { self: number }).self;

  // Source text for the interleaved lines, from files the profile names (others would be refused).
  const files = useMemo(() => [...new Set(instructions.map((i) => i.file).filter((f): f is string => f !== null && profile.strings.includes(f)))], [instructions, profile]);
  useEffect(() => files.forEach((file) => source.wantText(profileId, file)), [source, profileId, files]);
  const texts = useStore(source.store, (state) => state.texts);
  const lineText = (file: string | null, line: number): string | null => {
    if (file === null) return null;
    const fetched = texts.get(textKey(profileId, file));
    if (fetched?.state !== 'done' || fetched.value.kind !== 'found') return null;
    return fetched.value.text.split('\n')[line - 1] ?? null;
  };

  const scrollTo = (index: number) => {
    setTarget(index);
    body.current?.querySelector(`[data-insn-index="${index}"]`)?.scrollIntoView({ block: 'center' });
  };
  // Open on the hottest instruction.
  useEffect(() => {
    if (hottest >= 0) body.current?.querySelector(`[data-insn-index="${hottest}"]`)?.scrollIntoView({ block: 'center' });
  }, [hottest]);

  const indexOfOffset = new Map(instructions.map((insn, i) => [insn.offset, i]));
  return (
    <div className="assembly" data-testid="assembly" data-hottest-offset={hottest >= 0 ? instructions[hottest].offset : -1} data-hottest-address={hottest >= 0 ? instructions[hottest].address : -1}>
      <div className="source-file__header">
        <span className="source-file__path" title={binaryPath}>
          {symbol} in {binaryPath}
        </span>
        <span className="source-file__legend">self · self% · total · total% · address · instruction</span>
      </div>
      {truncated && <div className="source-bar source-bar--warning">The listing was cut short: the function is very large.</div>}
      {costs === null && (
        <div className="source-bar" data-testid="assembly-no-costs">
          No per-instruction costs: this format records run-time addresses, not places in the binary (a perf.data recording has them).
        </div>
      )}
      <div className="assembly__body" ref={body}>
        <table className="assembly__table">
          <tbody>
            {rows.map((row, i) => {
              if (row.kind === 'source') {
                const text = lineText(row.file, row.line);
                return (
                  <tr key={`s${i}`} className="assembly__source">
                    <td colSpan={5} title={row.file ?? ''}>
                      {(row.file ?? '').split('/').pop()}:{row.line}
                    </td>
                    <td className="assembly__source-text">{text ?? ''}</td>
                  </tr>
                );
              }
              const { insn, index } = row;
              const heat = maxSelf > 0 ? Math.min(7, Math.floor((row.self / maxSelf) * 8)) : 0;
              const jumpIndex = insn.jumpTargetOffset >= 0 ? (indexOfOffset.get(insn.jumpTargetOffset) ?? -1) : -1;
              return (
                <tr
                  key={`i${index}`}
                  data-insn-index={index}
                  data-testid="assembly-row"
                  data-offset={insn.offset}
                  data-address={insn.address}
                  data-self={row.self}
                  className={`assembly__insn${row.self > 0 ? ` heat-line--${heat}` : ''}${index === target ? ' assembly__insn--target' : ''}${index === hottest ? ' assembly__insn--hottest' : ''}`}
                >
                  <td className="num">{row.self > 0 ? formatWeight(row.self, unit) : ''}</td>
                  <td className="num">{row.self > 0 ? formatPercent(row.self, whole) : ''}</td>
                  <td className="num">{row.total > 0 ? formatWeight(row.total, unit) : ''}</td>
                  <td className="num">{row.total > 0 ? formatPercent(row.total, whole) : ''}</td>
                  <td className="assembly__address">{insn.address.toString(16)}</td>
                  <td className="assembly__text">
                    {jumpIndex >= 0 ? <JumpText text={insn.text} onJump={() => scrollTo(jumpIndex)} /> : insn.text}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}

/** "jne    11f0 <work_40+0x10>" with the target as a link. */
function JumpText({ text, onJump }: { text: string; onJump: () => void }) {
  const match = /^(\S+\s+\*?)(.*)$/.exec(text);
  if (match === null) return <>{text}</>;
  return (
    <>
      {match[1]}
      <button type="button" className="assembly__jump" data-testid="assembly-jump" onClick={onJump} title="Go to the jump target">
        {match[2]}
      </button>
    </>
  );
}
