#!/usr/bin/env python3
"""Independent reference implementation of the PPERA donation-register
computation, used as a known-answer oracle by the Swift interop tests.

Reads one JSON object on stdin, writes one JSON object on stdout.
Malformed input: exit 2 with a one-line message on stderr.
Run with --self-test to execute the hand-worked cases at the bottom.
"""
import datetime
import json
import sys

RULE_KEYS = ("donationOverMinor", "centralInitialOverMinor", "centralFurtherOverMinor",
             "unitInitialOverMinor", "unitFurtherOverMinor", "permissibilityDays")


class Malformed(Exception):
    pass


# ---------------------------------------------------------------- validation

def need(cond, msg):
    if not cond:
        raise Malformed(msg)


def is_int(v):
    return isinstance(v, int) and not isinstance(v, bool)


def parse_date(v, what):
    """Strict YYYY-MM-DD -> datetime.date."""
    need(isinstance(v, str) and len(v) == 10 and v[4] == "-" and v[7] == "-", f"bad date for {what}: {v!r}")
    try:
        return datetime.date.fromisoformat(v)
    except ValueError:
        raise Malformed(f"bad date for {what}: {v!r}")


def parse(doc):
    """Validate the input and convert dates; returns a normalised dict."""
    need(isinstance(doc, dict), "input must be a JSON object")
    rules = doc.get("rules")
    need(isinstance(rules, list) and rules, "rules must be a non-empty list")
    rs = []
    for r in rules:
        need(isinstance(r, dict), "rule must be an object")
        rule = {k: r.get(k) for k in RULE_KEYS}
        need(all(is_int(v) for v in rule.values()), "rule amounts/days must be integers")
        rule["effectiveFrom"] = parse_date(r.get("effectiveFrom"), "effectiveFrom")
        rs.append(rule)
    year, quarter, unit = doc.get("year"), doc.get("quarter"), doc.get("unit")
    need(is_int(year), "year must be an integer")
    need(quarter is None or (is_int(quarter) and 1 <= quarter <= 4), "quarter must be null or 1..4")
    need(unit in ("central", "accounting-unit"), "unit must be 'central' or 'accounting-unit'")
    today = parse_date(doc.get("today"), "today")
    dons = doc.get("donations")
    need(isinstance(dons, list), "donations must be a list")
    out = []
    for d in dons:
        need(isinstance(d, dict), "donation must be an object")
        did = d.get("id")
        need(isinstance(did, str), "donation id must be a string")
        need(isinstance(d.get("donor"), str), f"{did}: donor must be a string")
        need(is_int(d.get("amountMinor")), f"{did}: amountMinor must be an integer")
        need(isinstance(d.get("currency"), str), f"{did}: currency must be a string")
        au = d.get("accountingUnit")
        need(au is None or isinstance(au, str), f"{did}: accountingUnit must be null or a string")
        ref = d.get("refundedMinor")
        need(is_int(ref) and ref >= 0, f"{did}: refundedMinor must be an integer >= 0")
        ret = d.get("returnedOn")
        chk = d.get("check")
        if chk is not None:
            need(isinstance(chk, dict) and chk.get("outcome") in ("permissible", "impermissible"),
                 f"{did}: bad check")
            chk = {"checkedOn": parse_date(chk.get("checkedOn"), f"{did}.checkedOn"),
                   "outcome": chk["outcome"]}
        out.append(dict(d, receivedOn=parse_date(d.get("receivedOn"), f"{did}.receivedOn"),
                        returnedOn=None if ret is None else parse_date(ret, f"{did}.returnedOn"),
                        check=chk))
    return {"rules": rs, "year": year, "quarter": quarter, "unit": unit, "today": today, "donations": out}


# ---------------------------------------------------------------- computation

def rules_for(rules, date):
    """Rule set with the greatest effectiveFrom <= date, else the earliest one."""
    applicable = [r for r in rules if r["effectiveFrom"] <= date]
    if applicable:
        return max(applicable, key=lambda r: r["effectiveFrom"])
    return min(rules, key=lambda r: r["effectiveFrom"])


def quarter_of(date):
    return (date.month - 1) // 3 + 1


