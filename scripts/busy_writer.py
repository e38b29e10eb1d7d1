"""A crawl-like or scoring-like writer for concurrency checks: a fixed number of short batches, each its own open.

    python scripts/busy_writer.py DB crawl|score BATCHES MODEL_ID    (prints the batches it committed)
"""

from __future__ import annotations

import datetime
import sys
import time
import uuid

from warehouse import writer

ROWS_PER_BATCH = 20


def main(argv: list[str]) -> int:
    """Commit BATCHES batches of ROWS_PER_BATCH articles (and stance rows for 'score'), then print the count."""
    db, kind, batches, model_id = argv[0], argv[1], int(argv[2]), argv[3]
    for _ in range(batches):
        with writer(db) as w:
            for _ in range(ROWS_PER_BATCH):
                aid = uuid.uuid4().hex
                now = datetime.datetime(2026, 1, 1)
                w.con.execute("INSERT INTO articles (id, url, source, title, text, published_at, fetched_at, "
                              "language, content_hash, story_id, extractor) VALUES (?, ?, 'tass.ru', 't', 'x', ?, "
                              "?, 'ru', ?, ?, 'test')", [aid, "https://x/" + aid, now, now, aid, aid])
                if kind == "score":
                    w.con.execute("INSERT INTO article_stance VALUES (?, 'RU', ?, 0.1, 'neutral', 0.5, 1, NULL, ?, 1)",
                                  [aid, model_id, now])
            time.sleep(0.05)  # a batch holds the file a little while, as a real one parsing pages would
        time.sleep(0.02)
    print(batches)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
