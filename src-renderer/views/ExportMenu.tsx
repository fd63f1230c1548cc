import { useEffect, useId, useRef, useState, type KeyboardEvent as ReactKeyboardEvent } from 'react';
import type { ExportFormat } from '../../src-shared/contract';
import { useActions } from './app-context';

const items: { format: ExportFormat; label: string }[] = [
  // Both export what the views show: the selected range and threads (and, for speedscope, the transforms).
  { format: 'speedscope', label: 'Export selection as speedscope JSON' },
  { format: 'collapsed', label: 'Export selection as collapsed stacks' },
];

/** A small menu button; closes on choice, Escape, or a click elsewhere. */
export function ExportMenu() {
  const actions = useActions();
  const [open, setOpen] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    if (!open) return;
    const onPointer = (event: PointerEvent) => {
      if (!root.current?.contains(event.target as Node)) setOpen(false);
    };
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== 'Escape') return;
      setOpen(false);
      button.current?.focus();
    };
    // Focus the first item so the keyboard can go on from where the menu opened.
    root.current?.querySelector<HTMLButtonElement>('[role="menuitem"]')?.focus();
    window.addEventListener('pointerdown', onPointer);
    window.addEventListener('keydown', onKey);
    return () => {
      window.removeEventListener('pointerdown', onPointer);
      window.removeEventListener('keydown', onKey);
    };
  }, [open]);

  const moveFocus = (event: ReactKeyboardEvent<HTMLDivElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    event.preventDefault();
    const entries = [...(root.current?.querySelectorAll<HTMLButtonElement>('[role="menuitem"]') ?? [])];
    const at = entries.indexOf(document.activeElement as HTMLButtonElement);
    const next = (at + (event.key === 'ArrowDown' ? 1 : -1) + entries.length) % entries.length;
    entries[next]?.focus();
  };

  return (
    <div className="menu" ref={root}>
      <button
        ref={button}
        type="button"
        className="button"
        aria-haspopup="menu"
        aria-expanded={open}
        aria-controls={open ? menuId : undefined}
        onClick={() => setOpen((value) => !value)}
      >
        Export <span aria-hidden="true">▾</span>
      </button>
      {open && (
        <div className="menu__popup" role="menu" id={menuId} onKeyDown={moveFocus}>
          {items.map((item) => (
            <button
              key={item.format}
              type="button"
              role="menuitem"
              className="menu__item"
              onClick={() => {
                setOpen(false);
                void actions.exportAs(item.format);
              }}
            >
              {item.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
