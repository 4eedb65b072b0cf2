"""Deterministic synthetic raw data for saas_segments, with planted segment truth.

Run ``python -m saas_segments.generator --scale demo|s|m|l --seed N --out DIR``
(see ``--help``).  It writes every table of docs/source-contract.md to ``DIR``
(``events/`` as part files, one file per other table) plus ``DIR/_truth/``:
``segment_members.csv``, ``bad_rows.csv`` and ``manifest.json``.

Money columns (amounts, prices, potential_arr) are ``decimal128(18, 2)`` in
Parquet and plain decimals in CSV; fx rates are ``decimal128(18, 6)``.

Modules: ``config`` (scales, calendar, catalog), ``personas`` (persona mix),
``entities``/``users`` (account and user plan), ``billing``/``value``
(subscriptions, invoices, fx, ARR tiers), ``customer``/``web`` (NPS, tickets,
milestones, web touches), ``activity`` (events, chunked), ``tables``/``arrow``/
``writer`` (contract tables and files), ``badrows`` (bad input), ``truth``
(segment oracle), ``world`` (the whole plan) and ``cli``.
"""
