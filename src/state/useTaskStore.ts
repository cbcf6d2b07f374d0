import { create } from 'zustand';
import type { TaskId } from '../core/tasks.ts';

/** 'task': one question about the image slots; 'rank': many candidates ranked by pairwise comparisons. */
export type PageMode = 'task' | 'rank' | 'methods';

interface TaskState {
  task: TaskId;
  mode: PageMode;
  /** Picks a task (and leaves the Rank mode). */
  setTask: (task: TaskId) => void;
  setMode: (mode: PageMode) => void;
}

export const useTaskStore = create<TaskState>()((set) => ({
  task: 'description',
  mode: 'task',
  setTask: (task) => set({ task, mode: 'task' }),
  setMode: (mode) => set({ mode }),
}));
