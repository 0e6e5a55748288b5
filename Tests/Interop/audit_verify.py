#!/usr/bin/env python3
"""Independent verifier for a Muster audit bundle (docs/VERIFYING.md §2–§8).

Written from docs/VERIFYING.md, ARCHITECTURE.md (entry format, checkpoint, receipt, donation
register), the sample schemas and the standards (RFC 8785, RFC 9162, RFC 8032, JSON Schema
2020-12, C2SP signed-note / tlog-checkpoint / tlog-tiles), not from the Swift sources, so that
it can serve as a known-answer oracle for `muster audit verify`.

Usage:
  python3 audit_verify.py DIR --root-vkey VKEY [--today YYYY-MM-DD]
  python3 audit_verify.py DIR --vkey VKEY [--vkey VKEY ...] [--today YYYY-MM-DD]
  python3 audit_verify.py --self-test

VKEY is a C2SP vkey (`name+keyid+base64`) or the path of a file holding one. --root-vkey pins
the movement's root key (the bundle must carry a roster.note signed by it); --vkey pins the
origin keys of a lone hub (no roster: the given keys are the trusted log keys).

Output: one JSON object on stdout
  {"ok": bool,
   "logs": [{"origin", "size", "root" (base64), "checkpoints"}],   sorted by origin, one per log
                                                                    whose latest checkpoint verified
   "entries": int,                      entries read from entry bundles
   "findings": [{"origin", "seq", "message"}],                     ok == (findings == [])
   "forked": [origin, ...],             origins proven forked by valid evidence files
   "authors": [{"vkey", "entries", "officer"}],  keys whose author signatures verified (§5.2
                                        step 5), sorted by key name then key id; officer is
                                        true/false, or null without a roster
   "donations": int,                    donation.received entries not voided
   "registers": [{"year", "unit", "reportable", "permissibility", "returned",
                  "smallCount", "smallTotalMinor"}]}
Exit code 0 when ok, 1 when there are findings, 2 for usage errors or an unreadable bundle
(one-line message on stderr, nothing on stdout).

Dependencies: Python 3.11+, and from PyPI `rfc8785`, `cryptography`, `jsonschema`,
`rfc3339-validator` (python3 -m pip install rfc8785 cryptography jsonschema rfc3339-validator).
The PPERA register (§8) reuses the independent Tests/Interop/ppera_register.py.
"""
import argparse
import base64
import binascii
import datetime
import hashlib
import json
import math
import os
import re
import sys

try:
    import rfc8785
    import rfc3339_validator  # noqa: F401  (makes jsonschema assert "date-time")
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import SchemaError
    from referencing import Registry
except ImportError as _e:  # pragma: no cover
    sys.stderr.write(f"audit_verify: missing dependency ({_e}); install with: python3 -m pip install "
                     "rfc8785 cryptography jsonschema rfc3339-validator\n")
    sys.exit(2)

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import ppera_register  # noqa: E402  (independent PPERA implementation, same directory)

FORMAT_CHECKER = Draft202012Validator.FORMAT_CHECKER
if "date-time" not in FORMAT_CHECKER.checkers:  # pragma: no cover
    sys.stderr.write("audit_verify: jsonschema cannot assert date-time (install rfc3339-validator)\n")
    sys.exit(2)

MAX_SAFE = 2 ** 53 - 1
UUID7_RE = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")
B64_RE = re.compile(r"[A-Za-z0-9+/]*={0,2}")
EM_DASH = "\u2014 "                      # U+2014 then a space: starts a signature line
ED25519_L = 2 ** 252 + 27742317777372353535851937790883648493
EMPTY_ROOT = hashlib.sha256(b"").digest()

# Rule sets as ppera_register's self-test uses them (UK: 2010-01-01 and 2024-01-01).
UK_RULES = ppera_register.RULES


class Unreadable(Exception):
    """The bundle cannot be read at all (exit 2)."""


class Findings:
    def __init__(self):
        self.items = []

    def add(self, origin, seq, message):
        self.items.append({"origin": origin, "seq": seq, "message": message})


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def b64(data):
    return base64.b64encode(data).decode("ascii")


def read_bytes(path):
    """File bytes, or None when the file is missing / not a regular file."""
    if not os.path.isfile(path):
        return None
    with open(path, "rb") as f:
        return f.read()


# ============================================================ RFC 8785 / I-JSON (§2, §3, §5.2.1)

class JsonError(Exception):
    pass


def _no_duplicates(pairs):
    obj = {}
    for k, v in pairs:
        if k in obj:
            raise JsonError(f"duplicate member name {k!r}")
        obj[k] = v
    return obj


def _reject_constant(name):
    raise JsonError(f"{name} is not a JSON number")


def _check_ijson_values(v):
    """I-JSON (RFC 7493): integers within ±(2^53−1), finite numbers, no lone surrogates."""
    stack = [v]
    while stack:
        x = stack.pop()
        if isinstance(x, bool) or x is None:
            continue
        if isinstance(x, int):
            if abs(x) > MAX_SAFE:
                raise JsonError(f"integer {x} outside ±(2^53−1)")
        elif isinstance(x, float):
            if not math.isfinite(x):
                raise JsonError("number is not finite")
        elif isinstance(x, str):
            if any(0xD800 <= ord(c) <= 0xDFFF for c in x):
                raise JsonError("string holds a lone surrogate")
        elif isinstance(x, list):
            stack.extend(x)
        elif isinstance(x, dict):
            for k, val in x.items():
                stack.append(k)
                stack.append(val)


def parse_ijson(data):
    """Bytes -> value: valid UTF-8, JSON, I-JSON (no duplicate names, safe integers)."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        raise JsonError(f"not valid UTF-8 (byte {e.start})")
    try:
        value = json.loads(text, object_pairs_hook=_no_duplicates, parse_constant=_reject_constant)
    except JsonError:
        raise
    except (ValueError, RecursionError) as e:
        raise JsonError(f"not JSON: {str(e).splitlines()[0] if str(e) else type(e).__name__}")
    _check_ijson_values(value)
    return value


def parse_canonical(data):
    """Bytes -> value, requiring that RFC 8785 re-serialisation gives the same bytes."""
    value = parse_ijson(data)
    try:
        canon = rfc8785.dumps(value)
    except Exception as e:  # rfc8785 raises its own error types
        raise JsonError(f"cannot be canonicalised: {e}")
    if canon != data:
        n = next((i for i, (x, y) in enumerate(zip(canon, data)) if x != y), min(len(canon), len(data)))
        raise JsonError(f"bytes differ from the RFC 8785 canonical form at offset {n}")
    return value


# ============================================================ §4 Signed notes and keys

class NoteError(Exception):
    pass


def b64decode_canonical(s, what):
    """Standard base64 with padding (RFC 4648 §4); must re-encode to the same text."""
    if not isinstance(s, str) or not B64_RE.fullmatch(s) or len(s) % 4:
        raise NoteError(f"{what}: not standard padded base64")
    try:
        raw = base64.b64decode(s, validate=True)
    except (binascii.Error, ValueError):
        raise NoteError(f"{what}: not standard padded base64")
    if b64(raw) != s:
        raise NoteError(f"{what}: non-canonical base64")
    return raw


def valid_key_name(name):
    """C2SP signed-note: non-empty, no Unicode spaces, no '+', (and no control characters)."""
    return (name != "" and "+" not in name
            and not any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in name))


class Vkey:
    def __init__(self, text, name, key_id, pub):
        self.text, self.name, self.key_id, self.pub = text, name, key_id, pub


def parse_vkey(text):
    """§4.2: <name>+<8 lower-case hex key id>+<base64(0x01 ‖ 32-byte Ed25519 key)>."""
    if not isinstance(text, str):
        raise NoteError("vkey is not a string")
    parts = text.split("+", 2)  # the base64 part may itself hold '+'
    if len(parts) != 3:
        raise NoteError("vkey is not name+keyid+key")
    name, hex_id, key_b64 = parts
    if not valid_key_name(name):
        raise NoteError(f"vkey name {name!r} is not a valid key name")
    if not re.fullmatch(r"[0-9a-f]{8}", hex_id):
        raise NoteError("vkey key id is not 8 lower-case hex digits")
    raw = b64decode_canonical(key_b64, "vkey key")
    if len(raw) != 33 or raw[0] != 0x01:
        raise NoteError("vkey key is not 0x01 ‖ 32-byte Ed25519 public key")
    key_id = bytes.fromhex(hex_id)
    if hashlib.sha256(name.encode("utf-8") + b"\n" + raw).digest()[:4] != key_id:
        raise NoteError("vkey key id is not SHA-256(name ‖ 0x0A ‖ 0x01 ‖ key)[:4]")
    try:
        pub = Ed25519PublicKey.from_public_bytes(raw[1:])
    except ValueError:
        raise NoteError("vkey key is not a valid Ed25519 public key")
    return Vkey(text, name, key_id, pub)


def parse_note(data):
    """§4.1: bytes -> (text, [(key name, decoded signature blob)]). Raises NoteError."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    try:
        s = data.decode("utf-8")
    except UnicodeDecodeError:
        raise NoteError("note is not valid UTF-8")
    if any(ord(c) < 0x20 and c != "\n" for c in s):
        raise NoteError("note holds a control character")
    sep = s.find("\n\n")
    if sep < 0:
        raise NoteError("note has no empty line before its signatures")
    text, sig_block = s[:sep + 1], s[sep + 2:]
    if any(line == "" for line in text[:-1].split("\n")):
        raise NoteError("note text holds an empty line")
    if sig_block == "":
        raise NoteError("note has no signature lines")
    if not sig_block.endswith("\n"):
        raise NoteError("note does not end with a newline after its last signature line")
    sigs = []
    for line in sig_block[:-1].split("\n"):
        if not line.startswith(EM_DASH):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        fields = line[len(EM_DASH):].split(" ")
        if len(fields) != 2 or not valid_key_name(fields[0]):
            raise NoteError(f"malformed signature line {line[:40]!r}")
        blob = b64decode_canonical(fields[1], "signature")
        if len(blob) < 4:
            raise NoteError("signature shorter than its key id")
        sigs.append((fields[0], blob))
    return text, sigs


def verify_note(data, vkey):
    """§4.2: the note verifies when at least one signature line matches the key, and every line
    that matches it verifies (as Go's note.Open does). -> text."""
    text, sigs = parse_note(data)
    msg = text.encode("utf-8")
    matched = False
    for name, blob in sigs:
        if name != vkey.name or blob[:4] != vkey.key_id:
            continue  # another key: ignored
        matched = True
        sig = blob[4:]
        if len(sig) != 64 or int.from_bytes(sig[32:], "little") >= ED25519_L:
            raise NoteError(f"signature by {vkey.name} is malformed or has a non-canonical S")
        try:
            vkey.pub.verify(sig, msg)
        except InvalidSignature:
            raise NoteError(f"signature by {vkey.name} does not verify")
    if not matched:
        raise NoteError(f"no signature by key {vkey.name}+{vkey.key_id.hex()}")
    return text


def parse_checkpoint_text(text):
    """§4.3: exactly three lines: origin, decimal size (no leading zeros), base64 32-byte root."""
    lines = text[:-1].split("\n") if text.endswith("\n") else None
    if lines is None or len(lines) != 3:
        raise NoteError("checkpoint text is not exactly three lines")
    origin, size_s, root_s = lines
    if origin == "":
        raise NoteError("checkpoint origin line is empty")
    if not re.fullmatch(r"0|[1-9][0-9]*", size_s) or int(size_s) >= 2 ** 64:
        raise NoteError(f"checkpoint size {size_s!r} is not a decimal without leading zeros")
    root = b64decode_canonical(root_s, "checkpoint root")
    if len(root) != 32:
        raise NoteError("checkpoint root is not 32 bytes")
    return origin, int(size_s), root


