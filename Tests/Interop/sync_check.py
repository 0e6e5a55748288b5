#!/usr/bin/env python3
"""Independent reference checks for Muster sync, used as a known-answer oracle
by the Swift interop tests.  Written from the standards, not from the Swift code:

  * kind "request":  RFC 9421 HTTP Message Signature (Ed25519, RFC 9421 §3.3.6)
                     over ("@method" "@path" "@query"), label "muster",
                     tag "muster-sync", RFC 8941 structured-field parsing.
  * kind "subject-keys": opens a subject-key exchange reply (ARCHITECTURE.md,
                     "Subject-key exchange"): Ed25519 signature over the six-line
                     signed text, X25519 (RFC 7748), HKDF-SHA256 (RFC 5869),
                     AES-256-GCM; returns the page of keys.
  * kind "subject-keys-seal": makes such a reply (so the Swift side can be
                     checked opening a reply it did not make).
  * kind "evidence": equivocation evidence for a C2SP tlog: two C2SP signed notes
                     (c2sp.org/signed-note) carrying tlog-checkpoints
                     (c2sp.org/tlog-checkpoint) plus an RFC 9162 §2.1.4.2
                     consistency proof showing that checkpoint b's tree had a
                     different root at size(a) than the one signed in a.

Contract:
  stdin:  one JSON object with a "kind" member (see check_request /
          check_evidence for the other members).
  stdout: {"ok": true, ...} or {"ok": false, "reason": "..."}; exit code 0.
  Malformed input (not JSON, missing member, wrong JSON type, unknown kind):
          exit 2 with a one-line message on stderr, nothing on stdout.

Dependencies: Python 3 standard library + `cryptography` (pip install cryptography).
Run with --self-test to execute the self-test at the bottom.
"""
import base64
import binascii
import hashlib
import json
import re
import sys

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

LABEL = "muster"
REQUIRED_COMPONENTS = ("@method", "@path", "@query")
REQUIRED_ALG = "ed25519"
REQUIRED_TAG = "muster-sync"
MAX_SKEW = 300
EM_DASH_PREFIX = "\u2014 "


class Malformed(Exception):
    """The JSON input itself is unusable (exit 2)."""


class Reject(Exception):
    """The input is well-formed JSON but the thing being checked is invalid."""


def need(cond, msg):
    if not cond:
        raise Malformed(msg)


def check(cond, reason):
    if not cond:
        raise Reject(reason)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def member(obj, key, typ, what=None):
    need(isinstance(obj, dict), f"{what or 'input'} must be an object")
    need(key in obj, f"missing member {key!r}")
    v = obj[key]
    if typ is int:
        need(is_int(v), f"member {key!r} must be an integer")
    else:
        need(isinstance(v, typ), f"member {key!r} must be {typ.__name__}")
    return v


def b64decode_strict(s, what):
    """Standard base64 (RFC 4648 §4) with padding; rejects foreign characters."""
    check(isinstance(s, str), f"{what}: not a string")
    try:
        return base64.b64decode(s.encode("ascii"), validate=True)
    except (binascii.Error, ValueError, UnicodeEncodeError):
        raise Reject(f"{what}: invalid base64")


# =================================================== RFC 8941 structured fields
#
# Minimal but faithful parser for Dictionaries, Inner Lists, Items and
# Parameters (RFC 8941 §4.2).  Bare items: Integer, Decimal, String, Token,
# Byte Sequence, Boolean.  Each dictionary member also records the exact raw
# text of its value (item/inner list + parameters), which RFC 9421 uses for
# the "@signature-params" line.

class Token(str):
    pass


