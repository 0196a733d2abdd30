"""EXPERIMENT (round 3, reverted with the fused path): the fused take (FlowTracker.common_taker) against
feed on in-order segments and pure ACKs of F live flows picked at random, prebuilt arguments.

    python bench/fused_micro.py F take|feed
"""
import time, struct, sys
from wsarecv_cli.reassembly import FlowTracker, ReassemblyLimits
from wsarecv_cli.net import Packet, Transport
t = FlowTracker(ReassemblyLimits(), events=False, retire_idle_udp=True)
F = int(sys.argv[1])
keys = []
B = b"\x0a\x00\x00\x02"
for f in range(F):
    A = struct.pack("!I", 0x0b000000 + f)
    t.feed(Packet(1, 10**18, Transport.TCP, A, 1000, B, 80, b"", 100, 0, 0x02, 0, 5000, 0, (1,), 1460))
    t.feed(Packet(2, 10**18+1, Transport.TCP, B, 80, A, 1000, b"", 500, 101, 0x12, 0, 5000, 0, (2,), 1460))
    t.feed(Packet(3, 10**18+2, Transport.TCP, A, 1000, B, 80, b"", 101, 501, 0x10, 0, 5000, 0, (3,), 0))
    keys.append((A + B + struct.pack("!HH", 1000, 80), B + A + struct.pack("!HH", 80, 1000)))
take = t.common_taker()
feed = t.feed
pay = b"x" * 700
N = 100000
seqs = [101] * F
ts = 10**18 + 10
args = []
import random
random.seed(1)
for i in range(N):
    f = random.randrange(F)
    key, rkey = keys[f]
    seq = seqs[f]
    args.append((key, ts + 2*i, (i,), seq, 501, 0x18, 5000, pay))
    args.append((rkey, ts + 2*i+1, (i,), 501, seq + 700, 0x10, 5000, b""))
    seqs[f] = seq + 700
mode = sys.argv[2]
if mode == "feed":
    P = []
    for (key, ts_, fr, seq, ack, fl, win, p) in args:
        P.append((fr[0], ts_, Transport.TCP, key[:4], struct.unpack("!H", key[8:10])[0], key[4:8], struct.unpack("!H", key[10:12])[0], p, seq, ack, fl, 0, win, 0, fr, 0))
    t0 = time.process_time()
    for p in P:
        feed(p)
else:
    t0 = time.process_time()
    for a in args:
        take(*a)
dt = time.process_time() - t0
print(F, mode, round(dt / len(args) * 1e6, 3), "us per packet")
