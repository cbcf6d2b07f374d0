import { create } from 'zustand';
import type { TaskId } from '../core/tasks.ts';

interface TaskState {
  task: TaskId;
  setTask: (task: TaskId) => void;
}

export const useTaskStore = create<TaskState>()((set) => ({
  task: 'description',
  setTask: (task) => set({ task }),
}));