class SFParser:
    def __init__(self, text):
        check(isinstance(text, str), "structured field is not a string")
        try:
            text.encode("ascii")
        except UnicodeEncodeError:
            raise Reject("structured field contains non-ASCII characters")
        self.s = text
        self.i = 0

    def peek(self):
        return self.s[self.i] if self.i < len(self.s) else ""

    def eof(self):
        return self.i >= len(self.s)

    def fail(self, msg):
        raise Reject(f"structured field parse error at offset {self.i}: {msg}")

    def skip_sp(self):
        while self.peek() == " ":
            self.i += 1

    def skip_ows(self):
        while self.peek() in (" ", "\t") and not self.eof():
            self.i += 1

    # §4.2.2
    def parse_dictionary(self):
        """Returns {key: (value, params, raw_value_text)} (last duplicate wins)."""
        self.skip_sp()
        out = {}
        while not self.eof():
            key = self.parse_key()
            if self.peek() == "=":
                self.i += 1
                start = self.i
                value, params = self.parse_item_or_inner_list()
                raw = self.s[start:self.i]
            else:
                value = True
                params = self.parse_parameters()
                raw = None
            out[key] = (value, params, raw)
            self.skip_ows()
            if self.eof():
                break
            if self.peek() != ",":
                self.fail("expected ','")
            self.i += 1
            self.skip_ows()
            if self.eof():
                self.fail("trailing ','")
        self.skip_sp()
        return out

    def parse_item_or_inner_list(self):
        if self.peek() == "(":
            return self.parse_inner_list()
        return self.parse_item()

    # §4.2.1.2
    def parse_inner_list(self):
        if self.peek() != "(":
            self.fail("expected '('")
        self.i += 1
        items = []
        while not self.eof():
            self.skip_sp()
            if self.peek() == ")":
                self.i += 1
                return items, self.parse_parameters()
            items.append(self.parse_item())
            if self.peek() not in (" ", ")"):
                self.fail("expected SP or ')' in inner list")
        self.fail("unterminated inner list")

    # §4.2.3
    def parse_item(self):
        bare = self.parse_bare_item()
        return bare, self.parse_parameters()

    # §4.2.3.1
    def parse_bare_item(self):
        c = self.peek()
        if c == "-" or ("0" <= c <= "9" and c != ""):
            return self.parse_number()
        if c == '"':
            return self.parse_string()
        if c == "*" or (c.isascii() and c.isalpha()):
            return self.parse_token()
        if c == ":":
            return self.parse_byte_sequence()
        if c == "?":
            return self.parse_boolean()
        self.fail(f"unexpected character {c!r}")

    # §4.2.3.2
    def parse_parameters(self):
        params = {}
        while self.peek() == ";":
            self.i += 1
            self.skip_sp()
            key = self.parse_key()
            value = True
            if self.peek() == "=":
                self.i += 1
                value = self.parse_bare_item()
            params[key] = value
        return params

    # §4.2.3.3
    def parse_key(self):
        c = self.peek()
        if not (c == "*" or ("a" <= c <= "z")):
            self.fail("key must start with lcalpha or '*'")
        start = self.i
        while not self.eof():
            c = self.peek()
            if ("a" <= c <= "z") or ("0" <= c <= "9") or c in "_-.*":
                self.i += 1
            else:
                break
        return self.s[start:self.i]

    # §4.2.4
    def parse_number(self):
        sign = 1
        if self.peek() == "-":
            sign = -1
            self.i += 1
        if not ("0" <= self.peek() <= "9"):
            self.fail("expected digit")
        digits = ""
        is_decimal = False
        while not self.eof():
            c = self.peek()
            if "0" <= c <= "9":
                digits += c
            elif c == "." and not is_decimal:
                if len(digits) > 12:
                    self.fail("decimal integer part too long")
                digits += c
                is_decimal = True
            else:
                break
            self.i += 1
            if not is_decimal and len(digits) > 15:
                self.fail("integer too long")
            if is_decimal and len(digits) > 16:
                self.fail("decimal too long")
        if not is_decimal:
            return sign * int(digits)
        if digits.endswith("."):
            self.fail("decimal ends with '.'")
        if len(digits) - digits.index(".") - 1 > 3:
            self.fail("decimal fraction too long")
        return sign * float(digits)

    # §4.2.5
    def parse_string(self):
        self.i += 1  # opening DQUOTE
        out = []
        while not self.eof():
            c = self.peek()
            self.i += 1
            if c == "\\":
                if self.eof():
                    self.fail("dangling backslash")
                n = self.peek()
                self.i += 1
                if n not in ('"', "\\"):
                    self.fail("invalid escape")
                out.append(n)
            elif c == '"':
                return "".join(out)
            elif ord(c) < 0x20 or ord(c) > 0x7E:
                self.fail("invalid string character")
            else:
                out.append(c)
        self.fail("unterminated string")

    # §4.2.6
    def parse_token(self):
        start = self.i
        self.i += 1
        tchar_extra = "!#$%&'*+-.^_`|~:/"
        while not self.eof():
            c = self.peek()
            if c.isascii() and (c.isalnum() or c in tchar_extra):
                self.i += 1
            else:
                break
        return Token(self.s[start:self.i])

    # §4.2.7
    def parse_byte_sequence(self):
        self.i += 1
        end = self.s.find(":", self.i)
        if end < 0:
            self.fail("unterminated byte sequence")
        b64 = self.s[self.i:end]
        self.i = end + 1
        if not re.fullmatch(r"[A-Za-z0-9+/=]*", b64):
            self.fail("invalid byte sequence character")
        try:
            return base64.b64decode(b64, validate=True)
        except (binascii.Error, ValueError):
            self.fail("invalid base64 in byte sequence")

    # §4.2.8
    def parse_boolean(self):
        self.i += 1
        c = self.peek()
        if c == "1":
            self.i += 1
            return True
        if c == "0":
            self.i += 1
            return False
        self.fail("invalid boolean")


def parse_sf_dictionary(text):
    return SFParser(text).parse_dictionary()


# ============================================================ kind "request"

def signature_base(method, path, query, signature_params_raw):
    """RFC 9421 §2.5 signature base for ("@method" "@path" "@query")."""
    lines = [
        '"@method": ' + method.upper(),
        '"@path": ' + (path if path != "" else "/"),  # RFC 9421 §2.2.6: empty path is "/"
        '"@query": ?' + query,                         # §2.2.7: "?" alone when empty
        '"@signature-params": ' + signature_params_raw,
    ]
    return "\n".join(lines)


