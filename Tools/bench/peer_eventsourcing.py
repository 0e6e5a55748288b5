#!/usr/bin/env python3
"""The peer side of Tools/bench/run: the Python `eventsourcing` library on its SQLite recorder,
doing the same work as muster-bench. Each workload prints one JSON line on stdout.

    peer_eventsourcing.py bulk-append       --events N --dir D [--batch 1000]
    peer_eventsourcing.py concurrent-append --events N --dir D [--writers 64]
    peer_eventsourcing.py replay            --events N --dir D [--batch 1000]
    peer_eventsourcing.py copy              --events N --dir D [--batch 1000]

Durability: the library opens its SQLite file in WAL mode; we also set `PRAGMA synchronous=FULL`
on every connection it makes (the same setting Muster uses) and report what SQLite says back.

Domain: event i is member i//2 joining (even i) or that member's donation (odd i), as in
muster-bench. Members are aggregates; a join creates one, a donation is its second event. The
personal fields Muster seals are carried here as an opaque base64 string of the same size as
Muster's sealed payload (the peer does not encrypt: that only makes its work lighter).
"""
import argparse
import base64
import itertools
import json
import os
import random
import sqlite3
import sys
import threading
import time

SYNC_SETTING = "FULL"


def configure(dbname: str) -> None:
    os.environ["PERSISTENCE_MODULE"] = "eventsourcing.sqlite"
    os.environ["SQLITE_DBNAME"] = dbname
    os.environ["SQLITE_LOCK_TIMEOUT"] = "60"
    import eventsourcing.sqlite as es

    original = es.SQLiteConnectionPool._create_connection

    def create_connection(self):  # type: ignore[no-untyped-def]
        conn = original(self)
        conn._sqlite_conn.execute(f"PRAGMA synchronous={SYNC_SETTING}")
        return conn

    es.SQLiteConnectionPool._create_connection = create_connection


# The domain, shared by both workloads (imported after configure()).
def domain():  # type: ignore[no-untyped-def]
    from eventsourcing.application import Application
    from eventsourcing.domain import Aggregate, event

    class Member(Aggregate):
        @event("Joined")
        def __init__(self, region, constituency, boundary_set, outward_code, joined_on, source,
                     email_index, operator, sealed):
            self.region = region
            self.constituency = constituency
            self.donations = 0

        @event("DonationReceived")
        def donate(self, amount_minor, currency, received_on, method, donor_kind, accounting_unit,
                   operator, sealed):
            self.donations += amount_minor

    class Movement(Application):
        pass

    return Member, Movement


AREAS = [
    ("yorkshire-and-the-humber", [f"E14001{n}" for n in range(480, 485)], ["S1", "S2", "S6", "S10", "S11"]),
    ("south-east", [f"E14001{n}" for n in range(520, 524)], ["GU1", "GU2", "KT22", "RH1"]),
    ("north-east", [f"E14001{n}" for n in range(390, 394)], ["NE1", "NE2", "NE4", "NE6"]),
    ("london", [f"E14001{n}" for n in range(300, 306)], ["E1", "N1", "SE1", "SW9"]),
    ("wales", [f"W07000{n:03d}" for n in range(81, 84)], ["CF10", "CF11", "CF24"]),
    ("scotland", [f"S14000{n}" for n in range(100, 103)], ["EH1", "EH6", "G12"]),
]
METHODS = ["card", "bank-transfer", "direct-debit", "cash", "cheque", "online", "other"]


def member_args(i: int):  # type: ignore[no-untyped-def]
    """The join of member i: the same fields Muster's member.joined carries in the clear, plus an
    opaque blob so that stored events are about the size of Muster's entries (~700 bytes)."""
    rng = random.Random(i)
    region, constituencies, outward = rng.choice(AREAS)
    return dict(
        region=region, constituency=rng.choice(constituencies), boundary_set="2024",
        outward_code=rng.choice(outward), joined_on=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        source=rng.choice(["web", "event", "phone", "paper"]), email_index=rng.randbytes(32).hex(),
        operator=rng.choice(["op-amira", "op-ben", "op-chloe"]),
        sealed=base64.b64encode(rng.randbytes(330)).decode(),
    )


