#!/usr/bin/python3
"""Reference numbers for the dataset evaluation's merge, computed independently with SciPy.

Writes cli/eval/fixtures/eval_merge.json (or the path given): comparison records of a few reference groups (p(A), p(B) for both
orders of every pair), and what DepictQA's protocol makes of them:
- voting score of an image: the mean, over its answers, of its normalised probability p(own) / (p(A) + p(B))
  (the winner gets its confidence, the loser 1 - it: src/eval/cal_srcc_plcc_voting.py);
- per group: SRCC (scipy.stats.spearmanr) of voting scores with the MOS; PLCC (scipy.stats.pearsonr) of the
  MOS with the 4-parameter logistic fitted by scipy.optimize.curve_fit from DepictQA's start
  [max y, min y, mean x, std x / 4], maxfev 10000;
- srcc / plcc: means over groups; pooled: all images at once;
- 2AFC of triplets: p = sigmoid(mean of the two orders' log-odds, clamped to [1e-6, 1 - 1e-6]),
  score = mean of p h + (1 - p)(1 - h).
Run: /usr/bin/python3 cli/eval/make_eval_fixture.py
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import curve_fit
from scipy.stats import pearsonr, spearmanr


def logistic_4params(x, b1, b2, b3, b4):
    return (b1 - b2) / (1 + np.exp(-(x - b3) / np.abs(b4))) + b2


def fitted_plcc(x, y):
    x = np.asarray(x, dtype=np.float64)
    y = np.asarray(y, dtype=np.float64)
    p0 = [np.max(y), np.min(y), np.mean(x), np.std(x) / 4.0]
    popt, _ = curve_fit(logistic_4params, x, y, p0=p0, maxfev=10000)
    return float(pearsonr(logistic_4params(x, *popt), y)[0])


def voting(n, records):
    sums = np.zeros(n)
    counts = np.zeros(n)
    for r in records:
        q = r["pA"] / (r["pA"] + r["pB"])
        sums[r["a"]] += q
        counts[r["a"]] += 1
        sums[r["b"]] += 1 - q
        counts[r["b"]] += 1
    return sums / counts


def logit(p):
    p = min(1 - 1e-6, max(1e-6, p))
    return np.log(p / (1 - p))


def main():
    rng = np.random.RandomState(20240917)
    groups = []
    expected_groups = []
    pooled_x = []
    pooled_y = []
    for g, n in enumerate([5, 6, 7, 8, 6]):
        quality = rng.randn(n)
        mos = np.round(3 + 1.2 * quality + 0.3 * rng.randn(n), 2)
        if g == 1:
            mos[2] = mos[3]  # a tie in the MOS
        names = [f"g{g}_img{k}.png" for k in range(n)]
        records = []
        for i in range(n):
            for j in range(n):
                if i == j:
                    continue
                p = 1 / (1 + np.exp(-(quality[i] - quality[j] + 0.4 + 0.6 * rng.randn())))
                other = 0.1 * rng.rand()
                records.append({"a": i, "b": j, "pA": float((1 - other) * p), "pB": float((1 - other) * (1 - p))})
        x = voting(n, records)
        srcc = float(spearmanr(x, mos)[0])
        plcc = fitted_plcc(x, mos)
        expected_groups.append({"group": f"REF{g}", "srcc": srcc, "plcc": plcc, "voting": x.tolist()})
        pooled_x += x.tolist()
        pooled_y += mos.tolist()
        groups.append({
            "key": f"REF{g}",
            "images": [{"name": name, "mos": float(m)} for name, m in zip(names, mos)],
            "records": [{"imageA": names[r["a"]], "imageB": names[r["b"]], "pA": r["pA"], "pB": r["pB"]} for r in records],
        })

    triplet_records = []
    triplets = []
    two_afc = []
    for t in range(6):
        h = float(np.round(rng.rand(), 3))
        f = float(rng.rand())
        b = float(rng.rand())
        triplet_records += [
            {"imageA": f"t{t}_a.png", "imageB": f"t{t}_b.png", "pA": 0.9 * f, "pB": 0.9 * (1 - f)},
            {"imageA": f"t{t}_b.png", "imageB": f"t{t}_a.png", "pA": 0.95 * b, "pB": 0.95 * (1 - b)},
        ]
        triplets.append({"a": f"t{t}_a.png", "b": f"t{t}_b.png", "humanPrefersA": h})
        p = 1 / (1 + np.exp(-(logit(f) + logit(1 - b)) / 2))
        two_afc.append(p * h + (1 - p) * (1 - h))

    fixture = {
        "about": "Written by cli/eval/make_eval_fixture.py (SciPy); do not edit.",
        "groups": groups,
        "expected": {
            "perGroup": expected_groups,
            "srcc": float(np.mean([g["srcc"] for g in expected_groups])),
            "plcc": float(np.mean([g["plcc"] for g in expected_groups])),
            "pooled": {"srcc": float(spearmanr(pooled_x, pooled_y)[0]), "plcc": fitted_plcc(pooled_x, pooled_y)},
        },
        "triplets": {"key": "TREF", "records": triplet_records, "triplets": triplets, "twoAfc": float(np.mean(two_afc))},
    }
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixtures", "eval_merge.json")
    with open(out, "w") as f:
        json.dump(fixture, f, indent=1)
        f.write("\n")
    print(out)


if __name__ == "__main__":
    main()