def check_request(obj):
    method = member(obj, "method", str)
    path = member(obj, "path", str)
    query = member(obj, "query", str)
    sig_input = member(obj, "signatureInput", str)
    sig_header = member(obj, "signature", str)
    pub_b64 = member(obj, "publicKey", str)
    now = member(obj, "now", int)

    # Signature-Input
    inputs = parse_sf_dictionary(sig_input)
    check(LABEL in inputs, f"Signature-Input has no {LABEL!r} label")
    value, params, raw = inputs[LABEL]
    check(isinstance(value, list), "Signature-Input member is not an inner list")
    names = []
    for item, item_params in value:
        check(isinstance(item, str) and not isinstance(item, Token),
              "covered component is not an sf-string")
        check(not item_params, "covered component has parameters")
        names.append(item)
    check(tuple(names) == REQUIRED_COMPONENTS,
          f"covered components {names} != {list(REQUIRED_COMPONENTS)}")

    created = params.get("created")
    check(is_int(created), "created missing or not an integer")
    check(abs(now - created) <= MAX_SKEW, f"created {created} too far from now {now}")
    keyid = params.get("keyid")
    check(isinstance(keyid, str) and not isinstance(keyid, Token), "keyid missing or not a string")
    alg = params.get("alg")
    check(isinstance(alg, str) and not isinstance(alg, Token) and alg == REQUIRED_ALG,
          f"alg must be the string {REQUIRED_ALG!r}")
    tag = params.get("tag")
    check(isinstance(tag, str) and not isinstance(tag, Token) and tag == REQUIRED_TAG,
          f"tag must be the string {REQUIRED_TAG!r}")

    # Signature
    sigs = parse_sf_dictionary(sig_header)
    check(LABEL in sigs, f"Signature has no {LABEL!r} label")
    sig_value = sigs[LABEL][0]
    check(isinstance(sig_value, bytes), "Signature member is not a byte sequence")
    check(len(sig_value) == 64, "Ed25519 signature is not 64 bytes")

    pub = b64decode_strict(pub_b64, "publicKey")
    check(len(pub) == 32, "publicKey is not 32 bytes")
    try:
        key = Ed25519PublicKey.from_public_bytes(pub)
    except ValueError:
        raise Reject("publicKey is not a valid Ed25519 key")

    base = signature_base(method, path, query, raw)
    try:
        base_bytes = base.encode("ascii")
    except UnicodeEncodeError:
        raise Reject("signature base contains non-ASCII characters")
    try:
        key.verify(sig_value, base_bytes)
    except InvalidSignature:
        raise Reject("signature does not verify")
    return {"ok": True, "keyid": keyid}


# =========================================================== kind "evidence"

def note_key_id(name, alg_and_key):
    """C2SP signed-note key ID: SHA-256(name || 0x0A || type || pubkey)[:4]."""
    return hashlib.sha256(name.encode("utf-8") + b"\n" + alg_and_key).digest()[:4]


def valid_key_name(name):
    return name != "" and "+" not in name and not any(ch.isspace() for ch in name)


def parse_vkey(vkey):
    """<name>+<8 hex key id>+<base64(0x01 || 32-byte key)> -> (name, key_id, pub)."""
    parts = vkey.split("+", 2)   # base64 may itself contain '+'
    check(len(parts) == 3, "vkey: expected name+keyid+key")
    name, hex_id, key_b64 = parts
    check(valid_key_name(name), "vkey: invalid key name")
    check(re.fullmatch(r"[0-9a-fA-F]{8}", hex_id) is not None, "vkey: key id is not 8 hex digits")
    raw = b64decode_strict(key_b64, "vkey key")
    check(len(raw) == 33 and raw[0] == 0x01, "vkey: key is not 0x01 || 32-byte Ed25519 key")
    key_id = bytes.fromhex(hex_id)
    check(note_key_id(name, raw) == key_id, "vkey: key id does not match SHA-256 of name and key")
    try:
        pub = Ed25519PublicKey.from_public_bytes(raw[1:])
    except ValueError:
        raise Reject("vkey: invalid Ed25519 public key")
    return name, key_id, pub


def open_note(note, name, key_id, pub, what):
    """Verify a C2SP signed note; returns the note text (with final newline)."""
    check(isinstance(note, str), f"{what}: note is not a string")
    try:
        note.encode("utf-8")
    except UnicodeEncodeError:
        raise Reject(f"{what}: note is not valid UTF-8")
    check(all(ch == "\n" or ord(ch) >= 0x20 for ch in note),
          f"{what}: note contains control characters")
    check(note.endswith("\n"), f"{what}: note does not end in newline")
    sep = note.rfind("\n\n")
    check(sep >= 0, f"{what}: no blank line before signatures")
    text = note[:sep + 1]
    sig_block = note[sep + 2:]
    check(sig_block != "", f"{what}: no signature lines")
    lines = sig_block[:-1].split("\n")

    verified = False
    for line in lines:
        check(line.startswith(EM_DASH_PREFIX), f"{what}: malformed signature line")
        rest = line[len(EM_DASH_PREFIX):]
        fields = rest.split(" ")
        check(len(fields) == 2, f"{what}: malformed signature line")
        sig_name, sig_b64 = fields
        check(valid_key_name(sig_name), f"{what}: invalid key name in signature line")
        blob = b64decode_strict(sig_b64, f"{what}: signature")
        check(len(blob) >= 5, f"{what}: signature too short")
        if sig_name != name or blob[:4] != key_id:
            continue  # unknown key: ignore (signed-note §Signatures)
        check(len(blob) == 4 + 64, f"{what}: Ed25519 signature is not 64 bytes")
        try:
            pub.verify(blob[4:], text.encode("utf-8"))
        except InvalidSignature:
            raise Reject(f"{what}: signature by {name} does not verify")
        verified = True
    check(verified, f"{what}: no signature by {name}")
    return text