def donation_args(i: int):  # type: ignore[no-untyped-def]
    rng = random.Random(-i - 1)
    return dict(
        amount_minor=rng.randint(300, 15_000), currency="GBP",
        received_on=f"2025-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        method=rng.choice(METHODS), donor_kind="individual",
        accounting_unit="sheffield-branch" if rng.random() < 0.2 else None, operator="op-treasurer",
        sealed=base64.b64encode(rng.randbytes(230)).decode(),
    )


def peak_rss_kb() -> int:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return -1


def db_facts(dbname: str):  # type: ignore[no-untyped-def]
    c = sqlite3.connect(dbname)
    count, mean = c.execute("SELECT COUNT(*), AVG(LENGTH(state)) FROM stored_events").fetchone()
    mode = c.execute("PRAGMA journal_mode").fetchone()[0]
    c.close()
    return count, mean or 0, mode


def synchronous(app) -> int:  # type: ignore[no-untyped-def]
    """What SQLite says `synchronous` is on one of the library's own connections (2 = FULL)."""
    pool = app.recorder.datastore.pool
    conn = pool.get_connection()
    try:
        return conn._sqlite_conn.execute("PRAGMA synchronous").fetchone()[0]
    finally:
        pool.put_connection(conn)


def emit(fields) -> None:  # type: ignore[no-untyped-def]
    print(json.dumps(fields, separators=(",", ":")), flush=True)


