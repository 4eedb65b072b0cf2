"""One small business written twice: as raw contract files and as vendor tables.

``write_contract`` writes the raw dir of the business (every contract table);
``write_vendors`` writes the same billing as Stripe tables, the same accounts as
HubSpot companies (Fivetran's layouts), the same NPS answers as Delighted survey
responses and the same support tickets as Zendesk tickets (Airbyte's), the same
product events and web touches as Segment track and page calls (and the events again
as Amplitude events, Fivetran's layout), and the same users as Segment identify calls
enriched by HubSpot contacts, as
``<dir>/<vendor>/<table>.csv``. Building on the raw dir
with those tables switched to the adapters must give the same marts as building on
the raw dir alone. With ``unmappable=True`` one vendor row of every kind an adapter
cannot map is added (see ``UNMAPPABLE``); staging quarantines each.
"""

from __future__ import annotations

import csv
import json
from datetime import date, datetime, timedelta
from pathlib import Path

# product id, plan name, monthly USD list price per seat
PRODUCTS = [("prod_free", "Free", 0), ("prod_starter", "Starter", 29), ("prod_pro", "Pro", 99), ("prod_business", "Business", 299)]
# price id, product id, currency, interval, unit amount (minor units)
PRICES = [(f"price_{product}_m", product, "usd", "month", price * 100) for product, _, price in PRODUCTS]
PRICES += [("price_pro_y_eur", "prod_pro", "eur", "year", 99000)]
# account: HubSpot company id, industry (HubSpot's value), employees, region, potential ARR
ACCOUNTS = {
    "A1": ("1001", "COMPUTER_SOFTWARE", 20, "NA", 60000),
    "A2": ("1002", "FINANCIAL_SERVICES", 40, "EMEA", 50000),
    "A3": ("1003", "RETAIL", 60, "APAC", 40000),
    "A4": ("1004", "HOSPITAL_HEALTH_CARE", 80, "LATAM", 30000),
}
# response: user, day, score, comment, Delighted person id, identified by (email | user_id property)
NPS = {
    "R1": ("U1", "2025-06-01", 10, "love it", "p1", "email"),
    "R2": ("U3", "2025-06-02", 7, None, "p3", "user_id"),
    "R3": ("U5", "2025-06-03", 3, "too slow", "p5", "email"),
    "R4": ("U2", "2025-05-20", 9, None, "p2", "user_id"),
}
# account: primary need; A4's is stated in a Delighted response (its HubSpot company has
# none), A1's response states another need but the CRM's wins (crm.accounts: hubspot+delighted)
NEEDS = {"A1": "automate_reporting", "A2": "team_collaboration", "A3": "customer_insights", "A4": "compliance"}
STATED_NEEDS = {"R3": "compliance", "R1": "customer_insights"}
USERS = {"U1": "A1", "U2": "A1", "U3": "A2", "U4": "A3", "U5": "A4", "U6": "A4"}
# subscription: account, user, price, seats, start, trial (start, end) or None, status, ended_at
SUBSCRIPTIONS = {
    "sub_a1_pro": ("A1", "U1", "price_prod_pro_m", 2, "2025-01-06", ("2025-01-06", "2025-01-20"), "canceled", "2025-04-20"),
    "sub_a1_business": ("A1", "U1", "price_prod_business_m", 3, "2025-04-20", None, "active", None),
    "sub_a2_pro": ("A2", "U3", "price_pro_y_eur", 1, "2025-02-01", ("2025-02-01", "2025-02-15"), "active", None),
    "sub_a3_trial": ("A3", "U4", "price_prod_business_m", 5, "2025-03-06", ("2025-03-06", "2025-03-20"), "canceled", "2025-03-20"),
    "sub_a4_starter": ("A4", "U5", "price_prod_starter_m", 1, "2025-04-05", None, "canceled", "2025-06-05"),
}
# one invoice per paid subscription month until its end (or 2025-06-30)
LAST_DAY = date(2025, 6, 30)
FX = [("EUR", "2025-01-01", "1.08"), ("EUR", "2025-03-01", "1.10"), ("USD", "2025-01-01", "1")]

