#!/usr/bin/python3
"""scikit-image's SSIM and PSNR timed on the benchmark's images (called by tools/bench/metrics.ts).

Usage: /usr/bin/python3 tools/bench/metrics_skimage.py CASES.json
CASES.json lists {"name", "width", "height", "reference", "distorted", "repeats"} with paths to raw
8-bit RGB bytes [height, width, 3]. Prints one JSON object: per case, the median seconds of each call
(luma: converting both images to BT.601 luma in NumPy) and the values, so the caller can check that both
sides measured the same thing.
"""
import json
import sys
import time

import numpy as np
from skimage.metrics import peak_signal_noise_ratio, structural_similarity


def load(path, width, height):
    return np.fromfile(path, dtype=np.uint8).reshape(height, width, 3)


def luma(rgb):
    r, g, b = (rgb[..., c].astype(np.float64) for c in range(3))
    return 0.299 * r + 0.587 * g + 0.114 * b


def timed(run, repeats):
    times, value = [], None
    for _ in range(repeats):
        start = time.perf_counter()
        value = run()
        times.append(time.perf_counter() - start)
    return float(np.median(times)), float(value)


def main():
    cases = json.load(open(sys.argv[1]))
    out = {}
    for case in cases:
        ref = load(case['reference'], case['width'], case['height'])
        dist = load(case['distorted'], case['width'], case['height'])
        n = case['repeats']
        luma_s, _ = timed(lambda: (luma(ref), luma(dist))[0][0, 0], n)
        x, y = luma(ref), luma(dist)
        ssim_s, ssim = timed(lambda: structural_similarity(
            x, y, gaussian_weights=True, sigma=1.5, use_sample_covariance=False, data_range=255), n)
        psnr_rgb_s, psnr_rgb = timed(lambda: peak_signal_noise_ratio(ref, dist, data_range=255), n)
        psnr_luma_s, psnr_luma = timed(lambda: peak_signal_noise_ratio(x, y, data_range=255), n)
        out[case['name']] = {
            'luma': {'seconds': luma_s, 'value': 0.0},
            'ssim': {'seconds': ssim_s, 'value': ssim},
            'psnrRgb': {'seconds': psnr_rgb_s, 'value': psnr_rgb},
            'psnrLuma': {'seconds': psnr_luma_s, 'value': psnr_luma},
        }
    json.dump(out, sys.stdout)


if __name__ == '__main__':
    main()
