#!/usr/bin/python3
"""faiss's side of bench/map-scale.ts: the same vectors, indexes and single-query timing.

Reads DIR/base.npy [n x d], DIR/queries.npy [q x d] and DIR/truth.npy [q x k] (seqvpr's exact
top-k labels, stored as float32), builds IndexFlatIP (exact) and IndexHNSWFlat (inner product,
the same M / efConstruction as hnswlib) on --threads OpenMP threads, and prints one JSON object:
build seconds, RSS growth, serialised index bytes, per-query latencies (ms) and recall@k against
seqvpr's exact search. Vectors are unit-norm, so inner product ranks as cosine distance does.

  /usr/bin/python3 bench/faiss_peer.py --dir DIR --m 16 --ef-construction 200 --ef-search 200
"""
import argparse
import json
import os
import tempfile
import time

import faiss
import numpy as np

WARMUP_QUERIES = 10


def rss_bytes():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1]) * 1024
    raise RuntimeError('no VmRSS in /proc/self/status')


def index_bytes(index):
    # write_index streams to disk; serialize_index would hold a second copy in memory.
    with tempfile.TemporaryDirectory(prefix='faiss-peer-') as d:
        path = os.path.join(d, 'index.faiss')
        faiss.write_index(index, path)
        return os.path.getsize(path)


def build(index, base):
    before = rss_bytes()
    t0 = time.perf_counter()
    index.add(base)
    seconds = time.perf_counter() - t0
    return {'buildSeconds': seconds, 'rssDeltaBytes': rss_bytes() - before, 'indexBytes': index_bytes(index)}


def timed_queries(index, queries, truth):
    """One query per call, as the live node searches; recall@k against `truth` rows."""
    k = truth.shape[1]
    for j in range(min(WARMUP_QUERIES, len(queries))):
        index.search(queries[j:j + 1], k)
    latency_ms, labels = [], []
    for j in range(len(queries)):
        t0 = time.perf_counter_ns()
        _, found = index.search(queries[j:j + 1], k)
        latency_ms.append((time.perf_counter_ns() - t0) / 1e6)
        labels.append(found[0])
    return latency_ms, np.array(labels)


def recall(found, truth):
    return float(np.mean([len(set(f) & set(t)) / len(t) for f, t in zip(found.tolist(), truth.tolist())]))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument('--dir', required=True)
    p.add_argument('--m', type=int, required=True)
    p.add_argument('--ef-construction', type=int, required=True)
    p.add_argument('--ef-search', type=int, required=True)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--skip-flat', action='store_true', help='HNSW only (no exact baseline)')
    a = p.parse_args()

    faiss.omp_set_num_threads(a.threads)
    base = np.ascontiguousarray(np.load(os.path.join(a.dir, 'base.npy')), dtype=np.float32)
    queries = np.ascontiguousarray(np.load(os.path.join(a.dir, 'queries.npy')), dtype=np.float32)
    truth = np.load(os.path.join(a.dir, 'truth.npy')).astype(np.int64)
    d = base.shape[1]
    out = {'faiss': faiss.__version__, 'threads': faiss.omp_get_max_threads()}

    flat_labels = None
    if not a.skip_flat:
        flat = faiss.IndexFlatIP(d)
        out['flat'] = build(flat, base)
        out['flat']['latencyMs'], flat_labels = timed_queries(flat, queries, truth)
        # Exact against exact: 1.0 unless float rounding reorders near-ties.
        out['flat']['recall'] = recall(flat_labels, truth)
        del flat

    hnsw = faiss.IndexHNSWFlat(d, a.m, faiss.METRIC_INNER_PRODUCT)
    hnsw.hnsw.efConstruction = a.ef_construction
    out['hnsw'] = build(hnsw, base)
    hnsw.hnsw.efSearch = a.ef_search
    out['hnsw']['latencyMs'], labels = timed_queries(hnsw, queries, truth)
    out['hnsw']['recall'] = recall(labels, truth)
    if flat_labels is not None:
        out['hnsw']['recallVsFaissFlat'] = recall(labels, flat_labels)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