def parse_checkpoint(text, what):
    """c2sp.org/tlog-checkpoint body -> (origin, size, root)."""
    lines = text[:-1].split("\n")
    check(len(lines) >= 3, f"{what}: checkpoint has fewer than 3 lines")
    check(all(line != "" for line in lines), f"{what}: checkpoint has an empty line")
    origin, size_s, root_b64 = lines[0], lines[1], lines[2]
    check(re.fullmatch(r"0|[1-9][0-9]*", size_s) is not None, f"{what}: tree size is not decimal")
    size = int(size_s)
    check(size < 2 ** 64, f"{what}: tree size out of range")
    root = b64decode_strict(root_b64, f"{what}: root hash")
    check(len(root) == 32, f"{what}: root hash is not 32 bytes")
    return origin, size, root


def hash_children(left, right):
    return hashlib.sha256(b"\x01" + left + right).digest()


def verify_consistency(first, second, first_hash, second_hash, path):
    """RFC 9162 §2.1.4.2, for 0 < first < second. Returns True/False."""
    if not (0 < first < second):
        return False
    # 1. empty path fails
    if not path:
        return False
    path = list(path)
    # 2. first an exact power of 2: prepend first_hash
    if first & (first - 1) == 0:
        path.insert(0, first_hash)
    # 3.
    fn, sn = first - 1, second - 1
    # 4.
    while fn & 1:
        fn >>= 1
        sn >>= 1
    # 5.
    fr = sr = path[0]
    # 6.
    for c in path[1:]:
        if sn == 0:
            return False
        if (fn & 1) or fn == sn:
            fr = hash_children(c, fr)
            sr = hash_children(c, sr)
            if not (fn & 1):
                while not (fn & 1) and fn != 0:
                    fn >>= 1
                    sn >>= 1
        else:
            sr = hash_children(sr, c)
        fn >>= 1
        sn >>= 1
    # 7.
    return fr == first_hash and sr == second_hash and sn == 0


def check_evidence(obj):
    vkey = member(obj, "vkey", str)
    ev = member(obj, "evidence", dict)
    origin = member(ev, "origin", str, "evidence")
    note_a = member(ev, "a", str, "evidence")
    note_b = member(ev, "b", str, "evidence")
    root_at_a_b64 = member(ev, "rootAtA", str, "evidence")
    proof_b64 = member(ev, "proof", list, "evidence")
    need(all(isinstance(p, str) for p in proof_b64), "proof entries must be strings")

    name, key_id, pub = parse_vkey(vkey)
    check(name == origin, "vkey name does not match origin")

    text_a = open_note(note_a, name, key_id, pub, "a")
    text_b = open_note(note_b, name, key_id, pub, "b")
    origin_a, size_a, root_a = parse_checkpoint(text_a, "a")
    origin_b, size_b, root_b = parse_checkpoint(text_b, "b")
    check(origin_a == origin, "checkpoint a origin mismatch")
    check(origin_b == origin, "checkpoint b origin mismatch")
    check(size_a > 0, "size(a) is 0")
    check(size_a <= size_b, "size(a) > size(b)")

    root_at_a = b64decode_strict(root_at_a_b64, "rootAtA")
    check(len(root_at_a) == 32, "rootAtA is not 32 bytes")
    proof = []
    for i, p in enumerate(proof_b64):
        h = b64decode_strict(p, f"proof[{i}]")
        check(len(h) == 32, f"proof[{i}] is not 32 bytes")
        proof.append(h)

    check(root_at_a != root_a, "rootAtA equals root(a): no equivocation")
    if size_a == size_b:
        check(not proof, "proof must be empty when size(a) == size(b)")
        check(root_at_a == root_b, "rootAtA != root(b) with equal sizes")
    else:
        check(verify_consistency(size_a, size_b, root_at_a, root_b, proof),
              "consistency proof does not verify")
    return {"ok": True}


# ======================================================= kind "subject-keys"

SK_LABEL = "muster subject keys v1"
SK_MEMBERS = {"ct", "ephemeral", "from", "nonce", "request", "sig", "to"}


def sk_signed_text(frm, to, request, ephemeral, nonce, ct):
    sealed = base64.b64encode(hashlib.sha256(nonce + ct).digest()).decode()
    return (f"{SK_LABEL}\nfrom {frm}\nto {to}\n"
            f"request {base64.b64encode(request).decode()}\n"
            f"ephemeral {base64.b64encode(ephemeral).decode()}\n"
            f"sealed {sealed}\n").encode()


