/** The fp16 conversions live in src/core (the engine uses them too); re-exported for the tools. */
export { fromFloat16Bits, roundToFloat16InPlace, toFloat16Bits } from '../../src/core/float16.ts';
