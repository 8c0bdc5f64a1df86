#!/usr/bin/env python3
"""Reference implementation of `model-hub fairness --json` for the benchmark.

Plain Python `csv` to read the file, numpy to count: the way a data scientist
would compute group fairness metrics without Fairlearn. The definitions match
plugins/model-hub-node/src/gauntlet/fairness/metrics.ts: groups are the values
of every non-empty subset of the sensitive attributes; selection rate, TPR,
FPR and accuracy per group; per grouping the max-min gaps and min/max ratio
over groups with at least --min-group-size rows; the summary is the worst
value over the groupings. Group keys are "a=x&b=y" (attribute order as given).

Usage: fairness_reference.py --eval FILE --label COL --prediction COL
       --sensitive COL[,COL] --positive VALUE [--min-group-size N]
Prints the JSON document on stdout and {"max_rss_kb": N} on stderr.
"""
import argparse
import csv
import itertools
import json
import resource
import sys

import numpy as np


def key_part(s):
    return s.replace('%', '%25').replace('&', '%26').replace('=', '%3D')


def spread(values):
    if len(values) < 2:
        return None
    return max(values) - min(values)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--eval', required=True)
    ap.add_argument('--label', required=True)
    ap.add_argument('--prediction', required=True)
    ap.add_argument('--sensitive', required=True)
    ap.add_argument('--positive', required=True)
    ap.add_argument('--min-group-size', type=int, default=30)
    args = ap.parse_args()
    sensitive = [s for s in args.sensitive.split(',') if s]

    with open(args.eval, newline='', encoding='utf-8-sig') as f:
        reader = csv.reader(f)
        header = next(reader)
        names = [args.label, args.prediction] + sensitive
        idx = [header.index(n) for n in names]
        columns = [[] for _ in names]
        for row in reader:
            if not row:
                continue
            for col, i in zip(columns, idx):
                col.append(row[i])

    labels = np.array(columns[0])
    preds = np.array(columns[1])
    y = labels == args.positive
    p = preds == args.positive
    correct = labels == preds
    codes = []
    values = []
    for col in columns[2:]:
        vals, inv = np.unique(np.array(col), return_inverse=True)
        values.append(vals)
        codes.append(inv.astype(np.int64))

    groups = {}
    summaries = []
    for size in range(1, len(sensitive) + 1):
        for subset in itertools.combinations(range(len(sensitive)), size):
            combined = np.zeros(len(y), dtype=np.int64)
            for a in subset:
                combined = combined * len(values[a]) + codes[a]
            uniq, g = np.unique(combined, return_inverse=True)
            count = np.bincount(g)
            pos = np.bincount(g, weights=y)
            pred_pos = np.bincount(g, weights=p)
            tp = np.bincount(g, weights=y & p)
            fp = np.bincount(g, weights=~y & p)
            corr = np.bincount(g, weights=correct)
            sel, tprs, fprs = [], [], []
            for k, code in enumerate(uniq):
                parts = []
                rest = int(code)
                for a in reversed(subset):
                    parts.append((sensitive[a], str(values[a][rest % len(values[a])])))
                    rest //= len(values[a])
                parts.reverse()
                key = '&'.join(f'{key_part(n)}={key_part(v)}' for n, v in parts)
                n = int(count[k])
                neg = n - int(pos[k])
                tpr = float(tp[k]) / float(pos[k]) if pos[k] > 0 else None
                fpr = float(fp[k]) / neg if neg > 0 else None
                rate = float(pred_pos[k]) / n
                groups[key] = {
                    'count': n,
                    'selection_rate': rate,
                    'tpr': tpr,
                    'fpr': fpr,
                    'accuracy': float(corr[k]) / n,
                }
                if n >= args.min_group_size:
                    sel.append(rate)
                    if tpr is not None:
                        tprs.append(tpr)
                    if fpr is not None:
                        fprs.append(fpr)
            dpd = spread(sel)
            ratio = (min(sel) / max(sel)) if dpd is not None and max(sel) > 0 else None
            t, f_ = spread(tprs), spread(fprs)
            eod = None if t is None and f_ is None else max(t or 0.0, f_ or 0.0)
            summaries.append((dpd, ratio, eod))

    def worst(i, fn):
        vals = [s[i] for s in summaries if s[i] is not None]
        return fn(vals) if vals else None

    doc = {
        'rows': int(len(y)),
        'groups': groups,
        'demographic_parity_difference': worst(0, max),
        'demographic_parity_ratio': worst(1, min),
        'equalized_odds_difference': worst(2, max),
        'disparate_impact_ratio': worst(1, min),
    }
    json.dump(doc, sys.stdout, indent=2)
    sys.stdout.write('\n')
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    sys.stderr.write(json.dumps({'max_rss_kb': rss}) + '\n')


if __name__ == '__main__':
    main()
