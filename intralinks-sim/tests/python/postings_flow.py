"""Postings with the public `intralinks` package (0.1.6) against the
simulator: the package's own calls open a bulk upload (V1), post documents
into it, list bulk uploads and their items, read a document's access
statuses through one "not ready" (9-9-9-1) answer, and add a member with a
welcome alert.

    python3 postings_flow.py http://127.0.0.1:PORT

Prints one line per step and "POSTINGS FLOW OK" at the end; any mismatch
raises (non-zero exit).
"""

import json
import sys

import requests

import intralinks
import intralinks.api
import intralinks.api.v2
import intralinks.functions.entities
import intralinks.functions.v1.batches

BASE = sys.argv[1]
MAIN = 701421
FOLDER_FY2023 = 4714545918


def step(text):
    print("-", text, flush=True)


config = intralinks.api.v2.Config(BASE, "demo-client", "demo-secret")
api_client = intralinks.api.ApiClient(config, intralinks.api.v2.Session())
il = intralinks.IntralinksClient(api_client)

step("login, enter")
il.login("demo@example.com", "demo-password")
assert il.enter_exchange(MAIN, accept_splash=False) == "ALLOW"

step("open a bulk upload (V1 create_batch)")
# create_batch names its path without a leading slash: a client whose base
# URL ends with one, on the same session.
v1_client = intralinks.api.ApiClient(
    intralinks.api.v2.Config(BASE + "/", "demo-client", "demo-secret"), api_client.session
)
opened = intralinks.functions.v1.batches.create_batch(v1_client, MAIN, "Bulk Upload", 2)
batch_id = int(opened["batchId"])
assert batch_id > 0, opened

step("post two documents into it")
# The 0.1.6 wheel's V2 create_documents raises; the SDK's later source
# (functions/v2/documents.py) sends this call, through the same client.
response = api_client.create(
    "/v2/workspaces/{}/documents".format(MAIN),
    params={"batch_id": batch_id},
    data=json.dumps({"documents": [
        {"document": {"name": "Teaser.pdf", "parentId": FOLDER_FY2023}},
        {"document": {"name": "CIM.pdf", "parentId": FOLDER_FY2023}},
    ]}),
    headers={"Content-Type": "application/json"},
    api_version=2,
)
response.assert_status_code(201)
posted = response.data()["documentPartial"]
assert [d["name"] for d in posted] == ["Teaser.pdf", "CIM.pdf"], posted

step("list bulk uploads and their items")
uploads = il.get_bulk_uploads(MAIN)
assert [b["id"] for b in uploads] == [batch_id], uploads
assert "milliseconds" in uploads[0]["createdDate"], uploads
items = il.get_bulk_upload_items(MAIN, batch_id)
assert [d["name"] for d in items] == ["Teaser.pdf", "CIM.pdf"], items
assert all(d["unread"] is True for d in items), items

step("access statuses, through one 'not ready' answer (the package waits 5 s)")
statuses = il.get_access_statuses(MAIN, posted[0]["id"])
allowed = sorted(
    a["email"] for a in statuses if a["descriptor"] == "USER" and a["access"] == "ALLOWED"
)
assert allowed == [
    "alice.hidden@example.com",
    "bob.review@example.com",
    "dan.manager@example.com",
    "demo@example.com",
], allowed
assert all(a["viewed"] is False for a in statuses if a["descriptor"] == "USER"), statuses

step("a member added with a welcome alert")
alert = intralinks.functions.entities.Alert(customNote="Welcome to Alpha", customSubject="Project Alpha")
member = il.create_exchange_member(
    MAIN,
    {"roleType": "REVIEWER", "user": {"emailId": "py.alert@example.com", "firstName": "Py", "lastName": "Alert"}},
    alert=alert,
)
assert member["emailId"] == "py.alert@example.com", member
mail = requests.get(BASE + "/_sim/mailbox").json()
assert [(m["email"], m["alert"], m["subject"], m["note"]) for m in mail] == [
    ("py.alert@example.com", "WELCOME_NEW_USER", "Project Alpha", "Welcome to Alpha")
], mail
found = il.get_user_account("py.alert@example.com", MAIN)
assert found["isWelcomeAlertSent"] is True, found
assert "lastAlertSentDate" in found and "lastAccessedOn" not in found, found

print("POSTINGS FLOW OK")
