"""Documents a cluster files: the pledge, the report of results, score sheets, the conference's
minutes and the proposal for awards, in Word (from templates a secretariat may edit) and PDF, in
the format of NĐ 30/2020/NĐ-CP (docs/documents.md)."""
