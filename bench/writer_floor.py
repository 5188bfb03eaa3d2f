#!/usr/bin/env python3
"""SQLite alone under `bench writer` (issue 17): the floor for the desk's writer.

Python's sqlite3 inserts check-in rows into a copy of a database seeded by
`bench seed` (the app's own schema: foreign keys, the indexes of the
migrations), in transactions of BATCH rows as the writer commits them, WAL,
for 10 s. No server and no sqlx: set it beside `bench writer --tasks BATCH`.

    python3 bench/writer_floor.py DB PEOPLE_TSV BATCH [full|normal [PRAGMA ...]]
e.g. `... 46 full cache_size=-65536`. DB is changed: use a copy. Figures: docs/benchmarks.md, *Check-in throughput*.
"""
import random
import sqlite3
import sys
import time

db, people_file, batch = sys.argv[1], sys.argv[2], int(sys.argv[3])
sync = sys.argv[4] if len(sys.argv) > 4 else "full"
people = [line.rstrip("\n").split("\t") for line in open(people_file)]
c = sqlite3.connect(db, isolation_level=None)
for pragma in ("journal_mode=wal", "foreign_keys=on", f"synchronous={sync}") + tuple(sys.argv[5:]):
    c.execute(f"pragma {pragma}")
COLUMNS = ("user_id,filing_id,at,day,lat,lng,accuracy_m,accepted,counted,basis,"
           "distance_m,flags,device_key,user_agent,ip,photo_sha256")
INSERT = f"insert into checkins ({COLUMNS}) values ({','.join('?' * 16)}) on conflict do nothing"
UA = ("Mozilla/5.0 (Linux; Android 14; V2309A) AppleWebKit/537.36 (KHTML, like Gecko) "
      "Version/4.0 Chrome/116.0 Mobile Safari/537.36 MicroMessenger/8.0.50")
day = time.strftime("%Y-%m-%d", time.gmtime(time.time() + 8 * 3600))
rows_done, commit_s = 0, 0.0
started, cpu = time.time(), time.process_time()
while time.time() < started + 10:
    rows = []
    for _ in range(batch):
        # people file: cookie, filing, lat, lng, device, user
        _, filing, lat, lng, device, user = random.choice(people)
        rows.append((int(user), int(filing), int(time.time() * 1000), day, float(lat), float(lng),
                     10.0, 1, 0, "distance 0.0 <= tolerance 10.0", 0.0, "", device, UA, "10.0.0.1", None))
    c.execute("begin")
    c.executemany(INSERT, rows)
    t = time.time()
    c.execute("commit")
    commit_s += time.time() - t
    rows_done += batch
secs = time.time() - started
print(f"batch={batch} synchronous={sync}: {rows_done / secs:.0f} rows/s, {secs * 1e6 / rows_done:.0f} us/row, "
      f"commit {commit_s * 1e3 / (rows_done / batch):.2f} ms, cpu {(time.process_time() - cpu) * 1e6 / rows_done:.0f} us/row")
