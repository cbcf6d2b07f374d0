import { create } from 'zustand';
import { serializeError, type SerializedError } from '../core/errors.ts';

export interface ShownError extends SerializedError {
  id: number;
}

interface ErrorState {
  errors: ShownError[];
  report: (error: unknown) => void;
  dismiss: (id: number) => void;
}

let nextId = 1;

/** Errors the page shows at the top level until the user dismisses them. */
export const useErrorStore = create<ErrorState>()((set) => ({
  errors: [],
  report: (error) => {
    const shown = { ...serializeError(error), id: nextId++ };
    set((state) => ({ errors: [...state.errors, shown] }));
  },
  dismiss: (id) => set((state) => ({ errors: state.errors.filter((error) => error.id !== id) })),
}));
