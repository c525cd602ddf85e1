#!/usr/bin/env python3
"""An independent check of a Keyport audit export, with Python's standard library only.

    python3 reference_verify.py <export.jsonl> [--statements DIR]

Recomputes the hash chain of a JSON Lines export from the specification in canonical.ts (not from Keyport's
code) and follows its checkpoints (head hash and link to the previous checkpoint). With --statements, writes
each checkpoint's signed bytes and signature as DIR/statement-<seq>.json and DIR/signature-<seq>.sig, for
`openssl dgst -sha256 -verify signing-key.pem -signature signature-<seq>.sig statement-<seq>.json`.

Prints `intact: <n> events, <k> checkpoints, head <hash>` and exits 0, or `seq <n>: <reason>` per broken rule
and exits 1.
"""

import base64
import hashlib
import json
import os
import sys

GENESIS = "0" * 64


def es_number(x):
    """A number as ECMAScript writes it (RFC 8785 section 3.2.2.3)."""
    if isinstance(x, bool):
        raise TypeError("not a number")
    if isinstance(x, int):
        return str(x)
    if x != x or x in (float("inf"), float("-inf")):
        raise ValueError("JSON has no NaN or infinity")
    if x == 0:
        return "0"
    sign = "-" if x < 0 else ""
    # repr is the shortest string that reads back as x, as ECMAScript's Number::toString chooses its digits.
    text = repr(abs(x))
    mantissa, _, exponent = text.partition("e")
    whole, _, fraction = mantissa.partition(".")
    digits = (whole + fraction).lstrip("0")
    point = len(whole) + int(exponent or 0) - (len(whole + fraction) - len((whole + fraction).lstrip("0")))
    digits = digits.rstrip("0") or "0"
    k, n = len(digits), point
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        out = digits[0] + ("." + digits[1:] if k > 1 else "") + "e" + ("+" if e >= 0 else "-") + str(abs(e))
    return sign + out


def canonical(value):
    """RFC 8785: members sorted by UTF-16 code units, no whitespace, strings as ECMAScript's JSON.stringify."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, (int, float)):
        return es_number(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(canonical(v) for v in value) + "]"
    if isinstance(value, dict):
        keys = sorted(value, key=lambda k: k.encode("utf-16-be"))
        return "{" + ",".join(json.dumps(k, ensure_ascii=False) + ":" + canonical(value[k]) for k in keys) + "}"
    raise TypeError(type(value).__name__)


def main(argv):
    args = list(argv)
    statements = None
    if "--statements" in args:
        i = args.index("--statements")
        statements = args[i + 1]
        del args[i : i + 2]
    if len(args) != 1:
        print("usage: reference_verify.py <export.jsonl> [--statements DIR]", file=sys.stderr)
        return 2
    breaks = []
    count = checkpoints = 0
    last_seq, last_hash = 0, GENESIS
    previous_statement = GENESIS
    with open(args[0], encoding="utf-8", newline="\n") as lines:
        for line in lines:
            if not line.strip():
                continue
            event = json.loads(line)
            stored_prev, stored_hash = event.pop("prevHash"), event.pop("hash")
            seq = event["seq"]
            if seq != last_seq + 1:
                breaks.append((seq, "sequence_gap"))
            elif stored_prev != last_hash:
                breaks.append((seq, "prev_hash_mismatch"))
            if hashlib.sha256((stored_prev + canonical(event)).encode("utf-8")).hexdigest() != stored_hash:
                breaks.append((seq, "hash_mismatch"))
            if event["action"] == "audit.checkpoint":
                statement = event["details"]["statement"]
                signed = canonical(statement).encode("utf-8")
                head_holds = statement["seq"] == seq - 1 and (statement["headHash"] == last_hash if seq > 1 else statement["headHash"] == GENESIS)
                if not head_holds:
                    breaks.append((seq, "checkpoint_head_mismatch"))
                elif statement["previous"] != previous_statement:
                    breaks.append((seq, "checkpoint_previous_mismatch"))
                else:
                    checkpoints += 1
                previous_statement = hashlib.sha256(signed).hexdigest()
                if statements:
                    os.makedirs(statements, exist_ok=True)
                    with open(os.path.join(statements, "statement-%d.json" % seq), "wb") as f:
                        f.write(signed)
                    with open(os.path.join(statements, "signature-%d.sig" % seq), "wb") as f:
                        f.write(base64.b64decode(event["details"]["signature"]))
            count += 1
            last_seq, last_hash = seq, stored_hash
    if not breaks:
        print("intact: %d events, %d checkpoints, head %s" % (count, checkpoints, last_hash))
        return 0
    for seq, reason in breaks:
        print("seq %d: %s" % (seq, reason))
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
