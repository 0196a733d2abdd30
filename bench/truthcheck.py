#!/usr/bin/env python3
"""Check a generated capture against its FILE.truth.json sidecar, independently of wsarecv.

    python bench/truthcheck.py FILE [--flows ID,ID,...]     # dpkt reassembly of the chosen flows
    python bench/truthcheck.py FILE --follow-json OUT.json   # compare `wsarecv follow --json` output

The dpkt check places every TCP payload at (seq - ISN - 1) mod 2**32 (so out-of-order,
retransmitted and overlapping segments land where they belong) and reassembles IPv4 fragments of
UDP datagrams by IP id; the resulting per-direction bytes must hash to the sidecar's sha256.
"""

from __future__ import annotations

import argparse
import hashlib
import ipaddress
import json
import sys

import dpkt


def load_truth(pcap: str) -> dict:
    with open(pcap + ".truth.json") as f:
        return json.load(f)


def _split(ep: str) -> tuple[bytes, int]:
    host, port = ep.rsplit(":", 1)
    return ipaddress.ip_address(host.strip("[]")).packed, int(port)


def reassemble_dpkt(pcap: str, flows: list[dict]) -> dict[int, dict[str, bytes]]:
    """{flow id: {"c2s": bytes, "s2c": bytes}} for the given truth flows, reassembled with dpkt."""
    want = {}
    for fl in flows:
        c, cp = _split(fl["client"])
        s, sp = _split(fl["server"])
        want[(c, cp, s, sp)] = (fl["id"], "c2s")
        want[(s, sp, c, cp)] = (fl["id"], "s2c")
    out: dict[int, dict[str, bytearray | list]] = {}
    isn: dict = {}
    frags: dict = {}
    with open(pcap, "rb") as f:
        for _ts, buf in dpkt.pcap.Reader(f):
            eth = dpkt.ethernet.Ethernet(buf)
            ip = eth.data
            if isinstance(ip, dpkt.ip.IP):
                off_field = ip._flags_offset     # raw flags + fragment offset field
                if off_field & 0x3FFF:                      # fragment (MF or offset)
                    k = (ip.src, ip.dst, ip.id)
                    parts = frags.setdefault(k, {})
                    parts[(off_field & 0x1FFF) * 8] = (bytes(ip.data), bool(off_field & 0x2000))
                    total = next((o + len(d) for o, (d, mf) in parts.items() if not mf), None)
                    if total is None or sum(len(d) for d, _ in parts.values()) < total:
                        continue
                    whole = b"".join(parts[o][0] for o in sorted(parts))
                    del frags[k]
                    l4 = dpkt.udp.UDP(whole)
                else:
                    l4 = ip.data
            elif isinstance(ip, dpkt.ip6.IP6):
                l4 = ip.data
            else:
                continue
            if not isinstance(l4, (dpkt.tcp.TCP, dpkt.udp.UDP)):
                continue
            key = (ip.src, l4.sport, ip.dst, l4.dport)
            hit = want.get(key)
            if hit is None:
                continue
            fid, d = hit
            per = out.setdefault(fid, {"c2s": None, "s2c": None})
            if isinstance(l4, dpkt.udp.UDP):
                if per[d] is None:
                    per[d] = bytearray()
                per[d] += l4.data
                continue
            if l4.flags & dpkt.tcp.TH_SYN:
                isn[key] = l4.seq
                if per[d] is None:
                    per[d] = bytearray()
                continue
            if not l4.data:
                continue
            off = (l4.seq - isn[key] - 1) & 0xFFFFFFFF
            b = per[d]
            end = off + len(l4.data)
            if len(b) < end:
                b.extend(bytes(end - len(b)))
            b[off:end] = l4.data
    return {fid: {d: bytes(v or b"") for d, v in per.items()} for fid, per in out.items()}


def check_dpkt(pcap: str, ids: list[int] | None = None, limit: int = 20) -> list[str]:
    """Problems found (empty list = the sidecar matches dpkt's view of the chosen flows)."""
    truth = load_truth(pcap)
    flows = truth["flows"]
    chosen = [f for f in flows if f["id"] in set(ids)] if ids else flows[:limit]
    got = reassemble_dpkt(pcap, chosen)
    problems = []
    for fl in chosen:
        for d in ("c2s", "s2c"):
            data = got.get(fl["id"], {}).get(d) or b""
            if len(data) != fl[d]["bytes"] or hashlib.sha256(data).hexdigest() != fl[d]["sha256"]:
                problems.append(f"flow {fl['id']} {d}: dpkt {len(data)} bytes, truth {fl[d]['bytes']}")
    return problems


def check_follow_json(pcap: str, follow_json: str) -> tuple[int, list[str]]:
    """Compare `wsarecv follow --json` output with the sidecar: (directions checked, problems)."""
    truth = load_truth(pcap)
    with open(follow_json) as f:
        doc = json.load(f)
    got = {}
    for fl in doc.get("flows", []):
        proto = fl.get("transport") or str(fl.get("id", "")).split(":")[0]
        for d in fl.get("directions", []):
            got[(proto, d["sender"], d["receiver"])] = d
    problems = []
    checked = 0
    for fl in truth["flows"]:
        for d, snd, rcv in (("c2s", fl["client"], fl["server"]), ("s2c", fl["server"], fl["client"])):
            want = fl[d]
            have = got.get((fl["proto"], snd, rcv))
            checked += 1
            if have is None:
                if want["bytes"]:
                    problems.append(f"flow {fl['id']} {fl['proto']} {snd}->{rcv}: missing ({want['bytes']} bytes)")
                continue
            if have.get("bytes") != want["bytes"] or have.get("sha256") != want["sha256"]:
                problems.append(f"flow {fl['id']} {fl['proto']} {snd}->{rcv}: wsarecv {have.get('bytes')} bytes "
                                f"sha {str(have.get('sha256'))[:12]}, truth {want['bytes']} sha {want['sha256'][:12]}")
    return checked, problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("--flows", help="comma-separated truth flow ids (default: the first 20)")
    ap.add_argument("--follow-json", help="output of `wsarecv follow FILE --json` to compare instead")
    a = ap.parse_args(argv)
    if a.follow_json:
        checked, problems = check_follow_json(a.pcap, a.follow_json)
        for p in problems[:50]:
            print(p)
        print(f"{checked} directions checked: " + ("OK" if not problems else f"{len(problems)} mismatches"))
        return 1 if problems else 0
    ids = [int(x) for x in a.flows.split(",")] if a.flows else None
    problems = check_dpkt(a.pcap, ids)
    for p in problems:
        print(p)
    print("OK" if not problems else f"{len(problems)} mismatches")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
