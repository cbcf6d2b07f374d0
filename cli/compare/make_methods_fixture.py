#!/usr/bin/python3
"""Writes src/core/methods/fixtures/methods.json: reference values for the method-level statistics of
`npm run compare`, computed here independently of the TypeScript (numpy + scipy), on fixed comparison data.

For each case (K methods, ids with each id's present methods, its comparison records and its outputs' metrics):
  - each id's order: the MAP Bradley-Terry fit of tools/ranking/make_ranking_fixture.py (scipy.optimize,
    trust-exact) on the id's own pair outcomes, the compared outputs best first, ties by name;
  - the scores: the same fit on every id's pairs in the methods' global indices; the intervals: the
    (1 - level)/2 and (1 + level)/2 quantiles (numpy's linear rule) of the scores refitted on ids drawn
    with replacement by the Mulberry32 generator from the seed (idx = floor(u * ids));
  - the win matrix: per id, every pair of its ranked outputs counts one win for the better; the rate is
    wins / n with scipy.stats.binomtest's Wilson interval; a method's win rate is its row's wins over its n;
  - metric means over the finite values; agreement: over each id's ranked pairs with unequal scores and each
    metric that tells them apart, the fraction where the metric prefers the model's better output (GMSD lower);
  - disagreements: each pair outcome whose folded probability is at least `confident` one way, with the
    metrics that prefer the other output, strongest first.
Run: /usr/bin/python3 cli/compare/make_methods_fixture.py          (writes the fixture)
     /usr/bin/python3 cli/compare/make_methods_fixture.py --stdout (prints it, for the test that compares)
"""
import json
import math
import os
import sys

import numpy as np
from scipy.special import expit
from scipy.stats import binomtest

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'tools', 'ranking'))
from make_ranking_fixture import combine, fit, write_fixture  # noqa: E402

METRICS = ['psnr', 'ssim', 'msssim', 'gmsd']
LOWER_IS_BETTER = {'gmsd'}
MASK = 0xFFFFFFFF


def mulberry32(seed):
    state = seed & MASK

    def imul(a, b):
        return (a * b) & MASK

    def draw():
        nonlocal state
        state = (state + 0x6D2B79F5) & MASK
        t = state
        t = imul(t ^ (t >> 15), t | 1)
        t ^= (t + imul(t ^ (t >> 7), t | 61)) & MASK
        return ((t ^ (t >> 14)) & MASK) / 4294967296

    return draw


def bt(n, pairs):
    return fit(n, pairs, 3.0, 1.0, 0.5, 0.95)['scores'] if pairs else [0.0] * n


def prefers(values, metric, a, b):
    va, vb = values.get(a, {}).get(metric), values.get(b, {}).get(metric)
    if va is None or vb is None or va == vb:
        return 0
    return 1 if (va > vb) != (metric in LOWER_IS_BETTER) else -1


