import { runsF16, variantPreference, type Backend, type Capabilities } from '../capabilities.ts';
import type { LoadOptions } from '../engine/load.ts';
import { AppError } from '../errors.ts';
import { graphsFor, type BundleManifest, type BundleVariant } from './manifest.ts';

/**
 * Which variant runs here: the one rule the engine (what it loads), the capability probe (what it reports) and the
 * model panel's preflight (what it offers) share.
 */

export interface VariantChoice {
  variant: BundleVariant;
  backend: Backend;
}

/** Whether the bundle has `variant` and every graph of it runs here (today the only requirement is shader-f16). */
function canRun(manifest: BundleManifest, variant: BundleVariant, f16: boolean): boolean {
  if (!manifest.variants.includes(variant)) return false;
  const needs = [...graphsFor(manifest, variant).values()].flatMap((graph) => graph.requires);
  return needs.every((feature) => feature === 'shader-f16' && f16);
}

/** The bundle's variants that run on `backend`, fastest first. */
export function runnableVariants(manifest: BundleManifest, capabilities: Capabilities, backend: Backend = capabilities.backend): BundleVariant[] {
  const f16 = runsF16(capabilities, backend);
  return variantPreference(f16).filter((variant) => canRun(manifest, variant, f16));
}

/**
 * Which variant to run and where: the user's choice if given and possible; otherwise the fastest the adapter
 * supports (q4f16 needs shader-f16), falling back to q4 and to the exact fp32 variant, whichever the bundle has.
 */
export function pickVariant(manifest: BundleManifest, capabilities: Capabilities, options: LoadOptions = {}): VariantChoice {
  const backend = options.backend ?? capabilities.backend;
  if (backend === 'webgpu' && capabilities.backend !== 'webgpu') {
    throw new AppError('VARIANT_UNAVAILABLE', 'WebGPU was asked for, but this browser offers no WebGPU adapter.', {
      hint: 'Load the model on the CPU backend, or open the app in a browser with WebGPU.',
    });
  }
  if (options.variant !== undefined) {
    if (!manifest.variants.includes(options.variant)) {
      throw new AppError('VARIANT_UNAVAILABLE', `The bundle has no ${options.variant} variant (it has ${manifest.variants.join(', ')}).`, {
        hint: `Choose one of ${manifest.variants.join(', ')}, or convert the model with --precision ${options.variant}.`,
      });
    }
    if (!canRun(manifest, options.variant, runsF16(capabilities, backend))) {
      throw new AppError('VARIANT_UNAVAILABLE', `The ${options.variant} variant ${needsF16Reason(backend)}.`, {
        hint: 'Choose the q4 variant.',
      });
    }
    return { variant: options.variant, backend };
  }
  const variant = runnableVariants(manifest, capabilities, backend)[0];
  if (variant === undefined) {
    throw new AppError('VARIANT_UNAVAILABLE', `None of the bundle's variants (${manifest.variants.join(', ')}) runs on ${backend === 'webgpu' ? 'this GPU adapter' : 'the CPU'}.`, {
      hint: 'Convert the model with --precision q4, which runs everywhere.',
    });
  }
  return { variant, backend };
}

/** Why an fp16 variant does not run on `backend`, as the end of a sentence naming it. */
export function needsF16Reason(backend: Backend): string {
  return `needs 16-bit float shaders (shader-f16), which ${backend === 'webgpu' ? 'this GPU adapter lacks' : 'the CPU backend does not offer'}`;
}