def open_checkpoint(data, keys, origin):
    """Verify a checkpoint note of `origin` with the key named after it -> (size, root, text)."""
    text, _ = parse_note(data)
    cp_origin, size, root = parse_checkpoint_text(text)
    if cp_origin != origin:
        raise NoteError(f"checkpoint origin {cp_origin!r} is not {origin!r}")
    key = keys.get(origin)
    if key is None:
        raise NoteError(f"no trusted key named {origin!r}")
    verify_note(data, key)
    return size, root, text


# ============================================================ §1 paths; §5.2 tiles (C2SP tlog-tiles)

def enc(origin):
    """§1: ASCII letters, digits, '-', '_' kept; '.' kept except first; other bytes %XX."""
    out = []
    for i, byte in enumerate(origin.encode("utf-8")):
        c = chr(byte)
        if (c.isascii() and c.isalnum()) or c in "-_" or (c == "." and i > 0):
            out.append(c)
        else:
            out.append(f"%{byte:02X}")
    return "".join(out)


def tile_index(i):
    """1234067 -> 'x001/x234/067'."""
    groups = []
    while True:
        groups.append(f"{i % 1000:03d}")
        i //= 1000
        if i == 0:
            break
    groups.reverse()
    return "/".join(["x" + g for g in groups[:-1]] + [groups[-1]])


def tile_path(level, i, width):
    """level: an int, or 'entries' for entry bundles."""
    return f"tile/{level}/{tile_index(i)}" + (f".p/{width}" if width < 256 else "")