def sk_box_key(shared, request, ephemeral):
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.kdf.hkdf import HKDF
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=request + ephemeral,
                info=SK_LABEL.encode()).derive(shared)


def sk_ad(frm, to):
    return f"{SK_LABEL}\nfrom {frm}\nto {to}\n".encode()


def check_subject_keys(obj):
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    reply_text = member(obj, "reply", str)
    priv = b64decode_strict(member(obj, "requestPrivateKey", str), "requestPrivateKey")
    requester = member(obj, "requester", str)
    sender = member(obj, "from", str)
    pub = b64decode_strict(member(obj, "publicKey", str), "publicKey")
    try:
        reply = json.loads(reply_text)
    except ValueError:
        return {"ok": False, "reason": "reply is not JSON"}
    check(isinstance(reply, dict) and set(reply) == SK_MEMBERS, "reply members are not exactly " + ", ".join(sorted(SK_MEMBERS)))
    for k in SK_MEMBERS:
        check(isinstance(reply[k], str), f"reply member {k} is not a string")
    request = b64decode_strict(reply["request"], "request")
    ephemeral = b64decode_strict(reply["ephemeral"], "ephemeral")
    nonce = b64decode_strict(reply["nonce"], "nonce")
    ct = b64decode_strict(reply["ct"], "ct")
    sig = b64decode_strict(reply["sig"], "sig")
    check(len(request) == 32 and len(ephemeral) == 32 and len(nonce) == 12 and len(sig) == 64 and len(ct) >= 16,
          "a reply member has the wrong length")
    mine = X25519PrivateKey.from_private_bytes(priv)
    check(request == mine.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw), "reply answers another request")
    check(reply["to"] == requester, "reply is addressed to someone else")
    check(reply["from"] == sender, "reply is from someone else")
    try:
        Ed25519PublicKey.from_public_bytes(pub).verify(
            sig, sk_signed_text(reply["from"], reply["to"], request, ephemeral, nonce, ct))
    except InvalidSignature:
        return {"ok": False, "reason": "signature does not verify"}
    try:
        shared = mine.exchange(X25519PublicKey.from_public_bytes(ephemeral))
        plain = AESGCM(sk_box_key(shared, request, ephemeral)).decrypt(nonce, ct, sk_ad(reply["from"], reply["to"]))
    except Exception:
        return {"ok": False, "reason": "reply does not decrypt"}
    page = json.loads(plain)
    check(isinstance(page, dict) and set(page) == {"keys", "more", "next"}, "page members are not keys, more, next")
    keys = []
    for item in page["keys"]:
        check(isinstance(item, dict) and set(item) == {"key", "subject"}, "a page key is not {key, subject}")
        check(len(b64decode_strict(item["key"], "key")) == 32, "a key is not 32 bytes")
        keys.append({"subject": item["subject"], "key": item["key"]})
    check(isinstance(page["more"], bool) and is_int(page["next"]) and page["next"] >= 0, "page more/next malformed")
    return {"ok": True, "keys": keys, "more": page["more"], "next": page["next"]}


