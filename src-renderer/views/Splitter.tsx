import type { KeyboardEvent, PointerEvent as ReactPointerEvent } from 'react';

export interface SplitterProps {
  /** 'row': a horizontal bar that resizes heights; 'column': a vertical bar that resizes widths. */
  direction: 'row' | 'column';
  label: string;
  size: number;
  min: number;
  max: number;
  /** +1 when dragging right/down grows the pane, -1 when it shrinks it (a pane right of or below the bar). */
  sign: 1 | -1;
  onResize(size: number): void;
}

const KEY_STEP = 16;

/** A draggable (and keyboard-operable) bar between two panes. */
export function Splitter({ direction, label, size, min, max, sign, onResize }: SplitterProps) {
  const clamp = (value: number) => Math.max(min, Math.min(max, value));
  const onPointerDown = (event: ReactPointerEvent) => {
    if (event.button !== 0) return;
    event.preventDefault();
    const start = direction === 'row' ? event.clientY : event.clientX;
    const from = size;
    const move = (e: PointerEvent) => onResize(clamp(from + sign * ((direction === 'row' ? e.clientY : e.clientX) - start)));
    const up = () => {
      window.removeEventListener('pointermove', move);
      window.removeEventListener('pointerup', up);
      document.body.classList.remove('resizing');
    };
    document.body.classList.add('resizing');
    window.addEventListener('pointermove', move);
    window.addEventListener('pointerup', up);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    const grow = direction === 'row' ? ['ArrowDown', 'ArrowUp'] : ['ArrowRight', 'ArrowLeft'];
    const at = grow.indexOf(event.key);
    if (at === -1) return;
    event.preventDefault();
    onResize(clamp(size + (at === 0 ? 1 : -1) * sign * KEY_STEP));
  };
  return (
    <div
      className={`splitter splitter--${direction}`}
      role="separator"
      aria-orientation={direction === 'row' ? 'horizontal' : 'vertical'}
      aria-label={label}
      aria-valuenow={size}
      aria-valuemin={min}
      aria-valuemax={max}
      tabIndex={0}
      onPointerDown={onPointerDown}
      onKeyDown={onKeyDown}
    />
  );
}
