/**
 * A dialog over the window: a title bar with a close button, Escape closes,
 * focus stays inside while it is open (the page behind is inert).
 */

import { useEffect, useRef, type ReactNode } from 'react';

export function Modal(props: { title: string; testId: string; onClose(): void; wide?: boolean; children: ReactNode }) {
  const { onClose } = props;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.stopPropagation();
        onClose();
      }
    };
    window.addEventListener('keydown', onKey, true);
    const main = document.querySelector('.app');
    main?.setAttribute('inert', '');
    return () => {
      window.removeEventListener('keydown', onKey, true);
      main?.removeAttribute('inert');
    };
  }, [onClose]);
  return (
    <div className="record-backdrop">
      <div ref={ref} className={props.wide ? 'record-modal record-modal--wide' : 'record-modal'} role="dialog" aria-modal="true" aria-label={props.title} data-testid={props.testId}>
        <header className="record-modal__title">
          <h2>{props.title}</h2>
          <button type="button" className="button button--quiet" aria-label={`Close ${props.title}`} onClick={onClose}>
            ×
          </button>
        </header>
        <div className="record-modal__body">{props.children}</div>
      </div>
    </div>
  );
}
