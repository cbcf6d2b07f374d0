import { ENGINE_METHODS, type EngineApi, type EngineWorkerApi } from '../core/engine/api.ts';

/** Every EngineApi method named: the compiler fails here when one is added to EngineApi and not to ENGINE_METHODS. */
type Unlisted = Exclude<keyof EngineApi, (typeof ENGINE_METHODS)[number]>;
const everyMethodListed: Unlisted extends never ? true : Unlisted = true;
void everyMethodListed;

/**
 * The engine as the worker exposes it (EngineWorkerApi): each method bound to `engine`, and the streamed jobs'
 * results left to their `done` events, so that a result crosses the boundary once.
 */
export function workerFace(engine: EngineApi): EngineWorkerApi {
  const face = Object.fromEntries(ENGINE_METHODS.map((name) => [name, engine[name].bind(engine)])) as unknown as EngineWorkerApi;
  face.generate = async (request, onEvent) => {
    await engine.generate(request, onEvent);
  };
  face.rank = async (request, onEvent) => {
    await engine.rank(request, onEvent);
  };
  face.localize = async (request, onEvent) => {
    await engine.localize(request, onEvent);
  };
  return face;
}