def compute(doc):
    inp = parse(doc)
    rules, year, q, today = inp["rules"], inp["year"], inp["quarter"], inp["today"]
    central = inp["unit"] == "central"

    # Unit filter (+ group unit) and year filter.
    kept = []
    for d in inp["donations"]:
        if central != (d["accountingUnit"] is None):
            continue
        if d["receivedOn"].year != year:
            continue
        kept.append(dict(d, group="central" if central else d["accountingUnit"]))

    def in_period(d):
        return q is None or quarter_of(d["receivedOn"]) == q

    unassessed, returned, permissibility, agg = [], [], [], {}
    small = {"count": 0, "totalMinor": 0}
    for d in kept:
        if d["currency"] != "GBP":
            if in_period(d):
                unassessed.append(d["id"])
            continue
        r = rules_for(rules, d["receivedOn"])
        d["value"] = value = max(0, d["amountMinor"] - d["refundedMinor"])
        not_returned = d["returnedOn"] is None
        # Aggregation runs over the whole year, regardless of quarter.
        if not_returned and value > r["donationOverMinor"]:
            agg.setdefault((d["group"], d["donor"]), []).append(d)
        if not in_period(d):
            continue
        if not not_returned or d["refundedMinor"] > 0:
            returned.append(d)
        if not_returned and value <= r["donationOverMinor"]:
            small["count"] += 1
            small["totalMinor"] += value
        # Permissibility checks use the gross amount.
        if d["amountMinor"] > r["donationOverMinor"]:
            rec, chk = d["receivedOn"], d["check"]
            deadline = rec + datetime.timedelta(days=r["permissibilityDays"])
            if chk is None and today > deadline:
                permissibility.append((d, "overdue", (today - rec).days))
            if chk is not None and chk["checkedOn"] > deadline:
                permissibility.append((d, "late", (chk["checkedOn"] - rec).days))
            if chk is not None and chk["outcome"] == "impermissible" and not_returned:
                permissibility.append((d, "impermissible-not-returned", (today - rec).days))

    # Aggregation per (group unit, donor).
    reportable = []
    for (group, _donor), ds in agg.items():
        pending, total, reported = [], 0, False
        for d in sorted(ds, key=lambda d: (d["receivedOn"], d["id"])):
            pending.append(d)
            total += d["value"]
            r = rules_for(rules, d["receivedOn"])
            if group == "central":
                limit = r["centralFurtherOverMinor"] if reported else r["centralInitialOverMinor"]
            else:
                limit = r["unitFurtherOverMinor"] if reported else r["unitInitialOverMinor"]
            if total > limit:
                reason = "further" if reported else ("single" if len(pending) == 1 else "aggregate")
                dq = quarter_of(d["receivedOn"])
                for p in pending:
                    reportable.append({"id": p["id"], "donor": p["donor"], "unit": group,
                                       "receivedOn": p["receivedOn"].isoformat(),
                                       "valueMinor": p["value"], "aggregateMinor": total,
                                       "quarter": dq, "reason": reason})
                pending, total, reported = [], 0, True
    if q is not None:
        reportable = [row for row in reportable if row["quarter"] == q]
    reportable.sort(key=lambda x: (x["quarter"], x["unit"], x["donor"], x["receivedOn"], x["id"]))

    permissibility.sort(key=lambda t: (t[0]["receivedOn"], t[0]["id"], t[1]))
    returned.sort(key=lambda d: (d["receivedOn"], d["id"]))
    return {
        "reportable": reportable,
        "permissibility": [{"id": d["id"], "issue": i, "days": n} for d, i, n in permissibility],
        "returned": [{"id": d["id"],
                      "returnedOn": None if d["returnedOn"] is None else d["returnedOn"].isoformat(),
                      "refundedMinor": d["refundedMinor"], "amountMinor": d["amountMinor"]}
                     for d in returned],
        "small": small,
        "unassessed": sorted(unassessed),
    }


def main():
    try:
        doc = json.loads(sys.stdin.read())
        out = compute(doc)
    except (ValueError, Malformed) as e:  # json.JSONDecodeError is a ValueError
        print(f"malformed input: {str(e).splitlines()[0] if str(e) else type(e).__name__}", file=sys.stderr)
        return 2
    sys.stdout.write(json.dumps(out, sort_keys=True, separators=(",", ":")) + "\n")
    return 0


# ---------------------------------------------------------------- self-test

RULES = [
    {"effectiveFrom": "2024-01-01", "donationOverMinor": 50000, "centralInitialOverMinor": 1118000,
     "centralFurtherOverMinor": 223000, "unitInitialOverMinor": 223000,
     "unitFurtherOverMinor": 223000, "permissibilityDays": 30},
    {"effectiveFrom": "2010-01-01", "donationOverMinor": 50000, "centralInitialOverMinor": 750000,
     "centralFurtherOverMinor": 150000, "unitInitialOverMinor": 150000,
     "unitFurtherOverMinor": 150000, "permissibilityDays": 30},
]


def don(id, donor, amount, received, currency="GBP", unit=None, refunded=0, returned=None, check=None):
    return {"id": id, "donor": donor, "amountMinor": amount, "currency": currency,
            "receivedOn": received, "accountingUnit": unit, "refundedMinor": refunded,
            "returnedOn": returned, "check": check}


def run(donations, year=2024, quarter=None, unit="central", today="2025-03-01"):
    return compute({"rules": RULES, "year": year, "quarter": quarter, "unit": unit,
                    "today": today, "donations": donations})


def ok(date):  # a timely permissible check
    return {"checkedOn": date, "outcome": "permissible"}