# ticket: account, requester, created day, solved day, priority (None = unset in Zendesk), minutes, requester matched by
TICKETS = {
    "K1": ("A1", "U1", "2025-06-01", "2025-06-02", "high", 45, "external_id"),
    "K2": ("A4", "U5", "2025-06-10", None, "urgent", None, "email"),
    "K3": ("A4", "U6", "2025-06-12", "2025-06-12", None, 20, "email"),
}
# vendor rows the adapters cannot map, with the quarantine rule staging gives each:
# (contract table, record id, rule)
UNMAPPABLE = [
    ("accounts", "A9", "missing_required"),  # a HubSpot company without a name
    ("nps_responses", "R_out_of_range", "invalid_score"),  # a score of 11
    ("nps_responses", "R_unknown_person", "missing_required"),  # a person matching no user
    ("support_tickets", "K_no_account", "missing_required"),  # an organization without external_id
    ("users", "", "null_key"),  # an identify call without userId
    ("users", "", "null_key"),  # a HubSpot contact without email
    ("users", "U7", "missing_required"),  # a user whose account neither Segment nor HubSpot knows
    ("events", "E_unmapped", "unknown_enum"),  # a track event not in event_name_map
    ("events", "E_anonymous", "missing_required"),  # a track call without userId
    ("subscriptions", "sub_weekly", "unknown_enum"),  # a weekly price
    ("subscriptions", "sub_no_account", "missing_required"),  # customer without metadata.account_id
    ("subscriptions", "sub_two_plans", "missing_required"),  # items of two products
    ("subscriptions", "sub_incomplete", "unknown_enum"),  # status incomplete
    ("invoices", "in_draft", "unknown_enum"),  # a draft invoice
    ("plans", "prod_gold", "unknown_enum"),  # a plan name outside the contract
]


def _email(user: str) -> str:
    return f"{user.lower()}@{USERS[user].lower()}.example"


