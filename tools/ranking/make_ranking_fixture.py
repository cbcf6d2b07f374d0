#!/usr/bin/python3
"""Writes src/core/ranking/fixtures/ranking.json: reference values for the ranking core, computed here
independently of the TypeScript (numpy + scipy.optimize), on fixed comparison records.

For each case:
  - pairs: each unordered pair's outcome p(i better than j); each order's answers are normalised to
    pA / (pA + pB), clamped to [1e-6, 1 - 1e-6], averaged as log-odds within the order, the two orders'
    means averaged, and mapped back through the logistic;
  - voting: DepictQA's src/eval/cal_srcc_plcc_voting.py votes (winner gets its confidence c, loser 1 - c);
  - positionBias: mean pA / (pA + pB);
  - the MAP Bradley-Terry fit: maximise sum_k w_k [y_k log s(d_k) + (1 - y_k) log s(-d_k)] / phi - |s|^2 / (2 sd^2)
    with scipy.optimize.minimize (trust-exact), phi = (Pearson X^2 + nu0 phi0) / (pairs - (n - 1) + nu0)
    iterated to its fixed point; covariance = P H^-1 P (P centres), intervals s +- z sqrt(diag).
Run: /usr/bin/python3 tools/ranking/make_ranking_fixture.py          (writes the fixture)
     /usr/bin/python3 tools/ranking/make_ranking_fixture.py --stdout (prints it, for the test that compares)
"""
import json
import os
import sys

import numpy as np
from scipy.optimize import minimize
from scipy.special import expit, log_expit
from scipy.stats import norm

CLAMP = 1e-6


def normalised(r):
    total = r['pFirst'] + r['pSecond']
    return r['pFirst'] / total if total > 0 else 0.5


def logit(p):
    p = min(1 - CLAMP, max(CLAMP, p))
    return np.log(p / (1 - p))


def combine(records):
    pairs = {}
    for r in records:
        i, j = sorted((r['first'], r['second']))
        entry = pairs.setdefault((i, j), {'forward': [], 'backward': []})
        p = normalised(r)
        if r['first'] == i:
            entry['forward'].append(logit(p))
        else:
            entry['backward'].append(logit(1 - p))
    out = []
    for (i, j) in sorted(pairs):
        orders = [np.mean(v) for v in pairs[(i, j)].values() if v]
        records_count = sum(len(v) for v in pairs[(i, j)].values())
        out.append({'i': i, 'j': j, 'pIBeatsJ': float(expit(np.mean(orders))), 'records': records_count,
                    'bothOrders': len(orders) == 2})
    return out


def vote(n, records):
    votes = {}
    for r in records:
        p = normalised(r)
        if r['pFirst'] >= r['pSecond']:  # "Image A": the winner's confidence is p
            score_a = p
            score_b = 1 - score_a
        else:
            score_b = 1 - p
            score_a = 1 - score_b
        for image, score in ((r['first'], score_a), (r['second'], score_b)):
            entry = votes.setdefault(image, [0.0, 0])
            entry[0] += score
            entry[1] += 1
    return [votes[k][0] / votes[k][1] if k in votes else None for k in range(n)]


def fit(n, pairs, prior_sd, phi0, nu0, level):
    m = len(pairs)
    design = np.zeros((m, n))  # [pairs, n]: +1 for i, -1 for j
    for k, p in enumerate(pairs):
        design[k, p['i']] = 1
        design[k, p['j']] = -1
    y = np.array([p['pIBeatsJ'] for p in pairs])
    w = np.array([float(p['records']) for p in pairs])
    precision = 1 / prior_sd ** 2

    def negative_log_posterior(s, phi):
        d = design @ s
        return -np.sum(w * (y * log_expit(d) + (1 - y) * log_expit(-d))) / phi + precision * s @ s / 2

    def gradient(s, phi):
        return -design.T @ (w * (y - expit(design @ s))) / phi + precision * s

    def hessian(s, phi):
        mu = expit(design @ s)
        return design.T @ np.diag(w * mu * (1 - mu)) @ design / phi + precision * np.eye(n)

    phi = phi0
    s = np.zeros(n)
    for _ in range(100):
        result = minimize(negative_log_posterior, s, args=(phi,), jac=gradient, hess=hessian, method='trust-exact',
                          options={'gtol': 1e-13, 'maxiter': 1000})
        s = result.x
        mu = expit(design @ s)
        pearson = np.sum(w * (y - mu) ** 2 / (mu * (1 - mu))) if m else 0.0
        freedom = max(0, m - (n - 1))
        new_phi = (pearson + nu0 * phi0) / (freedom + nu0) if freedom + nu0 > 0 else phi0
        if abs(new_phi - phi) <= 1e-12 * phi:
            break
        phi = new_phi
    centre = np.eye(n) - np.ones((n, n)) / n
    covariance = centre @ np.linalg.inv(hessian(s, phi)) @ centre
    se = np.sqrt(np.diag(covariance))
    z = norm.ppf(0.5 + level / 2)
    return {'scores': s.tolist(), 'standardErrors': se.tolist(), 'lower': (s - z * se).tolist(),
            'upper': (s + z * se).tolist(), 'dispersion': float(phi), 'covariance': covariance.ravel().tolist()}