def self_test():
    # 1. One £12,000 central donation (> £11,180) -> "single", quarter of receipt (Q2).
    out = run([don("a", "Ann", 1200000, "2024-05-10", check=ok("2024-05-20"))])
    assert out["reportable"] == [{"id": "a", "donor": "Ann", "unit": "central", "receivedOn": "2024-05-10",
                                  "valueMinor": 1200000, "aggregateMinor": 1200000, "quarter": 2,
                                  "reason": "single"}], out
    assert out["permissibility"] == [] and out["small"] == {"count": 0, "totalMinor": 0}, out

    # 2. £5,000 Jan/Apr/Jul: P = 500k, 1,000k (<= 1,118k), 1,500k (> 1,118k) -> all three
    #    "aggregate" in Q3 with aggregate 1,500,000. Then £1,500 (P=150k <= 223k) and
    #    £1,000 (P=250k > 223k) in Q4 -> both "further", aggregate 250,000.
    seq = [don("b1", "Bob", 500000, "2024-01-15", check=ok("2024-01-20")),
           don("b2", "Bob", 500000, "2024-04-15", check=ok("2024-04-20")),
           don("b3", "Bob", 500000, "2024-07-15", check=ok("2024-07-20")),
           don("b4", "Bob", 150000, "2024-10-01", check=ok("2024-10-02")),
           don("b5", "Bob", 100000, "2024-11-01", check=ok("2024-11-02"))]
    rows = run(seq)["reportable"]
    assert [(r["id"], r["quarter"], r["aggregateMinor"], r["reason"]) for r in rows] == [
        ("b1", 3, 1500000, "aggregate"), ("b2", 3, 1500000, "aggregate"), ("b3", 3, 1500000, "aggregate"),
        ("b4", 4, 250000, "further"), ("b5", 4, 250000, "further")], rows
    # Quarter filter: Q1 shows no rows (b1 is reported in Q3), Q3 shows the three.
    assert run(seq, quarter=1)["reportable"] == []
    assert [r["id"] for r in run(seq, quarter=3)["reportable"]] == ["b1", "b2", "b3"]
    # Same donations to an accounting unit: unit limits 223k/223k -> b1,b2,b3 each "single"/"further".
    au = [dict(d, accountingUnit="Leeds") for d in seq]
    rows = run(au, unit="accounting-unit")["reportable"]
    assert [(r["id"], r["unit"], r["reason"]) for r in rows] == [
        ("b1", "Leeds", "single"), ("b2", "Leeds", "further"), ("b3", "Leeds", "further"),
        ("b4", "Leeds", "further"), ("b5", "Leeds", "further")], rows
    assert run(au)["reportable"] == []  # central view ignores unit donations

    # 3. A £400 gift is small (<= £500) and needs no permissibility check.
    out = run([don("s", "Sue", 40000, "2024-02-01")])
    assert out["small"] == {"count": 1, "totalMinor": 40000} and out["reportable"] == [], out
    assert out["permissibility"] == [], out

    # 4. A £8,000 donation in 2023 uses the 2010 rules (central 7,500) -> "single";
    #    under the 2024 rules it would not be reportable.
    out = run([don("o", "Olga", 800000, "2023-03-31", check=ok("2023-04-01"))], year=2023)
    assert [(r["id"], r["quarter"], r["reason"]) for r in out["reportable"]] == [("o", 1, "single")], out
    assert run([don("o", "Olga", 800000, "2024-03-31", check=ok("2024-04-01"))])["reportable"] == []

    # 5. Permissibility, returns, refunds and foreign currency (today = 2025-03-01).
    out = run([
        don("p1", "Pat", 60000, "2024-12-01"),                      # unchecked; deadline 12-31 -> overdue 90
        don("p2", "Pat", 60000, "2024-12-15", check={"checkedOn": "2025-01-20",  # deadline 01-14 -> late 36
                                                      "outcome": "impermissible"}),  # + not returned 76
        don("p3", "Pat", 60000, "2024-06-01", returned="2024-06-10",  # returned: not aggregated, not small
            check={"checkedOn": "2024-06-05", "outcome": "impermissible"}),
        don("p4", "Pat", 60000, "2024-06-02", refunded=20000, check=ok("2024-06-03")),  # value 40k -> small
        don("x", "Xi", 9999999, "2024-06-03", currency="EUR"),
    ])
    assert out["permissibility"] == [
        {"id": "p1", "issue": "overdue", "days": 90},
        {"id": "p2", "issue": "impermissible-not-returned", "days": 76},
        {"id": "p2", "issue": "late", "days": 36}], out
    assert out["returned"] == [
        {"id": "p3", "returnedOn": "2024-06-10", "refundedMinor": 0, "amountMinor": 60000},
        {"id": "p4", "returnedOn": None, "refundedMinor": 20000, "amountMinor": 60000}], out
    assert out["small"] == {"count": 1, "totalMinor": 40000}, out
    assert out["unassessed"] == ["x"] and out["reportable"] == [], out

    # 6. Malformed input is rejected.
    for bad in ({}, {"rules": []}, {"rules": RULES, "year": 2024, "quarter": 5, "unit": "central",
                                    "today": "2025-03-01", "donations": []}):
        try:
            compute(bad)
            raise AssertionError(f"accepted malformed input {bad}")
        except Malformed:
            pass
    print("self-test passed")
    return 0


if __name__ == "__main__":
    sys.exit(self_test() if "--self-test" in sys.argv[1:] else main())