def _write(path: Path, header: list[str], rows: list[list[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows([["" if value is None else value for value in row] for row in rows])


def _ts(day: str, hour: int = 0) -> str:
    return f"{day}T{hour:02d}:00:00Z"


def _paid_start(subscription: tuple) -> str:
    trial = subscription[5]
    return trial[1] if trial else subscription[4]


def _has_paid_period(subscription: tuple) -> bool:
    trial, ended = subscription[5], subscription[7]
    return not (trial and ended and ended <= trial[1])


def _price(price_id: str) -> tuple:
    return next(price for price in PRICES if price[0] == price_id)


# invoices refunded in full (Stripe: a paid invoice whose charge is refunded) and refunded in part (stays paid: the
# contract has no partial refund)
REFUNDED_INVOICES = ("in_sub_a4_starter_1",)
PARTLY_REFUNDED_INVOICES = ("in_sub_a1_business_1",)


def _invoices() -> list[tuple[str, str, str, str, int, str]]:
    """(invoice id, account, subscription, issued day, total in minor units, currency)."""
    invoices = []
    for subscription_id, subscription in SUBSCRIPTIONS.items():
        if not _has_paid_period(subscription):
            continue
        _, product, currency, interval, unit = _price(subscription[2])
        day = date.fromisoformat(_paid_start(subscription))
        end = date.fromisoformat(subscription[7]) if subscription[7] else LAST_DAY
        number = 0
        while day < end:
            invoices.append((f"in_{subscription_id}_{number}", subscription[0], subscription_id, day.isoformat(), unit * subscription[3], currency))
            number += 1
            months = 12 if interval == "year" else 1
            day = date(day.year + (day.month - 1 + months) // 12, (day.month - 1 + months) % 12 + 1, day.day)
    return invoices


# event names of the product's events, as Segment track calls and Amplitude event types (seeds/event_name_map.csv)
TRACK_EVENTS = {("login", None): "Signed In", ("feature_used", "dashboards"): "Dashboard Viewed",
                ("feature_used", "reports"): "Report Created", ("feature_used", "alerts"): "Alert Created"}
# touch: anonymous id, user, day, contract touch type, URL path
TOUCHES = {
    "W1": ("anon1", None, "2024-12-20", "blog_view", "/blog/launch"),
    "W2": ("anon1", "U1", "2025-01-05", "pricing_page", "/pricing"),
    "W3": ("anon2", None, "2025-02-01", "other", "/careers"),
}


def _events() -> list[tuple[str, str, str, str, str | None]]:
    """(event id, user, day, event type, feature key): daily users, a user every third day, one who stopped in May."""
    events, number = [], 0
    schedule = {"U1": 1, "U2": 1, "U3": 3, "U5": 2}
    day = date(2025, 3, 1)
    while day <= LAST_DAY:
        for user, every in schedule.items():
            if (day - date(2025, 3, 1)).days % every or (user == "U5" and day > date(2025, 5, 10)):
                continue
            for kind, feature in (("login", None), ("feature_used", "dashboards"), ("feature_used", "reports" if user != "U3" else "alerts")):
                number += 1
                events.append((f"E{number}", user, day.isoformat(), kind, feature))
        day += timedelta(days=1)
    return events


def write_contract(raw_dir: Path) -> Path:
    """The business as a raw dir of contract files."""
    _write(raw_dir / "accounts.csv", ["account_id", "account_name", "industry", "employee_count", "region", "location_type", "created_at",
           "acquisition_channel", "potential_arr", "is_beta_program", "primary_need"], [
        [account, f"Company {account}", industry.lower(), employees, region, "urban", _ts(f"2025-01-0{index + 1}"), "organic_search",
         potential, "false", NEEDS[account]]
        for index, (account, (_, industry, employees, region, potential)) in enumerate(ACCOUNTS.items())
    ])
    _write(raw_dir / "users.csv", ["user_id", "account_id", "email", "role", "created_at", "email_opt_in", "in_app_enabled", "is_beta_user",
           "deleted_at"], [
        [user, account, _email(user), "admin", _ts("2025-01-05", 9), "true", "true", "false", None]
        for user, account in USERS.items()
    ])
    _write(raw_dir / "features.csv", ["feature_key", "feature_name", "category", "is_most_valuable", "is_activation", "released_at"], [
        ["dashboards", "Dashboards", "core", "false", "true", "2024-01-01"],
        ["reports", "Reports", "core", "true", "false", "2024-01-01"],
        ["alerts", "Alerts", "secondary", "false", "false", "2024-06-01"],
    ])
    events = [[event_id, user, USERS[user], _ts(day, 10), kind, feature, None] for event_id, user, day, kind, feature in _events()]
    _write(raw_dir / "events.csv", ["event_id", "user_id", "account_id", "occurred_at", "event_type", "feature_key", "session_id"], events)
    _write(raw_dir / "plans.csv", ["plan_id", "plan_name", "plan_rank", "list_price_monthly", "is_paid"], [
        [product, name, rank + 1, price, str(price > 0).lower()] for rank, (product, name, price) in enumerate(PRODUCTS)
    ])
    _write(raw_dir / "subscriptions.csv", ["subscription_id", "account_id", "plan_id", "status", "period_start", "period_end",
           "billing_interval", "amount", "currency", "seats"], [
        [subscription_id, s[0], _price(s[2])[1], s[6], _paid_start(s), s[7], _price(s[2])[3], _price(s[2])[4] * s[3] / 100,
         _price(s[2])[2].upper(), s[3]]
        for subscription_id, s in SUBSCRIPTIONS.items() if _has_paid_period(s)
    ])
    _write(raw_dir / "trials.csv", ["trial_id", "account_id", "user_id", "plan_id", "started_at", "ends_at", "converted_at", "cancelled_at"], [
        [subscription_id, s[0], s[1], _price(s[2])[1], _ts(s[5][0]), _ts(s[5][1]), _ts(s[5][1]) if _has_paid_period(s) else None,
         None if _has_paid_period(s) else _ts(s[7])]
        for subscription_id, s in SUBSCRIPTIONS.items() if s[5]
    ])
    _write(raw_dir / "invoices.csv", ["invoice_id", "account_id", "subscription_id", "issued_at", "amount", "currency", "status"], [
        [invoice, account, subscription, _ts(day), total / 100, currency.upper(), "refunded" if invoice in REFUNDED_INVOICES else "paid"]
        for invoice, account, subscription, day, total, currency in _invoices()
    ])
    _write(raw_dir / "fx_rates.csv", ["currency", "rate_date", "usd_per_unit"], [list(row) for row in FX])
    _write(raw_dir / "nps_responses.csv", ["response_id", "user_id", "account_id", "responded_at", "score", "comment", "survey_id"], [
        [response, user, USERS[user], _ts(day), score, comment, "nps"] for response, (user, day, score, comment, _, _) in NPS.items()
    ])
    _write(raw_dir / "web_touches.csv", ["touch_id", "anonymous_id", "user_id", "occurred_at", "touch_type", "url"], [
        [touch, anonymous, user, _ts(day, 8), touch_type, "https://example.com" + path]
        for touch, (anonymous, user, day, touch_type, path) in TOUCHES.items()
    ])
    _write(raw_dir / "support_tickets.csv", ["ticket_id", "account_id", "user_id", "created_at", "resolved_at", "priority", "handle_minutes"], [
        [ticket, account, user, _ts(created, 8), solved and _ts(solved), priority or "normal", minutes]
        for ticket, (account, user, created, solved, priority, minutes, _) in TICKETS.items()
    ])
    _write(raw_dir / "onboarding_milestones.csv", ["account_id", "milestone_key", "completed_at"], [
        ["A1", "kickoff_call", _ts("2025-01-21")],
        ["A1", "admin_setup", _ts("2025-01-25")],
    ])
    return raw_dir


def write_vendors(vendor_dir: Path, unmappable: bool = False) -> Path:
    """The business's vendor tables (Stripe, HubSpot, Delighted, Zendesk, Segment, Amplitude) under ``vendor_dir``."""
    write_stripe(vendor_dir, unmappable)
    write_hubspot(vendor_dir, unmappable)
    write_delighted(vendor_dir, unmappable)
    write_zendesk(vendor_dir, unmappable)
    write_segment(vendor_dir, unmappable)
    write_amplitude(vendor_dir, unmappable)
    return vendor_dir


# identify call: user, time, traits (email, created_at, role, account_id, email_opt_in); in_app_enabled true,
# is_beta_user false. U1's role changes (the latest wins), U2 sends created_at after signing up, U3's role and
# opt-in come from its HubSpot contact, U5's account from its contact's company.
IDENTIFIES = [
    ("U1", "2025-01-05 09:00:00", (_email("U1"), None, "analyst", "A1", "true")),
    ("U1", "2025-03-01 12:00:00", (None, None, "admin", None, None)),
    ("U2", "2025-01-06 10:00:00", (_email("U2"), "2025-01-05T09:00:00Z", "admin", "A1", "true")),
    ("U3", "2025-01-05 09:00:00", (_email("U3"), None, "engineer", "A2", "false")),
    ("U4", "2025-01-05 09:00:00", (_email("U4"), None, "admin", "A3", "true")),
    ("U5", "2025-01-05 09:00:00", (_email("U5"), None, "admin", None, "true")),
    ("U6", "2025-01-05 09:00:00", (_email("U6"), None, "admin", "A4", "true")),
]
# HubSpot contact: id, email, job title, opted out of email, associated company (U4's sets nothing)
CONTACTS = [("c3", _email("U3").upper(), "Admin", "false", None), ("c4", _email("U4"), None, None, "1003"),
            ("c5", _email("U5"), None, None, "1004"), ("c_lead", "lead@elsewhere.example", "CTO", "true", "1001")]


def write_segment(vendor_dir: Path, unmappable: bool = False) -> None:
    """The product events as Segment track calls, the web touches as page calls and the users as identify calls
    (Segment's warehouse schema)."""
    tracks = [[event_id, user, TRACK_EVENTS[(kind, feature)], day + " 10:00:00"] for event_id, user, day, kind, feature in _events()]
    pages = [[touch, anonymous, user, day + " 08:00:00", path, "https://example.com" + path]
             for touch, (anonymous, user, day, _, path) in TOUCHES.items()]
    if unmappable:
        tracks += [["E_unmapped", "U1", "Button Clicked", "2025-06-01 11:00:00"], ["E_anonymous", None, "Signed In", "2025-06-01 11:00:00"]]
    identifies = [[f"id{number}", user, f"anon_{user}", at, *traits, "true", "false", None]
                  for number, (user, at, traits) in enumerate(IDENTIFIES)]
    if unmappable:
        identifies += [["id_anonymous", None, "anon9", "2025-06-01 09:00:00", "visitor@elsewhere.example", None, None, None, "true", "true",
                        "false", None],
                       ["id_no_account", "U7", "anon7", "2025-06-01 09:00:00", "u7@nowhere.example", None, "admin", None, "true", "true",
                        "false", None]]
    _write(vendor_dir / "segment" / "identifies.csv", ["id", "user_id", "anonymous_id", "timestamp", "email", "created_at", "role", "account_id",
           "email_opt_in", "in_app_enabled", "is_beta_user", "deleted_at"], identifies)
    _write(vendor_dir / "segment" / "tracks.csv", ["id", "user_id", "event_text", "timestamp"], tracks)
    _write(vendor_dir / "segment" / "pages.csv", ["id", "anonymous_id", "user_id", "timestamp", "path", "url"], pages)


def write_zendesk(vendor_dir: Path, unmappable: bool = False) -> None:
    """The support tickets as Zendesk tickets, organizations, users and ticket metrics (Airbyte layout)."""
    organizations = [[f"org_{account}", account] for account in ACCOUNTS]
    users = [[f"zu_{user}", _email(user), user if matched_by == "external_id" else None] for _, user, _, _, _, _, matched_by in TICKETS.values()]
    tickets = [[ticket, created + "T08:00:00Z", priority, f"zu_{user}", f"org_{account}"]
               for ticket, (account, user, created, _, priority, _, _) in TICKETS.items()]
    metrics = [[ticket, solved and solved + "T00:00:00Z", "{}" if minutes is None else f'{{"calendar": {minutes * 3}, "business": {minutes}}}']
               for ticket, (_, _, _, solved, _, minutes, _) in TICKETS.items()]
    if unmappable:
        organizations.append(["org_unknown", None])
        tickets.append(["K_no_account", "2025-06-15T08:00:00Z", "low", "zu_U1", "org_unknown"])
        metrics.append(["K_no_account", None, "{}"])
    folder = vendor_dir / "zendesk"
    _write(folder / "organizations.csv", ["id", "external_id"], organizations)
    _write(folder / "users.csv", ["id", "email", "external_id"], users)
    _write(folder / "tickets.csv", ["id", "created_at", "priority", "requester_id", "organization_id"], tickets)
    _write(folder / "ticket_metrics.csv", ["ticket_id", "solved_at", "full_resolution_time_in_minutes"], metrics)


def write_hubspot(vendor_dir: Path, unmappable: bool = False) -> None:
    """The accounts as HubSpot companies and the users' contacts (Fivetran layout: one column per property)."""
    companies = [
        [company, f"Company {account}", industry, employees, f"2025-01-0{index + 1} 00:00:00", "ORGANIC_SEARCH", account, region, "urban",
         potential, "false", None if account == "A4" else NEEDS[account]]
        for index, (account, (company, industry, employees, region, potential)) in enumerate(ACCOUNTS.items())
    ]
    if unmappable:
        companies.append(["1009", None, "RETAIL", 5, "2025-01-09 00:00:00", "DIRECT_TRAFFIC", "A9", "NA", "rural", 1000, "false", None])
    contacts = [list(contact) for contact in CONTACTS]
    if unmappable:
        contacts += [["c_no_email", None, "Analyst", "false", "1001"], ["c7", "U7@nowhere.example", "Admin", "false", None]]
    _write(vendor_dir / "hubspot" / "contact.csv", ["id", "property_email", "property_jobtitle", "property_hs_email_optout",
           "property_associatedcompanyid"], contacts)
    _write(vendor_dir / "hubspot" / "company.csv", ["id", "property_name", "property_industry", "property_numberofemployees",
           "property_createdate", "property_hs_analytics_source", "property_account_id", "property_region", "property_location_type",
           "property_potential_arr", "property_beta_program", "property_primary_need"], companies)


def _person_properties(response: str, user: str, identified_by: str) -> dict[str, str]:
    """A response's person properties: the user id where the person is identified by it, a stated need with its account."""
    properties = {"user_id": user} if identified_by == "user_id" else {}
    if response in STATED_NEEDS:
        properties |= {"account_id": USERS[user], "primary_need": STATED_NEEDS[response]}
    return properties


def write_delighted(vendor_dir: Path, unmappable: bool = False) -> None:
    """The NPS answers as Delighted people and survey responses (Airbyte layout; created_at in Unix seconds)."""
    people = [[person, _email(user).upper()] for user, _, _, _, person, _ in NPS.values()]
    responses = [
        [response, person, "nps", score, comment, int(datetime.fromisoformat(day + "T00:00:00+00:00").timestamp()),
         json.dumps(_person_properties(response, user, identified_by))]
        for response, (user, day, score, comment, person, identified_by) in NPS.items()
    ]
    if unmappable:
        people.append(["p_unknown", "nobody@elsewhere.example"])
        responses += [["R_out_of_range", "p1", "nps", 11, None, 1748736000, "{}"], ["R_unknown_person", "p_unknown", "nps", 8, None, 1748736000, "{}"]]
    _write(vendor_dir / "delighted" / "people.csv", ["id", "email"], people)
    _write(vendor_dir / "delighted" / "survey_responses.csv", ["id", "person", "survey_type", "score", "comment", "created_at",
           "person_properties"], responses)


def write_stripe(vendor_dir: Path, unmappable: bool = False) -> None:
    """The billing of the business as Stripe tables (Fivetran layout) in ``vendor_dir/stripe``."""
    folder = vendor_dir / "stripe"
    customers = [[f"cus_{account.lower()}", f'{{"account_id": "{account}"}}'] for account in ACCOUNTS]
    products = [[product, name] for product, name, _ in PRODUCTS]
    prices = [[price, product, currency, interval, 1, unit, "true", "2024-01-01 00:00:00"] for price, product, currency, interval, unit in PRICES]
    # an older, inactive monthly price of Pro: the plan's list price is the active one
    prices.append(["price_pro_old", "prod_pro", "usd", "month", 1, 7900, "false", "2023-01-01 00:00:00"])
    history, items = [], []
    for subscription_id, (account, user, price, seats, start, trial, status, ended) in SUBSCRIPTIONS.items():
        # an earlier, no longer active version of every subscription (Fivetran history mode)
        history.append([subscription_id, f"cus_{account.lower()}", "incomplete", start, None, None, None, None, "{}", "false"])
        history.append([subscription_id, f"cus_{account.lower()}", status, start + " 00:00:00", ended and ended + " 00:00:00",
                        ended and ended + " 00:00:00", trial and trial[0] + " 00:00:00", trial and trial[1] + " 00:00:00",
                        f'{{"user_id": "{user}"}}', "true"])
        items.append([f"si_{subscription_id}", subscription_id, price, seats])
    invoices = [[invoice, f"cus_{account.lower()}", subscription, day + " 00:00:00", total, currency, "paid"]
                for invoice, account, subscription, day, total, currency in _invoices()]
    # one charge per paid invoice; a failed first attempt on A2's; refunds are recorded on charges
    charges = [[f"ch_{invoice}", invoice, total, total if invoice in REFUNDED_INVOICES else 2000 if invoice in PARTLY_REFUNDED_INVOICES else 0,
                str(invoice in REFUNDED_INVOICES).lower(), "succeeded"]
               for invoice, _, _, _, total, _ in _invoices()]
    charges.append(["ch_in_sub_a2_pro_0_declined", "in_sub_a2_pro_0", 99000, 0, "false", "failed"])
    if unmappable:
        customers.append(["cus_anonymous", "{}"])
        products.append(["prod_gold", "Gold"])
        prices += [["price_gold_m", "prod_gold", "usd", "month", 1, 50000, "true", "2024-01-01 00:00:00"],
                   ["price_starter_w", "prod_starter", "usd", "week", 1, 700, "true", "2024-01-01 00:00:00"]]
        for subscription_id, customer, status, item_prices in (
            ("sub_weekly", "cus_a3", "active", ["price_starter_w"]),
            ("sub_no_account", "cus_anonymous", "active", ["price_prod_pro_m"]),
            ("sub_two_plans", "cus_a3", "active", ["price_prod_pro_m", "price_prod_starter_m"]),
            ("sub_incomplete", "cus_a3", "incomplete", ["price_prod_pro_m"]),
        ):
            history.append([subscription_id, customer, status, "2025-06-01 00:00:00", None, None, None, None, "{}", "true"])
            items += [[f"si_{subscription_id}_{index}", subscription_id, price, 1] for index, price in enumerate(item_prices)]
        invoices.append(["in_draft", "cus_a1", "sub_a1_business", "2025-06-20 00:00:00", 89700, "usd", "draft"])
    _write(folder / "customer.csv", ["id", "metadata"], customers)
    _write(folder / "product.csv", ["id", "name"], products)
    _write(folder / "price.csv", ["id", "product_id", "currency", "recurring_interval", "recurring_interval_count", "unit_amount", "active",
           "created"], prices)
    _write(folder / "subscription_history.csv", ["id", "customer_id", "status", "start_date", "ended_at", "canceled_at", "trial_start",
           "trial_end", "metadata", "_fivetran_active"], history)
    _write(folder / "subscription_item.csv", ["id", "subscription_id", "plan_id", "quantity"], items)
    _write(folder / "invoice.csv", ["id", "customer_id", "subscription_id", "created", "total", "currency", "status"], invoices)
    _write(folder / "charge.csv", ["id", "invoice_id", "amount", "amount_refunded", "refunded", "status"], charges)


# an Amplitude session: its start in milliseconds since the Unix epoch (2025-06-01 10:40:00 UTC)
AMPLITUDE_SESSION = 1748774400000


def write_amplitude(vendor_dir: Path, unmappable: bool = False) -> None:
    """The product events as Amplitude events (Fivetran's ``event`` table): outside any session (-1), as the contract
    files have none."""
    events = [[event_id, user, f"device_{user}", TRACK_EVENTS[(kind, feature)], day + " 10:00:00", -1]
              for event_id, user, day, kind, feature in _events()]
    if unmappable:  # quarantined as the Segment calls of the same ids (UNMAPPABLE); E_unmapped is in a session
        events += [["E_unmapped", "U1", "device_U1", "Button Clicked", "2025-06-01 11:00:00", AMPLITUDE_SESSION],
                   ["E_anonymous", None, "device_anonymous", "Signed In", "2025-06-01 11:00:00", -1]]
    _write(vendor_dir / "amplitude" / "event.csv", ["uuid", "user_id", "device_id", "event_type", "event_time", "session_id"], events)
