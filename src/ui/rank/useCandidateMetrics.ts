import { useEffect, useState } from 'react';
import { imageFile, withMetrics } from '../../client/metricsClient.ts';
import type { AgreementMetric } from '../../core/ranking/agreement.ts';
import type { SlotImage } from '../../state/useImageStore.ts';

export type CandidateMetrics = Partial<Record<AgreementMetric, number | null>> | null;

export interface CandidateMetricsState {
  /** By candidate index; null for a candidate of another size than the reference, or one that failed. */
  values: CandidateMetrics[];
  done: number;
  /** Why some candidates have no value, one line each. */
  problems: string[];
}

/** PSNR, SSIM, MS-SSIM and GMSD of each candidate against the reference, computed one by one in the metrics worker. */
export function useCandidateMetrics(reference: SlotImage | null, candidates: readonly SlotImage[]): CandidateMetricsState | null {
  const [state, setState] = useState<(CandidateMetricsState & { key: string }) | null>(null);
  const key = reference === null ? null : [reference.id, ...candidates.map((image) => image.id)].join(',');
  useEffect(() => {
    if (reference === null || key === null) return;
    let live = true;
    const values: CandidateMetrics[] = [];
    const problems: string[] = [];
    void (async () => {
      for (const image of candidates) {
        if (image.width !== reference.width || image.height !== reference.height) {
          values.push(null);
          problems.push(`${image.name}: ${image.width}×${image.height}, the reference is ${reference.width}×${reference.height}.`);
        } else {
          try {
            const result = await withMetrics((metrics) => metrics.compareFiles(imageFile(reference), imageFile(image), { ssimMap: false }));
            values.push({ psnr: result.psnrRgb ?? result.psnrLuma, ssim: result.ssim, msSsim: result.msSsim, gmsd: result.gmsd });
          } catch (error) {
            values.push(null);
            problems.push(`${image.name}: ${error instanceof Error ? error.message : String(error)}`);
          }
        }
        if (!live) return;
        setState({ key, values: [...values], done: values.length, problems: [...problems] });
      }
    })();
    return () => {
      live = false;
    };
    // The key stands for the images: a new array of the same images computes nothing again.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [key]);
  if (key === null) return null;
  return state?.key === key ? state : { values: [], done: 0, problems: [] };
}