def statistics(methods, images, resamples, seed, confident, level):
    k = len(methods)
    index = {m: g for g, m in enumerate(methods)}
    per_image = []
    for image in images:
        names = image['methods']
        outcomes = combine(image['records'])
        pairs = []
        for o in outcomes:
            i, j = index[names[o['i']]], index[names[o['j']]]
            pairs.append(dict(o, i=i, j=j) if i < j else dict(o, i=j, j=i, pIBeatsJ=1 - o['pIBeatsJ']))
        compared = sorted({x for o in outcomes for x in (o['i'], o['j'])})
        local = bt(len(names), outcomes) if len(compared) >= 2 else None
        ranked = sorted(compared, key=lambda x: (-local[x], names[x])) if local is not None else []
        per_image.append({'image': image, 'outcomes': outcomes, 'pairs': pairs, 'local': local, 'ranked': ranked})

    scores = bt(k, [p for e in per_image for p in e['pairs']])
    draw = mulberry32(seed)
    draws = []
    for _ in range(resamples):
        chosen = [per_image[math.floor(draw() * len(per_image))] for _ in per_image]
        draws.append(bt(k, [p for e in chosen for p in e['pairs']]))
    draws = np.array(draws)
    tail = (1 - level) / 2

    wins = np.zeros((k, k))
    counts = np.zeros((k, k), dtype=int)
    for e in per_image:
        names, local, ranked = e['image']['methods'], e['local'], e['ranked']
        for x in range(len(ranked)):
            for y in range(x + 1, len(ranked)):
                a, b = index[names[ranked[x]]], index[names[ranked[y]]]
                assert local[ranked[x]] != local[ranked[y]], 'the fixture avoids exact ties'
                wins[a, b] += 1
                counts[a, b] += 1
                counts[b, a] += 1
    win_matrix = {}
    for a in range(k):
        win_matrix[methods[a]] = {}
        for b in range(k):
            if a == b:
                continue
            n = int(counts[a, b])
            if n == 0:
                win_matrix[methods[a]][methods[b]] = {'rate': None, 'low': None, 'high': None, 'n': 0}
                continue
            interval = binomtest(int(wins[a, b]), n).proportion_ci(confidence_level=level, method='wilson')
            win_matrix[methods[a]][methods[b]] = {'rate': wins[a, b] / n, 'low': interval.low, 'high': interval.high, 'n': n}

    sums = {m: {metric: [] for metric in METRICS} for m in methods}
    agreement = {metric: [0, 0] for metric in METRICS}
    disagreements = []
    for e in per_image:
        image, names, local, ranked = e['image'], e['image']['methods'], e['local'], e['ranked']
        values = image.get('metrics')
        if values is None:
            continue
        for name in names:
            for metric in METRICS:
                v = values.get(name, {}).get(metric)
                if v is not None and math.isfinite(v):
                    sums[name][metric].append(v)
        for x in range(len(ranked)):
            for y in range(x + 1, len(ranked)):
                for metric in METRICS:
                    says = prefers(values, metric, names[ranked[x]], names[ranked[y]])
                    if says != 0:
                        agreement[metric][1] += 1
                        agreement[metric][0] += says > 0
        for o in e['outcomes']:
            p = o['pIBeatsJ']
            if max(p, 1 - p) < confident:
                continue
            better, worse = (names[o['i']], names[o['j']]) if p >= 0.5 else (names[o['j']], names[o['i']])
            against = {m: [values[better][m], values[worse][m]] for m in METRICS if prefers(values, m, better, worse) < 0}
            if against:
                disagreements.append({'id': image['id'], 'better': better, 'worse': worse, 'confidence': max(p, 1 - p),
                                      'metrics': against})
    disagreements.sort(key=lambda d: (-d['confidence'], d['id'], d['better']))

    summaries = []
    for g, name in enumerate(methods):
        n = int(counts[g].sum())
        summaries.append({
            'name': name, 'score': scores[g],
            'low': float(np.quantile(draws[:, g], tail)), 'high': float(np.quantile(draws[:, g], 1 - tail)),
            'winRate': float(wins[g].sum() / n) if n else None,
            'metrics': {m: float(np.mean(sums[name][m])) if sums[name][m] else None for m in METRICS},
        })
    summaries.sort(key=lambda s: (-s['score'], s['name']))
    return {
        'methods': summaries,
        'winMatrix': win_matrix,
        'images': [{'id': e['image']['id'], 'order': [e['image']['methods'][x] for x in e['ranked']]} for e in per_image],
        'agreement': {m: agreement[m][0] / agreement[m][1] if agreement[m][1] else None for m in METRICS},
        'disagreements': disagreements,
    }


def answer(rng, quality, names, a, b, bias, noise_sd, mass):
    p = expit(quality[names[a]] - quality[names[b]] + bias + noise_sd * rng.standard_normal())
    return {'first': a, 'second': b, 'pFirst': float(mass * p), 'pSecond': float(mass * (1 - p))}


