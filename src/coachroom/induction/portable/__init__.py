"""The portable record: an ECT's induction as a zip that moves with them to a new school.

- `record`: the induction as data (what goes in, read as the ECT reads it), the JSON format;
- `pdf`: the same data as a readable A4 PDF;
- `archive`: the zip, written byte for byte the same for the same data, and read back safely;
- `checks`: what an uploaded `induction.json` must look like;
- `services`: the export (audited) and attaching a record at the new school (once);
- `views`, `forms` and `cli`: the ECT's download, the upload with its preview, and
  `coachroom export ect EMAIL PATH`.

Never in it: mentor notes, drop-in or meeting notes, support plans. Only titles, states, dates,
counts and the reviews the induction tutor has signed (docs/induction.md).
"""
