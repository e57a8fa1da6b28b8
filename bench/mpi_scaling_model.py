#!/usr/bin/env python3
# bench/mpi_scaling_model.py IMG_PER_S — projected (not measured) data-parallel scaling of cnn6
# over N machines, each training at IMG_PER_S alone (measure it: cnn6 train --threads <cores>),
# with a ring allreduce of the gradient at full link rate and no overlap. Prints a Markdown table.
import sys
img_s = float(sys.argv[1])      # one machine's cnn6 training speed (img/s), measured
grad_mb = 2395434*4/1e6         # cnn6 gradient, MB
alpha = 20e-6                   # per-message latency of one ring hop over TCP, s (assumed)
train = 50000
print(f"gradient {grad_mb:.2f} MB; one machine {img_s:.0f} img/s -> {32/img_s*1e3:.1f} ms per 32-image step, {train/img_s:.0f} s per epoch")
rows=[]
for N in (2,8,64):
  for gb in ((32,) if N<=32 else ()) + ((32*N,) if N>1 else ()):
    if gb==32 and N>32: continue
    per = gb/N
    tc = per/img_s
    steps = -(-train//gb)
    for bw in (10,25,100):
      tm = 2*(N-1)/N*grad_mb*8e6/(bw*1e9) + 2*(N-1)*alpha
      step = tc+tm
      ep = steps*step
      rows.append((N,gb,per,bw,tc*1e3,tm*1e3,step*1e3,ep, (train/img_s)/ep, 'communication' if tm>tc else 'compute'))
print("| N | global batch | images per rank | link | compute ms/step | allreduce ms/step | epoch s | speed-up over one machine | dominated by |")
print("|---|---|---|---|---|---|---|---|---|")
for r in rows:
  print(f"| {r[0]} | {r[1]} | {r[2]:.0f} | {r[3]} Gb/s | {r[4]:.1f} | {r[5]:.1f} | {r[7]:.1f} | {r[8]:.1f}× | {r[9]} |")