def seal_subject_keys(obj):
    """Makes a reply: {seed (b64 Ed25519 seed), from, to, request (b64 X25519 public key), page}."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
    import os
    seed = b64decode_strict(member(obj, "seed", str), "seed")
    frm, to = member(obj, "from", str), member(obj, "to", str)
    request = b64decode_strict(member(obj, "request", str), "request")
    page = member(obj, "page", dict)
    eph = X25519PrivateKey.generate()
    ephemeral = eph.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    shared = eph.exchange(X25519PublicKey.from_public_bytes(request))
    nonce = os.urandom(12)
    plain = json.dumps(page, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
    ct = AESGCM(sk_box_key(shared, request, ephemeral)).encrypt(nonce, plain, sk_ad(frm, to))
    sig = Ed25519PrivateKey.from_private_bytes(seed).sign(sk_signed_text(frm, to, request, ephemeral, nonce, ct))
    b = lambda x: base64.b64encode(x).decode()
    reply = {"ct": b(ct), "ephemeral": b(ephemeral), "from": frm, "nonce": b(nonce),
             "request": b(request), "sig": b(sig), "to": to}
    return {"ok": True, "reply": json.dumps(reply, sort_keys=True, separators=(",", ":"))}


# ==================================================================== driver

def run(obj):
    need(isinstance(obj, dict), "input must be a JSON object")
    kind = member(obj, "kind", str)
    try:
        if kind == "request":
            return check_request(obj)
        if kind == "evidence":
            return check_evidence(obj)
        if kind == "subject-keys":
            return check_subject_keys(obj)
        if kind == "subject-keys-seal":
            return seal_subject_keys(obj)
    except Reject as e:
        return {"ok": False, "reason": str(e)}
    raise Malformed(f"unknown kind {kind!r}")


def main():
    try:
        obj = json.loads(sys.stdin.read())
        result = run(obj)
    except (Malformed, ValueError) as e:
        sys.stderr.write(f"malformed input: {e}\n")
        return 2
    sys.stdout.write(json.dumps(result) + "\n")
    return 0


# ================================================================= self-test

def self_test():
    import subprocess
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

    failures = []

    def expect(cond, label):
        print(("PASS " if cond else "FAIL ") + label)
        if not cond:
            failures.append(label)

    def b64(b):
        return base64.b64encode(b).decode("ascii")

    def raw_pub(sk):
        return sk.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)

    # ------------------------------------------------ RFC 8941 parser sanity
    d = parse_sf_dictionary('a=1, b="x\\"y\\\\z";p=?0, c=(tok "s");q=-1.5, d, e=:AQID:')
    expect(d["a"][0] == 1 and d["b"][0] == 'x"y\\z' and d["b"][1] == {"p": False}
           and d["c"][0][0][0] == "tok" and isinstance(d["c"][0][0][0], Token)
           and d["c"][1] == {"q": -1.5} and d["d"][0] is True and d["e"][0] == b"\x01\x02\x03"
           and d["c"][2] == '(tok "s");q=-1.5', "sf dictionary parse")
    for bad in ('a=1,', 'a="unterminated', 'a=("x"', 'A=1', 'a=1 b=2', 'a="\\n"', 'a=1234567890123456'):
        try:
            parse_sf_dictionary(bad)
            expect(False, f"sf rejects {bad!r}")
        except Reject:
            expect(True, f"sf rejects {bad!r}")

    # ------------------------------------------------------------ request
    sk = Ed25519PrivateKey.generate()
    pub_b64 = b64(raw_pub(sk))
    now = 1_700_000_000

    def make_request(method="get", path="/v1/sync/pull", query="since=42&limit=10",
                     created=now, keyid='device-1 "laptop" \\ x', alg="ed25519",
                     tag="muster-sync", label="muster", components='"@method" "@path" "@query"',
                     sign_query=None, key=sk):
        esc = keyid.replace("\\", "\\\\").replace('"', '\\"')
        params = f'({components});created={created};keyid="{esc}";alg="{alg}";tag="{tag}"'
        base = signature_base(method, path, query if sign_query is None else sign_query, params)
        sig = key.sign(base.encode("ascii"))
        return {"kind": "request", "method": method, "path": path, "query": query,
                "signatureInput": f"{label}={params}", "signature": f"{label}=:{b64(sig)}:",
                "publicKey": pub_b64, "now": now}

    r = run(make_request())
    expect(r == {"ok": True, "keyid": 'device-1 "laptop" \\ x'}, "request: valid signature accepted")
    base = signature_base("get", "/p", "", '("@method" "@path" "@query");created=1')
    expect(base == '"@method": GET\n"@path": /p\n"@query": ?\n'
                   '"@signature-params": ("@method" "@path" "@query");created=1',
           "request: signature base layout")
    expect(run(make_request(query=""))["ok"] is True, "request: empty query accepted")
    req = make_request()
    req["query"] = "since=43&limit=10"
    expect(run(req)["ok"] is False, "request: changed query rejected")
    expect(run(make_request(created=now - 301))["ok"] is False, "request: stale created rejected")
    expect(run(make_request(created=now - 300))["ok"] is True, "request: created at -300s accepted")
    expect(run(make_request(created=now + 301))["ok"] is False, "request: future created rejected")
    expect(run(make_request(tag="other"))["ok"] is False, "request: wrong tag rejected")
    expect(run(make_request(alg="rsa-pss-sha512"))["ok"] is False, "request: wrong alg rejected")
    expect(run(make_request(label="sig1"))["ok"] is False, "request: wrong label rejected")
    expect(run(make_request(components='"@path" "@method" "@query"'))["ok"] is False,
           "request: reordered components rejected")
    expect(run(make_request(components='"@method" "@path"'))["ok"] is False,
           "request: missing component rejected")
    expect(run(make_request(key=Ed25519PrivateKey.generate()))["ok"] is False,
           "request: other key rejected")
    req = make_request()
    req["method"] = "POST"
    expect(run(req)["ok"] is False, "request: changed method rejected")
    req = make_request()
    req["signatureInput"] = req["signatureInput"].replace(';tag="muster-sync"', ';tag="muster-sync";x=1')
    expect(run(req)["ok"] is False, "request: params edited after signing rejected")

    # ------------------------------------------------------------ RFC 9162 tree
    def leaf_hash(data):
        return hashlib.sha256(b"\x00" + data).digest()

    def mth(leaves):
        n = len(leaves)
        if n == 0:
            return hashlib.sha256(b"").digest()
        if n == 1:
            return leaf_hash(leaves[0])
        k = 1
        while k * 2 < n:
            k *= 2
        return hash_children(mth(leaves[:k]), mth(leaves[k:]))

    def subproof(m, leaves, b):
        n = len(leaves)
        if m == n:
            return [] if b else [mth(leaves)]
        k = 1
        while k * 2 < n:
            k *= 2
        if m <= k:
            return subproof(m, leaves[:k], b) + [mth(leaves[k:])]
        return subproof(m - k, leaves[k:], False) + [mth(leaves[:k])]

    def consistency_proof(m, leaves):  # RFC 9162 §2.1.4.1 PROOF(m, D[n])
        return subproof(m, leaves, True)

    # exhaustive check of the verifier against the generator
    big = [f"leaf {i}".encode() for i in range(20)]
    all_ok = True
    tamper_ok = True
    for n in range(2, len(big) + 1):
        for m in range(1, n):
            p = consistency_proof(m, big[:n])
            r1, r2 = mth(big[:m]), mth(big[:n])
            if not verify_consistency(m, n, r1, r2, p):
                all_ok = False
            bad_r1 = bytes([r1[0] ^ 1]) + r1[1:]
            if verify_consistency(m, n, bad_r1, r2, p) or verify_consistency(m, n, r1, r1, p):
                tamper_ok = False
            for j in range(len(p)):
                q = list(p)
                q[j] = bytes([q[j][0] ^ 1]) + q[j][1:]
                if verify_consistency(m, n, r1, r2, q):
                    tamper_ok = False
            if verify_consistency(m, n, r1, r2, p + [r2]) or (p and verify_consistency(m, n, r1, r2, p[:-1])):
                tamper_ok = False
    expect(all_ok, "rfc9162: every generated proof (n<=20) verifies")
    expect(tamper_ok, "rfc9162: tampered roots/proofs rejected")

    # ------------------------------------------------------------ evidence
    log_sk = Ed25519PrivateKey.generate()
    origin = "example.com/muster/log"
    key_blob = b"\x01" + raw_pub(log_sk)
    kid = note_key_id(origin, key_blob)
    vkey = f"{origin}+{kid.hex()}+{b64(key_blob)}"

    def sign_note(text, sk_=log_sk, name=origin, kid_=kid, extra_lines=()):
        sig = sk_.sign(text.encode("utf-8"))
        sig_lines = "".join(extra_lines) + f"\u2014 {name} {b64(kid_ + sig)}\n"
        return text + "\n" + sig_lines

    def checkpoint(leaves, size, origin_=origin, **kw):
        text = f"{origin_}\n{size}\n{b64(mth(leaves[:size]))}\n"
        return sign_note(text, **kw)

    tree1 = [f"entry {i}".encode() for i in range(7)]
    tree2 = tree1[:3] + [f"forked entry {i}".encode() for i in range(3, 7)]

    def evidence(a, b, root_at_a, proof, vkey_=vkey, origin_=origin):
        return {"kind": "evidence", "vkey": vkey_,
                "evidence": {"origin": origin_, "a": a, "b": b, "rootAtA": b64(root_at_a),
                             "proof": [b64(h) for h in proof]}}

    good = evidence(checkpoint(tree1, 5), checkpoint(tree2, 7), mth(tree2[:5]),
                    consistency_proof(5, tree2[:7]))
    expect(run(good) == {"ok": True}, "evidence: fork 5 (tree1) vs 7 (tree2) accepted")

    expect(run(evidence(checkpoint(tree1, 4), checkpoint(tree2, 7), mth(tree2[:4]),
                        consistency_proof(4, tree2[:7])))["ok"] is True,
           "evidence: fork at power-of-two size 4 accepted")
    expect(run(evidence(checkpoint(tree1, 5), checkpoint(tree2, 5), mth(tree2[:5]), []))["ok"] is True,
           "evidence: same-size equivocation accepted")
    expect(run(evidence(checkpoint(tree1, 5), checkpoint(tree1, 7), mth(tree1[:5]),
                        consistency_proof(5, tree1[:7])))["ok"] is False,
           "evidence: two consistent checkpoints of one tree rejected")
    expect(run(evidence(checkpoint(tree1, 5), checkpoint(tree1, 7), mth(tree2[:5]),
                        consistency_proof(5, tree1[:7])))["ok"] is False,
           "evidence: consistent checkpoints with forged rootAtA rejected")
    expect(run(evidence(checkpoint(tree1, 3), checkpoint(tree2, 7), mth(tree2[:3]),
                        consistency_proof(3, tree2[:7])))["ok"] is False,
           "evidence: shared prefix (size 3) rejected")
    expect(run(evidence(checkpoint(tree1, 5), checkpoint(tree2, 5), mth(tree2[:5]),
                        [mth(tree2[:5])]))["ok"] is False,
           "evidence: equal sizes with non-empty proof rejected")
    expect(run(evidence(checkpoint(tree2, 7), checkpoint(tree1, 5), mth(tree2[:5]),
                        consistency_proof(5, tree2[:7])))["ok"] is False,
           "evidence: size(a) > size(b) rejected")
    expect(run(evidence(checkpoint(tree1, 0), checkpoint(tree2, 7), mth(tree2[:1]),
                        [mth(tree2[:7])]))["ok"] is False,
           "evidence: size(a) == 0 rejected")

    a_tampered = checkpoint(tree1, 5).replace("\n5\n", "\n6\n", 1)
    expect(run(evidence(a_tampered, checkpoint(tree2, 7), mth(tree2[:5]),
                        consistency_proof(5, tree2[:7])))["ok"] is False,
           "evidence: tampered note text rejected")
    other_sk = Ed25519PrivateKey.generate()
    expect(run(evidence(checkpoint(tree1, 5, sk_=other_sk), checkpoint(tree2, 7), mth(tree2[:5]),
                        consistency_proof(5, tree2[:7])))["ok"] is False,
           "evidence: note signed by other key under same name/id rejected")
    expect(run(evidence(checkpoint(tree1, 5, name="other.example/log"), checkpoint(tree2, 7),
                        mth(tree2[:5]), consistency_proof(5, tree2[:7])))["ok"] is False,
           "evidence: note without signature by the log key rejected")
    foreign = "\u2014 witness.example/w1 " + b64(b"\x00\x01\x02\x03" + b"\x00" * 64) + "\n"
    expect(run(evidence(checkpoint(tree1, 5, extra_lines=(foreign,)), checkpoint(tree2, 7),
                        mth(tree2[:5]), consistency_proof(5, tree2[:7])))["ok"] is True,
           "evidence: unknown extra signature ignored")
    expect(run(evidence(checkpoint(tree1, 5, origin_="example.com/other"), checkpoint(tree2, 7),
                        mth(tree2[:5]), consistency_proof(5, tree2[:7])))["ok"] is False,
           "evidence: checkpoint origin mismatch rejected")
    bad_vkey = f"{origin}+{bytes([kid[0] ^ 1]).hex()}{kid[1:].hex()}+{b64(key_blob)}"
    expect(run(evidence(checkpoint(tree1, 5), checkpoint(tree2, 7), mth(tree2[:5]),
                        consistency_proof(5, tree2[:7]), vkey_=bad_vkey))["ok"] is False,
           "evidence: vkey with wrong key id rejected")
    ev = evidence(checkpoint(tree1, 5), checkpoint(tree2, 7), mth(tree2[:5]),
                  consistency_proof(5, tree2[:7]), origin_="example.com/other")
    expect(run(ev)["ok"] is False, "evidence: origin != vkey name rejected")

    # ------------------------------------------------------------ subject keys
    from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey
    hub_seed = bytes(range(32))
    hub_pub = Ed25519PrivateKey.from_private_bytes(hub_seed).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    asker = X25519PrivateKey.generate()
    asker_priv = asker.private_bytes_raw()
    asker_pub = asker.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    page = {"keys": [{"key": base64.b64encode(bytes([7]) * 32).decode(), "subject": "s-1"}], "more": False, "next": 4}
    sealed = run({"kind": "subject-keys-seal", "seed": base64.b64encode(hub_seed).decode(), "from": "hub/a", "to": "hub/b",
                  "request": base64.b64encode(asker_pub).decode(), "page": page})["reply"]

    def open_reply(reply, requester="hub/b", frm="hub/a", pub=hub_pub, priv=asker_priv):
        return run({"kind": "subject-keys", "reply": reply, "requestPrivateKey": base64.b64encode(priv).decode(),
                    "requester": requester, "from": frm, "publicKey": base64.b64encode(pub).decode()})

    opened = open_reply(sealed)
    expect(opened["ok"] is True and opened["keys"] == page["keys"] and opened["next"] == 4, "subject keys: round trip")
    expect(open_reply(sealed, requester="hub/c")["ok"] is False, "subject keys: addressed to another hub rejected")
    expect(open_reply(sealed, priv=X25519PrivateKey.generate().private_bytes_raw())["ok"] is False,
           "subject keys: another request's key rejected")
    flipped = json.loads(sealed)
    ct = bytearray(base64.b64decode(flipped["ct"])); ct[0] ^= 1
    flipped["ct"] = base64.b64encode(bytes(ct)).decode()
    expect(open_reply(json.dumps(flipped))["ok"] is False, "subject keys: flipped ciphertext byte rejected")
    stranger = Ed25519PrivateKey.generate().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    expect(open_reply(sealed, pub=stranger)["ok"] is False, "subject keys: another signer rejected")

    # ------------------------------------------------------------ CLI contract
    me = [sys.executable, __file__]
    p = subprocess.run(me, input=json.dumps(good), capture_output=True, text=True)
    expect(p.returncode == 0 and json.loads(p.stdout) == {"ok": True}, "cli: evidence ok, exit 0")
    req = make_request()
    req["now"] = now + 10_000
    p = subprocess.run(me, input=json.dumps(req), capture_output=True, text=True)
    out = json.loads(p.stdout) if p.returncode == 0 else None
    expect(out is not None and out["ok"] is False and isinstance(out.get("reason"), str),
           "cli: rejection is ok=false with reason, exit 0")
    p = subprocess.run(me, input="{not json", capture_output=True, text=True)
    expect(p.returncode == 2 and p.stdout == "", "cli: malformed JSON exits 2")
    p = subprocess.run(me, input=json.dumps({"kind": "request"}), capture_output=True, text=True)
    expect(p.returncode == 2, "cli: missing member exits 2")

    print(f"\n{'ALL PASSED' if not failures else f'{len(failures)} FAILED'}")
    return 0 if not failures else 1


if __name__ == "__main__":
    if sys.argv[1:] == ["--self-test"]:
        sys.exit(self_test())
    sys.exit(main())
