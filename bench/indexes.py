#!/usr/bin/env python3
"""What the check-in table's indexes cost SQLite itself (issue 17).

No server and no sqlx: Python's sqlite3 inserts check-in rows into a table of
1,000,000 (100 days x 10,000 people, as `bench seed`), in transactions of
BATCH rows as the desk's writer does, WAL and synchronous=FULL as the app
runs. Each index set is built once on a copy of the same base table.

    python3 bench/indexes.py SET BATCH [ROWS]      e.g.  indexes.py before 32
    SET: before | day_led_but_person | all_day_led | counted_only | none
Work files go to $BENCH_DIR (default /tmp/bhly-indexes, about 1.5 GB).
Figures: docs/benchmarks.md, *Check-in throughput*.
"""
import os
import random
import shutil
import sqlite3
import sys
import time

DIR = os.environ.get("BENCH_DIR", "/tmp/bhly-indexes")
BASE = f"{DIR}/base.db"
COLUMNS = ("user_id,filing_id,at,day,lat,lng,accuracy_m,accepted,counted,basis,"
           "distance_m,flags,device_key,user_agent,ip")
INSERT = f"insert into checkins ({COLUMNS}) values ({','.join('?' * 15)}) on conflict do nothing"
UA = ("Mozilla/5.0 (Linux; Android 13; V2227A) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.43")
FLAGGED = "create index e on checkins (day) where flags <> ''"
SETS = {
    # migrations 0003, 0007 and 0010
    "before": [
        "create index a on checkins (user_id, at, accepted, lat, lng, accuracy_m, day)",
        "create index b on checkins (filing_id, day)",
        "create index c on checkins (device_key, at, user_id)",
        "create unique index d on checkins (user_id, filing_id, day) where counted = 1",
        FLAGGED,
    ],
    # after 0024: only the person's history stays led by the person
    "day_led_but_person": [
        "create index a on checkins (user_id, at, accepted, lat, lng, accuracy_m, day)",
        "create index b on checkins (day, filing_id)",
        "create index c on checkins (day, device_key, at, user_id)",
        "create unique index d on checkins (day, user_id, filing_id) where counted = 1",
        FLAGGED,
    ],
    "all_day_led": [
        "create index a on checkins (day, user_id, at)",
        "create index b on checkins (day, filing_id)",
        "create index c on checkins (day, device_key)",
        "create unique index d on checkins (day, user_id, filing_id) where counted = 1",
        FLAGGED,
    ],
    "counted_only": ["create unique index d on checkins (user_id, filing_id, day) where counted = 1", FLAGGED],
    "none": [],
}


def device(u):
    return "%032x" % (u * 2654435761 % (1 << 128))


def row(u, at, day, counted):
    return (u, 1 + u // 5, at, day, 27.6, 120.5, 10.0, 1, counted,
            "distance 0.0 <= tolerance 10.0", 0.0, "", device(u), UA, "10.0.0.1")


def base():
    if os.path.exists(BASE):
        return
    os.makedirs(DIR, exist_ok=True)
    c = sqlite3.connect(BASE)
    c.execute(
        "create table checkins (id integer primary key autoincrement, user_id bigint not null,"
        " filing_id bigint not null, at bigint not null, day text not null, lat double precision not null,"
        " lng double precision not null, accuracy_m double precision not null, accepted integer not null,"
        " counted integer not null, basis text not null, distance_m double precision, flags text not null,"
        " device_key text not null, user_agent text, ip text, photo_sha256 text)")
    t0 = 1_700_000_000_000
    for d in range(100):
        day = "2026-%02d-%02d" % (1 + d // 28, 1 + d % 28)
        c.executemany(INSERT, [row(u, t0 + d * 86_400_000 + u, day, 1) for u in range(1, 10_001)])
    c.commit()
    c.close()


def main():
    which, batch = sys.argv[1], int(sys.argv[2])
    n = int(sys.argv[3]) if len(sys.argv) > 3 else 30_000
    base()
    db = f"{DIR}/{which}.db"
    if not os.path.exists(db + ".ready"):
        shutil.copy(BASE, db)
        c = sqlite3.connect(db)
        for s in SETS[which]:
            c.execute(s)
        c.commit()
        c.close()
        open(db + ".ready", "w").close()
    work = db + ".run"
    shutil.copy(db, work)
    for ext in ("-wal", "-shm"):
        if os.path.exists(work + ext):
            os.remove(work + ext)
    c = sqlite3.connect(work, isolation_level=None)
    c.execute("pragma journal_mode=wal")
    c.execute("pragma synchronous=full")
    rng, at, done, seen = random.Random(1), 1_800_000_000_000, 0, set()
    started, cpu = time.time(), time.process_time()
    while done < n:
        rows = []
        for _ in range(batch):
            u = rng.randint(1, 10_000)
            at += 1
            rows.append(row(u, at, "2026-12-07", 0 if u in seen else 1))
            seen.add(u)
        c.execute("begin")
        c.executemany(INSERT, rows)
        c.execute("commit")
        done += batch
    secs = time.time() - started
    print(f"{which} batch={batch} rows/s={done / secs:,.0f} "
          f"cpu_us/row={(time.process_time() - cpu) * 1e6 / done:.0f}")


if __name__ == "__main__":
    main()
