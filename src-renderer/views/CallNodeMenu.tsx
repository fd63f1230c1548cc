/**
 * The context menu of a call node (a call tree row, a flame graph box): the
 * transforms that can be made from it, plus "show in sandwich". Choosing one
 * adds a transform chip that applies to every view.
 */

import { useEffect, useLayoutEffect, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { Transform } from '../../src-shared/analysis/transforms';
import { stringAt, type IndexIntoFuncTable, type Profile } from '../../src-shared/profile/model';
import { funcNamesOf } from '../store/derived';
import { useAppState } from './app-context';

export interface CallNodeMenuTarget {
  /** Pointer position, viewport pixels. */
  x: number;
  y: number;
  /** The node's path of functions: from the root, or from the leaf in an inverted tree. */
  path: readonly IndexIntoFuncTable[];
  inverted: boolean;
}

interface Item {
  label: string;
  testId: string;
  run(): void;
  disabled?: boolean;
}

export function CallNodeMenu({ profile, target, onClose }: { profile: Profile; target: CallNodeMenuTarget; onClose(): void }) {
  const transformAdded = useAppState((state) => state.transformAdded);
  const viewChanged = useAppState((state) => state.viewChanged);
  const functionSelected = useAppState((state) => state.functionSelected);
  const menu = useRef<HTMLDivElement>(null);
  const [position, setPosition] = useState({ left: target.x, top: target.y });
  const func = target.path[target.path.length - 1];
  const name = funcNamesOf(profile)[func] ?? '?';
  const library = profile.funcs.library[func];
  const libraryName = stringAt(profile, library).split('/').pop() ?? '';

  const add = (transform: Transform) => () => transformAdded(transform);
  const items: Item[] = [
    { label: `Focus on function “${name}”`, testId: 'menu-focus-function', run: add({ type: 'focus-function', func }) },
    {
      label: target.inverted ? 'Focus on these callers' : 'Focus on subtree',
      testId: 'menu-focus-subtree',
      run: add({ type: 'focus-subtree', path: [...target.path], inverted: target.inverted }),
    },
    { label: `Merge function “${name}”`, testId: 'menu-merge-function', run: add({ type: 'merge-function', func }) },
    {
      label: library >= 0 ? `Merge library ${libraryName}` : 'Merge library (none named)',
      testId: 'menu-merge-library',
      run: add({ type: 'merge-library', library }),
      disabled: library < 0,
    },
    { label: 'Collapse recursion', testId: 'menu-collapse-recursion', run: add({ type: 'collapse-recursion', func }) },
    { label: 'Collapse direct recursion only', testId: 'menu-collapse-direct-recursion', run: add({ type: 'collapse-direct-recursion', func }) },
    { label: `Drop samples with “${name}”`, testId: 'menu-drop-function', run: add({ type: 'drop-function', func }) },
    {
      label: 'Show callers and callees (sandwich)',
      testId: 'menu-sandwich',
      run: () => {
        functionSelected(func);
        viewChanged({ mainView: 'sandwich' });
      },
    },
  ];

  // Keep the menu inside the window.
  useLayoutEffect(() => {
    const element = menu.current;
    if (element === null) return;
    const left = Math.max(4, Math.min(target.x, window.innerWidth - element.offsetWidth - 4));
    const top = Math.max(4, Math.min(target.y, window.innerHeight - element.offsetHeight - 4));
    setPosition({ left, top });
    element.querySelector<HTMLButtonElement>('button:not(:disabled)')?.focus();
  }, [target.x, target.y]);

  useEffect(() => {
    const onPointer = (event: PointerEvent) => {
      if (!menu.current?.contains(event.target as Node)) onClose();
    };
    window.addEventListener('pointerdown', onPointer, true);
    window.addEventListener('blur', onClose);
    return () => {
      window.removeEventListener('pointerdown', onPointer, true);
      window.removeEventListener('blur', onClose);
    };
  }, [onClose]);

  const onKeyDown = (event: ReactKeyboardEvent) => {
    if (event.key === 'Escape') {
      event.preventDefault();
      onClose();
      return;
    }
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const buttons = [...(menu.current?.querySelectorAll<HTMLButtonElement>('button:not(:disabled)') ?? [])];
    const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
    buttons[(at + (event.key === 'ArrowDown' ? 1 : -1) + buttons.length) % buttons.length]?.focus();
  };

  return (
    <div className="menu__popup context-menu" role="menu" ref={menu} style={position} onKeyDown={onKeyDown} data-testid="call-node-menu">
      {items.map((item) => (
        <button
          key={item.testId}
          type="button"
          role="menuitem"
          className="menu__item"
          data-testid={item.testId}
          disabled={item.disabled}
          onClick={() => {
            onClose();
            item.run();
          }}
        >
          {item.label}
        </button>
      ))}
    </div>
  );
}
