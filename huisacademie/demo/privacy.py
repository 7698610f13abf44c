"""The demo's privacy steps: a supply teacher's data export, their departure, and their
erasure by the board's privacy officer (docs/privacy.md)."""

import io
import json
import uuid
import zipfile
from typing import Any

from huisacademie.demo.client import Client, DemoFailed, wait_for
from huisacademie.demo.scenario import (
    ACADEMY_ADMIN,
    BOARD_ADMIN,
    CLASSROOM,
    LEADER,
    USER,
    Say,
    World,
)
from services.shared.clock import dutch_today

SUPPLY = "Gijs Willems"
OFFICER = "pieter"
NOTE = "Gijs took over group 5 at a day's notice and kept the class calm."


def rights(call: Client, w: World, say: Say) -> dict[str, Any]:
    """A supply teacher, new each time the demo plays: a workshop and a leader's note about
    him, his export, his last day, and his erasure at his own request."""
    gijs = str(uuid.uuid4())
    call.sign_in.place(gijs, SUPPLY, "De Linde")
    team = {
        "offering_id": w.offerings[CLASSROOM]["offering_id"],
        "members": [{"staff_id": gijs, "role": "teacher"}],
    }
    made = call("POST", f"{call.enr}/teams/enrollments", team, by=USER[LEADER])
    entry = made["enrollments"][0]["enrollment_id"]
    done = {"reason": "attended the whole workshop"}
    call("POST", f"{call.enr}/enrollments/{entry}/complete", done, by=ACADEMY_ADMIN)
    portfolio = f"{call.por}/staff/{gijs}/portfolio"
    wait_for(
        "the supply teacher's workshop in the portfolio",
        lambda: call("GET", portfolio, by=USER[LEADER])["total_hours"] > 0,
    )
    note = f"{call.por}/staff/{gijs}/entries/{entry}/notes"
    call("POST", note, {"text": NOTE}, by=USER[LEADER])
    say("")
    say(f"{SUPPLY}, supply teacher at De Linde, completes the workshop; {LEADER} notes:")
    say(f'  "{NOTE}"')

    bundle = call.raw("GET", f"{call.por}/staff/{gijs}/export.zip", by=OFFICER).content
    with zipfile.ZipFile(io.BytesIO(bundle)) as archive:
        names = archive.namelist()
        documents = {n: json.loads(archive.read(n)) for n in names if n.endswith(".json")}
    services = [p["service"] for p in documents["manifest.json"]["parts"]]
    entries = documents["portfolio.json"]["entries"]
    if NOTE not in json.dumps(entries, ensure_ascii=False):
        raise DemoFailed("the export lacks the leader's note about him")
    say(
        f"his data export (AVG art. 15/20), asked for by the privacy officer: a zip of {len(names)}"
    )
    say(f"  documents from {', '.join(services)}: {len(entries)} entry, the note included")

    left = {"left_on": dutch_today().isoformat()}
    departure = call("POST", f"{call.por}/staff/{gijs}/departure", left, by=BOARD_ADMIN)
    say(f"his contract ends today: the board keeps his dossier until {departure['erased_on']}")
    reason = {"reason": "his own request, after leaving (AVG art. 17)"}
    erased = call("POST", f"{call.por}/staff/{gijs}/erasure", reason, by=OFFICER)
    gone = call.raw_status("GET", portfolio, by=USER[LEADER])
    if gone != 404:
        raise DemoFailed(f"his portfolio is still there after the erasure ({gone})")
    say(f"erased at his request at {erased['erased_at'][:19]}: his key is destroyed, so the")
    say("  note on the event log can no longer be read; every service forgets him (404)")
    say("  the same export of anyone, from the command line: huisacademie privacy export bram")
    return {"supply_teacher": gijs, "export_files": names}
