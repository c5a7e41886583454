#!/usr/bin/env python3
"""Records crates/engine/src/rdb/real_fixtures.rs from the real server: for each case, the commands
that build a key `k` and the payload `DUMP k` answers; for each file, the commands that fill the
databases and the `dump.rdb` that `SAVE` writes. The RDB unit tests load both and compare with
what the engine builds from the same commands.

Usage: scripts/with-redis.sh python3 scripts/record-rdb-fixtures.py
"""
import os
import socket
import subprocess
import sys

OUT = "crates/engine/src/rdb/real_fixtures.rs"


class Redis:
    """A minimal RESP2 client over the server's unix socket."""

    def __init__(self, path):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.connect(path)
        self.buf = b""

    def _fill(self, n):
        while len(self.buf) < n:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk

    def _line(self):
        while b"\r\n" not in self.buf:
            self._fill(len(self.buf) + 1)
        line, self.buf = self.buf.split(b"\r\n", 1)
        return line

    def _read(self):
        line = self._line()
        kind, rest = line[:1], line[1:]
        if kind == b"+":
            return rest
        if kind == b"-":
            raise RuntimeError(rest.decode())
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return None
            self._fill(n + 2)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self._read() for _ in range(n)]
        raise ValueError(line)

    def __call__(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode("latin1") if isinstance(a, str) else a
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.sock.sendall(out)
        return self._read()


def rust_bytes(b):
    if isinstance(b, str):
        b = b.encode("latin1")
    out = 'b"'
    for c in b:
        ch = chr(c)
        if ch in '\\"':
            out += "\\" + ch
        elif 32 <= c < 127:
            out += ch
        else:
            out += "\\x%02x" % c
    return out + '"'


LONG = "x" * 65

# (name, whether DUMP of the loaded value must give the payload back byte for byte, commands)
CASES = [
    ("list_small", True, [["RPUSH", "k", "a", "1", "-1", "4095", "-32768", "8388607",
                           "-9223372036854775808", "", "\x00\xff", "01", "-0"]]),
    ("list_lpush", True, [["LPUSH", "k", "a", "b", "c", "100000"]]),
    ("list_nodes", True, [["RPUSH", "k"] + [("%04d" % i) * 250 for i in range(20)]]),
    ("list_long_element", True, [["RPUSH", "k", "a", "y" * 9000, "b"]]),
    # A plain node (an element past the packed threshold) is written by this engine as a
    # packed node: the value loads the same, the payload differs.
    ("list_plain", False, [["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "100"],
                           ["RPUSH", "k", "a", "z" * 200, "b"],
                           ["DEBUG", "QUICKLIST-PACKED-THRESHOLD", "0"]]),
    ("set_intset16", True, [["SADD", "k", "3", "-2", "1"]]),
    ("set_intset32", True, [["SADD", "k", "1", "70000"]]),
    ("set_intset64", True, [["SADD", "k", "1", "5000000000", "-9223372036854775808"]]),
    ("set_intset_wide_small", True, [["SADD", "k", "1", "5000000000"],
                                      ["SREM", "k", "5000000000"]]),
    ("set_one_string", True, [["SADD", "k", "member"]]),
    # Hashtables: the order of their members is the table's.
    ("set_strings", False, [["SADD", "k", "a", "b", "c", "1", "2"]]),
    ("hash_listpack", True, [["HSET", "k", "a", "1", "b", "2", "c", "-300", "d", ""]]),
    ("hash_listpack_updated", True, [["HSET", "k", "a", "1", "b", "2", "c", "3"],
                                      ["HDEL", "k", "a"], ["HSET", "k", "a", "x", "b", "20"]]),
    ("hash_one_long", True, [["HSET", "k", "f", LONG]]),
    ("hash_table", False, [["HSET", "k", "a", "1", "b", LONG, "c", "3"]]),
    ("zset_listpack", True, [["ZADD", "k", "1", "a", "2.5", "b", "-0", "c", "inf", "d",
                              "-inf", "e", "1e20", "f", "0.1", "g"]]),
    ("zset_skiplist", True, [["ZADD", "k", "1", "a", "2.5", "b", "-0", "c", "inf", "d",
                              "0", LONG]]),
    ("stream_simple", True, [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "1-2", "f", "v2"],
                             ["XADD", "k", "2-0", "a", "1", "b", "2"], ["XDEL", "k", "1-2"]]),
    ("stream_nodes", True, [["XADD", "k", "%d-0" % i, "field", ("v%d" % i) * 500]
                            for i in range(1, 5)]
     + [["XADD", "k", "5-0", "other", "1", "field", "x"], ["XADD", "k", "6-0", "field", "-5"],
        ["XTRIM", "k", "MAXLEN", "4"], ["XDEL", "k", "5-0"]]),
    ("stream_empty", True, [["XADD", "k", "5-5", "f", "v"], ["XDEL", "k", "5-5"]]),
    ("stream_groups", True, [["XADD", "k", "1-1", "f", "v"], ["XADD", "k", "1-2", "f", "v2"],
                             ["XADD", "k", "3-0", "g", "w"], ["XGROUP", "CREATE", "k", "g1", "0"],
                             ["XGROUP", "CREATE", "k", "g2", "$"],
                             ["XREADGROUP", "GROUP", "g1", "alice", "COUNT", "2", "STREAMS", "k",
                              ">"],
                             ["XGROUP", "CREATECONSUMER", "k", "g1", "bob"],
                             ["XCLAIM", "k", "g1", "bob", "0", "1-2"], ["XDEL", "k", "1-1"]]),
    ("stream_mkstream", True, [["XGROUP", "CREATE", "k", "g", "$", "MKSTREAM"]]),
]

# Far-future expire times (2100-01-01 and a bit after), so that the files load at any date.
EXPIRE_A = "4102444800000"
EXPIRE_B = "4102444800123"

FILE_KEYS = [
    ["SET", "int", "12345"], ["SET", "embstr", "hello"], ["SET", "raw", "r" * 60],
    ["SET", "bin", "\x00\x01\xff"], ["SET", "big", "compressible " * 20],
    ["RPUSH", "list", "a", "1", "b", "-70000", "c"],
    ["SADD", "intset", "5", "-3", "70000"], ["SADD", "set", "x", "y", "z"],
    ["HSET", "hash", "f1", "v1", "f2", "2"], ["HSET", "bighash", "f", LONG, "g", "1"],
    ["ZADD", "zset", "1", "one", "2", "two", "-0", "zero"], ["ZADD", "skip", "3", LONG],
    ["XADD", "stream", "1-1", "f", "v"], ["XADD", "stream", "2-1", "f", "w", "g", "x"],
    ["XGROUP", "CREATE", "stream", "grp", "0"],
    ["XREADGROUP", "GROUP", "grp", "c1", "COUNT", "1", "STREAMS", "stream", ">"],
    ["PEXPIREAT", "embstr", EXPIRE_A], ["PEXPIREAT", "list", EXPIRE_B],
    ["SELECT", "3"], ["SET", "other-db", "1"], ["HSET", "h3", "a", "b"],
    ["PEXPIREAT", "h3", EXPIRE_A],
    ["SELECT", "15"], ["SET", "last-db", "v"],
    ["SELECT", "0"],
]

# (name, the maxmemory-policy in force when saving, commands)
FILES = [
    ("file_default", "noeviction", FILE_KEYS),
    # Not small integers: Redis shares those between keys, with access data of their own.
    ("file_lru", "allkeys-lru", [["SET", "a", "va"], ["RPUSH", "b", "x"]]),
    ("file_lfu", "allkeys-lfu", [["SET", "a", "va"], ["SET", "b", "vb"], ["GET", "b"],
                                 ["GET", "b"]]),
    # Taken by `redis-cli --rdb` (a replica's full sync): replication aux fields and a function
    # library, which this engine skips.
    ("file_replication", "noeviction",
     [["FUNCTION", "LOAD", "#!lua name=lib\nredis.register_function('f', function() return 1 end)"],
      ["SET", "a", "va"], ["SELECT", "2"], ["RPUSH", "b", "x", "y"], ["SELECT", "0"]]),
]


def commands_literal(cmds, indent):
    lines = [indent + "commands: &["]
    for c in cmds:
        lines.append(indent + "    &[" + ", ".join(rust_bytes(a) for a in c) + "],")
    lines.append(indent + "],")
    return lines


def main():
    r = Redis(os.environ["REDIS_SOCKET"])
    out = [
        "// Generated by scripts/record-rdb-fixtures.py from redis-server 7.0.15; do not edit.",
        "",
        "/// DUMP payloads of the real server: the commands that built `k`, then `DUMP k`.",
        "pub(super) const REAL_PAYLOADS: &[Case] = &[",
    ]
    for name, exact, cmds in CASES:
        r("FLUSHALL")
        for c in cmds:
            r(*c)
        payload = r("DUMP", "k")
        encoding = r("OBJECT", "ENCODING", "k").decode()
        out += ["    Case {", '        name: "%s",' % name, "        exact: %s," % str(exact).lower(),
                '        encoding: "%s",' % encoding]
        out += commands_literal(cmds, "        ")
        out += ["        payload: %s," % rust_bytes(payload), "    },"]
    out += ["];", "",
            "/// `dump.rdb` files the real server saved: the policy in force, the commands that",
            "/// filled the databases, then `SAVE` (or `redis-cli --rdb`).",
            "pub(super) const REAL_FILES: &[FileCase] = &["]
    (directory,) = r("CONFIG", "GET", "dir")[1:]
    for name, policy, cmds in FILES:
        r("FLUSHALL")
        r("CONFIG", "SET", "maxmemory-policy", policy)
        for c in cmds:
            r(*c)
        path = os.path.join(directory.decode(), "dump.rdb")
        if name == "file_replication":
            subprocess.run(["redis-cli", "-s", os.environ["REDIS_SOCKET"], "--rdb", path],
                           check=True, capture_output=True)
        else:
            r("SAVE")
        r("CONFIG", "SET", "maxmemory-policy", "noeviction")
        r("FUNCTION", "FLUSH")
        with open(path, "rb") as f:
            data = f.read()
        out += ["    FileCase {", '        name: "%s",' % name, '        policy: "%s",' % policy]
        out += commands_literal(cmds, "        ")
        out += ["        file: %s," % rust_bytes(data), "    },"]
    out += ["];", ""]
    r("FLUSHALL")
    with open(OUT, "w") as f:
        f.write("\n".join(out))
    print("wrote", OUT, file=sys.stderr)


if __name__ == "__main__":
    main()
