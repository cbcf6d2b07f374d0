import { transferHandlers, type TransferHandler } from 'comlink';
import { deserializeError, serializeError, type SerializedError } from '../src/core/errors.ts';

interface ThrownValue {
  value: unknown;
}

let registered = false;

/**
 * Comlink flattens thrown errors to `{ name, message, stack }`. This handler keeps our `code`, `hint`
 * and `cause`, so the UI can show what to do next. Both sides of a worker call it before talking.
 */
export function registerErrorTransfer(): void {
  if (registered) return;
  const builtIn = transferHandlers.get('throw');
  if (builtIn === undefined) throw new Error("Comlink has no 'throw' transfer handler to replace");
  const handler: TransferHandler<ThrownValue, SerializedError> = {
    // Comlink marks thrown values with a private symbol; only its own handler can recognise them.
    canHandle: (value): value is ThrownValue => builtIn.canHandle(value),
    serialize: (thrown) => [serializeError(thrown.value), []],
    deserialize: (data) => {
      throw deserializeError(data);
    },
  };
  transferHandlers.set('throw', handler as TransferHandler<unknown, unknown>);
  registered = true;
}
