/** The four questions the app can ask, named as the app names them (model contract, "Tasks"). */

export type TaskId = 'description' | 'comparison' | 'reasoning' | 'distortion';
export type ImageSlotId = 'reference' | 'a' | 'b';

export interface TaskInfo {
  id: TaskId;
  label: string;
  summary: string;
  /** Slots the task cannot run without; the reference is always optional. */
  requiredSlots: readonly ImageSlotId[];
}

export const TASKS: readonly TaskInfo[] = [
  {
    id: 'description',
    label: 'Description',
    summary: 'Describes the quality of image A and the distortions it sees, in a paragraph.',
    requiredSlots: ['a'],
  },
  {
    id: 'comparison',
    label: 'Comparison',
    summary: 'Says which of A and B is better, in one word, with a confidence.',
    requiredSlots: ['a', 'b'],
  },
  {
    id: 'reasoning',
    label: 'Reasoning',
    summary: 'Compares A with B and explains why one is better.',
    requiredSlots: ['a', 'b'],
  },
  {
    id: 'distortion',
    label: 'Distortion identification',
    summary: 'Names the main distortion of image A, or none.',
    requiredSlots: ['a'],
  },
];

/** Every image slot, in the order a prompt shows them. */
export const IMAGE_SLOTS = ['reference', 'a', 'b'] as const satisfies readonly ImageSlotId[];

/** Whether a task compares image A with image B: only these read B (and answer with a verdict). */
export function comparesAB(task: TaskId): boolean {
  return taskInfo(task).requiredSlots.includes('b');
}

/**
 * The slots a task reads, in prompt order: the reference when given, A, and B for the pair tasks. With `filled`,
 * only those of the filled slots (as a run takes them from the page's slots).
 */
export function slotsRead(task: TaskId, filled: readonly ImageSlotId[] = IMAGE_SLOTS): ImageSlotId[] {
  return IMAGE_SLOTS.filter((slot) => filled.includes(slot) && (slot !== 'b' || comparesAB(task)));
}

export const SLOT_LABELS: Record<ImageSlotId, string> = {
  reference: 'Reference',
  a: 'Image A',
  b: 'Image B',
};

export function taskInfo(id: TaskId): TaskInfo {
  const task = TASKS.find((candidate) => candidate.id === id);
  if (task === undefined) throw new Error(`Unknown task ${id}`);
  return task;
}