def tiles_at_level(n_leaves, level):
    """[(index, width)] of the tiles at `level` of a tree of n_leaves leaves."""
    n = n_leaves >> (8 * level)
    out = [(i, 256) for i in range(n // 256)]
    if n % 256:
        out.append((n // 256, n % 256))
    return out


def tile_levels(n_leaves):
    level = 0
    while n_leaves >> (8 * level) > 0:
        yield level
        level += 1


class BundleError(Exception):
    def __init__(self, message, seq=None):
        super().__init__(message)
        self.seq = seq


def split_bundle(data, first_index, width):
    """Entry bundle -> list of entry byte strings; exactly `width` of them, nothing after."""
    out, pos = [], 0
    while pos < len(data):
        if len(out) == width:
            raise BundleError(f"holds {len(data) - pos} byte(s) after its {width} entries")
        seq = first_index + len(out) + 1
        if pos + 2 > len(data):
            raise BundleError(f"truncated length prefix at offset {pos}", seq)
        n = int.from_bytes(data[pos:pos + 2], "big")
        pos += 2
        if pos + n > len(data):
            raise BundleError(f"entry at offset {pos - 2} is truncated ({n} bytes announced)", seq)
        out.append(data[pos:pos + n])
        pos += n
    if len(out) != width:
        raise BundleError(f"holds {len(out)} entries, expected {width} "
                          f"(seq {first_index + 1}…{first_index + width})")
    return out


# ============================================================ RFC 9162 §2.1 Merkle trees

def leaf_hash(entry):
    return hashlib.sha256(b"\x00" + entry).digest()


def node_hash(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


class Frontier:
    """Streaming RFC 9162 MTH: the perfect subtrees of the leaves seen so far, largest first.
    Also records node(8L, j) for every complete subtree of height 8L (L ≥ 1), i.e. the
    hashes that make up the level-L tiles."""

    def __init__(self):
        self.stack = []          # [(height, hash)]
        self.size = 0
        self.tile_nodes = {}     # L -> [node(8L, 0), node(8L, 1), ...]

    def push(self, lh):
        height, h = 0, lh
        while self.stack and self.stack[-1][0] == height:
            _, left = self.stack.pop()
            h = node_hash(left, h)
            height += 1
            if height % 8 == 0:
                self.tile_nodes.setdefault(height // 8, []).append(h)
        self.stack.append((height, h))
        self.size += 1

    def root(self):
        """MTH of the leaves so far: the largest-first decomposition is MTH's split."""
        if not self.stack:
            return EMPTY_ROOT
        r = self.stack[-1][1]
        for _, h in reversed(self.stack[:-1]):
            r = node_hash(h, r)
        return r


def mth(leaf_hashes):
    f = Frontier()
    for lh in leaf_hashes:
        f.push(lh)
    return f.root()


def verify_consistency(first, second, first_hash, second_hash, path):
    """RFC 9162 §2.1.4.2 for 0 < first < second: the sibling interop verifier's implementation."""
    import sync_check
    return sync_check.verify_consistency(first, second, first_hash, second_hash, path)


# ============================================================ the verifier

class Entry:
    """One entry read from a bundle (enough of it for §6 and §8)."""

    def __init__(self, origin, seq, obj, eid, typ, valid):
        self.origin, self.seq, self.obj, self.id, self.type, self.valid = origin, seq, obj, eid, typ, valid

    def stamp(self):
        hlc = self.obj["hlc"]
        return (hlc["wall"], hlc["count"], self.origin.encode("utf-8"), self.id.encode("utf-8"))


REFERENCES = {  # §6: entry type -> (payload member, type it must name; None = any other entry)
    "donation.permissibility-checked": ("donation", "donation.received"),
    "donation.accepted": ("donation", "donation.received"),
    "donation.returned": ("donation", "donation.received"),
    "donation.refunded": ("donation", "donation.received"),
    "pledge.fulfilled": ("pledge", "pledge.made"),
    "pledge.withdrawn": ("pledge", "pledge.made"),
    "event.voided": ("target", None),
}



def _is_date(v):
    if not (isinstance(v, str) and re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", v)):
        return False
    try:
        datetime.date.fromisoformat(v)
        return True
    except ValueError:
        return False


def _is_amount(v):
    return (isinstance(v, dict) and isinstance(v.get("currency"), str)
            and is_int(v.get("minor")) and v["minor"] >= 0)


# The members §6 and §8 read, per type. The schemas come from the bundle itself, so an entry
# that passes a (possibly loosened) bundle schema is checked for these too before it is used.
SHAPES = {
    "donation.received": lambda e, p: (isinstance(e.get("subject"), str) and _is_amount(p.get("amount"))
                                       and _is_date(p.get("receivedOn"))
                                       and isinstance(p.get("accountingUnit", ""), str)),
    "donation.permissibility-checked": lambda e, p: (isinstance(p.get("donation"), str) and _is_date(p.get("checkedOn"))
                                                     and p.get("outcome") in ("permissible", "impermissible")),
    "donation.accepted": lambda e, p: isinstance(p.get("donation"), str),
    "donation.returned": lambda e, p: isinstance(p.get("donation"), str) and _is_date(p.get("returnedOn")),
    "donation.refunded": lambda e, p: isinstance(p.get("donation"), str) and _is_amount(p.get("amount")),
    "pledge.fulfilled": lambda e, p: isinstance(p.get("pledge"), str),
    "pledge.withdrawn": lambda e, p: isinstance(p.get("pledge"), str),
    "event.voided": lambda e, p: isinstance(p.get("target"), str),
}


def usable_shape(obj):
    hlc, payload = obj.get("hlc"), obj.get("payload")
    if not (isinstance(hlc, dict) and is_int(hlc.get("wall")) and is_int(hlc.get("count"))
            and isinstance(payload, dict)):
        return False
    shape = SHAPES.get(obj.get("type"))
    return shape is None or shape(obj, payload)


MANIFEST_MEMBERS = ("format", "version", "movement", "exportedBy", "exportedAt", "logs", "evidence")
MANIFEST_LOG_MEMBERS = ("origin", "path", "size", "checkpoints", "frozen")
ROSTER_MEMBERS = ("format", "members", "movement", "version")
ROSTER_MEMBER_MEMBERS = ("name", "role", "url", "vkey")
EVIDENCE_MEMBERS = ("origin", "a", "b", "rootAtA", "proof")


class Verifier:
    def __init__(self, bundle_dir, root_vkey=None, origin_vkeys=None, today=None):
        self.dir = bundle_dir
        self.root_vkey = root_vkey            # Vkey or None
        self.origin_vkeys = origin_vkeys      # {name: Vkey} for a lone hub, or None
        self.today = today
        self.F = Findings()
        self.keys = {}                        # origin -> Vkey (roster hubs, or the given vkeys)
        self.members = set()                  # roster member names (any role)
        self.officers = None                  # vkey text -> Vkey of roster officers (None: no roster)
        self.authors = {}                     # vkey text -> [Vkey, entries signed]
        self.movement = None                  # the verified roster's movement name
        self.roster_ok = False                # roster.note verified and is a JSON object
        self.schemas = {}                     # (type, version) -> validator
        self.entries = []                     # [Entry] in reading order
        self.entry_count = 0
        self.logs_out = []
        self.forked = set()
        self.evidence_origins = set()

    # ------------------------------------------------------------------ driver
    def run(self):
        if not os.path.isdir(self.dir):
            raise Unreadable(f"{self.dir} is not a directory")
        manifest = self.check_manifest()
        self.load_keys()
        self.check_manifest_against_keys(manifest)
        self.load_schemas()
        self.check_evidence(manifest)
        self.check_logs(manifest)
        self.check_movement()
        registers, donations = self.registers()
        findings = self.F.items
        return {
            "ok": not findings,
            "logs": sorted(self.logs_out, key=lambda x: x["origin"].encode("utf-8")),
            "entries": self.entry_count,
            "findings": findings,
            "forked": sorted(self.forked, key=lambda o: o.encode("utf-8")),
            "authors": [{"vkey": vk.text, "entries": n,
                         "officer": None if self.officers is None else vk.text in self.officers}
                        for vk, n in sorted(self.authors.values(), key=lambda a: (a[0].name.encode("utf-8"), a[0].key_id))],
            "donations": donations,
            "registers": registers,
        }

    # ------------------------------------------------------------------ §2 manifest
    def check_manifest(self):
        F = self.F
        raw = read_bytes(os.path.join(self.dir, "muster-bundle.json"))
        if raw is None:
            raise Unreadable("muster-bundle.json is missing")
        try:
            m = parse_ijson(raw)
        except JsonError as e:
            raise Unreadable(f"muster-bundle.json is unreadable: {e}")
        if not isinstance(m, dict):
            raise Unreadable("muster-bundle.json is not a JSON object")
        try:
            parse_canonical(raw)
        except JsonError as e:
            F.add(None, None, f"muster-bundle.json is not RFC 8785 canonical JSON: {e}")
        for k in MANIFEST_MEMBERS:
            if k not in m:
                F.add(None, None, f"muster-bundle.json: member {k!r} is missing")
        for k in m:
            if k not in MANIFEST_MEMBERS:
                F.add(None, None, f"muster-bundle.json: unknown member {k!r}")
        if "format" in m and m["format"] != "muster-audit-bundle":
            F.add(None, None, f"muster-bundle.json: format is {m['format']!r}, not 'muster-audit-bundle'")
        if "version" in m and not (is_int(m["version"]) and m["version"] == 1):
            F.add(None, None, f"muster-bundle.json: version is {m['version']!r}, not 1")
        if "movement" in m and not (m["movement"] is None or isinstance(m["movement"], str)):
            F.add(None, None, "muster-bundle.json: movement is not a string or null")
        if "exportedBy" in m and not isinstance(m["exportedBy"], str):
            F.add(None, None, "muster-bundle.json: exportedBy is not a string")
        if "exportedAt" in m:
            t = m["exportedAt"]
            if not (isinstance(t, str) and rfc3339_validator.validate_rfc3339(t) and t.endswith("Z")):
                F.add(None, None, f"muster-bundle.json: exportedAt {t!r} is not an RFC 3339 UTC time")

        logs = []  # [(origin, manifest object)]
        mlogs = m.get("logs", [])
        if not isinstance(mlogs, list):
            F.add(None, None, "muster-bundle.json: logs is not an array")
            mlogs = []
        prev = None
        seen = set()
        for n, ml in enumerate(mlogs):
            if not isinstance(ml, dict) or not isinstance(ml.get("origin"), str) or ml["origin"] == "":
                F.add(None, None, f"muster-bundle.json: logs[{n}] is not an object with a non-empty string origin")
                continue
            origin = ml["origin"]
            for k in MANIFEST_LOG_MEMBERS:
                if k not in ml:
                    F.add(origin, None, f"muster-bundle.json: logs[{n}] has no member {k!r}")
            for k in ml:
                if k not in MANIFEST_LOG_MEMBERS:
                    F.add(origin, None, f"muster-bundle.json: logs[{n}] has unknown member {k!r}")
            want_path = "logs/" + enc(origin)
            if "path" in ml and ml["path"] != want_path:
                F.add(origin, None, f"muster-bundle.json: logs[{n}].path is {ml['path']!r}, "
                                    f"expected {want_path!r} (the computed path is used)")
            for k in ("size", "checkpoints"):
                if k in ml and not (is_int(ml[k]) and ml[k] >= 0):
                    F.add(origin, None, f"muster-bundle.json: logs[{n}].{k} is not a non-negative integer")
            if "frozen" in ml and not isinstance(ml["frozen"], bool):
                F.add(origin, None, f"muster-bundle.json: logs[{n}].frozen is not a boolean")
            key = origin.encode("utf-8")
            if prev is not None and key <= prev:
                F.add(origin, None, "muster-bundle.json: logs are not sorted by origin (byte order) "
                                    "or list an origin twice")
            prev = key
            if origin in seen:
                continue
            seen.add(origin)
            logs.append((origin, ml))

        ev = m.get("evidence", [])
        if not isinstance(ev, list) or not all(isinstance(p, str) for p in ev):
            F.add(None, None, "muster-bundle.json: evidence is not an array of strings")
            ev = []
        if any(a.encode("utf-8") >= b.encode("utf-8") for a, b in zip(ev, ev[1:])):
            F.add(None, None, "muster-bundle.json: evidence paths are not sorted (or repeat)")
        return {"raw": m, "logs": logs, "evidence": ev,
                "movement": m.get("movement") if isinstance(m.get("movement"), str) else None,
                "exportedBy": m.get("exportedBy") if isinstance(m.get("exportedBy"), str) else None}

    # ------------------------------------------------------------------ §3 roster (or lone-hub keys)
    def load_keys(self):
        F = self.F
        if self.root_vkey is None:          # lone hub: the given vkeys are the log keys
            self.keys = dict(self.origin_vkeys)
            self.members = set(self.keys)
            return
        raw = read_bytes(os.path.join(self.dir, "roster.note"))
        if raw is None:
            F.add(None, None, "roster.note is missing: no log can be verified with the root key")
            return
        try:
            text = verify_note(raw, self.root_vkey)
        except NoteError as e:
            F.add(None, None, f"roster.note does not verify with the root key: {e}")
            return
        if text.count("\n") != 1:
            F.add(None, None, "roster.note: text is not exactly one line")
            return
        try:
            roster = parse_canonical(text[:-1].encode("utf-8"))
        except JsonError as e:
            F.add(None, None, f"roster.note: text is not RFC 8785 canonical JSON: {e}")
            return
        if not isinstance(roster, dict):
            F.add(None, None, "roster.note: text is not a JSON object")
            return
        for k in ROSTER_MEMBERS:
            if k not in roster:
                F.add(None, None, f"roster.note: member {k!r} is missing")
        for k in roster:
            if k not in ROSTER_MEMBERS:
                F.add(None, None, f"roster.note: unknown member {k!r}")
        if roster.get("format") != "muster-roster/1":
            F.add(None, None, f"roster.note: format is {roster.get('format')!r}, not 'muster-roster/1'")
        if "version" in roster and not is_int(roster["version"]):
            F.add(None, None, "roster.note: version is not an integer")
        self.roster_ok = True
        movement = roster.get("movement")
        if not isinstance(movement, str):
            F.add(None, None, "roster.note: movement is not a string")
        else:
            self.movement = movement
            if movement != self.root_vkey.name:
                F.add(None, None, f"roster.note: movement {movement!r} is not the root key's name "
                                  f"{self.root_vkey.name!r}")
        members = roster.get("members")
        if not isinstance(members, list):
            F.add(None, None, "roster.note: members is not an array")
            return
        names = set()
        self.officers = {}
        for n, mem in enumerate(members):
            if not isinstance(mem, dict) or not isinstance(mem.get("name"), str):
                F.add(None, None, f"roster.note: members[{n}] is not an object with a string name")
                continue
            name = mem["name"]
            bad = False
            for k in ROSTER_MEMBER_MEMBERS:
                if k not in mem and k != "url":  # url is optional (VERIFYING.md §3)
                    F.add(None, None, f"roster.note: member {name!r} has no {k!r}")
                    bad = True
            for k in mem:
                if k not in ROSTER_MEMBER_MEMBERS:
                    F.add(None, None, f"roster.note: member {name!r} has unknown member {k!r}")
            if name in names:
                F.add(None, None, f"roster.note: member name {name!r} is not unique")
                self.keys.pop(name, None)
                continue
            names.add(name)
            if mem.get("role") not in ("hub", "auditor", "officer"):
                F.add(None, None, f"roster.note: member {name!r} has role {mem.get('role')!r}")
                bad = True
            if "url" in mem and not isinstance(mem["url"], str):
                F.add(None, None, f"roster.note: member {name!r} url is not a string")
            try:
                vk = parse_vkey(mem.get("vkey"))
                if vk.name != name:
                    raise NoteError(f"vkey name {vk.name!r} is not the member name")
            except NoteError as e:
                F.add(None, None, f"roster.note: member {name!r} vkey is invalid: {e}")
                bad = True
                vk = None
            self.members.add(name)
            if not bad and mem["role"] == "hub":
                self.keys[name] = vk
            if not bad and mem["role"] == "officer":
                self.officers[vk.text] = vk

    def check_manifest_against_keys(self, manifest):
        F = self.F
        has_roster = os.path.exists(os.path.join(self.dir, "roster.note"))
        mv = manifest["raw"].get("movement")
        if self.root_vkey is not None:
            if self.movement is not None and mv != self.movement:
                F.add(None, None, f"muster-bundle.json: movement {mv!r} is not the roster's {self.movement!r}")
        elif not has_roster and mv is not None:
            F.add(None, None, f"muster-bundle.json: movement is {mv!r} but there is no roster (lone hub)")
        eb = manifest["exportedBy"]
        if eb is not None and (self.root_vkey is None or self.roster_ok):
            if eb not in self.members:
                F.add(None, None, f"muster-bundle.json: exportedBy {eb!r} is not "
                                  + ("a roster member" if self.root_vkey else "a trusted origin"))

    # ------------------------------------------------------------------ schemas (§5.2.3)
    def load_schemas(self):
        F = self.F
        sdir = os.path.join(self.dir, "schemas", "events")
        if not os.path.isdir(sdir):
            F.add(None, None, "schemas/events/ is missing")
            return
        for name in sorted(os.listdir(sdir)):
            m = re.fullmatch(r"(.+)\.v([1-9][0-9]*)\.schema\.json", name)
            path = os.path.join(sdir, name)
            if not m or not os.path.isfile(path):
                F.add(None, None, f"schemas/events/{name} is not a <type>.v<N>.schema.json file")
                continue
            try:
                schema = parse_ijson(read_bytes(path))
                Draft202012Validator.check_schema(schema)
            except (JsonError, SchemaError) as e:
                F.add(None, None, f"schemas/events/{name} is not a valid JSON Schema: "
                                  f"{str(e).splitlines()[0][:200]}")
                continue
            # An empty registry: no remote $ref is ever fetched.
            self.schemas[(m.group(1), int(m.group(2)))] = Draft202012Validator(
                schema, format_checker=FORMAT_CHECKER, registry=Registry())

    # ------------------------------------------------------------------ §7 evidence
    def check_evidence(self, manifest):
        F = self.F
        edir = os.path.join(self.dir, "evidence")
        present = sorted(os.listdir(edir)) if os.path.isdir(edir) else []
        listed = manifest["evidence"]
        for p in listed:
            if not (p.startswith("evidence/") and p[len("evidence/"):] in present):
                F.add(None, None, f"muster-bundle.json lists evidence {p!r}, which is not in the bundle")
        for name in present:
            if "evidence/" + name not in listed:
                F.add(None, None, f"evidence/{name} is not listed in muster-bundle.json")
        for name in present:
            self.check_one_evidence(name, manifest["exportedBy"])

    def check_one_evidence(self, name, exported_by):
        F = self.F
        rel = f"evidence/{name}"

        def against_exporter(reason):
            F.add(exported_by, None, f"{rel} does not prove a fork: {reason}")

        m = re.fullmatch(r"([0-9a-f]{64})\.json", name)
        data = read_bytes(os.path.join(self.dir, rel))
        if data is None or not m:
            against_exporter("not a file named evidence/<64 lower-case hex>.json")
            return
        try:
            ev = parse_ijson(data)
        except JsonError as e:
            against_exporter(f"not JSON ({e})")
            return
        if not isinstance(ev, dict):
            against_exporter("not a JSON object")
            return
        extra = [k for k in ev if k not in EVIDENCE_MEMBERS]
        if extra:
            against_exporter(f"unknown member(s) {extra}")   # reported; the proof is still checked
        origin, a, b, root_at_a_s, proof_s = (ev.get(k) for k in EVIDENCE_MEMBERS)
        if not (isinstance(origin, str) and isinstance(a, str) and isinstance(b, str)
                and isinstance(root_at_a_s, str) and isinstance(proof_s, list)
                and all(isinstance(p, str) for p in proof_s)):
            against_exporter("members origin/a/b/rootAtA (strings) and proof (array of strings) required")
            return
        self.evidence_origins.add(origin)
        want_id = hashlib.sha256(b"\x00" + a.encode("utf-8") + b"\x00" + b.encode("utf-8")).hexdigest()
        if m.group(1) != want_id:
            against_exporter(f"its id is not SHA-256(0x00 ‖ a ‖ 0x00 ‖ b) = {want_id}")
        if origin not in self.keys:
            against_exporter(f"{origin!r} is not a hub with a trusted key")
            return
        try:
            size_a, root_a, _ = open_checkpoint(a.encode("utf-8"), self.keys, origin)
        except NoteError as e:
            against_exporter(f"checkpoint a: {e}")
            return
        try:
            size_b, root_b, _ = open_checkpoint(b.encode("utf-8"), self.keys, origin)
        except NoteError as e:
            against_exporter(f"checkpoint b: {e}")
            return
        try:
            root_at_a = b64decode_canonical(root_at_a_s, "rootAtA")
            proof = [b64decode_canonical(p, f"proof[{i}]") for i, p in enumerate(proof_s)]
        except NoteError as e:
            against_exporter(str(e))
            return
        if len(root_at_a) != 32 or any(len(p) != 32 for p in proof):
            against_exporter("rootAtA and proof hashes must be 32 bytes")
            return
        if not 0 < size_a <= size_b:
            against_exporter(f"sizes {size_a} and {size_b} are not 0 < size(a) ≤ size(b)")
            return
        if root_at_a == root_a:
            against_exporter("rootAtA equals root(a): no fork")
            return
        if size_a == size_b:
            if proof or root_at_a != root_b:
                against_exporter("equal sizes need an empty proof and rootAtA = root(b)")
                return
        elif not verify_consistency(size_a, size_b, root_at_a, root_b, proof):
            against_exporter(f"the consistency proof from {size_a} to {size_b} does not verify")
            return
        self.forked.add(origin)
        F.add(origin, None, f"{rel} proves that {origin} forked its history: it signed root "
                            f"{b64(root_a)} at size {size_a}, and size {size_b} whose tree has root "
                            f"{b64(root_at_a)} at size {size_a}")

    # ------------------------------------------------------------------ §5 each log
    def check_logs(self, manifest):
        F = self.F
        ldir = os.path.join(self.dir, "logs")
        expected = {enc(origin) for origin, _ in manifest["logs"]}
        if os.path.isdir(ldir):
            for name in sorted(os.listdir(ldir)):
                if name not in expected:
                    F.add(None, None, f"logs/{name} is not a log listed in muster-bundle.json")
        for origin, ml in manifest["logs"]:
            frozen = ml.get("frozen")
            if isinstance(frozen, bool) and frozen != (origin in self.evidence_origins):
                F.add(origin, None, f"muster-bundle.json: frozen is {str(frozen).lower()} but the bundle "
                                    f"{'holds' if origin in self.evidence_origins else 'holds no'} "
                                    f"evidence against this origin")
            self.check_log(origin, ml)

    def check_log(self, origin, ml):
        F = self.F
        rel = "logs/" + enc(origin)
        ldir = os.path.join(self.dir, rel)
        if not os.path.isdir(ldir):
            F.add(origin, None, f"{rel}/ is missing")
            return
        if origin not in self.keys:
            F.add(origin, None, "origin is not a hub in the roster (no trusted key): its log cannot be verified")
            return

        # §5.1 the latest checkpoint
        cp_raw = read_bytes(os.path.join(ldir, "checkpoint"))
        if cp_raw is None:
            F.add(origin, None, f"{rel}/checkpoint is missing")
            return
        try:
            n, root, _ = open_checkpoint(cp_raw, self.keys, origin)
        except NoteError as e:
            F.add(origin, None, f"{rel}/checkpoint: {e}")
            return
        if is_int(ml.get("size")) and ml["size"] != n:
            F.add(origin, None, f"muster-bundle.json: size {ml['size']} is not the checkpoint's size {n}")

        # §5.4 the checkpoint history (parsed first; roots are compared while streaming)
        history, n_lines = self.read_history(origin, rel, ldir, n, cp_raw)
        if is_int(ml.get("checkpoints")) and ml["checkpoints"] != n_lines:
            F.add(origin, None, f"muster-bundle.json: checkpoints {ml['checkpoints']} but "
                                f"checkpoints.jsonl has {n_lines} line(s)")
        self.logs_out.append({"origin": origin, "size": n, "root": b64(root), "checkpoints": n_lines})

        # §5.2 entry bundles and entries, §5.3 level-0 tiles, streaming the leaf hashes
        frontier = Frontier()
        pending = sorted(history, key=lambda h: h[1])
        pi = 0

        def settle():
            nonlocal pi
            while pi < len(pending) and pending[pi][1] == frontier.size:
                line_no, size, cp_root = pending[pi]
                if frontier.root() != cp_root:
                    F.add(origin, None,
                          f"{rel}/checkpoints.jsonl line {line_no}: validly signed checkpoint for size {size} "
                          f"has root {b64(cp_root)}, but the first {size} entries have root "
                          f"{b64(frontier.root())}: the origin signed two histories (or the entries "
                          f"were changed after signing)")
                pi += 1

        settle()
        for i_tile, width in tiles_at_level(n, 0):
            first = 256 * i_tile
            bpath = tile_path("entries", i_tile, width)
            data = read_bytes(os.path.join(ldir, bpath))
            if data is None:
                F.add(origin, first + 1, f"{rel}/{bpath} is missing; stopped reading this log")
                return
            try:
                entries = split_bundle(data, first, width)
            except BundleError as e:
                F.add(origin, e.seq, f"{rel}/{bpath}: {e}; stopped reading this log")
                return
            hashes = []
            for k, entry in enumerate(entries):
                self.entry_count += 1
                self.check_entry(origin, first + k, entry)
                lh = leaf_hash(entry)
                hashes.append(lh)
                frontier.push(lh)
                settle()
            self.check_tile(origin, rel, ldir, 0, i_tile, width, hashes, first)

        # §5.3 tiles at levels ≥ 1, and the root
        for level in tile_levels(n):
            if level == 0:
                continue
            nodes = frontier.tile_nodes.get(level, [])
            for i_tile, width in tiles_at_level(n, level):
                self.check_tile(origin, rel, ldir, level, i_tile, width,
                                nodes[256 * i_tile:256 * i_tile + width], None)
        if frontier.root() != root:
            F.add(origin, None, f"{rel}: the {n} entries have root {b64(frontier.root())}, but the "
                                f"checkpoint signs {b64(root)}: the entries are not the ones the origin signed")

    def read_history(self, origin, rel, ldir, n, cp_raw):
        """§5.4 -> ([(line number, size, root)] of verified lines with size ≤ N, number of lines)."""
        F = self.F
        where = f"{rel}/checkpoints.jsonl"
        data = read_bytes(os.path.join(ldir, "checkpoints.jsonl"))
        if data is None:
            F.add(origin, None, f"{where} is missing")
            return [], 0
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            F.add(origin, None, f"{where} is not valid UTF-8")
            return [], 0
        if text and not text.endswith("\n"):
            F.add(origin, None, f"{where} does not end with a newline")
        lines = text.split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        if not lines:
            F.add(origin, None, f"{where} is empty (its last line must be the checkpoint)")
            return [], 0
        out, prev, last_note = [], None, None
        for no, line in enumerate(lines, 1):
            last_note = None
            try:
                note = parse_ijson(line.encode("utf-8"))
            except JsonError:
                note = None
            if not isinstance(note, str):
                F.add(origin, None, f"{where} line {no} is not a JSON string")
                continue
            last_note = note
            try:
                size, root, _ = open_checkpoint(note.encode("utf-8"), self.keys, origin)
            except NoteError as e:
                F.add(origin, None, f"{where} line {no}: {e}")
                continue
            if prev is not None and size <= prev:
                F.add(origin, None, f"{where} line {no}: size {size} does not increase on {prev}")
            prev = size
            if size > n:
                F.add(origin, None, f"{where} line {no}: size {size} is above the checkpoint's {n}")
                continue
            out.append((no, size, root))
        if last_note is None or last_note.encode("utf-8") != cp_raw:
            F.add(origin, None, f"{where}: the last line is not the checkpoint file")
        return out, len(lines)

    def check_tile(self, origin, rel, ldir, level, i_tile, width, hashes, first_index):
        F = self.F
        path = tile_path(level, i_tile, width)
        data = read_bytes(os.path.join(ldir, path))
        if data is None:
            F.add(origin, None, f"{rel}/{path} is missing")
            return
        if len(data) != 32 * width:
            F.add(origin, None, f"{rel}/{path} has {len(data)} bytes, expected {32 * width}")
            return
        for k in range(width):
            if data[32 * k:32 * k + 32] != hashes[k]:
                if level == 0:
                    F.add(origin, first_index + k + 1, f"{rel}/{path} holds a different hash at position {k} "
                                                       f"than the leaf hash of the entry")
                else:
                    F.add(origin, None, f"{rel}/{path} holds a different hash at position {k} than "
                                        f"node({8 * level}, {256 * i_tile + k}) of the entries")
                return

    def check_entry(self, origin, index, data):
        """§5.2 steps 1–3 for the entry at leaf index `index` (seq = index + 1)."""
        F = self.F
        seq = index + 1
        try:
            obj = parse_canonical(data)                                     # 1. canonical JSON
        except JsonError as e:
            F.add(origin, seq, f"entry is not canonical I-JSON: {e}")
            return
        if not isinstance(obj, dict):
            F.add(origin, seq, "entry is not a JSON object")
            return
        ok = True                                                           # 2. envelope
        if not (is_int(obj.get("v")) and obj["v"] == 1):
            F.add(origin, seq, f"entry v is {obj.get('v')!r}, not 1")
            ok = False
        if obj.get("origin") != origin:
            F.add(origin, seq, f"entry origin {obj.get('origin')!r} is not the log's origin")
            ok = False
        if not (is_int(obj.get("seq")) and obj["seq"] == seq):
            F.add(origin, seq, f"entry seq {obj.get('seq')!r} is not {seq}")
            ok = False
        eid = obj.get("id")
        if not (isinstance(eid, str) and UUID7_RE.fullmatch(eid)):
            F.add(origin, seq, f"entry id {eid!r} is not a lower-case UUIDv7")
            ok = False
            eid = None
        typ, ver = obj.get("type"), obj.get("typeVersion")                  # 3. schema
        if not (isinstance(typ, str) and is_int(ver)):
            F.add(origin, seq, "entry type/typeVersion missing or not a string/integer")
            ok = False
        else:
            validator = self.schemas.get((typ, ver))
            if validator is None:
                F.add(origin, seq, f"unknown event type or version: no schemas/events/{typ}.v{ver}.schema.json")
                ok = False
            else:
                try:
                    errors = sorted(validator.iter_errors(obj), key=lambda e: list(map(str, e.absolute_path)))
                except Exception as e:  # e.g. an unresolvable $ref in the bundle's schema
                    errors = None
                    F.add(origin, seq, f"schema {typ}.v{ver} cannot be applied: {str(e).splitlines()[0][:200]}")
                    ok = False
                if errors:
                    msgs = ["/" + "/".join(map(str, e.absolute_path)) + ": " + e.message[:160] for e in errors[:3]]
                    F.add(origin, seq, f"entry does not validate against {typ}.v{ver}: " + "; ".join(msgs)
                          + (f" (+{len(errors) - 3} more)" if len(errors) > 3 else ""))
                    ok = False
                elif errors is not None and not usable_shape(obj):
                    F.add(origin, seq, f"entry passes the bundle's schema {typ}.v{ver} but lacks the hlc/payload "
                                       f"members a {typ} must have")
                    ok = False
        if "authorSig" in obj:                                              # 5. author signature
            self.check_author(origin, seq, obj)
        self.entries.append(Entry(origin, seq, obj, eid, typ if isinstance(typ, str) else None, ok))

    def check_author(self, origin, seq, obj):
        """§5.2 step 5: authorSig verifies over the entry without it, by an officer's key."""
        F = self.F
        a = obj["authorSig"]
        if not (isinstance(a, dict) and isinstance(a.get("vkey"), str) and isinstance(a.get("sig"), str)):
            F.add(origin, seq, "authorSig is malformed")
            return
        try:
            vk = parse_vkey(a["vkey"])
        except NoteError as e:
            F.add(origin, seq, f"authorSig.vkey is not an Ed25519 verifier key: {e}")
            return
        try:
            sig = b64decode_canonical(a["sig"], "authorSig.sig")
        except NoteError:
            F.add(origin, seq, "authorSig is malformed")
            return
        unsigned = rfc8785.dumps({k: v for k, v in obj.items() if k != "authorSig"})
        try:
            if len(sig) != 64 or int.from_bytes(sig[32:], "little") >= ED25519_L:
                raise InvalidSignature()
            vk.pub.verify(sig, unsigned)
        except InvalidSignature:
            F.add(origin, seq, f"authorSig does not verify with {vk.name}+{vk.key_id.hex()}")
            return
        self.authors.setdefault(vk.text, [vk, 0])[1] += 1
        if self.officers is not None and vk.text not in self.officers:
            F.add(origin, seq, f"authorSig is by {vk.name}+{vk.key_id.hex()}, which is not an officer on the roster")

    # ------------------------------------------------------------------ §6 across the movement
    def check_movement(self):
        F = self.F
        self.by_id = by_id = {}
        for e in self.entries:                                       # event ids are unique
            if e.id is None:
                continue
            if e.id in by_id:
                first = by_id[e.id]
                F.add(e.origin, e.seq, f"event id {e.id} is also used by {first.origin} seq {first.seq}")
            else:
                by_id[e.id] = e
        for e in self.entries:                                       # references resolve
            if not e.valid or e.type not in REFERENCES:
                continue
            member, want = REFERENCES[e.type]
            target_id = e.obj["payload"][member]
            t = by_id.get(target_id)
            if t is None:
                F.add(e.origin, e.seq, f"payload.{member} names event {target_id}, which is not in the bundle")
            elif want is not None and t.type != want:
                F.add(e.origin, e.seq, f"payload.{member} names {target_id} ({t.origin} seq {t.seq}), "
                                       f"a {t.type}, not a {want}")
            elif want is None and t is e:
                F.add(e.origin, e.seq, "event.voided names itself")
        # refunds: same currency, not above the amount (voided refunds left out)
        voided = self.voided_ids()
        refunds = {}
        for e in self.entries:
            if e.valid and e.type == "donation.refunded" and e.id not in voided:
                refunds.setdefault(e.obj["payload"]["donation"], []).append(e)
        for did, rs in refunds.items():
            d = by_id.get(did)
            if d is None or not d.valid or d.type != "donation.received":
                continue
            amount = d.obj["payload"]["amount"]
            total, reported = 0, False
            for r in sorted(rs, key=Entry.stamp):
                ra = r.obj["payload"]["amount"]
                if ra["currency"] != amount["currency"]:
                    F.add(r.origin, r.seq, f"refund in {ra['currency']} of donation {did} in "
                                           f"{amount['currency']}: cannot be netted")
                    continue
                total += ra["minor"]
                if total > amount["minor"] and not reported:
                    F.add(r.origin, r.seq, f"refunds of donation {did} reach {total} minor units, above its "
                                           f"amount {amount['minor']} {amount['currency']}")
                    reported = True

    def voided_ids(self):
        return {e.obj["payload"]["target"] for e in self.entries if e.valid and e.type == "event.voided"}

    # ------------------------------------------------------------------ §8 the donation register
    def registers(self):
        voided = self.voided_ids()
        live = [e for e in self.entries if e.valid and e.id not in voided]
        donations = {}
        for e in live:
            if e.type == "donation.received" and e.id not in donations:
                donations[e.id] = e
        related = {}
        for e in sorted((e for e in live if e.type in ("donation.permissibility-checked", "donation.returned",
                                                      "donation.refunded")), key=Entry.stamp):
            related.setdefault(e.obj["payload"]["donation"], []).append(e)
        rows = []
        for did, d in donations.items():
            p = d.obj["payload"]
            currency = p["amount"]["currency"]
            refunded, returned_on, check = 0, None, None
            for r in related.get(did, []):                          # in stamp order: last wins
                rp = r.obj["payload"]
                if r.type == "donation.refunded" and rp["amount"]["currency"] == currency:
                    refunded += rp["amount"]["minor"]
                elif r.type == "donation.returned":
                    returned_on = rp["returnedOn"]
                elif r.type == "donation.permissibility-checked":
                    check = {"checkedOn": rp["checkedOn"], "outcome": rp["outcome"]}
            rows.append({"id": did, "donor": d.obj["subject"], "amountMinor": p["amount"]["minor"],
                         "currency": currency, "receivedOn": p["receivedOn"],
                         "accountingUnit": p.get("accountingUnit"), "refundedMinor": refunded,
                         "returnedOn": returned_on, "check": check})
        years = sorted({int(r["receivedOn"][:4]) for r in rows})
        out = []
        for year in years:
            for unit in ("central", "accounting-unit"):
                try:
                    res = ppera_register.compute({"rules": UK_RULES, "year": year, "quarter": None, "unit": unit,
                                                  "today": self.today.isoformat(), "donations": rows})
                except ppera_register.Malformed as e:  # cannot happen after usable_shape(); kept as a guard
                    self.F.add(None, None, f"donation register {year} {unit} cannot be computed: {e}")
                    continue
                out.append({
                    "year": year, "unit": unit,
                    "reportable": sorted(x["id"] for x in res["reportable"]),
                    "permissibility": sorted([x["id"], x["issue"]] for x in res["permissibility"]),
                    "returned": sorted(x["id"] for x in res["returned"]),
                    "smallCount": res["small"]["count"],
                    "smallTotalMinor": res["small"]["totalMinor"],
                })
        return out, len(rows)


def verify_bundle(bundle_dir, root_vkey=None, origin_vkeys=None, today=None):
    if today is None:
        today = datetime.datetime.now(datetime.timezone.utc).date()
    return Verifier(bundle_dir, root_vkey, origin_vkeys, today).run()


# ============================================================ CLI

class UsageError(Exception):
    pass


def load_vkey_arg(arg):
    text = arg
    if os.path.isfile(arg):
        with open(arg, encoding="utf-8") as f:
            text = f.read().strip()
    try:
        return parse_vkey(text)
    except NoteError as e:
        raise UsageError(f"bad vkey {arg!r}: {e}")


def main(argv):
    if argv == ["--self-test"]:
        return self_test()
    ap = argparse.ArgumentParser(prog="audit_verify.py", add_help=True)
    ap.add_argument("dir")
    ap.add_argument("--root-vkey")
    ap.add_argument("--vkey", action="append", default=[])
    ap.add_argument("--today")

    def _error(msg):
        raise UsageError(msg)
    ap.error = _error
    try:
        args = ap.parse_args(argv)
        if (args.root_vkey is None) == (not args.vkey):
            raise UsageError("give either --root-vkey VKEY or one or more --vkey VKEY")
        root = load_vkey_arg(args.root_vkey) if args.root_vkey else None
        origin_keys = None
        if args.vkey:
            origin_keys = {}
            for a in args.vkey:
                vk = load_vkey_arg(a)
                if vk.name in origin_keys:
                    raise UsageError(f"two --vkey for {vk.name!r}")
                origin_keys[vk.name] = vk
        today = None
        if args.today is not None:
            if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", args.today):
                raise UsageError("--today must be YYYY-MM-DD")
            try:
                today = datetime.date.fromisoformat(args.today)
            except ValueError:
                raise UsageError("--today must be a valid date YYYY-MM-DD")
        result = verify_bundle(args.dir, root, origin_keys, today)
    except (UsageError, Unreadable) as e:
        sys.stderr.write(f"audit_verify: {str(e).splitlines()[0]}\n")
        return 2
    except OSError as e:
        sys.stderr.write(f"audit_verify: cannot read the bundle: {e}\n")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0 if result["ok"] else 1


# ============================================================ self-test
#
# A small, independent bundle writer (Python) builds an honest movement bundle — a signed roster,
# three hubs, 520 + 256 + 37 entries valid against the sample schemas in Schemas/events, so full
# and partial tiles at levels 0 and 1 — and tampered copies of it, and checks what the verifier
# says about each. It also runs the tile/checkpoint code on the real tlog-tiles log in
# shared/vectors/transparency-dev-tessera, and the note, Merkle and RFC 8785 code on the other
# upstream vectors.

def self_test():
    import random
    import shutil
    import subprocess
    import tempfile
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    failures = []

    def expect(cond, label):
        print(("PASS " if cond else "FAIL ") + label)
        if not cond:
            failures.append(label)

    schema_src = os.path.normpath(os.path.join(HERE, "..", "..", "Schemas", "events"))
    vectors = os.path.normpath(os.path.join(HERE, "..", "..", "..", "shared", "vectors"))

    # -------------------------------------------------------------- unit checks
    expect(tile_index(1234067) == "x001/x234/067" and tile_index(0) == "000" and tile_index(1000) == "x001/000",
           "tile index paths (x001/x234/067)")
    expect(enc("muster.example.org/hub/sheffield") == "muster.example.org%2Fhub%2Fsheffield"
           and enc(".a.b_c-d+é") == "%2Ea.b_c-d%2B%C3%A9", "enc(origin)")
    expect(tiles_at_level(520, 0) == [(0, 256), (1, 256), (2, 8)] and tiles_at_level(520, 1) == [(0, 2)]
           and tiles_at_level(256, 1) == [(0, 1)] and list(tile_levels(0)) == []
           and list(tile_levels(65536)) == [0, 1, 2], "tile layout")
    expect(not FORMAT_CHECKER.conforms("2024-02-30T00:00:00.000Z", "date-time")
           and FORMAT_CHECKER.conforms("2024-02-29T00:00:00.000Z", "date-time"), "date-time format asserted")
    for bad in (b'{"a":1,"a":2}', b'{"a":9007199254740992}', b'{"a":NaN}', b'{"a":1.0}', b'{"b":1,"a":2}',
                b'{"a":"\\ud800"}', b' {"a":1}', b'\xff', b'{"a":1e400}'):
        try:
            parse_canonical(bad)
            expect(False, f"canonical JSON rejects {bad!r}")
        except JsonError:
            pass
    expect(parse_canonical(b'{"a":-9007199254740991,"b":[true,null,"\\u001f"]}')["a"] == -MAX_SAFE,
           "canonical JSON accepts a canonical object")

    # -------------------------------------------------------------- upstream vectors
    if os.path.isdir(vectors):
        # RFC 8785 (cyberphone): outputs are canonical; inputs are not (unless identical).
        cdir = os.path.join(vectors, "cyberphone-json-canonicalization")
        ok = True
        for name in sorted(os.listdir(os.path.join(cdir, "output"))):
            out_b = read_bytes(os.path.join(cdir, "output", name))
            in_b = read_bytes(os.path.join(cdir, "input", name))
            try:
                parse_canonical(out_b)
            except JsonError:
                ok = False
            try:
                parse_canonical(in_b)
                ok = ok and in_b == out_b
            except JsonError:
                pass
        expect(ok, "RFC 8785 vectors (cyberphone) accepted / non-canonical inputs rejected")
        # Signed notes (golang.org/x/mod/sumdb/note).
        nv = json.load(open(os.path.join(vectors, "golang-mod-sumdb", "note-vectors.json"), encoding="utf-8"))
        keys = {k["name"]: parse_vkey(k["vkey"]) for k in nv["keys"]}
        ok = all(verify_note(n["message"], keys[who]) == nv["noteText"]
                 for n in nv["signedNotes"] for who in n["verifiesWith"])
        for bad in nv["malformedNotes"] + [nv["invalidSignature"]]:
            try:
                verify_note(bad["message"], keys["PeterNeumann"])
                ok = False
            except NoteError:
                pass
        for bad in nv["badVkeys"]:
            try:
                parse_vkey(bad["vkey"])
                ok = False
            except NoteError:
                pass
        expect(ok, "signed-note vectors (golang sumdb): sign/verify, malformed notes, bad vkeys")
        ex = json.load(open(os.path.join(vectors, "c2sp-specs", "spec-examples.json"), encoding="utf-8"))
        sn = ex["signedNoteExample"]
        expect(verify_note(sn["message"], parse_vkey(sn["vkey"])) == sn["noteText"], "C2SP signed-note example")
        # RFC 9162 roots and consistency proofs (derived 8-leaf tree).
        dv = json.load(open(os.path.join(vectors, "derived", "rfc9162-8leaf-all-proofs.json"), encoding="utf-8"))
        lhs = [leaf_hash(bytes.fromhex(x)) for x in dv["leaves"]]
        ok = all(mth(lhs[:r["treeSize"]]).hex() == r["rootHash"] for r in dv["roots"])
        for c in dv["consistencyProofs"]:
            if c["size1"] < c["size2"]:
                r1, r2 = bytes.fromhex(c["root1"]), bytes.fromhex(c["root2"])
                p = [bytes.fromhex(h) for h in c["proof"]]
                ok = ok and verify_consistency(c["size1"], c["size2"], r1, r2, p)
                ok = ok and not verify_consistency(c["size1"], c["size2"], r2, r2, p)
        expect(ok, "RFC 9162 vectors: roots and consistency proofs")
        # The real tlog-tiles log (transparency-dev/tessera).
        tdir = os.path.join(vectors, "transparency-dev-tessera", "log")
        source = open(os.path.join(vectors, "transparency-dev-tessera", "SOURCE.md"), encoding="utf-8").read()
        tkey = parse_vkey(re.search(r"LOG_PUBLIC_KEY\s*=\s*(\S+)", source).group(1))
        tkeys = {tkey.name: tkey}
        ok, count = True, 0
        for k in range(16):
            size, root, _ = open_checkpoint(read_bytes(os.path.join(tdir, f"checkpoint.{k}")), tkeys, tkey.name)
            count += 1
            ok = ok and size == k
            f = Frontier()
            for i_tile, width in tiles_at_level(size, 0):
                entries = split_bundle(read_bytes(os.path.join(tdir, tile_path("entries", i_tile, width))),
                                       256 * i_tile, width)
                hs = [leaf_hash(e) for e in entries]
                for h in hs:
                    f.push(h)
                ok = ok and read_bytes(os.path.join(tdir, tile_path(0, i_tile, width))) == b"".join(hs)
            ok = ok and f.root() == root
        latest = open_checkpoint(read_bytes(os.path.join(tdir, "checkpoint")), tkeys, tkey.name)
        ok = ok and latest[0] == 15
        expect(ok and count == 16, "tessera log: 16 checkpoints verify, bundles/tiles give their roots")
        try:
            other = {tkey.name: parse_vkey(nv["keys"][0]["vkey"].replace("PeterNeumann", tkey.name))}
        except NoteError:
            other = None
        expect(other is None, "tessera: a vkey with a wrong key id is rejected")
    else:
        print(f"SKIP upstream vectors: {vectors} not found")

    # -------------------------------------------------------------- bundle writer
    if not os.path.isdir(schema_src):
        expect(False, f"sample schemas at {schema_src}")
        return 1

    class Signer:
        def __init__(self, name):
            self.name = name
            self.sk = Ed25519PrivateKey.generate()
            blob = b"\x01" + self.sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
            self.kid = hashlib.sha256(name.encode() + b"\n" + blob).digest()[:4]
            self.vkey = f"{name}+{self.kid.hex()}+{b64(blob)}"

        def sign(self, text):
            sig = self.sk.sign(text.encode("utf-8"))
            return text + "\n" + f"{EM_DASH}{self.name} {b64(self.kid + sig)}\n"

        def author_sig(self, unsigned):
            """§5.2 step 5: the authorSig member for an entry's canonical bytes without it."""
            return {"sig": b64(self.sk.sign(unsigned)), "vkey": self.vkey}

    def cp_text(origin, size, root):
        return f"{origin}\n{size}\n{b64(root)}\n"

    A = "muster.example.org/hub/sheffield"
    B = "muster.example.org/hub/leeds"
    C = ".coop.example/hub_3"           # leading '.', '/', '_': exercises enc()
    MOVEMENT = "muster.example.org"
    root_signer = Signer(MOVEMENT)
    signers = {o: Signer(o) for o in (A, B, C)}
    COUNTS = {A: 520, B: 256, C: 37}
    HISTORY = {A: [1, 100, 256, 300, 511, 520], B: [0, 128, 256], C: [5, 37]}

    class Scenario:
        """Events in global order; seq is assigned per origin when the bundle is written."""

        def __init__(self, seed=7):
            self.rng = random.Random(seed)
            self.events = []
            self.clock = 1_704_067_200_000        # 2024-01-01T00:00:00Z
            self.ids = {}

        def uuid7(self, wall):
            v = (wall << 80) | (0x7 << 76) | (self.rng.getrandbits(12) << 64) | (0b10 << 62) | self.rng.getrandbits(62)
            h = f"{v:032x}"
            return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

        def uuid4(self):
            h = f"{self.rng.getrandbits(128):032x}"
            return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"

        def ev(self, origin, typ, payload, subject=None, personal=None, name=None):
            self.clock += 60_000 + self.rng.randrange(1000)
            wall = self.clock
            t = datetime.datetime.fromtimestamp(wall // 1000, datetime.timezone.utc)
            e = {"v": 1, "origin": origin, "id": self.uuid7(wall), "type": typ, "typeVersion": 1,
                 "recordedAt": t.strftime("%Y-%m-%dT%H:%M:%S") + f".{wall % 1000:03d}Z",
                 "hlc": {"count": 0, "wall": wall}, "operator": "op-treasurer", "payload": payload}
            if subject is not None:
                e["subject"] = subject
            if personal is not None:          # AES-256-GCM, AAD = origin LF id (ARCHITECTURE.md)
                nonce = self.rng.randbytes(12)
                ct = AESGCM(self.rng.randbytes(32)).encrypt(
                    nonce, rfc8785.dumps(personal), origin.encode() + b"\n" + e["id"].encode())
                e["sealed"] = {"alg": "A256GCM", "ct": b64(ct), "nonce": b64(nonce)}
            self.events.append(e)
            if name:
                self.ids[name] = e["id"]
            return e

        def donation(self, origin, name, donor, minor, on, currency="GBP", unit=None):
            p = {"amount": {"currency": currency, "minor": minor}, "donorKind": "individual",
                 "method": "bank-transfer", "receivedOn": on}
            if unit:
                p["accountingUnit"] = unit
            return self.ev(origin, "donation.received", p, donor, {"donorName": f"Donor {name}"}, name)

        def check(self, origin, dname, donor, on, outcome="permissible", name=None):
            return self.ev(origin, "donation.permissibility-checked",
                           {"basis": "electoral-register", "checkedOn": on, "donation": self.ids[dname],
                            "outcome": outcome}, donor, name=name)

        def filler(self, origin):
            r, sid = self.rng, self.uuid4()
            kind = r.randrange(7)
            if kind == 0:
                return self.ev(origin, "member.joined",
                               {"constituency": {"boundarySet": "2024", "code": "E14001522"},
                                "joinedOn": "2024-03-01", "region": "yorkshire-and-the-humber",
                                "source": "web"}, sid, {"name": "A Member"})
            if kind == 1:
                return self.ev(origin, "consent.recorded", {"channel": "email", "purpose": "news",
                                                            "recordedOn": "2024-03-02"}, sid)
            if kind == 2:
                return self.ev(origin, "training.session-held",
                               {"constituency": {"boundarySet": "2024", "code": "E14001522"},
                                "course": "phone-banking", "format": "online", "heldOn": "2024-04-01",
                                "region": "south-east", "sessionId": sid})
            if kind == 3:
                return self.ev(origin, "member.renewed", {"renewedOn": "2024-05-01", "until": "2025-05-01"}, sid)
            if kind == 4:
                p = self.ev(origin, "pledge.made", {"kind": "vote", "seat": {"boundarySet": "2024",
                                                                             "code": "W07000041"}}, sid)
                return self.ev(origin, "pledge.fulfilled", {"fulfilledOn": "2024-07-04", "pledge": p["id"]}, sid)
            if kind == 5:
                return self.ev(origin, "import.completed", {"accepted": 3, "fileSha256": "ab" * 32,
                                                            "rejected": 0, "rows": 3, "sourceSystem": "csv"})
            return self.ev(origin, "training.attendance-recorded",
                           {"attendance": "attended", "course": "canvassing", "sessionId": sid}, sid)

        def by_origin(self):
            out = {}
            for e in self.events:
                out.setdefault(e["origin"], []).append(e)
            return out

    DONORS = {k: f"{i:08x}-0000-4000-8000-{i:012x}" for i, k in enumerate("XYZWVUT", 1)}

    def honest_scenario():
        s = Scenario()
        X, Y, Z, W, V, U, T = (DONORS[k] for k in "XYZWVUT")
        s.donation(C, "d9", T, 800000, "2023-03-31")                       # 2010 rules -> reportable
        s.check(C, "d9", T, "2023-04-02")
        s.donation(A, "d1", X, 600000, "2024-02-10")                       # £6,000 central
        s.check(A, "d1", X, "2024-02-12", "impermissible")                 # earlier stamp...
        s.donation(B, "d2", X, 600000, "2024-05-10")                       # aggregate 12,000 > 11,180
        s.check(B, "d1", X, "2024-02-15")                                  # ...later stamp wins
        s.check(B, "d2", X, "2024-05-12")
        s.donation(A, "d3", Y, 300000, "2024-03-01", unit="leeds-central")  # unit, single, overdue
        s.check(A, "d3", Y, "2024-03-05", name="c3")                       # voided below
        s.donation(B, "d4", Z, 40000, "2024-04-01")                        # small
        s.donation(A, "d5", Z, 100000, "2024-06-01")
        s.check(A, "d5", Z, "2024-08-01", "impermissible")                 # late (61 days)
        s.ev(B, "donation.returned", {"donation": s.ids["d5"], "reason": "impermissible",
                                      "returnedOn": "2024-08-05"}, Z)
        s.donation(B, "d6", W, 900000, "2024-07-01")                       # voided below
        s.donation(A, "d7", V, 80000, "2024-07-02")
        s.check(A, "d7", V, "2024-07-03")
        s.ev(B, "donation.refunded", {"amount": {"currency": "GBP", "minor": 40000},
                                      "donation": s.ids["d7"], "refundedOn": "2024-07-20"}, V, name="r7")
        s.donation(C, "d8", U, 100000, "2024-07-03", currency="EUR")       # unassessed
        s.ev(B, "donation.accepted", {"acceptedOn": "2024-07-04", "donation": s.ids["d8"]}, U)
        s.ev(A, "event.voided", {"reason": "entered twice", "target": s.ids["d6"]})
        s.ev(A, "event.voided", {"reason": "wrong donor checked", "target": s.ids["c3"]})
        for origin in (A, B, C):
            while len(s.by_origin().get(origin, [])) < COUNTS[origin] - 2:
                s.filler(origin)
            while len(s.by_origin()[origin]) < COUNTS[origin]:
                s.ev(origin, "training.session-held",
                     {"constituency": {"boundarySet": "2024", "code": "S14000021"}, "course": "door-knocking",
                      "format": "in-person", "heldOn": "2024-09-01", "region": "scotland", "sessionId": s.uuid4()},
                     name=f"last-{origin}-{len(s.by_origin()[origin])}")
        return s

    EXPECTED_REGISTERS = [
        {"year": 2023, "unit": "central", "reportable": ["d9"], "permissibility": [], "returned": [],
         "smallCount": 0, "smallTotalMinor": 0},
        {"year": 2023, "unit": "accounting-unit", "reportable": [], "permissibility": [], "returned": [],
         "smallCount": 0, "smallTotalMinor": 0},
        {"year": 2024, "unit": "central", "reportable": ["d1", "d2"], "permissibility": [["d5", "late"]],
         "returned": ["d5", "d7"], "smallCount": 2, "smallTotalMinor": 80000},
        {"year": 2024, "unit": "accounting-unit", "reportable": ["d3"], "permissibility": [["d3", "overdue"]],
         "returned": [], "smallCount": 0, "smallTotalMinor": 0},
    ]

    def entry_bytes(events):
        """Assign seq per origin (in list order) and serialise with RFC 8785; an event with an
        `_author` Signer is author-signed (`_badsig`: with one bit of the signature flipped)."""
        out, seqs = {}, {}
        for e in events:
            e = dict(e)
            author, bad = e.pop("_author", None), e.pop("_badsig", False)
            seqs[e["origin"]] = seqs.get(e["origin"], 0) + 1
            e["seq"] = seqs[e["origin"]]
            if author is not None:
                e["authorSig"] = author.author_sig(rfc8785.dumps(e))
                if bad:
                    raw = bytearray(base64.b64decode(e["authorSig"]["sig"]))
                    raw[5] ^= 0x01
                    e["authorSig"]["sig"] = b64(bytes(raw))
            out.setdefault(e["origin"], []).append(rfc8785.dumps(e))
        return out

    def write_log(ldir, origin, signer, entries, sizes):
        os.makedirs(ldir)
        hashes = [leaf_hash(e) for e in entries]
        notes = [signer.sign(cp_text(origin, s, mth(hashes[:s]))) for s in sizes]
        with open(os.path.join(ldir, "checkpoint"), "w", encoding="utf-8", newline="") as f:
            f.write(notes[-1])
        with open(os.path.join(ldir, "checkpoints.jsonl"), "w", encoding="utf-8", newline="") as f:
            f.write("".join(json.dumps(n) + "\n" for n in notes))

        def put(rel, data):
            p = os.path.join(ldir, rel)
            os.makedirs(os.path.dirname(p), exist_ok=True)
            with open(p, "wb") as f:
                f.write(data)
        fr = Frontier()
        for h in hashes:
            fr.push(h)
        for level in tile_levels(len(entries)):
            for i_tile, width in tiles_at_level(len(entries), level):
                lo = 256 * i_tile
                if level == 0:
                    put(tile_path("entries", i_tile, width),
                        b"".join(len(e).to_bytes(2, "big") + e for e in entries[lo:lo + width]))
                    put(tile_path(0, i_tile, width), b"".join(hashes[lo:lo + width]))
                else:
                    put(tile_path(level, i_tile, width), b"".join(fr.tile_nodes[level][lo:lo + width]))

    def write_bundle(out, events, *, lone=False, roster_signer=None, evidence=(), exported_by=A, officers=()):
        os.makedirs(out)
        logs = entry_bytes(events)
        members = [{"name": o, "role": "hub", "url": f"https://{o}", "vkey": signers[o].vkey} for o in sorted(logs)]
        members.append({"name": "auditor.example.org", "role": "auditor", "url": "https://auditor.example.org",
                        "vkey": Signer("auditor.example.org").vkey})
        members += [{"name": o.name, "role": "officer", "vkey": o.vkey} for o in officers]
        if not lone:
            roster = {"format": "muster-roster/1", "members": members, "movement": MOVEMENT, "version": 3}
            with open(os.path.join(out, "roster.note"), "w", encoding="utf-8", newline="") as f:
                f.write((roster_signer or root_signer).sign(rfc8785.dumps(roster).decode() + "\n"))
            with open(os.path.join(out, "root.vkey"), "w") as f:
                f.write(root_signer.vkey + "\n")
        with open(os.path.join(out, "vkeys"), "w") as f:
            f.write("".join(signers[o].vkey + "\n" for o in sorted(logs)))
        shutil.copytree(schema_src, os.path.join(out, "schemas", "events"))
        ev_paths = []
        for ev in evidence:
            eid = hashlib.sha256(b"\x00" + ev["a"].encode() + b"\x00" + ev["b"].encode()).hexdigest()
            os.makedirs(os.path.join(out, "evidence"), exist_ok=True)
            with open(os.path.join(out, "evidence", eid + ".json"), "wb") as f:
                f.write(rfc8785.dumps(ev))
            ev_paths.append(f"evidence/{eid}.json")
        frozen = {ev["origin"] for ev in evidence}
        mlogs = []
        for origin in sorted(logs, key=lambda o: o.encode()):
            sizes = [s for s in HISTORY[origin] if s < len(logs[origin])] + [len(logs[origin])]
            write_log(os.path.join(out, "logs", enc(origin)), origin, signers[origin], logs[origin], sizes)
            mlogs.append({"checkpoints": len(sizes), "frozen": origin in frozen, "origin": origin,
                          "path": "logs/" + enc(origin), "size": len(logs[origin])})
        manifest = {"evidence": sorted(ev_paths), "exportedAt": "2025-03-01T12:00:00.000Z", "exportedBy": exported_by,
                    "format": "muster-audit-bundle", "logs": mlogs, "movement": None if lone else MOVEMENT,
                    "version": 1}
        with open(os.path.join(out, "muster-bundle.json"), "wb") as f:
            f.write(rfc8785.dumps(manifest))
        return logs

    # RFC 9162 §2.1.4.1 consistency proofs over leaf hashes (for evidence files).
    def mth_r(hs):
        if len(hs) == 1:
            return hs[0]
        k = 1
        while k * 2 < len(hs):
            k *= 2
        return node_hash(mth_r(hs[:k]), mth_r(hs[k:]))

    def subproof(m, hs, b):
        if m == len(hs):
            return [] if b else [mth_r(hs)]
        k = 1
        while k * 2 < len(hs):
            k *= 2
        if m <= k:
            return subproof(m, hs[:k], b) + [mth_r(hs[k:])]
        return subproof(m - k, hs[k:], False) + [mth_r(hs[:k])]

    tmp = tempfile.mkdtemp(prefix="audit-verify-selftest-")
    today = datetime.date(2025, 3, 1)
    root_vk = parse_vkey(root_signer.vkey)
    n_case = [0]

    def fresh(events=None, **kw):
        n_case[0] += 1
        d = os.path.join(tmp, f"b{n_case[0]}")
        logs = write_bundle(d, events if events is not None else honest_scenario().events, **kw)
        return d, logs

    def verify(d, root=root_vk, vkeys=None):
        return verify_bundle(d, root, vkeys, today)

    def has(res, origin="*", seq="*", text=""):
        return any((origin == "*" or f["origin"] == origin) and (seq == "*" or f["seq"] == seq)
                   and text in f["message"] for f in res["findings"])

    def show(res):
        return json.dumps(res["findings"][:6], indent=1)

    try:
        # ---------------------------------------------------------- honest bundle
        hs = honest_scenario()
        honest, honest_logs = fresh(hs.events)
        res = verify(honest)
        names = {v: k for k, v in hs.ids.items()}
        regs = [dict(r, reportable=[names.get(i, i) for i in r["reportable"]],
                     permissibility=[[names.get(i, i), x] for i, x in r["permissibility"]],
                     returned=[names.get(i, i) for i in r["returned"]]) for r in res["registers"]]
        expect(res["ok"] and res["findings"] == [], "honest bundle verifies" + ("" if res["ok"] else show(res)))
        expect(res["entries"] == 520 + 256 + 37 and [(x["origin"], x["size"], x["checkpoints"]) for x in res["logs"]]
               == [(C, 37, 2), (B, 256, 3), (A, 520, 6)], "honest bundle: logs and entry count")
        expect(res["logs"][2]["root"] == b64(mth([leaf_hash(e) for e in honest_logs[A]])), "honest bundle: root")
        expect(res["donations"] == 8 and res["forked"] == [], "honest bundle: 8 live donations, nothing forked")
        expect(regs == EXPECTED_REGISTERS, "honest bundle: PPERA registers (stamp order, voids, refunds, rules)"
               + ("" if regs == EXPECTED_REGISTERS else json.dumps(regs)))

        # CLI contract
        me = [sys.executable, os.path.abspath(__file__)]
        vk_file = os.path.join(tmp, "root.vkey")
        with open(vk_file, "w") as f:
            f.write(root_signer.vkey + "\n")
        p = subprocess.run(me + [honest, "--root-vkey", vk_file, "--today", "2025-03-01"],
                           capture_output=True, text=True)
        expect(p.returncode == 0 and json.loads(p.stdout)["registers"] == res["registers"],
               "cli: honest bundle, root vkey from a file, exit 0")
        p = subprocess.run(me + [honest, "--root-vkey", Signer(MOVEMENT).vkey], capture_output=True, text=True)
        out = json.loads(p.stdout) if p.stdout else {}
        expect(p.returncode == 1 and out.get("ok") is False and has(out, None, None, "roster.note"),
               "cli: wrong root key -> findings, exit 1")
        p = subprocess.run(me + [honest], capture_output=True, text=True)
        expect(p.returncode == 2 and p.stdout == "" and p.stderr.count("\n") == 1, "cli: no key -> exit 2")
        p = subprocess.run(me + [os.path.join(tmp, "nope"), "--root-vkey", root_signer.vkey],
                           capture_output=True, text=True)
        expect(p.returncode == 2 and p.stdout == "", "cli: missing bundle -> exit 2")
        p = subprocess.run(me + [honest, "--root-vkey", "not-a-vkey"], capture_output=True, text=True)
        expect(p.returncode == 2, "cli: malformed vkey -> exit 2")

        def copy_of(src):
            n_case[0] += 1
            d = os.path.join(tmp, f"b{n_case[0]}")
            shutil.copytree(src, d)
            return d

        def bundle_spans(data):
            spans, pos = [], 0
            while pos < len(data):
                n = int.from_bytes(data[pos:pos + 2], "big")
                spans.append((pos, pos + 2 + n))
                pos += 2 + n
            return spans

        la = os.path.join("logs", enc(A))

        # ---------------------------------------------------------- tampered copies
        # 1. a flipped byte in one entry inside an entry bundle (A, bundle 001, seq 267)
        d = copy_of(honest)
        p = os.path.join(d, la, "tile", "entries", "001")
        data = bytearray(read_bytes(p))
        s0, s1 = bundle_spans(data)[10]
        data[(s0 + 2 + s1) // 2] ^= 0x01
        open(p, "wb").write(data)
        res = verify(d)
        expect(not res["ok"] and has(res, A, 267) and has(res, A, None, "not the ones the origin signed"),
               "tamper: flipped byte in an entry -> finding at (sheffield, 267) and root mismatch")

        # 2. an entry dropped from a bundle
        d = copy_of(honest)
        p = os.path.join(d, la, "tile", "entries", "000")
        data = read_bytes(p)
        s0, s1 = bundle_spans(data)[5]
        open(p, "wb").write(data[:s0] + data[s1:])
        res = verify(d)
        expect(has(res, A, None, "holds 255 entries, expected 256")
               and res["entries"] == 37 + 256 and [x["origin"] for x in res["logs"]] == [C, B, A],
               "tamper: dropped entry -> structural finding, that log no longer read, others are")

        # 3. a forked checkpoint: same size, another root, signed with the origin's real key
        d = copy_of(honest)
        forged = signers[A].sign(cp_text(A, 520, hashlib.sha256(b"another history").digest()))
        open(os.path.join(d, la, "checkpoint"), "w", encoding="utf-8", newline="").write(forged)
        hp = os.path.join(d, la, "checkpoints.jsonl")
        lines = open(hp, encoding="utf-8").read().splitlines()
        lines[-1] = json.dumps(forged)
        open(hp, "w", encoding="utf-8", newline="").write("\n".join(lines) + "\n")
        res = verify(d)
        expect(has(res, A, None, "not the ones the origin signed") and has(res, A, None, "line 6: validly signed")
               and res["forked"] == [], "tamper: forked checkpoint -> root mismatch and history finding")

        # 4. tampered tiles (level 1 in A, level 0 in B)
        d = copy_of(honest)
        p = os.path.join(d, la, "tile", "1", "000.p", "2")
        data = bytearray(read_bytes(p))
        data[40] ^= 0x80
        open(p, "wb").write(data)
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, A, None, "tile/1/000.p/2 holds a different hash at position 1"),
               "tamper: level-1 tile -> exactly one finding")
        d = copy_of(honest)
        p = os.path.join(d, "logs", enc(B), "tile", "0", "000")
        data = bytearray(read_bytes(p))
        data[32 * 77] ^= 0x01
        open(p, "wb").write(data)
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, B, 78, "tile/0/000 holds a different hash at position 77"),
               "tamper: level-0 tile -> exactly one finding at (leeds, 78)")
        d = copy_of(honest)
        os.remove(os.path.join(d, la, "tile", "0", "002.p", "8"))
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, A, None, "tile/0/002.p/8 is missing"), "tamper: missing tile")

        # 5. roster signed by a different root key
        d = copy_of(honest)
        text, _ = parse_note(read_bytes(os.path.join(d, "roster.note")))
        open(os.path.join(d, "roster.note"), "w", encoding="utf-8", newline="").write(Signer(MOVEMENT).sign(text))
        res = verify(d)
        expect(has(res, None, None, "roster.note does not verify") and res["logs"] == [] and res["entries"] == 0,
               "tamper: roster signed by another root key -> nothing verifies")

        # 6. a dangling reference: a refund naming a missing donation
        s = honest_scenario()
        ghost = s.uuid7(s.clock)
        s.ev(B, "donation.refunded", {"amount": {"currency": "GBP", "minor": 100}, "donation": ghost,
                                      "refundedOn": "2024-08-01"}, DONORS["V"])
        d, logs = fresh(s.events)
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, B, 257, f"names event {ghost}, which is not in the bundle"),
               "dangling reference -> exactly one finding at the refund" + ("" if len(res["findings"]) == 1 else show(res)))

        # 7. a duplicate event id (C's last entry reuses the id of one of A's last entries)
        s = honest_scenario()
        dup = s.ids[f"last-{A}-519"]
        [e for e in s.events if e["origin"] == C][-1]["id"] = dup
        d, logs = fresh(s.events)
        res = verify(d)
        expect(res["findings"] == [{"origin": A, "seq": 520,
                                    "message": f"event id {dup} is also used by {C} seq 37"}],
               "duplicate event id -> exactly one finding" + ("" if len(res["findings"]) == 1 else show(res)))

        # 8. evidence proving a fork of A: A signed 400 entries of one history, 450 of another
        honest_h = [leaf_hash(e) for e in honest_logs[A]]
        s2 = honest_scenario()
        for e in s2.events:
            if e["origin"] == A and e["type"] == "training.session-held":
                e["payload"] = dict(e["payload"], course="forked-course")
        forked_h = [leaf_hash(e) for e in entry_bytes(s2.events)[A]]
        first_diff = next(i for i in range(520) if forked_h[i] != honest_h[i])
        m_, n_ = max(first_diff + 1, 400), 450
        a_note = signers[A].sign(cp_text(A, m_, mth(honest_h[:m_])))
        b_note = signers[A].sign(cp_text(A, n_, mth(forked_h[:n_])))
        fork_ev = {"a": a_note, "b": b_note, "origin": A, "proof": [b64(h) for h in subproof(m_, forked_h[:n_], True)],
                   "rootAtA": b64(mth(forked_h[:m_]))}
        d, _ = fresh(evidence=[fork_ev])
        res = verify(d)
        expect(res["forked"] == [A] and len(res["findings"]) == 1 and has(res, A, None, "forked its history"),
               "evidence of a fork -> forked, one finding" + ("" if res["forked"] == [A] else show(res)))
        b_same = signers[A].sign(cp_text(A, m_, mth(forked_h[:m_])))
        d, _ = fresh(evidence=[{"a": a_note, "b": b_same, "origin": A, "proof": [],
                                "rootAtA": b64(mth(forked_h[:m_]))}])
        res = verify(d)
        expect(res["forked"] == [A] and len(res["findings"]) == 1, "evidence of a same-size fork -> forked")
        # evidence that does not verify (two consistent checkpoints): a finding against the exporter
        a_ok = signers[A].sign(cp_text(A, 300, mth(honest_h[:300])))
        b_ok = signers[A].sign(cp_text(A, 520, mth(honest_h)))
        d, _ = fresh(evidence=[{"a": a_ok, "b": b_ok, "origin": A, "proof": [b64(h) for h in subproof(300, honest_h, True)],
                                "rootAtA": b64(mth(honest_h[:300]))}])
        res = verify(d)
        expect(res["forked"] == [] and len(res["findings"]) == 1 and has(res, A, None, "rootAtA equals root(a)"),
               "non-proving evidence -> finding against the exporting hub, not forked")
        # a proof with one hash changed does not verify
        bad_ev = dict(fork_ev, proof=list(fork_ev["proof"]))
        bad_ev["proof"][0] = b64(hashlib.sha256(b"x").digest())
        d, _ = fresh(evidence=[bad_ev])
        res = verify(d)
        expect(res["forked"] == [] and has(res, A, None, "does not verify"), "evidence with a bad proof -> not forked")

        # ---------------------------------------------------------- more checks
        # refunds: above the amount; in another currency
        s = honest_scenario()
        s.ev(B, "donation.refunded", {"amount": {"currency": "GBP", "minor": 40001}, "donation": s.ids["d7"],
                                      "refundedOn": "2024-09-01"}, DONORS["V"], name="r7b")
        s.ev(B, "donation.refunded", {"amount": {"currency": "EUR", "minor": 1}, "donation": s.ids["d1"],
                                      "refundedOn": "2024-09-02"}, DONORS["X"], name="r1")
        d, logs = fresh(s.events)
        res = verify(d)
        expect(len(res["findings"]) == 2 and has(res, B, 257, "above its amount 80000 GBP")
               and has(res, B, 258, "cannot be netted"), "refund above the amount / in another currency")

        # an unknown type, a schema violation, a non-canonical entry (built by hand)
        s = honest_scenario()
        s.events[-1]["type"] = "donation.teleported"
        s.events[-2]["payload"] = dict(s.events[-2]["payload"], region="atlantis")
        d, logs = fresh(s.events)
        res = verify(d)
        expect(has(res, s.events[-1]["origin"], "*", "unknown event type") and has(res, "*", "*", "/payload/region"),
               "unknown type and schema violation -> findings")

        # a bundle whose own schema is loosened: an entry lacking payload.donation is still refused
        s = honest_scenario()
        s.ev(B, "donation.refunded", {"refundedOn": "2024-09-01"}, DONORS["V"])
        d, _ = fresh(s.events)
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, B, 257, "/payload"), "refund without donation -> schema finding")
        open(os.path.join(d, "schemas", "events", "donation.refunded.v1.schema.json"), "w").write('{"type":"object"}')
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, B, 257, "lacks the hlc/payload members"),
               "loosened bundle schema -> shape finding, no crash")

        # manifest: non-canonical, wrong size, stray log directory, unlisted evidence
        d = copy_of(honest)
        m = json.loads(read_bytes(os.path.join(d, "muster-bundle.json")))
        m["logs"][0]["size"] = 36
        open(os.path.join(d, "muster-bundle.json"), "w").write(json.dumps(m, indent=1))
        os.makedirs(os.path.join(d, "logs", "stray"))
        res = verify(d)
        expect(has(res, None, None, "not RFC 8785 canonical") and has(res, C, None, "size 36")
               and has(res, None, None, "logs/stray is not a log"), "manifest mismatches -> findings")

        # history: a line out of order, a missing file
        d = copy_of(honest)
        hp = os.path.join(d, "logs", enc(B), "checkpoints.jsonl")
        lines = open(hp).read().splitlines()
        open(hp, "w").write("\n".join([lines[1], lines[0], lines[2]]) + "\n")
        res = verify(d)
        expect(len(res["findings"]) == 1 and has(res, B, None, "does not increase"), "history out of order")

        # author signatures (§5.2 step 5): an officer's verify; a stranger's, or a flipped bit, are findings
        treasurer, stranger = Signer("treasurer.example.org"), Signer("stranger.example.org")
        s = honest_scenario()
        a_events = [e for e in s.events if e["origin"] == A]
        a_events[3]["_author"] = treasurer
        a_events[7]["_author"] = treasurer
        d, _ = fresh(s.events, officers=[treasurer])
        res = verify(d)
        expect(res["ok"] and res["authors"] == [{"vkey": treasurer.vkey, "entries": 2, "officer": True}],
               "officer-signed entries verify and are counted" + ("" if res["ok"] else show(res)))
        a_events[7]["_author"] = stranger
        a_events[9]["_author"], a_events[9]["_badsig"] = treasurer, True
        d, _ = fresh(s.events, officers=[treasurer])
        res = verify(d)
        ok = (len(res["findings"]) == 2 and has(res, A, 8, "not an officer on the roster")
              and has(res, A, 10, "authorSig does not verify")
              and res["authors"] == [{"vkey": stranger.vkey, "entries": 1, "officer": False},
                                     {"vkey": treasurer.vkey, "entries": 1, "officer": True}])
        expect(ok, "a stranger's author signature and a bad one -> one finding each" + ("" if ok else show(res)))
        d, _ = fresh([e for e in s.events if e["origin"] == A], lone=True, exported_by=A)
        res = verify(d, root=None, vkeys={A: parse_vkey(signers[A].vkey)})
        # (A's references to the other logs' events dangle here: those findings are not about authors)
        ok = has(res, A, 10, "does not verify") and not has(res, A, 8) and [x["officer"] for x in res["authors"]] == [None, None]
        expect(ok, "lone hub: signatures checked, officers unknown" + ("" if ok else show(res)))

        # lone hub (no roster): verified with its own vkey
        s = honest_scenario()
        d, _ = fresh([e for e in s.events if e["origin"] == C], lone=True, exported_by=C)
        res = verify(d, root=None, vkeys={C: parse_vkey(signers[C].vkey)})
        expect(res["ok"] and res["entries"] == 37, "lone hub verifies with --vkey" + ("" if res["ok"] else show(res)))
        res = verify(d, root=None, vkeys={C: parse_vkey(Signer(C).vkey)})
        expect(not res["ok"] and has(res, C, None, "checkpoint"), "lone hub with the wrong vkey -> findings")
        p = subprocess.run(me + [d, "--vkey", signers[C].vkey, "--today", "2025-03-01"], capture_output=True, text=True)
        expect(p.returncode == 0 and json.loads(p.stdout)["ok"], "cli: lone hub with --vkey, exit 0")
        res = verify(d)
        expect(has(res, None, None, "roster.note is missing"), "lone-hub bundle with --root-vkey -> finding")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

    print(f"\n{'ALL PASSED' if not failures else f'{len(failures)} FAILED'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
