#!/usr/bin/env python3
"""The bench's reference CNN in PyTorch CPU, for comparison only (never a project dependency).

Same model, batch, optimiser and loss as scripts/bench.ts: conv3x3-32 (padding 1) ReLU, maxpool 2,
conv3x3-64 ReLU, maxpool 2, dense-128 ReLU, dense-10, 28x28x1, batch 64, SGD lr 0.01, softmax CE.
Prints one JSON line: best training/forward images/s over the requested thread counts.
"""
import argparse, json, time
import torch
import torch.nn as nn

p = argparse.ArgumentParser()
p.add_argument('--steps', type=int, default=30)
p.add_argument('--threads', default='1,2')
a = p.parse_args()

def model():
    return nn.Sequential(
        nn.Conv2d(1, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 64, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(3136, 128), nn.ReLU(), nn.Linear(128, 10))

torch.manual_seed(0)
x = torch.rand(64, 1, 28, 28)
y = torch.randint(0, 10, (64,))
by_threads, fwd_by_threads, per_cpu = {}, {}, {}
for t in [int(s) for s in a.threads.split(',')]:
    torch.set_num_threads(t)
    m = model()
    opt = torch.optim.SGD(m.parameters(), lr=0.01)
    lossf = nn.CrossEntropyLoss()
    def step():
        opt.zero_grad()
        loss = lossf(m(x), y)
        loss.backward()
        opt.step()
        return loss.item()
    for _ in range(3):
        step()
    t0, c0 = time.perf_counter(), time.process_time()
    for _ in range(a.steps):
        step()
    by_threads[str(t)] = round(64 * a.steps / (time.perf_counter() - t0), 1)
    per_cpu[str(t)] = round(64 * a.steps / (time.process_time() - c0), 1)
    with torch.no_grad():
        m(x)
        t0 = time.perf_counter()
        for _ in range(a.steps):
            m(x)
        fwd_by_threads[str(t)] = round(64 * a.steps / (time.perf_counter() - t0), 1)
print(json.dumps({'imagesPerSec': max(by_threads.values()), 'forwardImagesPerSec': max(fwd_by_threads.values()),
                  'imagesPerCpuSec': max(per_cpu.values()), 'byThreads': by_threads, 'torch': torch.__version__}))