def metric_values(rng, quality, name, identical=False):
    psnr = 28 + 2 * quality[name] + rng.normal(0, 1.2)
    return {'psnr': math.inf if identical else float(psnr), 'ssim': float(min(1, 0.8 + 0.04 * quality[name] + rng.normal(0, 0.02))),
            'msssim': float(min(1, 0.9 + 0.02 * quality[name] + rng.normal(0, 0.02))),
            'gmsd': float(max(0, 0.1 - 0.02 * quality[name] + rng.normal(0, 0.015)))}


def case(name, methods, images, resamples, seed, confident=0.75, level=0.95):
    options = {'resamples': resamples, 'seed': seed, 'confident': confident, 'level': level}
    return {'name': name, 'methods': methods, 'options': options, 'images': images,
            'stats': statistics(methods, images, resamples, seed, confident, level)}


def encode(value):
    """JSON has no infinity: an output identical to its reference (PSNR = inf) is written as the string "Infinity"."""
    if isinstance(value, float) and math.isinf(value):
        return 'Infinity'
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def main():
    rng = np.random.default_rng(20260307)
    cases = []

    # 1. Five methods on 10 ids: all pairs in both orders on even ids, 6 pairs (some in one order only) on odd
    #    ids, method "esr" missing on ids 03 and 06, MS-SSIM unknown on id 05, one output identical to its
    #    reference (PSNR = inf), and metrics noisy enough to disagree with the model now and then.
    methods = ['bicubic', 'esr', 'ours', 'swinir', 'real']
    quality = {'bicubic': -1.5, 'esr': 0.2, 'ours': 1.2, 'swinir': 0.7, 'real': -0.3}
    images = []
    for n in range(10):
        image_id = f'{n:02d}'
        names = [m for m in methods if not (m == 'esr' and image_id in ('03', '06'))]
        shuffled = [names[x] for x in rng.permutation(len(names))]
        pairs = [(a, b) for a in range(len(shuffled)) for b in range(a + 1, len(shuffled))]
        if n % 2 == 1:
            pairs = [pairs[x] for x in sorted(rng.choice(len(pairs), 6, replace=False))]
        records = []
        for x, (a, b) in enumerate(pairs):
            records.append(answer(rng, quality, shuffled, a, b, 0.3, 0.8, 0.9))
            if n % 2 == 0 or x % 2 == 0:
                records.append(answer(rng, quality, shuffled, b, a, 0.3, 0.8, 0.9))
        metrics = {m: metric_values(rng, quality, m, identical=(image_id == '04' and m == 'ours')) for m in shuffled}
        if image_id == '05':
            for m in shuffled:
                metrics[m]['msssim'] = None
        images.append({'id': image_id, 'methods': shuffled, 'records': records, 'metrics': metrics})
    cases.append(case('fiveMethods', methods, images, resamples=200, seed=7))

    # 2. Three methods without references: one id has a single output (nothing to compare), one id only two,
    #    sure answers on others; 90% intervals, another seed.
    methods = ['a', 'b', 'c']
    quality = {'a': 0.8, 'b': 0.0, 'c': -0.6}
    images = [{'id': 'solo', 'methods': ['b'], 'records': []},
              {'id': 'duo', 'methods': ['c', 'a'], 'records': [answer(rng, quality, ['c', 'a'], 0, 1, 0.2, 0.5, 0.95)]}]
    for n in range(6):
        names = ['a', 'b', 'c']
        records = [answer(rng, quality, names, a, b, 0.2, 1.0, 0.99) for a in range(3) for b in range(3) if a != b]
        images.append({'id': f'x{n}', 'methods': names, 'records': records})
    cases.append(case('noReference', methods, images, resamples=100, seed=1, level=0.9))

    write_fixture({'cases': encode(cases)}, 'methods', 'methods.json')


if __name__ == '__main__':
    main()
