import { AppError } from '../errors.ts';
import { SLOT_LABELS, TASKS, type ImageSlotId, type TaskId } from '../tasks.ts';
import type { GenerateRequest } from './generate.ts';
import type { ImageRef } from './images.ts';

export interface CheckedRequest<Image = ImageRef> {
  task: TaskId;
  hasReference: boolean;
  /** The image (its bytes or its id) of every slot the prompt shows, in no particular order. */
  images: Partial<Record<ImageSlotId, Image>>;
}

/**
 * Checks that the request names a known task and an image for every slot the task needs. Images in slots the
 * task does not show (B for a description) are left out, so the UI can keep them loaded between tasks.
 */
export function checkRequest(request: GenerateRequest): CheckedRequest {
  const info = TASKS.find((task) => task.id === request.task);
  if (info === undefined) {
    throw new AppError('REQUEST_INVALID', `Unknown task "${String(request.task)}".`, {
      hint: `Choose one of ${TASKS.map((task) => task.id).join(', ')}.`,
    });
  }
  const given = request.images ?? {};
  const missing = info.requiredSlots.filter((slot) => !isImage(given[slot]));
  if (missing.length > 0) {
    const names = missing.map((slot) => SLOT_LABELS[slot]).join(' and ');
    throw new AppError('IMAGE_MISSING', `The ${info.label.toLowerCase()} task needs ${names}.`, {
      hint: `Add ${names}, or choose a task that needs fewer images.`,
    });
  }
  const images: Partial<Record<ImageSlotId, ImageRef>> = {};
  for (const slot of info.requiredSlots) images[slot] = given[slot]!;
  const reference = given.reference;
  if (reference !== undefined && !isImage(reference)) {
    throw new AppError('REQUEST_INVALID', 'The reference image has neither bytes nor an id.', { hint: 'Add the reference image again, or clear its slot.' });
  }
  if (reference !== undefined) images.reference = reference;
  return { task: info.id, hasReference: reference !== undefined, images };
}

/** A non-empty id, or a named file's bytes (with or without its id). */
function isImage(value: unknown): value is ImageRef {
  if (typeof value === 'string') return value.length > 0;
  if (typeof value !== 'object' || value === null) return false;
  const input = value as { name?: unknown; bytes?: unknown };
  return input.bytes instanceof Uint8Array && typeof input.name === 'string';
}
