/**
 * How the record views reach the record store (store/record-store.ts): one
 * context, set up in main.tsx beside the app's.
 */

import { createContext, useContext, useMemo } from 'react';
import { useStore } from 'zustand';
import type { RecordActions, RecordState, RecordStore } from '../../store/record-store';

export const RecordContext = createContext<RecordStore | null>(null);

export function useRecordStore(): RecordStore {
  const store = useContext(RecordContext);
  if (store === null) throw new Error('RecordContext is missing: render inside <RecordContext value={...}>');
  return store;
}

/** Reads the record store; the selector must return stored values (not fresh objects). */
export function useRecord<T>(selector: (state: RecordState & RecordActions) => T): T {
  return useStore(useRecordStore(), selector);
}

/**
 * The store's verbs. The functions never change, but getState() is a new
 * object after every change, so it is taken once: effects that depend on
 * the actions must not run again on every progress event.
 */
export function useRecordActions(): RecordActions {
  const store = useRecordStore();
  return useMemo(() => store.getState(), [store]);
}
