import { graphsFor, type BundleManifest, type BundleVariant } from '../core/bundle/manifest.ts';
import type { Backend, Capabilities } from '../core/capabilities.ts';
import type { LoadOptions } from '../core/engine/types.ts';
import { AppError } from '../core/errors.ts';

export interface VariantChoice {
  variant: BundleVariant;
  backend: Backend;
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
  const f16 = backend === 'webgpu' && capabilities.adapter?.hasShaderF16 === true;
  const runnable = (variant: BundleVariant): boolean => {
    if (!manifest.variants.includes(variant)) return false;
    const needs = [...graphsFor(manifest, variant).values()].flatMap((graph) => graph.requires);
    return needs.every((feature) => feature === 'shader-f16' && f16);
  };
  if (options.variant !== undefined) {
    if (!manifest.variants.includes(options.variant)) {
      throw new AppError('VARIANT_UNAVAILABLE', `The bundle has no ${options.variant} variant (it has ${manifest.variants.join(', ')}).`, {
        hint: `Choose one of ${manifest.variants.join(', ')}, or convert the model with --precision ${options.variant}.`,
      });
    }
    if (!runnable(options.variant)) {
      throw new AppError('VARIANT_UNAVAILABLE', `The ${options.variant} variant needs 16-bit float shaders (shader-f16), which ${backend === 'webgpu' ? 'this GPU adapter lacks' : 'the CPU backend does not offer'}.`, {
        hint: 'Choose the q4 variant.',
      });
    }
    return { variant: options.variant, backend };
  }
  const preference: BundleVariant[] = f16 ? ['q4f16', 'q4', 'fp32'] : ['q4', 'fp32'];
  const variant = preference.find(runnable);
  if (variant === undefined) {
    throw new AppError('VARIANT_UNAVAILABLE', `None of the bundle's variants (${manifest.variants.join(', ')}) runs on ${backend === 'webgpu' ? 'this GPU adapter' : 'the CPU'}.`, {
      hint: 'Convert the model with --precision q4, which runs everywhere.',
    });
  }
  return { variant, backend };
}
