#!/usr/bin/env python3
"""gen_corpus.py [DIR]: write the fuzz harness's seed corpus, one valid
9P2000.L reply of each type the client decodes (and a few edge cases),
into DIR (default: the corpus/ folder next to this script)."""
import os
import struct
import sys

R = {  # reply type numbers (T + 1)
    "lerror": 7, "lopen": 13, "lcreate": 15, "symlink": 17, "rename": 21,
    "readlink": 23, "getattr": 25, "setattr": 27, "readdir": 41,
    "fsync": 51, "link": 71, "mkdir": 73, "renameat": 75, "unlinkat": 77,
    "version": 101, "auth": 103, "attach": 105, "flush": 109, "walk": 111,
    "read": 117, "write": 119, "clunk": 121, "remove": 123,
}


def s(text):
    b = text.encode() if isinstance(text, str) else text
    return struct.pack("<H", len(b)) + b


def qid(qtype, path, version=0):
    return struct.pack("<BIQ", qtype, version, path)


def msg(kind, body, tag=1):
    return struct.pack("<IBH", 7 + len(body), R[kind], tag) + body


def dirent(name, off, qtype=0, dtype=8):
    return qid(qtype, 1000 + off) + struct.pack("<QB", off, dtype) + s(name)


def getattr_body():
    return (struct.pack("<Q", 0x7ff) + qid(0, 4242) +
            struct.pack("<III", 0o100644, 0, 0) +
            struct.pack("<15Q", 1, 0, 12, 4096, 8, 1700000000, 1,
                        1700000000, 2, 1700000000, 3, 0, 0, 0, 0))


def seeds():
    hosts = b"10.0.0.1 n-0\n10.0.0.2 n-1\n10.0.0.3 n-2\n"
    names = [".", "..", "hosts", "passwd", "ifaces", "e" * 255]
    dirdata = b"".join(dirent(n, i + 1, 0x80 if n in (".", "..") else 0)
                       for i, n in enumerate(names))
    return {
        "rversion": msg("version", struct.pack("<I", 65536) + s("9P2000.L"),
                        0xffff),
        "rversion-unknown": msg("version", struct.pack("<I", 8192) +
                                s("unknown"), 0xffff),
        "rlerror-enoent": msg("lerror", struct.pack("<I", 2)),
        "rattach": msg("attach", qid(0x80, 2)),
        "rauth": msg("auth", qid(0x08, 9)),
        "rwalk-0": msg("walk", struct.pack("<H", 0)),
        "rwalk-3": msg("walk", struct.pack("<H", 3) + qid(0x80, 3) +
                       qid(0x80, 4) + qid(0, 5)),
        "rwalk-16": msg("walk", struct.pack("<H", 16) +
                        b"".join(qid(0x80, i) for i in range(16))),
        "rgetattr": msg("getattr", getattr_body()),
        "rsetattr": msg("setattr", b""),
        "rlopen": msg("lopen", qid(0, 7) + struct.pack("<I", 0)),
        "rlcreate": msg("lcreate", qid(0, 8) + struct.pack("<I", 65512)),
        "rread-0": msg("read", struct.pack("<I", 0)),
        "rread-hosts": msg("read", struct.pack("<I", len(hosts)) + hosts),
        "rwrite": msg("write", struct.pack("<I", 4096)),
        "rreaddir": msg("readdir", struct.pack("<I", len(dirdata)) + dirdata),
        "rreaddir-empty": msg("readdir", struct.pack("<I", 0)),
        "rmkdir": msg("mkdir", qid(0x80, 10)),
        "rsymlink": msg("symlink", qid(0x02, 11)),
        "rreadlink": msg("readlink", s("../f1")),
        "runlinkat": msg("unlinkat", b""),
        "rrenameat": msg("renameat", b""),
        "rrename": msg("rename", b""),
        "rremove": msg("remove", b""),
        "rfsync": msg("fsync", b""),
        "rclunk": msg("clunk", b""),
        "rflush": msg("flush", b""),
        "rlink": msg("link", b""),
        # bodies alone, for p9_msg_decode_body and p9_dirent_next
        "body-getattr": getattr_body(),
        "body-dirents": dirdata,
    }


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "corpus")
    os.makedirs(out, exist_ok=True)
    for name, data in seeds().items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(data)


if __name__ == "__main__":
    main()
