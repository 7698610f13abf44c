"""E-mail where people expect it: a place from the waiting list, a request to approve, a
session moved or an offering withdrawn (with the calendar entry).

Nothing lost, nothing twice, in three steps, each in one transaction:
1. handlers.py: an event's notices (who should hear of what) are written with the event's
   inbox row, in the consumer's unit of work: a redelivered event is skipped by the inbox,
   and a notice's id, made of the fact and the person, keeps out a second one anyway.
2. compose.py (the mail job): notices, row-locked with SKIP LOCKED, become messages in the
   outbox, under ids made of the notice and the recipient, and are deleted, together.
3. sender.py (the mail job): each message due is sent under its row lock and marked sent
   in the same transaction; a failure is counted and tried again later. Only a crash
   between the mail server's acceptance and the commit sends one again, with the same
   Message-ID.
The directory (addresses, names, school leaders) is read in step 2, not in the handlers:
a directory out of reach then delays mail, and never sends an event to the dead letters."""