def answer(rng, scores, first, second, bias, noise_sd, mass):
    p = expit(scores[first] - scores[second] + bias + noise_sd * rng.standard_normal())
    return {'first': first, 'second': second, 'pFirst': float(mass * p), 'pSecond': float(mass * (1 - p))}


def case(name, n, records, prior_sd=3.0, phi0=1.0, nu0=0.5, level=0.95):
    options = {'priorSd': prior_sd, 'dispersionPrior': phi0, 'dispersionPriorWeight': nu0, 'level': level}
    return {'name': name, 'n': n, 'options': options, 'records': records, 'pairs': combine(records),
            'voting': vote(n, records), 'positionBias': float(np.mean([normalised(r) for r in records])),
            'fit': fit(n, combine(records), prior_sd, phi0, nu0, level)}


def main():
    rng = np.random.default_rng(20240917)
    cases = []

    # 1. Every pair of 8 images in both orders, with a lean towards Image A and noise per order.
    scores = rng.normal(0, 1.5, 8)
    records = [answer(rng, scores, a, b, 0.4, 0.6, 0.9) for a in range(8) for b in range(8) if a != b]
    cases.append(case('allPairs8', 8, records))

    # 2. 30 random pairs of 12 images: some in one order only, one asked twice, narrower prior, 90% intervals.
    scores = rng.normal(0, 1.0, 12)
    all_pairs = [(a, b) for a in range(12) for b in range(a + 1, 12)]
    chosen = [all_pairs[k] for k in rng.choice(len(all_pairs), 30, replace=False)]
    records = []
    for k, (a, b) in enumerate(chosen):
        records.append(answer(rng, scores, a, b, 0.3, 0.5, 0.8))
        if k % 3 != 0:
            records.append(answer(rng, scores, b, a, 0.3, 0.5, 0.8))
    records.append(answer(rng, scores, chosen[1][0], chosen[1][1], 0.3, 0.5, 0.8))
    cases.append(case('sparse12', 12, records, prior_sd=1.5, level=0.9))

    # 3. Sure answers: probabilities that rounded to 0 or 1 (the clamp), p(B) = 0, and an unseen image.
    records = [
        {'first': 0, 'second': 1, 'pFirst': 1.0, 'pSecond': 0.0},
        {'first': 1, 'second': 0, 'pFirst': 0.02, 'pSecond': 0.97},
        {'first': 1, 'second': 2, 'pFirst': 0.6, 'pSecond': 0.3},
        {'first': 2, 'second': 1, 'pFirst': 0.45, 'pSecond': 0.5},
        {'first': 2, 'second': 3, 'pFirst': 0.0, 'pSecond': 0.99},
        {'first': 3, 'second': 2, 'pFirst': 0.999999999, 'pSecond': 1e-9},
        {'first': 0, 'second': 3, 'pFirst': 0.7, 'pSecond': 0.2},
    ]
    cases.append(case('sure5', 5, records, prior_sd=2.0))

    write_fixture({'cases': cases}, 'ranking', 'ranking.json')


def write_fixture(content, folder, name):
    """Writes src/core/<folder>/fixtures/<name>, or prints it with --stdout (the tests compare that with the file)."""
    text = json.dumps(content, indent=1) + '\n'
    if '--stdout' in sys.argv:
        sys.stdout.write(text)
        return
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'src', 'core', folder, 'fixtures', name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(os.path.normpath(path), 'w') as f:
        f.write(text)


if __name__ == '__main__':
    main()