def save_members(app, Member, events: int, batch: int) -> int:  # type: ignore[no-untyped-def]
    """Saves `events` events: members joining, each but perhaps the last with a donation, `batch`
    events per app.save. Returns the aggregates per save."""
    members = (events + 1) // 2
    per_save = max(1, batch // 2)  # two events per member aggregate
    for first in range(0, members, per_save):
        aggregates = []
        for m in range(first, min(members, first + per_save)):
            a = Member(**member_args(m))
            if 2 * m + 1 < events:
                a.donate(**donation_args(m))
            aggregates.append(a)
        app.save(*aggregates)
    return per_save


def bulk_append(events: int, dbname: str, batch: int) -> None:
    Member, Movement = domain()
    app = Movement()
    started = time.perf_counter()
    per_save = save_members(app, Member, events, batch)
    elapsed = time.perf_counter() - started
    sync_value = synchronous(app)
    count, mean, mode = db_facts(dbname)
    if count != events:
        raise SystemExit(f"peer wrote {count} events, expected {events}")
    emit({"workload": "bulk-append", "impl": "eventsourcing", "events": events, "seconds": round(elapsed, 3),
          "events_per_second": round(events / elapsed, 1), "batch_events": batch,
          "mean_state_bytes": round(mean), "peak_rss_kb_self": peak_rss_kb(),
          "durability": f"SQLite {sqlite3.sqlite_version} journal_mode={mode}, synchronous={sync_value} (2=FULL), one transaction per save of {per_save} aggregates"})


def concurrent_append(events: int, dbname: str, writers: int) -> None:
    Member, Movement = domain()
    app = Movement()
    pairs = itertools.count()
    errors: list[BaseException] = []
    latencies: list[list[float]] = [[] for _ in range(writers)]

    def writer(w: int) -> None:
        mine = latencies[w]
        try:
            while True:
                pair = next(pairs)  # atomic under the GIL
                if 2 * pair >= events:
                    return
                t0 = time.perf_counter()
                a = Member(**member_args(pair))
                app.save(a)
                mine.append(time.perf_counter() - t0)
                if 2 * pair + 1 < events:
                    t0 = time.perf_counter()
                    a.donate(**donation_args(pair))
                    app.save(a)
                    mine.append(time.perf_counter() - t0)
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(writers)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    if errors:
        raise SystemExit(f"peer writer failed: {errors[0]!r}")
    count, mean, mode = db_facts(dbname)
    if count != events:
        raise SystemExit(f"peer wrote {count} events, expected {events}")
    sync_value = synchronous(app)
    all_lat = sorted(x for part in latencies for x in part)
    p = lambda q: round(all_lat[min(len(all_lat) - 1, int(len(all_lat) * q))] * 1000, 3)  # noqa: E731
    emit({"workload": "concurrent-append", "impl": "eventsourcing", "events": events, "seconds": round(elapsed, 3),
          "events_per_second": round(events / elapsed, 1), "writers": writers, "p50_ms": p(0.5), "p99_ms": p(0.99),
          "mean_state_bytes": round(mean), "peak_rss_kb_self": peak_rss_kb(),
          "durability": f"SQLite {sqlite3.sqlite_version} journal_mode={mode}, synchronous={sync_value} (2=FULL), one transaction per save (one event)"})


def replay(events: int, dbname: str, batch: int, workload: str = "replay") -> None:
    """Appends `events` as bulk-append does (not timed), then reads them all back from the
    recorder in order, as a projection would: notifications in pages, each mapped to its domain
    event. Times and peak memory are the read's alone."""
    Member, Movement = domain()
    app = Movement()
    save_members(app, Member, events, batch)
    with open("/proc/self/clear_refs", "w") as f:  # reset VmHWM: the read's own peak follows
        f.write("5")
    started = time.perf_counter()
    read, start, raw_seconds = 0, 1, 0.0
    while True:
        t0 = time.perf_counter()
        page = app.recorder.select_notifications(start=start, limit=10_000)
        raw_seconds += time.perf_counter() - t0
        if not page:
            break
        for n in page:
            app.mapper.to_domain_event(n)
        read += len(page)
        start = page[-1].id + 1
    elapsed = time.perf_counter() - started
    if read != events:
        raise SystemExit(f"peer read {read} events, expected {events}")
    emit({"workload": workload, "impl": "eventsourcing", "events": events, "seconds": round(elapsed, 3),
          "events_per_second": round(events / elapsed, 1), "raw_read_events_per_second": round(events / raw_seconds, 1),
          "peak_rss_kb_phase": peak_rss_kb(),
          "what": "select_notifications in pages of 10,000, each mapped to its domain event (no projection)"})


def copy(events: int, dbname: str, batch: int) -> None:
    """Appends `events` as bulk-append does (not timed), then copies them, in order, into a second
    recorder in another SQLite file, `batch` per transaction: what a follower that replicates a
    log does, without a network or any verification."""
    Member, Movement = domain()
    app = Movement()
    save_members(app, Member, events, batch)
    target = Movement(env={"SQLITE_DBNAME": dbname + ".copy"})
    with open("/proc/self/clear_refs", "w") as f:  # reset VmHWM: the copy's own peak follows
        f.write("5")
    started = time.perf_counter()
    copied, start = 0, 1
    while True:
        page = app.recorder.select_notifications(start=start, limit=batch)
        if not page:
            break
        target.recorder.insert_events(page)
        copied += len(page)
        start = page[-1].id + 1
    elapsed = time.perf_counter() - started
    held = len(target.recorder.select_notifications(start=1, limit=events + 1))
    if copied != events or held != events:
        raise SystemExit(f"peer copied {copied} events and holds {held}, expected {events}")
    emit({"workload": "sync", "impl": "eventsourcing", "events": events, "seconds": round(elapsed, 3),
          "events_per_second": round(events / elapsed, 1), "peak_rss_kb_phase": peak_rss_kb(),
          "what": f"select_notifications from one SQLite recorder, insert_events into another, {batch} per transaction"})


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("workload", choices=["bulk-append", "concurrent-append", "replay", "copy", "audit"])
    parser.add_argument("--events", type=int, required=True)
    parser.add_argument("--dir", required=True)
    parser.add_argument("--batch", type=int, default=1000)
    parser.add_argument("--writers", type=int, default=64)
    args = parser.parse_args()
    os.makedirs(args.dir, exist_ok=True)
    dbname = os.path.join(args.dir, "events.sqlite")
    if os.path.exists(dbname):
        raise SystemExit(f"{dbname} exists; give a fresh --dir")
    configure(dbname)
    if args.workload == "bulk-append":
        bulk_append(args.events, dbname, args.batch)
    elif args.workload == "replay":
        replay(args.events, dbname, args.batch)
    elif args.workload == "audit":
        # eventsourcing keeps no hashes or signatures to check: reading every event back and
        # decoding it is the nearest it has to verifying a log.
        replay(args.events, dbname, args.batch, workload="audit")
    elif args.workload == "copy":
        copy(args.events, dbname, args.batch)
    else:
        concurrent_append(args.events, dbname, args.writers)


if __name__ == "__main__":
    sys.exit(main())
